"""A quick ranked-choice count of CVR files, with sensible defaults, and its audit file.

``quick_count(paths, options)`` reads every file (format from its name unless ``provider`` says),
takes the candidates from the marks themselves (the ``overvote`` and ``undervote`` labels excepted),
and counts under ``QuickOptions``: one winner by majority, or several by fractional surplus
transfer (Droop); overvotes exhaust the ballot; ties go to previous-round counts, then to a seeded
``java.util.Random`` draw. A single plain ranks CSV goes through the numpy fast path (read as its
distinct rankings with their counts, unless the audit needs every ballot).

``write_audit(result, path)`` writes each ballot's path through the rounds as Parquet: a ``ballot``
column, then one dictionary-encoded column per round holding the candidate the ballot counts for,
or ``inactive: <reason>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.cvr import read_cvrs
from electoral.rcv.cvr.common import open_maybe_gzip
from electoral.rcv.cvr.provider import Provider
from electoral.rcv.cvr.ranks import read_rank_matrix, read_rank_profile
from electoral.rcv.engine import count_matrix, tabulate_rcv
from electoral.rcv.rounds import RcvTabulation
from electoral.rcv.rules import (
    OVERVOTE,
    OVERVOTE_CODE,
    LabelMap,
    OvervoteRule,
    Rules,
    Status,
    Tiebreak,
    WinnerMode,
    compact,
)


@dataclass(frozen=True, slots=True)
class QuickOptions:
    """How a quick count reads and counts: seats, the provider (else from each file's name), the
    contest in multi-contest formats, RCTab's overvote, skipped-rank and tie-break rules with the
    tie-break seed, and the labels that mean an overvote or a skipped rank. ``audit`` keeps each
    ballot's path through the rounds for ``write_audit``."""

    seats: int = 1
    provider: Provider | str | None = None  # None: from each file's name (Provider.detect)
    contest: str | None = None  # the contest's id or name, in multi-contest CVR formats
    overvote: OvervoteRule = OvervoteRule.EXHAUST
    max_skipped: int | None = None
    tiebreak: Tiebreak = Tiebreak.PREVIOUS_THEN_RANDOM
    seed: int = 0
    batch_elimination: bool = False
    overvote_label: str = "overvote"
    skipped_label: str = "undervote"
    audit: bool = False


@dataclass(frozen=True, slots=True)
class QuickResult:
    """A quick count's ``RcvTabulation``, its title (the file names), and, when audited, each
    ballot's id and its row in ``tabulation.trail`` (``rows``: ``int64``, one per ballot)."""

    tabulation: RcvTabulation
    title: str
    ballot_ids: tuple[str, ...] = field(default=(), compare=False)  # one per ballot, when audited
    rows: np.ndarray | None = field(default=None, compare=False)  # ballot -> trail row


def quick_rules(candidates: tuple[str, ...], options: QuickOptions) -> Rules:
    """The ``Rules`` a quick count uses for ``candidates``: one winner by majority, or several by
    Droop surplus transfer (RCTab's multiWinnerAllowedWinnerPerRound), 4 decimal places.

    Raises:
        ValidationError: the options contradict each other (as ``Rules.validate``).
    """
    return Rules(candidates=candidates, seats=options.seats,
                 mode=WinnerMode.SINGLE if options.seats == 1 else WinnerMode.MULTIPLE_PER_ROUND,
                 tiebreak=options.tiebreak, seed=options.seed, overvote=options.overvote,
                 max_skipped=options.max_skipped, decimals=4,
                 batch_elimination=options.batch_elimination).validate()


def quick_count(paths: list[Path], options: QuickOptions = QuickOptions()) -> QuickResult:
    """Read every CVR file in ``paths``, take the candidates from the marks, and count them (see
    the module docstring).

    Raises:
        ValidationError: no paths, an unknown provider or format, every problem in every file
            (located at the file), or a count that cannot go on.
        NotFoundError: a file is missing or unreadable.
    """
    if not paths:
        raise ValidationError([Problem("no-files", "name at least one CVR file")])
    labels = LabelMap(overvote=options.overvote_label, skipped=options.skipped_label)
    title = ", ".join(p.name for p in paths)
    providers = [options.provider or Provider.detect(p) for p in paths]
    if providers == [Provider.RANKS]:
        return _quick_matrix(paths[0], labels, options, title)
    records = _read_all(paths, providers, options.contest)
    if all(p == Provider.BLT for p in providers):
        # a BLT file names its contest (its title line): the table is titled by it
        titles = {r.contest for r in records}
        if len(titles) == 1 and None not in titles:
            title = str(titles.pop())
    seen = dict.fromkeys(label for r in records for _, label in r.marks)
    names = tuple(n for n in seen if n not in (labels.overvote, labels.skipped, OVERVOTE))
    rules = quick_rules(names, options)
    ballots = compact([(r, labels) for r in records], rules, keep_ids=options.audit)
    tab = tabulate_rcv(ballots, rules, audit=options.audit)
    if not options.audit:
        return QuickResult(tab, title)
    ids = tuple(r.id for r in records)
    return QuickResult(tab, title, ids, np.array(ballots.record_rows, dtype=np.int64))


def read_rankings(paths: list[Path], options: QuickOptions = QuickOptions()
                  ) -> tuple[tuple[str, ...], dict[tuple[int, ...], int]]:
    """The candidates (from the marks, as ``quick_count`` takes them) and each distinct ballot's
    meaning in a single-winner count under the default rules: the candidates it ranks, in order,
    each once, up to its first overvote (which exhausts it: ``OvervoteRule.EXHAUST``), as indices
    into the candidates, with how many ballots have it. A ballot ranking nobody is kept, as ``()``.

    Raises:
        ValidationError: as ``quick_count``; ``unsupported-rules`` for options other than the
            default overvote and skipped-rank rules.
        NotFoundError: a file is missing or unreadable.
    """
    if options.overvote != OvervoteRule.EXHAUST or options.max_skipped is not None:
        raise ValidationError([Problem("unsupported-rules", "rankings are read under the default "
                                       "rules (overvotes exhaust, any ranks skipped)")])
    if not paths:
        raise ValidationError([Problem("no-files", "name at least one CVR file")])
    labels = LabelMap(overvote=options.overvote_label, skipped=options.skipped_label)
    providers = [options.provider or Provider.detect(p) for p in paths]
    special = (labels.overvote, labels.skipped, OVERVOTE)
    found: dict[tuple[int, ...], int] = {}
    if providers == [Provider.RANKS]:
        try:
            stream = open_maybe_gzip(paths[0])
        except OSError as exc:
            raise NotFoundError(f"cannot read {paths[0]}: {exc.strerror or exc}") from exc
        with stream:
            matrix = read_rank_profile(stream, paths[0].name)
        names = tuple(n for n in matrix.names if n not in special)
        index = {n: i for i, n in enumerate(names)}
        # a column's code: the candidate's index, -1 for a skipped rank, -2 for an overvote
        codes = [index.get(n, -1 if n == labels.skipped else -2) for n in matrix.names]
        counts = matrix.counts if matrix.counts is not None else np.ones(len(matrix), np.int64)
        for row, count in zip(matrix.ranks.tolist(), counts.tolist(), strict=True):
            ranking: list[int] = []
            for cell in row:
                code = codes[cell] if cell >= 0 else -1
                if code == -2:
                    break
                if code >= 0 and code not in ranking:
                    ranking.append(code)
            found[tuple(ranking)] = found.get(tuple(ranking), 0) + int(count)
        return names, found
    records = _read_all(paths, providers, options.contest)
    seen = dict.fromkeys(label for r in records for _, label in r.marks)
    names = tuple(n for n in seen if n not in special)
    ballots = compact([(r, labels) for r in records], quick_rules(names, options))
    code_of = ballots.labels.code
    for ranks, count in zip(ballots.ranks, ballots.counts, strict=True):
        ranking = []
        for _rank, ids in ranks:
            marked = {code_of[i] for i in ids}
            if len(marked) > 1 or OVERVOTE_CODE in marked:
                break
            (code,) = marked
            if code not in ranking:
                ranking.append(code)
        found[tuple(ranking)] = found.get(tuple(ranking), 0) + count
    return names, found


def _read_all(paths: list[Path], providers: list[Provider | str],
              contest: str | None) -> list[CastVoteRecord]:
    records: list[CastVoteRecord] = []
    problems: list[Problem] = []
    for path, provider in zip(paths, providers, strict=True):
        try:
            records += read_cvrs(path, provider, {"contestId": contest} if contest else None)
        except ValidationError as exc:
            problems += [p.located(source=path.name) for p in exc.problems]
    if problems:
        raise ValidationError(problems)
    return records


def _quick_matrix(path: Path, labels: LabelMap, options: QuickOptions,
                  title: str) -> QuickResult:
    try:
        stream = open_maybe_gzip(path)
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with stream:
        # the audit needs every ballot's row; a count alone only the distinct rankings
        read = read_rank_matrix if options.audit else read_rank_profile
        matrix = read(stream, path.name)
    special = (labels.overvote, labels.skipped, OVERVOTE)
    names = tuple(n for n in matrix.names if n not in special)
    tab = count_matrix(matrix.ranks, matrix.names, quick_rules(names, options), matrix.counts,
                       labels, audit=options.audit)
    if not options.audit:
        return QuickResult(tab, title)
    ids = tuple(str(i) for i in range(1, len(matrix) + 1))
    return QuickResult(tab, title, ids, np.arange(len(matrix)))


def write_audit(result: QuickResult, path: Path) -> None:
    """Write each ballot's path through the rounds to ``path`` as Parquet (zstd; see the module
    docstring), creating its folder.

    Raises:
        ValidationError: ``no-audit`` when ``result`` was counted without ``audit``.
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    tab = result.tabulation
    if not tab.trail or result.rows is None:
        raise ValidationError([Problem("no-audit", "this count kept no ballot paths; count "
                                       "again with audit on")])
    words = [f"inactive: {s.value}" for s in Status]
    names = list(tab.rules.names)
    # code c >= 0 -> names[c]; code < 0 -> words[-1 - c]; as one dictionary: index c + len(words)
    dictionary = pa.array(list(reversed(words)) + names)
    columns = {"ballot": pa.array(result.ballot_ids, type=pa.string())}
    for number, step in enumerate(tab.trail, start=1):
        codes = (step[result.rows] + len(words)).astype(np.int32)
        columns[f"round_{number}"] = pa.DictionaryArray.from_arrays(codes, dictionary)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path, compression="zstd")
