"""Render the ``electoral rla`` documents as text, Markdown, CSV or JSON.

JSON is the document itself; text and Markdown are a short table a person reads, with "full hand
count" said in words; CSV is one row per winner–loser pair (plan and risk) or per draw (sample).
The planner comparison (``render_comparison``) is one row per contest in every format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from electoral.rla.compare import Comparison, Row, Size


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



# ---- the planner comparison ---------------------------------------------------------------------

_COLUMNS = ("contest", "level", "ballots", "margin", "bravo_asn", "bravo_90", "minerva_90",
            "supersimple", "macro_batches", "macro_ballots", "fewest")
_HEADINGS = ("contest", "level", "ballots", "margin", "BRAVO ASN", "BRAVO 90%", "Minerva 90%",
             "SuperSimple", "MACRO batches", "MACRO ballots", "fewest ballots")
FULL = "full hand count"


def render_comparison(comparison: Comparison, fmt: str = "text") -> str:
    """``comparison`` (``electoral.rla.compare``) in ``fmt``: json (its document), csv (one row per
    contest, numbers as numbers), md or text (a table, sizes with thousands separators, "full hand
    count" in words, the margin a percentage rounded once, half away from zero)."""
    if fmt == "json":
        return json.dumps(comparison.to_json(), indent=2, ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["contest", "level", "ballots", "ballots_from", "margin", "bravo_asn",
                         "bravo_90", "bravo_full_hand_count", "minerva_90",
                         "minerva_full_hand_count", "supersimple", "supersimple_full_hand_count",
                         "macro_batches", "macro_expected_batches", "macro_expected_ballots",
                         "macro_full_hand_count", "fewest_ballots"])
        for row in comparison.rows:
            m = row.macro
            writer.writerow([
                row.name, row.planned.level, row.planned.contest.ballots, row.planned.ballots_from,
                f"{float(row.margin):.6g}", row.bravo.asn, row.bravo.round_one_90,
                row.bravo.full_hand_count, row.minerva.round_one_90, row.minerva.full_hand_count,
                row.supersimple.sample_size, row.supersimple.full_hand_count,
                *(("", "", "", "") if m is None else
                  (m.sample_size, f"{m.expected_batches:.6g}", m.expected_ballots,
                   m.full_hand_count)),
                row.fewest() or FULL])
        return out.getvalue()
    table = [_HEADINGS, *(_cells(row) for row in comparison.rows)]
    rates = ", ".join(f"{r:g}" for r in comparison.rates)
    head = [f"{comparison.source}: risk limit {comparison.risk_limit:g}; SuperSimple γ "
            f"{comparison.gamma:g}, rates {rates}",
            "ballots to audit (BRAVO, Minerva: round one ends the audit with 90 % chance; "
            "MACRO: batches drawn, expected ballots in them)"]
    uncast = [row.name for row in comparison.rows if row.planned.ballots_from == "votes counted"]
    notes = [f"ballots are the votes counted (no ballots cast stored) in {len(uncast)} contest(s): "
             f"{', '.join(uncast[:5])}{', …' if len(uncast) > 5 else ''}"] if uncast else []
    notes += [f"skipped {name}: {reason}" for name, reason in comparison.skipped]
    if fmt == "md":
        lines = [f"| {' | '.join(_md(c) for c in line)} |" for line in table]
        lines.insert(1, "|" + "|".join("---" if i < 2 else "---:" for i in range(len(_HEADINGS))) + "|")
        return "\n".join([*head, "", *lines, *(["", *notes] if notes else [])])
    widths = [max(len(line[i]) for line in table) for i in range(len(_HEADINGS))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(line, widths, strict=True))).rstrip()
             for line in table]
    return "\n".join([*head, *lines, *notes])


def _asn(asn: int | None, ballots: int) -> str:
    """BRAVO's ASN for a person: past the contest's ballots it means a full hand count (JSON and
    CSV keep the number)."""
    return FULL if asn is None or asn >= ballots else f"{asn:,}"


def _md(cell: str) -> str:
    return cell.replace("\\", "\\\\").replace("|", "\\|")


def _cells(row: Row) -> tuple[str, ...]:
    from electoral.numbers import percent

    contest = row.planned.contest

    def size(found: Size, value: int | None) -> str:
        return FULL if found.full_hand_count else "" if value is None else f"{value:,}"

    apart = row.margin.numerator * contest.ballots // row.margin.denominator
    m = row.macro
    return (row.name, row.planned.level, f"{contest.ballots:,}",
            f"{percent(apart, contest.ballots, 2)}%",
            _asn(row.bravo.asn, contest.ballots),
            size(row.bravo, row.bravo.round_one_90),  # none with several winners
            size(row.minerva, row.minerva.sample_size),  # the 90 % size, several winners too
            size(row.supersimple, row.supersimple.sample_size),
            "" if m is None else size(m, m.sample_size),
            "" if m is None else size(m, m.expected_ballots),
            row.fewest() or FULL)
