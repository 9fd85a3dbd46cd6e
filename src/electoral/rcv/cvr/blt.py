"""BLT ballot files (OpenSTV / ERS): candidates by number, one weighted ballot per line.

    6 1                       candidates, seats (a second line of negative numbers withdraws some)
    1 4 2 1 0                 weight, choices by candidate number, 0 ends the ballot
    1 3 - 5 0                 '-' is a skipped rank
    1 2=5 3 0                 'a=b' marks a and b at one rank (an overvote); '-=-' one with unknown
    0                         candidates, read as the label OVERVOTE
    "Name 1" ... "Name 6"     the candidate names, in number order, then the title

Names and the title are quoted in files OpenSTV writes, but many published files leave them bare,
one to a line ("Calum DRENNOCH          (Lab)"): a line that does not start with a quote is one
name (or the title), its runs of spaces collapsed — never split into words. Quoted lines may hold
several names. A name ending in a bracketed party ("Calum DRENNOCH (Lab)") is the name with that
party. Names and title together must be the header's candidate count, plus at most the title.
The title becomes each ballot's ``contest``. ``read_blt_contest`` also gives the candidates in
number order (a candidate nobody ranked first among them), the seats, the withdrawn candidates
(the negative numbers on the line after the header, ERS ballot-file format) and the parties.

Lines starting with ``#`` are comments. Marks carry the candidate's name; the ballot id is its
number in the file and its weight the line's first number. A candidate number above the count
given on the first line is an unknown candidate; the error names the line and field.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import OVERVOTE, CvrOptions, Problems, text_of

PARTY = re.compile(r"^(.*\S)\s*\(([^()]+)\)$")


@dataclass(frozen=True, slots=True)
class BltContest:
    """A whole BLT file: the candidates in number order as the marks label them, the same
    without a bracketed party (``names``), the seats, the withdrawn candidates' labels, each
    name's party (when the label gave one), the title (``None`` when the file gives none) and
    the ballots."""

    candidates: tuple[str, ...]
    names: tuple[str, ...]
    seats: int
    withdrawn: tuple[str, ...]
    parties: Mapping[str, str]
    title: str | None
    records: list[CastVoteRecord] = field(compare=False)


def read_blt(stream: BinaryIO, source_name: str,
             options: CvrOptions | None = None) -> list[CastVoteRecord]:
    """Every ballot of an OpenSTV ``.blt`` file (``read_blt_contest(...).records``).

    Raises:
        ValidationError: as ``read_blt_contest``.
    """
    return read_blt_contest(stream, source_name, options).records


def read_blt_contest(stream: BinaryIO, source_name: str,
                     options: CvrOptions | None = None) -> BltContest:
    """Every ballot of an OpenSTV ``.blt`` file, one ``CastVoteRecord`` per ballot line carrying the
    line's weight (ballots), ids the ballot's number from 1; ``a=b`` marks an overvote
    (``OVERVOTE``).

    Raises:
        ValidationError: every problem, by line and field (``malformed-file`` when the text is
            unreadable or empty).
    """
    options = options or CvrOptions()
    problems = Problems(source_name)
    try:
        with text_of(stream) as text:
            lines = list(_lines(text))
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise problems.fail("malformed-file", f"not a readable text file: {exc}") from exc
    if not lines:
        raise problems.fail("malformed-file", "the file is empty: a BLT file starts with "
                            "'<candidates> <seats>'", line=1)
    count, seats = _head(lines[0], problems)
    body = lines[1:]
    withdrawn: list[int] = []
    if body and body[0][1].lstrip().startswith("-"):
        withdrawn = _withdrawn(body[0], count, problems)
        body = body[1:]
    ballots: list[tuple[int, list[str]]] = []
    end = None
    for position, (number, line) in enumerate(body):
        fields = line.split()
        if fields == ["0"]:
            end = position
            break
        ballots.append((number, fields))
    if end is None:
        raise problems.fail("malformed-file", "no line '0' ends the ballots", line=lines[-1][0])
    labels, title = _names(body[end + 1:], count, problems)
    names, parties = _parties(labels)
    records = _ballots(ballots, labels, count, options, problems, title)
    problems.raise_if_any()
    return BltContest(tuple(labels), tuple(names), seats,
                      tuple(labels[c - 1] for c in withdrawn), parties, title, records)


def _lines(text: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text, start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


def _head(first: tuple[int, str], problems: Problems) -> tuple[int, int]:
    number, text = first
    fields = text.split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields) or int(fields[0]) < 1 \
            or not 1 <= int(fields[1]) <= int(fields[0]):
        raise problems.fail("malformed-file", f"the first line {text!r} must be "
                            "'<candidates> <seats>', seats from 1 to the candidates",
                            line=number, field="header")
    return int(fields[0]), int(fields[1])


def _withdrawn(line: tuple[int, str], count: int, problems: Problems) -> list[int]:
    """The candidate numbers a withdrawal line (``-2 -5``) names."""
    number, text = line
    found: list[int] = []
    for position, word in enumerate(text.split(), start=1):
        if not (word.startswith("-") and word[1:].isdigit() and 1 <= int(word[1:]) <= count):
            raise problems.fail("unknown-candidate", f"withdrawn candidate {word!r} is not minus "
                                f"one of the {count} candidate numbers", line=number,
                                field=f"withdrawn {position}")
        found.append(int(word[1:]))
    return found


def _parties(labels: list[str]) -> tuple[list[str], dict[str, str]]:
    """Each label's name without a bracketed party, and the parties; labels whose names would
    then clash keep their whole text."""
    split = [PARTY.match(label) for label in labels]
    names = [m.group(1) if m else label for m, label in zip(split, labels, strict=True)]
    clash = {n for n in names if names.count(n) > 1}
    parties: dict[str, str] = {}
    for i, match in enumerate(split):
        if names[i] in clash:
            names[i] = labels[i]
        elif match:
            parties[names[i]] = " ".join(match.group(2).split())
    return names, parties


def _names(lines: list[tuple[int, str]], count: int,
           problems: Problems) -> tuple[list[str], str | None]:
    """The ``count`` candidate names and the title (``None`` when the file gives none)."""
    names: list[str] = []
    for number, text in lines:
        if not text.startswith(('"', "'")):
            names.append(" ".join(text.split()))  # a bare line is one whole name
            continue
        try:
            names.extend(shlex.split(text, posix=True))
        except ValueError as exc:
            raise problems.fail("malformed-file", f"unbalanced quotes in {text!r}", line=number,
                                field="names") from exc
    if not count <= len(names) <= count + 1:
        at = lines[-1][0] if lines else None
        raise problems.fail("malformed-file", f"the header says {count} candidates but "
                            f"{len(names)} names and title follow the ballots (the "
                            f"{count} names, then at most a title)", line=at, field="names")
    title = names[count] if len(names) > count and names[count] else None
    return names[:count], title


def _ballots(ballots: list[tuple[int, list[str]]], labels: list[str], count: int,
             options: CvrOptions, problems: Problems, title: str | None) -> list[CastVoteRecord]:
    """One record per ballot line; a line met before (files repeat the same ranking thousands
    of times) is read once while the file has no problem."""
    seen: dict[tuple[str, ...], CastVoteRecord] = {}
    records: list[CastVoteRecord] = []
    for index, (number, fields) in enumerate(ballots, start=1):
        known = seen.get(tuple(fields))
        if known is not None:
            records.append(replace(known, id=str(index)))
            continue
        record = _ballot(number, fields, index, labels, count, options, problems, title)
        if not problems:
            seen[tuple(fields)] = record
        records.append(record)
    return records


def _ballot(number: int, fields: list[str], index: int, names: list[str], count: int,
            options: CvrOptions, problems: Problems, title: str | None = None) -> CastVoteRecord:
    weight_text, choices = fields[0], fields[1:]
    if not weight_text.isdigit() or int(weight_text) < 1:
        problems.add("bad-weight", f"ballot weight {weight_text!r} is not a whole number from 1",
                     number, "weight")
    if not choices or choices[-1] != "0":
        problems.add("malformed-ballot", "a ballot line must end with 0", number, "ballot")
    else:
        choices = choices[:-1]
    if options.max_rankings is not None and len(choices) > options.max_rankings:
        problems.add("rank-out-of-range", f"{len(choices)} ranks, above the maximum of "
                     f"{options.max_rankings}", number, f"rank {options.max_rankings + 1}")
    marks: list[tuple[int, str]] = []
    for rank, choice in enumerate(choices, start=1):
        if choice == "-":
            continue
        if choice == "-=-":
            marks.append((rank, OVERVOTE))
            continue
        for part in choice.split("="):
            if not part.isdigit() or not 1 <= int(part) <= count:
                problems.add("unknown-candidate", f"candidate {part!r} at rank {rank} is not "
                             f"one of the {count} candidates", number, f"rank {rank}")
                continue
            marks.append((rank, names[int(part) - 1]))
    weight = int(weight_text) if weight_text.isdigit() else 1
    return CastVoteRecord(str(index), tuple(marks), contest=title, weight=max(weight, 1))
