"""What-if state populations for an apportionment: a CSV of ``state_po,population``."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.io.counts import CountError, parse_count
from electoral.model import STATE_NAMES

STATES = tuple(sorted(po for po in STATE_NAMES if po != "DC"))  # the 50 states apportioned


def read_populations(stream: TextIO, source: str = "populations") -> dict[str, int]:
    """A what-if populations file: CSV with columns ``state_po,population``, one row per state.
    All 50 states are required; DC may be added to apportion it as a state. Returns USPS code →
    population (persons); ``source`` names the file in problems.

    Raises:
        ValidationError: every problem found, each with its line and field: a missing column, an
            unknown or repeated state, a population that is not a positive whole number, a
            missing state.
    """
    reader = csv.DictReader(stream)
    columns = {c.strip().lower() for c in reader.fieldnames or ()}
    if not {"state_po", "population"} <= columns:
        raise ValidationError([Problem(
            "missing-column", f"need columns state_po,population; found {sorted(columns)}",
            source, 1)])
    populations: dict[str, int] = {}
    problems: list[Problem] = []
    for line, row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        problems.extend(_population_row(row, populations, source, line))
    missing = [s for s in STATES if s not in populations]
    if missing:
        problems.append(Problem("missing-state", f"no population for {', '.join(missing)}; "
                                "every one of the 50 states needs a row", source, field="state_po"))
    if problems:
        raise ValidationError(problems)
    return populations


def _population_row(row: Mapping[str, str], seen: dict[str, int], source: str,
                    line: int) -> Iterable[Problem]:
    state, value = row["state_po"].upper(), row["population"]
    if state not in STATE_NAMES:
        yield Problem("unknown-state", f"unknown state {row['state_po']!r}", source, line,
                      "state_po")
        return
    if state in seen:
        yield Problem("duplicate-state", f"{state} appears twice", source, line, "state_po")
        return
    try:
        number = parse_count(value, withheld=False)
    except CountError:
        number = None
    if not number:
        yield Problem("bad-population", f"{state}: population {value!r} is not a positive whole "
                      "number (ASCII digits, thousands separated by commas)", source, line,
                      "population")
        return
    seen[state] = number
