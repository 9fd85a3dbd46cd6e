"""Render the ``electoral rla`` documents as text, Markdown, CSV or JSON.

JSON is the document itself; text and Markdown are a short table a person reads, with "full hand
count" said in words; CSV is one row per winner–loser pair (plan and risk) or per draw (sample).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from enum import StrEnum


def render(document: Mapping[str, object], fmt: str = "text") -> str:
    """``document`` (from ``electoral.rla.audit``) in ``fmt``: text, md, csv or json."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False)
    if fmt == "csv":
        return _csv(document)
    contests = document.get("contests")
    if isinstance(contests, list):  # several RAIRE problems: one block each
        return "\n\n".join(render(c, fmt) for c in contests)
    lines = [(key, _cell(value)) for key, value in document.items()
             if key not in ("pairs", "drawn", "contest", "rounds", "assertions")]
    if document.get("full_hand_count"):
        lines.insert(0, ("outcome", "full hand count"))
    rounds = document.get("rounds")
    for entry in rounds if isinstance(rounds, list) else []:
        decision = "confirmed" if entry["confirmed"] else "escalate"
        lines.append((f"round {entry['round']}", f"p {_cell(entry['p_value'])}, {decision}"))
    assertions = document.get("assertions")
    for entry in assertions if isinstance(assertions, list) else []:
        among = f" | {', '.join(entry['continuing'])}" if "continuing" in entry else ""
        lines.append((f"{entry['type']}({entry['winner']}, {entry['loser']}{among})",
                      f"margin {entry['margin']}, difficulty {_cell(entry['difficulty'])}"))
    if fmt == "md":
        rows = ["| key | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in lines)]
        return "\n".join(rows)
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_cell(v) for v in value)
    return "" if value is None else str(value)


def _csv(document: Mapping[str, object]) -> str:
    rows = document.get("drawn") or document.get("pairs") or document.get("assertions")
    contests = document.get("contests")
    if isinstance(contests, list):  # several RAIRE problems: their assertions, by source
        rows = [{"source": c.get("source"), **a} for c in contests for a in c.get("assertions", [])]
    out = io.StringIO()
    if not isinstance(rows, list):
        numbers = document.get("sample")
        rows = [{"number": n} for n in numbers] if isinstance(numbers, list) else []
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


class AuditFormat(StrEnum):
    """The formats of ``electoral rla`` output."""

    TEXT = "text"
    MD = "md"
    CSV = "csv"
    JSON = "json"
