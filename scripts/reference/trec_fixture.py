"""A TF-IDF run on CISI and trec_eval's figures for it (through pytrec_eval).

The run is plain numpy so it needs nothing but CISI: log-scaled term frequency times
log(N / df), cosine between L2-normalised vectors, top 100 per query. Scores are written
with 9 decimals and are distinct within each query, so the ranking never rests on how
trec_eval breaks ties: CISI holds two duplicated documents (234 = 1440, 1084 = 1447) whose
cosines tie, so each score is lowered, where needed, to 1e-9 below the one ranked above it.
Both sides evaluate the numbers as written (parsed back from the text), not those in memory.
"""

from __future__ import annotations

import re

import numpy as np
import pytrec_eval

from cisi import Cisi

DEPTH = 100
MRR_DEPTH = 10
RUN_TAG = "tfidf"
SCORE_DECIMALS = 9
# The suite's measure name -> (what pytrec_eval is asked for, the key of its answer).
MEASURES = {
    "ndcg@10": ("ndcg_cut.10", "ndcg_cut_10"),
    "recall@100": ("recall.100", "recall_100"),
    "map": ("map", "map"),
}
MRR = {"mrr@10": ("recip_rank", "recip_rank")}


def tfidf_run(cisi: Cisi) -> dict[str, list[tuple[str, str]]]:
    """Top `DEPTH` (doc id, score text) per query id, best first."""
    doc_ids = list(cisi.corpus)
    documents = [f"{title} {text}" for title, text in cisi.corpus.values()]
    vocabulary: dict[str, int] = {}
    doc_vectors = weigh([count_terms(text, vocabulary, grow=True) for text in documents], None)
    idf = np.log(len(doc_ids) / np.maximum((doc_vectors > 0).sum(axis=0), 1))
    doc_vectors = normalise(doc_vectors * idf)
    run = {}
    for query_id, text in cisi.queries.items():
        query = normalise(weigh([count_terms(text, vocabulary, grow=False)], len(vocabulary)) * idf)
        scores = doc_vectors @ query[0]
        top = np.argsort(-scores, kind="stable")[:DEPTH]
        units = strictly_decreasing([round(scores[i] * 10**SCORE_DECIMALS) for i in top])
        run[query_id] = [
            (doc_ids[i], f"{unit / 10**SCORE_DECIMALS:.{SCORE_DECIMALS}f}")
            for i, unit in zip(top, units)
        ]
    return run


def strictly_decreasing(units: list[int]) -> list[int]:
    """`units` (sorted descending) with each tie lowered to one unit below its predecessor."""
    result: list[int] = []
    for unit in units:
        result.append(unit if not result else min(unit, result[-1] - 1))
    return result


def count_terms(text: str, vocabulary: dict[str, int], *, grow: bool) -> dict[int, int]:
    """Term id -> count for lowercase alphanumeric words; unseen words join only if `grow`."""
    counts: dict[int, int] = {}
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word not in vocabulary:
            if not grow:
                continue
            vocabulary[word] = len(vocabulary)
        counts[vocabulary[word]] = counts.get(vocabulary[word], 0) + 1
    return counts


def weigh(rows: list[dict[int, int]], width: int | None) -> np.ndarray:
    """Dense matrix of 1 + log(count) per (row, term)."""
    matrix = np.zeros((len(rows), width or 1 + max(max(row, default=0) for row in rows)))
    for i, row in enumerate(rows):
        for term, count in row.items():
            matrix[i, term] = 1 + np.log(count)
    return matrix


def normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (all-zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def run_text(run: dict[str, list[tuple[str, str]]]) -> str:
    """The run in TREC format: `qid Q0 docid rank score tag`, ranks from 1."""
    return "".join(
        f"{query_id} Q0 {doc_id} {rank} {score} {RUN_TAG}\n"
        for query_id, ranking in run.items()
        for rank, (doc_id, score) in enumerate(ranking, 1)
    )


def parse_run(text: str) -> dict[str, dict[str, float]]:
    """pytrec_eval's run layout from TREC run text."""
    run: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        query_id, _, doc_id, _, score, _ = line.split()
        run.setdefault(query_id, {})[doc_id] = float(score)
    return run


def trec_eval_record(cisi: Cisi, text: str) -> dict:
    """Per-query and mean figures of the run `text`; mrr@10 on the run cut to its top 10."""
    run = parse_run(text)
    top_ten = {
        query_id: dict(sorted(scores.items(), key=lambda item: -item[1])[:MRR_DEPTH])
        for query_id, scores in run.items()
    }
    full = evaluate(cisi, run, MEASURES)
    cut = evaluate(cisi, top_ten, MRR)
    per_query = {query_id: {**full[query_id], **cut[query_id]} for query_id in cisi.qrels}
    names = [*MEASURES, *MRR]
    mean = {name: float(np.mean([values[name] for values in per_query.values()])) for name in names}
    return {
        "trec_eval_measures": {name: key for name, (_, key) in {**MEASURES, **MRR}.items()},
        "mrr_run_depth": MRR_DEPTH,
        "queries": len(per_query),
        "mean": mean,
        "per_query": per_query,
    }


def evaluate(
    cisi: Cisi, run: dict, measures: dict[str, tuple[str, str]]
) -> dict[str, dict[str, float]]:
    """pytrec_eval's per-query values, renamed to the suite's measure names."""
    requests = {request for request, _ in measures.values()}
    results = pytrec_eval.RelevanceEvaluator(cisi.qrels, requests).evaluate(run)
    if set(results) != set(cisi.qrels):
        raise ValueError(f"pytrec_eval scored {len(results)} queries, {len(cisi.qrels)} judged")
    return {
        query_id: {name: values[key] for name, (_, key) in measures.items()}
        for query_id, values in results.items()
    }
