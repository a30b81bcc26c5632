"""What PyLate feeds a ColBERT model and what it returns, for 3 queries x 4 documents.

The record holds the token ids of each side (`model.tokenize`), the token vectors exactly as
`encode` returns them (queries with their [MASK] expansion; documents without padding and
skiplist tokens), and the MaxSim scores. `roundtrip` mode records a folder written by the
suite with the same texts, so its scores can be compared with PyLate's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from pylate.models import ColBERT
from pylate.scores import colbert_scores

# The second query tokenises past the tiny models' query_length (16) and is truncated; the
# surrounding blanks of the first test that inputs are stripped before tokenising.
QUERIES = [
    "  How are library catalogues used? ",
    "Automatic indexing: can computers assign subject headings as well as trained "
    "librarians do, and at what cost?",
    "descriptive titles",
]
# Punctuation everywhere, so the skiplist drops tokens; the last document runs past every
# document_length used here (48 for the tiny models, 180 for MiniLM) and is truncated.
DOCUMENTS = [
    "Catalogues (card or online) help readers find books; subject headings matter!",
    "Descriptive titles, it is argued, make retrieval from title words easier.",
    "A study of the costs of automatic indexing versus manual indexing by librarians.",
    "The present study is a history of the Dewey Decimal Classification. The first edition "
    "of the DDC was published in 1876, the eighteenth edition in 1971, and future editions "
    "will continue to appear as needed. In spite of the DDC's long and healthy life, however, "
    "its full story has never been told. There have been biographies of Dewey that briefly "
    "describe his system, but this is the first attempt to provide a detailed history of the "
    "work that more than any other has spurred the growth of librarianship in this country "
    "and abroad. Chapters cover the early editions (1876-1885), the period of Dewey's own "
    "editorship, the Lake Placid Club years, the 'standard' fifteenth edition, and the "
    "sixteenth to eighteenth editions; an appendix lists the editors, the printings, and the "
    "sales of every edition. Readers will find, too, a discussion of the relative index, of "
    "the mnemonic devices, of notation, and of the many revisions of the schedules for "
    "history, geography, medicine, and the social sciences; whether the system can survive "
    "the computer age is left an open question, but the evidence suggests it will.",
]


def build_colbert(folder: Path, *, seed: int, **options) -> ColBERT:
    """`pylate.models.ColBERT` on `folder`, seeded so new rows and the Dense layer repeat."""
    torch.manual_seed(seed)
    return ColBERT(model_name_or_path=str(folder), device="cpu", **options)


def colbert_record(model: ColBERT) -> dict:
    """Settings, inputs, token vectors and scores of `model` on `QUERIES` x `DOCUMENTS`."""
    query_inputs = model.tokenize(QUERIES, is_query=True)
    document_inputs = model.tokenize(DOCUMENTS, is_query=False)
    queries = model.encode(QUERIES, is_query=True)
    documents = model.encode(DOCUMENTS, is_query=False)
    kept = torch.logical_and(
        model.skiplist_mask(document_inputs["input_ids"], model.skiplist),
        document_inputs["attention_mask"].bool(),
    )
    return {
        "settings": settings(model),
        "queries": QUERIES,
        "documents": DOCUMENTS,
        "query_inputs": pick_inputs(query_inputs),
        "document_inputs": pick_inputs(document_inputs),
        "document_kept": kept,
        "query_vectors": queries,
        "document_vectors": documents,
        "scores": score_matrix(queries, documents),
    }


def settings(model: ColBERT) -> dict:
    """The PyLate settings that decide the inputs, with the ids they resolve to."""
    tokenizer = model.tokenizer
    return {
        "query_prefix": model.query_prefix,
        "document_prefix": model.document_prefix,
        "query_prefix_id": model.query_prefix_id,
        "document_prefix_id": model.document_prefix_id,
        "query_length": model.query_length,
        "document_length": model.document_length,
        "do_query_expansion": model.do_query_expansion,
        "attend_to_expansion_tokens": model.attend_to_expansion_tokens,
        "pad_token_id": tokenizer.pad_token_id,
        "mask_token_id": tokenizer.mask_token_id,
        "skiplist_words": model.skiplist_words,
        "skiplist_ids": model.skiplist,
        "embedding_size": model[-1].out_features,
        "vocabulary_size": len(tokenizer),
    }


def pick_inputs(features: dict) -> dict:
    """input_ids and attention_mask of a tokenised batch (token_type_ids are all 0)."""
    return {key: features[key] for key in ("input_ids", "attention_mask")}


def score_matrix(queries: list[np.ndarray], documents: list[np.ndarray]) -> torch.Tensor:
    """MaxSim of every query (rows) against every document (columns).

    Each document is scored on its own: `colbert_scores` zero-fills masked or padded document
    tokens instead of excluding them, which would lift a negative best match to 0.
    """
    stacked = torch.from_numpy(np.stack(queries))
    columns = [colbert_scores(stacked, torch.from_numpy(document)[None]) for document in documents]
    return torch.cat(columns, dim=1)


def assert_same_scores(expected: torch.Tensor, model: ColBERT, where: str) -> None:
    """Fail when `model` no longer scores like `expected` (e.g. a save lost a weight)."""
    actual = colbert_record(model)["scores"]
    if not torch.allclose(actual, expected, atol=1e-5):
        raise AssertionError(f"{where}: scores changed after save/load:\n{actual}\n{expected}")
