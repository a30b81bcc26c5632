"""PyLate's own MaxSim scores of a ColBERT folder, for checking the suite's reading of it.

    python score.py MODEL_FOLDER < {"queries": [...], "documents": [...]}   ->  [[score, ...], ...]

Texts get the folder's `query` / `document` prompts when it names them, as the suite's
reading of the folder applies them. Each document is scored on its own, as in
scripts/reference/pylate_record.py: `colbert_scores` zero-fills masked document tokens
instead of excluding them, which would lift a negative best match to 0 in a padded batch.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import torch
from pylate.models import ColBERT
from pylate.scores import colbert_scores


def main(folder: str) -> None:
    texts = json.load(sys.stdin)
    model = ColBERT(model_name_or_path=folder, device="cpu")
    prompt = lambda name: name if name in (model.prompts or {}) else None  # noqa: E731
    queries = model.encode(texts["queries"], is_query=True, prompt_name=prompt("query"))
    documents = model.encode(texts["documents"], is_query=False, prompt_name=prompt("document"))
    stacked = torch.from_numpy(np.stack(queries))
    columns = [colbert_scores(stacked, torch.from_numpy(d)[None]) for d in documents]
    json.dump(torch.cat(columns, dim=1).tolist(), sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python score.py MODEL_FOLDER < texts.json")
    main(sys.argv[1])
