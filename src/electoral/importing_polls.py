"""What a poll import stores, and what it says: the rule for poll ids that are already stored.

A poll file is read whole (``io.polls.read_poll_file``); any bad row refuses the whole command and
nothing is stored. A file imported again (the same file name) replaces the polls it stored before,
whatever changed in it, and the report says so. A poll id another file already stored (538 gives
a poll one id in every file, so ``president_polls.csv`` and ``raw-polls.csv`` share some) is
refused with its line unless the user chooses: ``replace`` moves the poll to the new file,
``skip_existing`` keeps the stored one and leaves the new file's out. The same holds between the
files of one command, taken in order. ``api.import_polls`` runs this and stores the result in one
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from electoral.errors import Problem, ValidationError
from electoral.model import Poll


@dataclass(slots=True)
class PollFileReport:
    """One file of a poll import: its polls and answer rows stored, whether it replaced its own
    earlier import (``again``), and the poll ids of other files it ``replaced`` or ``skipped``."""

    source: str
    polls: int = 0
    answers: int = 0
    again: bool = False
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def text(self) -> str:
        """One line: what was stored from the file and what it replaced or left out."""
        parts = [f"{self.source}: {self.polls:,} polls ({self.answers:,} answers) stored"]
        if self.again:
            parts.append("replacing the polls its earlier import stored")
        if self.replaced:
            parts.append(f"{len(self.replaced):,} poll(s) moved here from other files "
                         f"(--replace): {_ids(self.replaced)}")
        if self.skipped:
            parts.append(f"{len(self.skipped):,} poll(s) left out, already stored from other "
                         f"files (--skip-existing): {_ids(self.skipped)}")
        return "; ".join(parts)

    def json(self) -> dict[str, object]:
        return {"source": self.source, "polls": self.polls, "answers": self.answers,
                "again": self.again, "replaced": self.replaced, "skipped": self.skipped}


def _ids(ids: Sequence[str], shown: int = 5) -> str:
    return ", ".join(ids[:shown]) + (f" … ({len(ids) - shown} more)" if len(ids) > shown else "")


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """A file's polls to store (duplicates skipped) and the stored poll ids it replaces."""

    source: str
    polls: tuple[Poll, ...]
    drop: tuple[str, ...]
    report: PollFileReport


def plan_polls(files: Sequence[tuple[str, Sequence[Poll]]], stored: Mapping[str, str], *,
               replace: bool = False, skip_existing: bool = False) -> list[PlannedFile]:
    """What to store of each ``(source, polls)`` file, in order, given the ``stored`` poll ids
    (id → source). A file's own earlier import is replaced whole; a poll id stored from another
    source, or given by an earlier file of the command, is replaced (``replace``), left out
    (``skip_existing``) or a problem.

    Raises:
        ValidationError: both ``replace`` and ``skip_existing``; or every poll id held by another
            file, located at the line of its first question, when neither is given.
    """
    if replace and skip_existing:
        raise ValidationError([Problem("usage", "--replace and --skip-existing exclude each other",
                                       field="replace")])
    again = set(stored.values())
    owner = dict(stored)
    problems: list[Problem] = []
    planned = []
    for source, polls in files:
        report = PollFileReport(source, again=source in again)
        keep: list[Poll] = []
        drop: list[str] = []
        for poll in polls:
            other = owner.get(poll.id)
            if other is None or other == source:
                keep.append(poll)
            elif replace:
                keep.append(poll)
                if poll.id not in drop:
                    drop.append(poll.id)
            elif skip_existing:
                if poll.id not in report.skipped:
                    report.skipped.append(poll.id)
            else:
                problems.append(Problem(
                    "duplicate-poll", f"poll {poll.id} ({poll.pollster.name}, {poll.geography}, "
                    f"ending {poll.end}) is already stored from {other}; --replace stores this "
                    "file's instead, --skip-existing keeps the stored one",
                    source, poll.questions[0].line if poll.questions else None, "poll_id"))
        for poll in keep:
            owner[poll.id] = source
        report.replaced = drop
        report.polls = len(keep)
        report.answers = sum(len(q.answers) for p in keep for q in p.questions)
        planned.append(PlannedFile(source, tuple(keep), tuple(drop), report))
    if problems:
        raise ValidationError(problems)
    return planned
