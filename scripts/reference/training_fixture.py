"""Reference values for the distillation, training and checkpoint-evaluation tests, made by
PyLate, PyTorch, sentence-transformers and pytrec_eval: tests/fixtures/training_reference.json.

    /work/venv/bin/python scripts/reference/training_fixture.py [--out FILE]

(versions in requirements.txt; a few seconds on one CPU thread). It reads the committed tiny
checkpoints tests/fixtures/reference/bert_tiny/ and pylate_bert_tiny/ (make_fixtures.py) and
writes three records:

  kd_loss   PyLate's `Distillation` loss, its own forward unchanged (a stand-in model hands it
            fixed token vectors), on 2 queries x 3 documents with padded document positions
            holding random vectors, and the same with those padded vectors redrawn.
  train     3 steps of torch.optim.AdamW (PyTorch defaults, weight decay 0, Hugging Face's
            linear schedule without warmup, clip_grad_norm_ 1.0, 2 micro-batches averaged) on
            bert_tiny (dropout off: the suite has none) minimising the squared distance of its
            mean-pooled vectors to a fixed target: each step's loss before its update, the
            gradient norm before clipping and the learning rate.
  eval      a 6-document, 3-query BEIR dataset ranked by PyLate (pylate_bert_tiny, MaxSim) and
            by sentence-transformers (bert_tiny, mean pooling, cosine), each run scored by
            pytrec_eval: ndcg@10, recall@100, map, and mrr@10 (recip_rank: the runs have 6
            documents, so the cut at 10 changes nothing).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace

import pytrec_eval
import torch
from pylate import models as pylate_models
from pylate.losses import Distillation
from pylate.scores import colbert_scores
from sentence_transformers import SentenceTransformer
from transformers import BertModel, get_linear_schedule_with_warmup

from fixture_io import write_json
from trec_fixture import MEASURES

REPOSITORY = Path(__file__).resolve().parents[2]
REFERENCE = REPOSITORY / "tests" / "fixtures" / "reference"
# Scores closer than this within one query could swap places between float32 libraries.
MIN_SCORE_GAP = 1e-4


class FixedVectors(torch.nn.Module):
    """Stands in for a ColBERT model: returns the token vectors its features carry."""

    skiplist: list[int] = []
    do_query_expansion = False  # so PyLate applies the query mask too

    def forward(self, features: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {"token_embeddings": features["vectors"]}


def kd_loss_record() -> dict:
    """PyLate's Distillation loss on fixed unit vectors with masked positions."""
    generator = torch.Generator().manual_seed(7)
    batch, per_query, query_length, document_length, dim = 2, 3, 3, 4, 4

    def unit(*shape: int) -> torch.Tensor:
        return torch.nn.functional.normalize(
            torch.randn(*shape, generator=generator, dtype=torch.float64), dim=-1
        )

    queries = unit(batch, query_length, dim)
    query_mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    documents = unit(batch, per_query, document_length, dim)
    lengths = torch.tensor([[4, 2, 3], [1, 4, 2]])
    document_mask = (torch.arange(document_length) < lengths[..., None]).long()
    teacher = torch.tensor([[2.0, -1.0, 0.5], [0.3, 0.1, 1.7]], dtype=torch.float64)
    loss = Distillation(model=FixedVectors())

    def forward(document_vectors: torch.Tensor) -> float:
        features = [
            {"input_ids": torch.ones_like(query_mask), "attention_mask": query_mask,
             "vectors": queries},
            {"input_ids": torch.ones(batch * per_query, document_length, dtype=torch.long),
             "attention_mask": document_mask.reshape(batch * per_query, document_length),
             "vectors": document_vectors.reshape(batch * per_query, document_length, dim)},
        ]
        return loss(features, teacher).item()

    redrawn = torch.where(document_mask[..., None].bool(), documents, unit(*documents.shape))
    return {
        "queries": queries,
        "query_mask": query_mask,
        "documents": documents,
        "document_mask": document_mask,
        "documents_padding_redrawn": redrawn,
        "teacher": teacher,
        "loss": forward(documents),
        "loss_padding_redrawn": forward(redrawn),
    }


def train_record() -> dict:
    """Three AdamW steps of bert_tiny towards a fixed pooled target."""
    torch.manual_seed(0)
    model = BertModel.from_pretrained(REFERENCE / "bert_tiny", add_pooling_layer=False)
    model.eval()  # no dropout: the suite's encoder has none
    hidden = model.config.hidden_size
    target = torch.randn(hidden)
    # Two micro-batches per step, each 2 rows of 5 tokens; the second row pads its last two.
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    ids = [
        [[[2 + (97 * (step * 2 + micro) + 31 * row + 7 * token) % 990 if mask[row, token] else 0
           for token in range(5)] for row in range(2)] for micro in range(2)]
        for step in range(3)
    ]
    steps, peak, clip, micros = 3, 1e-2, 1.0, 2
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=peak, betas=(0.9, 0.999), eps=1e-8,
                                  weight_decay=0.0)
    schedule = get_linear_schedule_with_warmup(optimizer, 0, steps)
    losses, norms, rates = [], [], []
    for step in range(steps):
        optimizer.zero_grad()
        total = 0.0
        for micro in range(micros):
            output = model(input_ids=torch.tensor(ids[step][micro]), attention_mask=mask,
                           token_type_ids=torch.zeros_like(mask)).last_hidden_state
            pooled = (output * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            micro_loss = ((pooled - target) ** 2).mean()
            (micro_loss / micros).backward()
            total += micro_loss.item() / micros
        norm = torch.nn.utils.clip_grad_norm_(parameters, clip)
        rates.append(schedule.get_last_lr()[0])
        optimizer.step()
        schedule.step()
        losses.append(total)
        norms.append(norm.item())
    return {
        "learning_rate": peak,
        "clip_norm": clip,
        "accumulation": micros,
        "target": target,
        "attention_mask": mask,
        "input_ids": ids,
        "losses": losses,
        "grad_norms": norms,
        "learning_rates": rates,
    }


DATASET = {
    "corpus": {
        "d1": ("", "the river flows through the valley to the sea"),
        "d2": ("copper", "a reddish metal that conducts heat and electricity"),
        "d3": ("", "an apple a day keeps the doctor away"),
        "d4": ("libraries", "the catalogue of a library indexes its books by subject"),
        "d5": ("", "information retrieval ranks documents for a query"),
        "d6": ("iron", "a grey metal used to make steel"),
    },
    "queries": {"q1": "river and sea", "q2": "metal", "q3": "library catalogue retrieval"},
    "qrels": {"q1": {"d1": 1}, "q2": {"d2": 2, "d6": 1}, "q3": {"d4": 1, "d5": 2, "d3": 0}},
}


def document_texts() -> list[str]:
    """A document is its title then its text, as BEIR evaluations (and the suite) read it."""
    return [f"{title} {text}" if title else text for title, text in DATASET["corpus"].values()]


def ranked(scores: torch.Tensor) -> dict[str, dict[str, float]]:
    """Run {query: {doc: score}} from a [queries, documents] score matrix, checked tie-free."""
    run = {}
    for query, row in zip(DATASET["queries"], scores):
        ordered = sorted(row.tolist(), reverse=True)
        gap = min(a - b for a, b in zip(ordered, ordered[1:]))
        assert gap > MIN_SCORE_GAP, f"{query}: two scores within {gap}; change the dataset"
        run[query] = dict(zip(DATASET["corpus"], row.tolist()))
    return run


def trec_eval(run: dict[str, dict[str, float]]) -> dict[str, float]:
    """pytrec_eval's mean of each suite measure over the queries."""
    names = {request for request, _ in MEASURES.values()} | {"recip_rank"}
    per_query = pytrec_eval.RelevanceEvaluator(DATASET["qrels"], names).evaluate(run)
    keys = {**{name: key for name, (_, key) in MEASURES.items()}, "mrr@10": "recip_rank"}
    return {
        name: sum(result[key] for result in per_query.values()) / len(per_query)
        for name, key in keys.items()
    }


def eval_record() -> dict:
    """PyLate's and sentence-transformers' runs on DATASET and pytrec_eval's figures."""
    queries = list(DATASET["queries"].values())
    colbert = pylate_models.ColBERT(str(REFERENCE / "pylate_bert_tiny"), device="cpu")
    query_vectors = colbert.encode(queries, is_query=True, convert_to_tensor=True)
    document_vectors = colbert.encode(document_texts(), is_query=False, convert_to_tensor=True)
    maxsim = torch.tensor([
        [colbert_scores(q[None], d[None])[0, 0].item() for d in document_vectors]
        for q in query_vectors
    ])
    dense = SentenceTransformer(str(REFERENCE / "bert_tiny"), device="cpu")
    cosine = dense.similarity(
        dense.encode(queries, convert_to_tensor=True),
        dense.encode(document_texts(), convert_to_tensor=True),
    )
    records = {}
    for kind, scores in [("colbert", maxsim), ("dense", cosine)]:
        run = ranked(scores)
        records[kind] = {"run": run, "metrics": trec_eval(run)}
    return {
        "dataset": {
            "corpus": {i: {"title": t, "text": x} for i, (t, x) in DATASET["corpus"].items()},
            "queries": DATASET["queries"],
            "qrels": DATASET["qrels"],
        },
        "colbert_folder": "tests/fixtures/reference/pylate_bert_tiny",
        "dense_folder": "tests/fixtures/reference/bert_tiny",
        **records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path,
        default=REPOSITORY / "tests" / "fixtures" / "training_reference.json",
    )
    arguments = parser.parse_args()
    torch.set_num_threads(1)
    record = {
        "generator": "scripts/reference/training_fixture.py",
        "kd_loss": kd_loss_record(),
        "train": train_record(),
        "eval": eval_record(),
    }
    write_json(arguments.out, record, pretty=True)


if __name__ == "__main__":
    main()
