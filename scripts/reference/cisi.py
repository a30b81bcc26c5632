"""CISI read exactly as the suite reads it (lib/datasets/smart.ts), so both sides score the same thing.

Documents are `.T` + `.W` (authors, years, references dropped), queries the `.W` field,
whitespace runs collapsed to one space. Every CISI.REL pair is relevant with grade 1 (its
3rd and 4th columns are always `0 0.000000`, not grades); judgments naming an unknown query
or document are dropped, and only the 76 judged queries count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")
KNOWN_MARKERS = set("ITABWXKCN")


@dataclass
class Cisi:
    """Documents (id -> (title, text)), queries (id -> text) and binary judgments."""

    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def read_cisi(folder: Path) -> Cisi:
    """Read CISI.ALL, CISI.QRY and CISI.REL from `folder`."""
    corpus = {
        record_id: (fields.get("T", ""), fields.get("W", ""))
        for record_id, fields in parse_records(folder / "CISI.ALL")
    }
    queries = {}
    for record_id, fields in parse_records(folder / "CISI.QRY"):
        if not fields.get("W"):
            raise ValueError(f"{folder / 'CISI.QRY'}: query {record_id} has no .W text")
        queries[record_id] = fields["W"]
    qrels: dict[str, dict[str, int]] = {}
    judgments = folder / "CISI.REL"
    for number, line in enumerate(judgments.read_text(encoding="utf-8").split("\n"), 1):
        columns = line.split()
        if not columns:
            continue
        if len(columns) < 2:
            raise ValueError(f"{judgments}:{number}: expected 'query-id doc-id ...': {line!r}")
        query_id, doc_id = columns[:2]
        if query_id in queries and doc_id in corpus:
            judged = qrels.setdefault(query_id, {})
            if doc_id in judged:
                raise ValueError(f"{judgments}:{number}: repeated judgment ({query_id}, {doc_id})")
            judged[doc_id] = 1
    return Cisi(corpus, queries, qrels)


def parse_records(path: Path) -> list[tuple[str, dict[str, str]]]:
    """`.I` records of a SMART file as (id, {marker: whitespace-collapsed text})."""
    records: list[tuple[str, dict[str, list[str]]]] = []
    field: list[str] | None = None
    for number, raw_line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        line = raw_line.removesuffix("\r")
        marker = MARKER.match(line)
        if marker and marker.group(1) in KNOWN_MARKERS:
            rest = (marker.group(2) or "").strip()
            if marker.group(1) == "I":
                records.append((rest, {}))
                field = None
                continue
            if not records:
                raise ValueError(f"{path}:{number}: field .{marker.group(1)} before the first .I")
            # A repeated marker (several .A) continues the same field.
            field = records[-1][1].setdefault(marker.group(1), [])
            field.append(rest)
        elif line.strip():
            if field is None:
                raise ValueError(f"{path}:{number}: text outside any field: {line.strip()!r}")
            field.append(line)
    return [
        (record_id, {name: " ".join(" ".join(parts).split()) for name, parts in lines.items()})
        for record_id, lines in records
    ]


def training_texts(cisi: Cisi) -> list[str]:
    """Titles, abstracts and queries, in file order: the text the tiny tokenizers learn from."""
    texts = [part for title, text in cisi.corpus.values() for part in (title, text) if part]
    return texts + list(cisi.queries.values())
