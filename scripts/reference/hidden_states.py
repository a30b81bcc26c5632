"""`last_hidden_state` of each tiny model on a padded batch: the encoder-level parity record."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoTokenizer

from tiny_models import load

# The third text is 40-80 tokens with either tokenizer: longer than ModernBERT's local window
# (16), so sliding-window attention differs from global; the lengths differ, so the batch pads.
TEXTS = [
    "Library catalogues, indexes and abstracts.",
    "What problems are there in making up descriptive titles?",
    "The present study is a history of the DEWEY Decimal Classification: the first edition "
    "was published in 1876, the eighteenth in 1971, and future editions will continue to "
    "appear as needed.",
]
MIN_LONG_TOKENS, MAX_LONG_TOKENS = 40, 80


def hidden_states_record(folder: Path) -> dict:
    """Token ids, attention mask and last hidden state of `TEXTS` through the model in `folder`."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    lengths = batch["attention_mask"].sum(dim=1).tolist()
    if not MIN_LONG_TOKENS <= max(lengths) <= MAX_LONG_TOKENS or min(lengths) == max(lengths):
        raise ValueError(f"{folder}: token counts {lengths} need one 40-80 and some padding")
    with torch.no_grad():
        hidden = load(folder)(**batch).last_hidden_state
    return {
        "texts": TEXTS,
        "input_ids": batch["input_ids"],
        "attention_mask": batch["attention_mask"],
        "last_hidden_state": hidden,
    }
