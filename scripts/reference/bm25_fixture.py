"""A reference BM25 run on CISI and trec_eval's figures for it: tests/fixtures/cisi_bm25_trec_eval.json.

`python scripts/reference/bm25_fixture.py [--cisi DIR] [--out FILE]` (versions in requirements.txt).

The BM25 is written from its definition, in numpy, not from lib/retrieval/bm25.ts: Robertson's
score with Lucene's idf ln(1 + (N - df + 0.5) / (df + 0.5)), k1 = 1.2, b = 0.75, a document
being its title then its text, tokens the lowercase alphanumeric runs (CISI is ASCII) minus
Lucene's 33 English stopwords, no stemming, a query token counted once per occurrence.
Documents sharing no token with the query are left out; the top 100 are evaluated by
pytrec_eval exactly as the TF-IDF fixture is (trec_fixture.py: distinct 9-decimal scores, so
trec_eval's tie order never matters, and mrr@10 on the run cut to 10).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from cisi import read_cisi
from trec_fixture import DEPTH, SCORE_DECIMALS, run_text, strictly_decreasing, trec_eval_record

K1, B = 1.2, 0.75
# Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET.
STOPWORDS = set(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)
REPOSITORY = Path(__file__).resolve().parents[2]


def tokens(text: str) -> list[str]:
    """Lowercase alphanumeric runs minus stopwords."""
    return [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in STOPWORDS]


def bm25_run(corpus: dict[str, tuple[str, str]], queries: dict[str, str]) -> dict:
    """Top `DEPTH` (doc id, score text) per query id, best first."""
    doc_ids = list(corpus)
    vocabulary: dict[str, int] = {}
    documents = [tokens(f"{title} {text}" if title else text) for title, text in corpus.values()]
    for document in documents:
        for word in document:
            vocabulary.setdefault(word, len(vocabulary))
    counts = np.zeros((len(documents), len(vocabulary)))
    for row, document in enumerate(documents):
        for word in document:
            counts[row, vocabulary[word]] += 1
    lengths = counts.sum(axis=1)
    df = (counts > 0).sum(axis=0)
    idf = np.log(1 + (len(documents) - df + 0.5) / (df + 0.5))
    norm = K1 * (1 - B + B * lengths / lengths.mean())
    weights = idf * counts * (K1 + 1) / (counts + norm[:, None])
    run = {}
    for query_id, text in queries.items():
        terms = [vocabulary[word] for word in tokens(text) if word in vocabulary]
        scores = weights[:, terms].sum(axis=1)
        top = [i for i in np.argsort(-scores, kind="stable")[:DEPTH] if scores[i] > 0]
        units = strictly_decreasing([round(scores[i] * 10**SCORE_DECIMALS) for i in top])
        run[query_id] = [
            (doc_ids[i], f"{unit / 10**SCORE_DECIMALS:.{SCORE_DECIMALS}f}")
            for i, unit in zip(top, units)
        ]
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cisi", type=Path, default=REPOSITORY.parent / "shared" / "data" / "cisi")
    parser.add_argument(
        "--out", type=Path, default=REPOSITORY / "tests" / "fixtures" / "cisi_bm25_trec_eval.json"
    )
    arguments = parser.parse_args()
    cisi = read_cisi(arguments.cisi)
    record = trec_eval_record(cisi, run_text(bm25_run(cisi.corpus, cisi.queries)))
    record = {"generator": "scripts/reference/bm25_fixture.py", "k1": K1, "b": B, **record}
    arguments.out.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
