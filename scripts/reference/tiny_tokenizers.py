"""Small tokenizers trained on CISI with the `tokenizers` library, wrapped for transformers.

~1,000 entries keep the embedding tables (and so the fixtures) small while still giving
real sub-word splits, so the suite's tokenizer.json reader meets multi-piece words.
"""

from __future__ import annotations

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from tokenizers import trainers
from transformers import PreTrainedTokenizerFast

VOCABULARY_SIZE = 1000
BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MODERNBERT_SPECIALS = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"]
BERT_INPUTS = ["input_ids", "token_type_ids", "attention_mask"]
MODERNBERT_INPUTS = ["input_ids", "attention_mask"]


def train_wordpiece(texts: list[str], *, max_length: int) -> PreTrainedTokenizerFast:
    """BERT-style WordPiece: lowercase, BERT pre-tokenizer, `[CLS] $A [SEP]`.

    The trainer numbers each `##c` piece when it first meets it while walking a hash map of
    words, in an order that changes from process to process, and breaks ties between equal
    merges by those numbers: the vocabulary changed between two runs. Seeding every `##c` as
    a special token fixes their numbers; the trained vocabulary is then rebuilt into a
    tokenizer whose only special tokens are the five real ones.
    """
    pieces = sorted({c for text in texts for c in text + text.lower() if not c.isspace()})
    seeded = BERT_SPECIALS + [f"##{c}" for c in pieces]
    trainer = trainers.WordPieceTrainer(vocab_size=VOCABULARY_SIZE, special_tokens=seeded)
    learner = wordpiece_pipeline(Tokenizer(models.WordPiece(unk_token="[UNK]")))
    learner.train_from_iterator(texts, trainer)
    tokenizer = wordpiece_pipeline(
        Tokenizer(models.WordPiece(vocab=learner.get_vocab(), unk_token="[UNK]"))
    )
    tokenizer.add_special_tokens(BERT_SPECIALS)
    tokenizer.post_processor = cls_sep_template(tokenizer)
    return wrap(tokenizer, max_length=max_length, input_names=BERT_INPUTS)


def wordpiece_pipeline(tokenizer: Tokenizer) -> Tokenizer:
    """`tokenizer` with BERT's lowercase normaliser, pre-tokenizer and `##` decoder."""
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    return tokenizer


def train_byte_level_bpe(texts: list[str], *, max_length: int) -> PreTrainedTokenizerFast:
    """ModernBERT-style byte-level BPE (no prefix space), `[CLS] $A [SEP]`, no token types."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCABULARY_SIZE,
        special_tokens=MODERNBERT_SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(texts, trainer)
    tokenizer.post_processor = cls_sep_template(tokenizer)
    # ModernBertModel.forward takes no token_type_ids, and ModernBERT's tokenizer gives none.
    return wrap(tokenizer, max_length=max_length, input_names=MODERNBERT_INPUTS)


def cls_sep_template(tokenizer: Tokenizer) -> processors.TemplateProcessing:
    """The `[CLS] $A [SEP]` post-processor (pairs as BERT: `[CLS] $A [SEP] $B:1 [SEP]:1`)."""
    return processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[(name, tokenizer.token_to_id(name)) for name in ("[CLS]", "[SEP]")],
    )


def wrap(
    tokenizer: Tokenizer, *, max_length: int, input_names: list[str]
) -> PreTrainedTokenizerFast:
    """A transformers tokenizer around `tokenizer`, with its special tokens named."""
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        model_max_length=max_length,
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        mask_token="[MASK]",
        model_input_names=input_names,
    )
