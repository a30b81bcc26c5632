"""Writing fixtures: atomic writes, and JSON that keeps float32 values exact but short."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename, so no half file remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def write_json(path: Path, value: Any, *, pretty: bool = False) -> None:
    """Write `value` as JSON; arrays of numbers stay compact unless `pretty`."""
    plain = to_plain(value)
    text = json.dumps(plain, indent=2) if pretty else json.dumps(plain, separators=(",", ":"))
    write_text_atomic(path, text + "\n")


def to_plain(value: Any) -> Any:
    """Tensors and arrays as nested lists; float32 values as their shortest decimal.

    The shortest decimal that reads back to the same float32 is about 9 digits, half the
    17 a float64 needs, and `Math.fround` on the JavaScript side recovers the exact value.
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        if value.dtype == np.float32:
            # str() of an np.float32 is its shortest round-tripping decimal.
            shortest = [float(str(x)) for x in value.ravel()]
            return np.array(shortest, dtype=object).reshape(value.shape).tolist()
        return value.tolist()
    if isinstance(value, np.float32):
        return float(str(value))
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    return value


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of the file at `path`, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
