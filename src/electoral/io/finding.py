"""What a rule of the import stage (``io.stage``) returns, apart from the stage itself: the rule
modules (``rules_labels``, ``rules_rows``, ``rules_numbers``, ``rules_units``) and the stage that
lists them both import it, so neither imports the other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from electoral.columns import ReturnsTable
from electoral.errors import Problem
from electoral.model import Exclusion, StageWarning

# A rule lists at most this many examples of one fault in one election: a file with thousands
# of bad rows is refused all the same, and the message stays readable.
SHOWN = 20


@dataclass(frozen=True, slots=True)
class Finding:
    """What one rule found in one election. ``table``, when set, replaces the election for the
    rules after it and for the store; ``exclusions``, ``notes`` and ``warnings`` (stored anyway,
    told to the user) are added to its returns."""

    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    table: ReturnsTable | None = None
    warnings: tuple[StageWarning, ...] = ()


Rule = Callable[[ReturnsTable], Finding]
