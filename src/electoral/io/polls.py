"""FiveThirtyEight's poll files: ``president_polls.csv`` and the pollster ratings' ``raw-polls.csv``.

``president_polls.csv`` has one row per answer (candidate) of a question; a poll has one or more
questions (a population, a field of candidates). Two schemas are read, told apart by the header:
the 2020 one rates pollsters with a letter ``fte_grade`` and names the answer's party
``candidate_party``; the 2022+ one has ``numeric_grade`` (0.5 … 3.0) and ``party``. Dates are
``m/d/yy`` (2020 file), ``m/d/yyyy`` or ISO ``yyyy-mm-dd``.

``raw-polls.csv`` has one row per poll question with the two leading candidates' shares, the result
and 538's ``error`` / ``bias``. Its ``margin_poll`` is written from single-precision floats
(``6.6999998``); it is read to the hundredth, the precision of every share and result in the file.

Nothing wrong is skipped or zeroed: every bad row is a ``Problem`` with file, line and field, and
the reader raises one ``ValidationError`` carrying all of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TextIO

from electoral.errors import Problem, ValidationError
from electoral.model import (
    STATE_BY_NAME,
    STATE_NAMES,
    Poll,
    PollAnswer,
    PollOutcome,
    PollQuestion,
    Pollster,
    Population,
)
from electoral.parties import canonical_party

__all__ = ["PRESIDENT_POLLS", "RAW_POLLS", "poll_file_format", "read_poll_file",
           "read_president_polls", "read_raw_polls"]

# The names of the two files' formats, as the store records them (``poll_imports.format``).
PRESIDENT_POLLS = "538-president-polls"
RAW_POLLS = "538-raw-polls"

# Columns every president_polls.csv schema has; the grade and the party column differ by schema.
_POLL_COLUMNS = ("question_id", "poll_id", "state", "pollster_id", "pollster", "sponsors",
                 "sample_size", "population", "methodology", "start_date", "end_date", "internal",
                 "partisan", "candidate_name", "pct")
_GRADE_COLUMNS = ("fte_grade", "numeric_grade")  # 2020 schema, 2022+ schema
_PARTY_COLUMNS = ("candidate_party", "party")
_RAW_COLUMNS = ("poll_id", "question_id", "year", "location", "pollster", "pollster_rating_id",
                "methodology", "partisan", "polldate", "samplesize", "cand1_name", "cand1_party",
                "cand1_pct", "cand2_name", "cand2_party", "cand2_pct", "cand3_pct", "margin_poll",
                "electiondate", "cand1_actual", "cand2_actual", "margin_actual", "error", "bias")
_DISTRICT = re.compile(r"^(?P<state>[A-Za-z ]+?) CD-(?P<n>\d+)$")
_RAW_DISTRICT = re.compile(r"^(?P<state>[MN])(?P<n>\d)$")  # raw-polls' M2 / N1
_DISTRICT_STATES = {"M": "ME", "N": "NE"}
_HUNDREDTH = Decimal("0.01")
# 538's dates run from the 1930s to the next cycle; a year outside this range is a typo (20220).
_YEARS = range(1900, 2101)


@dataclass
class _Rows:
    """Problems found so far, and the file's name to locate them."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: str, message: str, line: int, column: str | None = None) -> None:
        self.problems.append(Problem(code, message, self.source, line, column))


def _records(stream: TextIO, rows: _Rows, required: Sequence[str],
             either: Sequence[Sequence[str]] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, record) for each data row; a missing column stops the read with every one named, a
    row with more or fewer fields than the header is a problem and not read."""
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    missing += [" or ".join(group) for group in either if not any(c in header for c in group)]
    if missing:
        rows.problems.extend(Problem("missing-column", f"no column {name!r} (a renamed column? the "
                                     f"header has {len(header)} columns)", rows.source, 1, name)
                             for name in missing)
        raise ValidationError(rows.problems)
    start = reader.line_num + 1
    for record in reader:
        if None in record or None in record.values():  # csv's marks of a longer or shorter row
            fields = len(record) - 1 + len(record[None]) if None in record else sum(
                v is not None for v in record.values())
            rows.problem("ragged-row", f"{fields} fields where the header has {len(header)}", start)
        else:
            yield start, {k: v.strip() for k, v in record.items()}
        start = reader.line_num + 1


def _date(text: str, rows: _Rows, line: int, column: str) -> dt.date | None:
    """``m/d/yy`` (20xx), ``m/d/yyyy`` or ``yyyy-mm-dd``."""
    parts = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d+)", text)
    try:
        if parts:
            month, day, year = (int(p) for p in parts.groups())
            year += 2000 if len(parts.group(3)) == 2 else 0
        else:
            year, month, day = (int(p) for p in text.split("-"))
        if year not in _YEARS:
            raise ValueError(f"year {year}")
        return dt.date(year, month, day)
    except ValueError as exc:
        rows.problem("bad-date", f"{text!r} is not a date ({exc})", line, column)
        return None


def _number(text: str, rows: _Rows, line: int, column: str, *,
            optional: bool = False) -> Decimal | None:
    if not text:
        if not optional:
            rows.problem("missing-number", f"no {column} given", line, column)
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        rows.problem("bad-number", f"{text!r} is not a number", line, column)
        return None
    return value


def _share(text: str, rows: _Rows, line: int, column: str) -> Decimal | None:
    if not text:
        rows.problem("missing-share", "no share given for this answer (not read as 0%)", line, column)
        return None
    value = _number(text, rows, line, column)
    if value is not None and not 0 <= value <= 100:
        rows.problem("bad-share", f"{text}% is not a share between 0 and 100", line, column)
        return None
    return value


def _sample(text: str, rows: _Rows, line: int, column: str) -> Decimal | None:
    """A sample size as stated; raw-polls states some as halves (``712.5``), kept as they are."""
    value = _number(text, rows, line, column, optional=True)
    if value is not None and value <= 0:
        rows.problem("bad-sample-size", f"{text} is not a sample size", line, column)
        return None
    return value


def _geography(name: str, rows: _Rows, line: int, column: str) -> str | None:
    """A USPS code, a district ("ME-02") or "US", from 538's full state names ("Maine CD-2"),
    codes ("PA"), raw-polls' districts ("M2") or a blank/"US"/"National" for national polls."""
    if name in ("", "US", "National"):
        return "US"
    district = _DISTRICT.match(name) or _RAW_DISTRICT.match(name)
    if district:
        state = district.group("state")
        code = _DISTRICT_STATES.get(state) or STATE_BY_NAME.get(state.lower())
        if code is not None:
            return f"{code}-{int(district.group('n')):02d}"
    if name.upper() in STATE_NAMES and len(name) == 2:
        return name.upper()
    code = STATE_BY_NAME.get(name.lower())
    if code is None:
        rows.problem("unknown-geography", f"{name!r} is no state, district or nation", line, column)
    return code


def _population(text: str, rows: _Rows, line: int) -> Population | None:
    try:
        return Population(text.lower())
    except ValueError:
        rows.problem("unknown-population", f"{text!r} is none of lv, rv, a, v", line, "population")
        return None


def _flag(text: str) -> bool:
    return text.lower() in ("true", "1", "yes")


def _places(text: str) -> int:
    return len(text.partition(".")[2])


@dataclass
class _Question:
    """The rows of one question as read, before they are checked as a whole."""

    line: int
    record: dict[str, str]
    answers: list[tuple[int, str, PollAnswer]] = field(default_factory=list)


def read_president_polls(stream: TextIO, source: str = "") -> tuple[Poll, ...]:
    """Every poll of a 538 ``president_polls.csv`` (either schema), in the file's order.

    Shapes: one row per answer → ``Poll`` s of ``PollQuestion`` s of ``PollAnswer`` s; shares in
    percent as stated; ``Pollster.grade`` (2020 schema) or ``Pollster.numeric_grade`` (2022+).

    Raises:
        ValidationError: with every problem found, each located (``source``, line, column):
            a missing or renamed column, an impossible date or one ending before it starts, an
            unknown state or population, a missing or out-of-range share or sample size, a
            question whose shares add up to more than 100% (beyond the rounding of each share),
            a question listed twice (the same candidate twice in a question, or two questions of a
            poll with the same population, sample, answers and notes), a question id under two polls.
    """
    rows = _Rows(source)
    questions: dict[str, _Question] = {}
    for line, record in _records(stream, rows, _POLL_COLUMNS, (_GRADE_COLUMNS, _PARTY_COLUMNS)):
        qid = record["question_id"]
        question = questions.setdefault(qid, _Question(line, record))
        if record["poll_id"] != question.record["poll_id"]:
            rows.problem("question-conflict", f"question {qid} is under poll {record['poll_id']} here "
                         f"and poll {question.record['poll_id']} on line {question.line}", line,
                         "poll_id")
        share = _share(record["pct"], rows, line, "pct")
        party = record.get("candidate_party", record.get("party", ""))
        if share is not None:
            answer = PollAnswer(record["candidate_name"], canonical_party(party or None), share)
            question.answers.append((line, record["pct"], answer))
    polls = _assemble(questions, rows)
    if rows.problems:
        raise ValidationError(rows.problems)
    return polls


def _assemble(questions: dict[str, _Question], rows: _Rows) -> tuple[Poll, ...]:
    by_poll: dict[str, list[PollQuestion]] = defaultdict(list)
    notes: dict[str, str] = {}
    first: dict[str, _Question] = {}
    for qid, question in questions.items():
        poll_id = question.record["poll_id"]
        first.setdefault(poll_id, question)
        built = _question(qid, question, rows)
        if built is None:
            continue
        # Versions of one poll (turnout models, weightings) differ in their notes, if not in figures.
        note = question.record.get("notes", "")
        twin = next((q for q in by_poll[poll_id] if (q.population, q.sample_size, q.answers, notes[q.id])
                     == (built.population, built.sample_size, built.answers, note)), None)
        if twin is not None:
            rows.problem("duplicate-question", f"question {qid} repeats question {twin.id} (line "
                         f"{twin.line}): same population, sample, answers and notes", built.line,
                         "question_id")
            continue
        notes[qid] = note
        by_poll[poll_id].append(built)
    polls = []
    for poll_id, question in first.items():  # every poll's own fields checked, even if no question is
        poll = _poll(poll_id, question, tuple(by_poll[poll_id]), rows)
        if poll is not None and poll.questions:
            polls.append(poll)
    return tuple(polls)


def _question(qid: str, question: _Question, rows: _Rows) -> PollQuestion | None:
    record, line = question.record, question.line
    seen: dict[str, int] = {}
    for at, _text, answer in question.answers:
        if answer.candidate in seen:
            rows.problem("duplicate-question", f"{answer.candidate} is answered twice in question "
                         f"{qid} (lines {seen[answer.candidate]} and {at})", at, "candidate_name")
            return None
        seen[answer.candidate] = at
    total = sum((a.share for _l, _t, a in question.answers), Decimal(0))
    slack = sum((Decimal(5).scaleb(-_places(t) - 1) for _l, t, _a in question.answers), Decimal(0))
    if total > 100 + slack:
        rows.problem("shares-over-100", f"the shares of question {qid} add up to {total}%", line, "pct")
        return None
    population = _population(record["population"], rows, line)
    sample = _sample(record["sample_size"], rows, line, "sample_size")
    if population is None or not question.answers:
        return None
    return PollQuestion(qid, population, sample, tuple(a for _l, _t, a in question.answers), line)


def _poll(poll_id: str, question: _Question, built: tuple[PollQuestion, ...],
          rows: _Rows) -> Poll | None:
    record, line = question.record, question.line
    start = _date(record["start_date"], rows, line, "start_date")
    end = _date(record["end_date"], rows, line, "end_date")
    geography = _geography(record["state"], rows, line, "state")
    if start is None or end is None or geography is None:
        return None
    if end < start:
        rows.problem("date-order", f"the poll ends ({end}) before it starts ({start})", line, "end_date")
        return None
    numeric = _number(record.get("numeric_grade", ""), rows, line, "numeric_grade", optional=True)
    pollster = Pollster(record["pollster_id"], record["pollster"], record.get("fte_grade") or None,
                        numeric)
    sponsors = tuple(s.strip() for s in record["sponsors"].split(",") if s.strip())
    return Poll(poll_id, pollster, geography, start, end, built, sponsors, record["methodology"],
                None, record["partisan"] or None, _flag(record["internal"]), rows.source)


def read_raw_polls(stream: TextIO, source: str = "") -> tuple[PollOutcome, ...]:
    """Every row of 538's ``raw-polls.csv`` as a one-question ``Poll`` with its scored result.

    The file's identities are checked exactly, at the hundredth: ``margin_poll`` is ``cand1_pct -
    cand2_pct``; ``margin_actual`` is ``cand1_actual - cand2_actual`` within 0.01 (each result is
    rounded to the hundredth on its own); ``error`` is ``|margin_poll - margin_actual|`` and
    ``bias`` is ``margin_poll - margin_actual`` (cand1 is the Democrat in every presidential row).
    Source: 538's pollster-ratings README (fivethirtyeight/data, ``pollster-ratings``).

    Raises:
        ValidationError: every problem, located: a missing column, a bad date, number, share or
            location, or an identity above that does not hold.
    """
    rows = _Rows(source)
    outcomes = []
    for line, record in _records(stream, rows, _RAW_COLUMNS):
        outcome = _raw(line, record, rows)
        if outcome is not None:
            outcomes.append(outcome)
    if rows.problems:
        raise ValidationError(rows.problems)
    return tuple(outcomes)


def _raw(line: int, r: dict[str, str], rows: _Rows) -> PollOutcome | None:
    found = len(rows.problems)
    day = _date(r["polldate"], rows, line, "polldate")
    election = _date(r["electiondate"], rows, line, "electiondate")
    geography = _geography(r["location"], rows, line, "location")
    shares = [_share(r[c], rows, line, c) for c in ("cand1_pct", "cand2_pct")]
    numbers = {c: _number(r[c], rows, line, c) for c in
               ("year", "cand1_actual", "cand2_actual", "margin_poll", "margin_actual", "error", "bias")}
    sample = _sample(r["samplesize"], rows, line, "samplesize")
    third = _share(r["cand3_pct"], rows, line, "cand3_pct") if r["cand3_pct"] else None
    if len(rows.problems) > found or day is None or election is None or geography is None:
        return None
    n = {c: v for c, v in numbers.items() if v is not None}
    margin = n["margin_poll"].quantize(_HUNDREDTH)
    expected = {"margin_poll": shares[0] - shares[1],  # type: ignore[operator]
                "error": abs(margin - n["margin_actual"]), "bias": margin - n["margin_actual"]}
    got = {"margin_poll": margin, "error": n["error"], "bias": n["bias"]}
    for column, value in expected.items():
        if value != got[column]:
            rows.problem("identity", f"{column} is {r[column]}, but the row's figures give {value}",
                         line, column)
    if abs(n["cand1_actual"] - n["cand2_actual"] - n["margin_actual"]) > _HUNDREDTH:
        rows.problem("identity", f"margin_actual is {r['margin_actual']}, but cand1_actual - "
                     f"cand2_actual is {n['cand1_actual'] - n['cand2_actual']}", line, "margin_actual")
    if len(rows.problems) > found:
        return None
    answers = tuple(PollAnswer(r[f"cand{i}_name"], canonical_party(r[f"cand{i}_party"] or None), s)
                    for i, s in ((1, shares[0]), (2, shares[1])) if s is not None)
    if third is not None:
        answers += (PollAnswer("Others", None, third),)
    # raw-polls keeps one version of each poll and does not say its population: "v" (voters,
    # unstated which) is the honest label.
    question = PollQuestion(r["question_id"], Population.V, sample, answers, line)
    partisan = {"D": "DEM", "R": "REP"}.get(r["partisan"], r["partisan"] or None)
    poll = Poll(r["poll_id"], Pollster(r["pollster_rating_id"], r["pollster"]), geography, day, day,
                (question,), methodology=r["methodology"], partisan=partisan, source=rows.source)
    return PollOutcome(poll, int(n["year"]), election, (n["cand1_actual"], n["cand2_actual"]),
                       margin, n["margin_actual"], n["error"], n["bias"])



def read_poll_file(stream: TextIO, source: str = "") -> tuple[Poll, ...]:
    """The polls of either 538 file, told apart by the header: ``raw-polls.csv`` (it has
    ``margin_actual``; its polls without their results) or ``president_polls.csv``.

    Raises:
        ValidationError: as ``read_president_polls`` or ``read_raw_polls`` raise it.
    """
    text = stream.read()
    if poll_file_format(text.partition("\n")[0]) == RAW_POLLS:
        return tuple(o.poll for o in read_raw_polls(io.StringIO(text), source))
    return read_president_polls(io.StringIO(text), source)


def poll_file_format(header: str) -> str:
    """Which 538 poll file a header line is: ``RAW_POLLS`` (it has ``margin_actual``) or
    ``PRESIDENT_POLLS``."""
    return RAW_POLLS if "margin_actual" in header.strip().split(",") else PRESIDENT_POLLS
