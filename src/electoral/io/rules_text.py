"""Import-stage rule for the text of names: no control characters.

A name (candidate, running mate, party, unit, contest, and a left-out row's label) with NUL, ESC,
another C0 or C1 control character, DEL, or the Unicode line and paragraph separators (U+2028,
U+2029) is refused, located by file, line and field: such names made the map's SVG and the NIST
XML export ill-formed (XML 1.0 cannot carry most of them), so electoral could not read its own
export, and a terminal acts on them rather than shows them (issue 11). A tab is allowed: it is
harmless text in a name and every output escapes it. The rule runs first in ``io.stage.RULES``
(before a label rule replaces a name), so it holds for every file any reader imports; returns
built in code (``io.stage.validate``) are not held to it, and every output escapes what it meets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from electoral.columns import ReturnsTable
from electoral.errors import Problem
from electoral.io.finding import SHOWN, Finding

# C0 but tab, DEL, C1, and U+2028/U+2029 (JavaScript and some editors break lines at them).
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def names_printable(table: ReturnsTable) -> Finding:
    """Every name of the election is free of ``CONTROL`` characters; each one that is not is a
    problem naming the field (``candidate``, ``party``, ``unit``, ``contest`` …), the character
    and the first line the name is used on (where the format has lines)."""
    names = list(_names(table))
    if not CONTROL.search("".join(text for _, _, text, _ in names)):
        return Finding()
    problems = []
    for field, key, text, line in names:
        found = CONTROL.search(text)
        if found is None:
            continue
        problems.append(Problem(
            "control-character", f"{field} name {text!r} contains the control character "
            f"U+{ord(found.group()):04X}; correct the source file", line=line or
            _first_line(table, field, key), field=field))
        if len(problems) >= SHOWN * 4:
            break
    return Finding(tuple(problems))


def _names(table: ReturnsTable) -> Iterator[tuple[str, str, str, int | None]]:
    """``(field, id, name, line)`` of every name the election holds."""
    returns = table.returns
    yield "contest", "", returns.election.name, None
    for candidate in returns.candidates:
        yield "candidate", candidate.id, candidate.name, None
        if candidate.running_mate:
            yield "running_mate", candidate.id, candidate.running_mate, None
    for party in returns.parties:
        yield "party", party.id, party.name, None
    for unit in returns.units:
        yield "unit", unit.id, unit.name, None
    for exclusion in returns.exclusions:
        yield "label", "", exclusion.label, exclusion.line or None


def _first_line(table: ReturnsTable, field: str, key: str) -> int | None:
    """The first line a count of candidate or unit ``key`` comes from."""
    column = {"candidate": "candidate", "running_mate": "candidate", "unit": "unit"}.get(field)
    if column is None or not key:
        return None
    counts = table.counts.table
    lines = counts.filter(pc.equal(counts.column(column), pa.scalar(key, pa.string())))
    return pc.min(lines.column("line")).as_py() if lines.num_rows else None
