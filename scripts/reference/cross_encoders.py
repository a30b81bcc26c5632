"""Tiny cross-encoders (transformers `...ForSequenceClassification`, one label) of the tiny
BERT and ModernBERT fixtures' configs and tokenizers, and the raw scores sentence-transformers'
CrossEncoder gives them.

Every weight, heads included (BERT's pooler and classifier, ModernBERT's head.dense /
head.norm / classifier), is drawn from `seed` and perturbed like the tiny models.
ModernBERT's head pools by the mean, the path its [CLS] default would leave untested.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from sentence_transformers import CrossEncoder
from transformers import AutoConfig, AutoTokenizer, BertForSequenceClassification
from transformers import ModernBertForSequenceClassification

from tiny_models import perturb, write_portable_tokenizer_config

PAIRS = [
    ["how are library catalogues used?", "Catalogues (card or online) help readers find books."],
    ["how are library catalogues used?", "The weather in Paris was lovely today."],
    ["information retrieval evaluation", "Recall and precision measure retrieval systems."],
]


def save_cross_encoder(base: Path, folder: Path, *, seed: int) -> None:
    """A one-label classifier on the encoder in `base`, with `base`'s tokenizer, in `folder`."""
    bert = base.name.startswith("bert")
    model_class = BertForSequenceClassification if bert else ModernBertForSequenceClassification
    extra = {} if bert else {"classifier_pooling": "mean"}
    config = AutoConfig.from_pretrained(base, num_labels=1, **extra)
    torch.manual_seed(seed)
    model = model_class(config)
    perturb(model, torch.Generator().manual_seed(seed + 1))
    model.save_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(base)
    tokenizer.save_pretrained(folder)
    write_portable_tokenizer_config(folder, tokenizer)
    shutil.copyfile(base / "special_tokens_map.json", folder / "special_tokens_map.json")


def cross_encoder_record(folder: Path) -> dict:
    """Token ids and raw scores (no activation) of `PAIRS`, as sentence-transformers gives them."""
    model = CrossEncoder(str(folder), model_kwargs={"attn_implementation": "eager"})
    features = model.tokenizer(
        [pair[0] for pair in PAIRS], [pair[1] for pair in PAIRS], padding=True, truncation=True
    )
    scores = model.predict(PAIRS, activation_fn=torch.nn.Identity(), convert_to_numpy=True)
    return {
        "pairs": PAIRS,
        "input_ids": features["input_ids"],
        "attention_mask": features["attention_mask"],
        "scores": [float(score) for score in scores],
    }
