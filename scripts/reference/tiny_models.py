"""Random-initialised tiny BERT and ModernBERT checkpoints, saved as Hugging Face folders.

Every parameter is perturbed after the library's init: LayerNorm gains ~ 1 + N(0, 0.2) and
all biases ~ N(0, 0.1), where init leaves them at exactly 1 and 0. A port that swaps a gain
with a bias, or drops a bias, then gives visibly different hidden states instead of the
same ones by accident.

Weights are drawn with initializer_range 0.1 instead of the usual 0.02: at 0.02 the
attention logits are so small that softmax is nearly uniform, and swapping ModernBERT's two
rope thetas moves the hidden states by only ~1e-4; at 0.1 it moves them by ~0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModel, BertConfig, BertModel, ModernBertConfig, ModernBertModel
from transformers import PreTrainedModel, PreTrainedTokenizerFast

from fixture_io import write_json
from tiny_tokenizers import train_byte_level_bpe, train_wordpiece

# Eager attention is the plain softmax(QK^T)V a port re-implements; never flash attention.
ATTENTION = "eager"
INITIALIZER_RANGE = 0.1


def save_bert_tiny(folder: Path, texts: list[str], *, seed: int) -> None:
    """2-layer BERT (hidden 64, 4 heads) with a CISI WordPiece tokenizer."""
    tokenizer = train_wordpiece(texts, max_length=128)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=128,
        type_vocab_size=2,
        hidden_act="gelu",
        initializer_range=INITIALIZER_RANGE,
        pad_token_id=tokenizer.pad_token_id,
    )
    save(BertModel, config, tokenizer, folder=folder, seed=seed)


def save_modernbert_tiny(
    folder: Path, texts: list[str], *, seed: int, layers: int, biases: bool
) -> None:
    """ModernBERT (hidden 64, local window 16, global every 2nd layer) with a CISI BPE tokenizer."""
    tokenizer = train_byte_level_bpe(texts, max_length=256)
    special = {
        "pad_token_id": tokenizer.pad_token_id,
        "cls_token_id": tokenizer.cls_token_id,
        "bos_token_id": tokenizer.cls_token_id,
        "sep_token_id": tokenizer.sep_token_id,
        "eos_token_id": tokenizer.sep_token_id,
    }
    config = ModernBertConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=layers,
        num_attention_heads=4,
        hidden_activation="gelu",
        max_position_embeddings=256,
        global_attn_every_n_layers=2,
        local_attention=16,
        # Distinct thetas, so a port that uses one rope for both layer kinds fails, and not
        # ModernBERT's defaults (160000, 10000), so one that ignores the config fails too.
        global_rope_theta=80000.0,
        local_rope_theta=5000.0,
        norm_bias=biases,
        attention_bias=biases,
        mlp_bias=biases,
        initializer_range=INITIALIZER_RANGE,
        **special,
    )
    save(ModernBertModel, config, tokenizer, folder=folder, seed=seed)


def save(
    model_class: type[PreTrainedModel],
    config,
    tokenizer: PreTrainedTokenizerFast,
    *,
    folder: Path,
    seed: int,
) -> None:
    """Build `model_class(config)` from `seed`, perturb it, save it beside `tokenizer`."""
    torch.manual_seed(seed)
    model = model_class(config)
    perturb(model, torch.Generator().manual_seed(seed + 1))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    write_portable_tokenizer_config(folder, tokenizer)


def write_portable_tokenizer_config(folder: Path, tokenizer: PreTrainedTokenizerFast) -> None:
    """Name the class and special tokens as Hub checkpoints do, not as transformers 5 saves.

    transformers 5 writes `"tokenizer_class": "TokenizersBackend"`, which transformers 4 and
    other readers do not know, and no special_tokens_map.json; checkpoints on the Hub carry
    `PreTrainedTokenizerFast` and that file, and transformers 5 reads both.
    """
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    write_json(config_path, config, pretty=True)
    write_json(folder / "special_tokens_map.json", tokenizer.special_tokens_map, pretty=True)


def perturb(model: nn.Module, generator: torch.Generator) -> None:
    """LayerNorm gains to 1 + N(0, 0.2), every bias to N(0, 0.1), in parameter order."""
    gains = {id(module.weight) for module in model.modules() if isinstance(module, nn.LayerNorm)}
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            noise = torch.randn(parameter.shape, generator=generator)
            if id(parameter) in gains:
                parameter.copy_(1 + 0.2 * noise)
            elif name.endswith("bias"):
                parameter.copy_(0.1 * noise)


def load(folder: Path) -> PreTrainedModel:
    """The saved model, read back from disk in eval mode (so the fixture checks the files)."""
    return AutoModel.from_pretrained(folder, attn_implementation=ATTENTION).eval()
