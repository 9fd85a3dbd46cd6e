"""The one exception hierarchy of electoral.

    ElectoralError                 anything electoral raises on purpose
    ├── ValidationError            input that is wrong: carries every Problem found, never just the first
    ├── NotFoundError              an election, unit or file that is not there
    ├── StoreError                 the results database could not do what was asked
    └── CertifiedError             a change to the results of a certified election (refused)

Each message says what went wrong and, where it can, what to do about it. The CLI maps
``ElectoralError`` to exit code 1 and usage mistakes to exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: a stable ``code``, a human ``message``, and where it is."""

    code: str
    message: str
    source: str | None = None  # file name
    line: int | None = None  # 1-based line (or ballot/record number) in that file
    field: str | None = None  # column or field name
    lines: tuple[int, ...] = ()  # every line the problem involves (a repeat and its original)

    def located(self, source: str | None = None, line: int | None = None) -> Problem:
        return Problem(self.code, self.message, self.source or source, self.line or line,
                       self.field, self.lines)

    def __str__(self) -> str:
        where = ":".join(str(part) for part in (self.source, self.line) if part is not None)
        column = f" [{self.field}]" if self.field else ""
        return f"{where}{column}: {self.message}" if where or column else self.message


class ElectoralError(Exception):
    """Base of every error electoral raises on purpose."""


class ValidationError(ElectoralError):
    """Input that is wrong. ``problems`` lists every problem found, each with file, line and field."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        head = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s): {head}{more}")

    def located(self, source: str) -> ValidationError:
        return ValidationError(p.located(source=source) for p in self.problems)


class NotFoundError(ElectoralError):
    """Something asked for is not there."""


class StoreError(ElectoralError):
    """The results database refused or failed an operation."""


class CertifiedError(ElectoralError):
    """A change to a certified election: its results, race call or expected vote. Refused
    always: electoral has no way to undo a certification (issue 12 defines none), so certified
    results stay as certified. ``elections``: the certified elections the change would touch."""

    code = "certified"

    def __init__(self, message: str, elections: tuple[str, ...]):
        super().__init__(message)
        self.elections = elections
