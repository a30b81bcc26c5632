/**
 * The encoders the suite trains from scratch: small ModernBERTs (the paper's backbone
 * architecture), sized by a profile and tokenised with bert-base-uncased's WordPiece. Every
 * checkpoint the suite makes is therefore a transformers `ModernBertModel` folder.
 *
 * ```ts
 * const config = suiteModernBert({ vocabSize: 30522, hidden: 64, layers: 2, heads: 2,
 *   intermediate: 96, maxLength: 256 });
 * ```
 */
import { type ModernBertConfig, parseModernBertConfig } from "./modernbert_config.ts";

/** The sizes a profile gives an encoder. */
export interface EncoderShape {
  /** Token vocabulary (30,522 for bert-base-uncased's WordPiece). */
  vocabSize: number;
  /** Width of every token vector. */
  hidden: number;
  /** Transformer blocks. */
  layers: number;
  /** Attention heads; `hidden / heads` must be even (rotary embeddings rotate pairs). */
  heads: number;
  /** Width of the GeGLU feed-forward layer (ModernBERT-base: 1.5 x hidden). */
  intermediate: number;
  /** Longest input, in tokens. */
  maxLength: number;
}

/** The sizes of `shape` under the keys transformers' BERT and ModernBERT configs share. */
export function configSizes(shape: EncoderShape): Record<string, number> {
  return {
    vocab_size: shape.vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    max_position_embeddings: shape.maxLength,
  };
}

/** bert-base-uncased's [PAD], [CLS], [SEP] ids, which ModernBERT's config names too. */
const BERT_IDS = { pad_token_id: 0, cls_token_id: 101, sep_token_id: 102 };

/**
 * A ModernBERT of `shape` with ModernBERT-base's pattern: global attention every third layer
 * (the first included), a 128-token local window elsewhere, both rotary bases, no biases, and
 * an untied MLM decoder (a tied one collapsed the small embedding tables, see heads/mlm.ts).
 */
export function suiteModernBert(shape: EncoderShape): ModernBertConfig {
  return parseModernBertConfig({
    model_type: "modernbert",
    architectures: ["ModernBertModel"],
    ...configSizes(shape),
    global_attn_every_n_layers: 3,
    local_attention: 128,
    tie_word_embeddings: false,
    ...BERT_IDS,
    bos_token_id: BERT_IDS.cls_token_id,
    eos_token_id: BERT_IDS.sep_token_id,
  }, "the suite's encoder");
}

/**
 * Forward-pass FLOPs per token of a ModernBERT of `shape` at sequence length `length`: 2 x the
 * weights a token touches (Wqkv and Wo: 4 hidden^2; the GeGLU's Wi and Wo: 3 hidden x
 * intermediate) plus the two attention products. A training step costs about 3x this.
 */
export function forwardFlopsPerToken(shape: EncoderShape, length: number): number {
  const { hidden, intermediate, layers } = shape;
  const dense = 4 * hidden * hidden + 3 * hidden * intermediate;
  const attention = 2 * length * hidden;
  return layers * 2 * (dense + attention);
}
