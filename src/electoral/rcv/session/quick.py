"""A quick ranked-choice count of CVR files, with sensible defaults, and its audit file.

``quick_count(paths, options)`` reads every file, its layout found in the file itself
(``session.sniff``: ranks CSV, RCTab generic CSV, ES&S workbook, BLT, CDF, a Dominion or Hart
folder) unless ``provider`` says, and counts under ``QuickOptions``: one winner by majority, or
several by fractional surplus transfer (Droop); overvotes exhaust the ballot; ties go to
previous-round counts, then to a seeded ``java.util.Random`` draw. Candidates are those a file
declares (a BLT file's list, in number order, with its withdrawn candidates excluded and its seat
count used unless ``seats`` says; a Dominion manifest's names for the ids the marks carry), else
those the marks name (the overvote and undervote labels excepted). A single plain ranks CSV goes
through the numpy fast path (read as its distinct rankings with their counts, unless the audit
needs every ballot). A file with no ballots is an error naming it.

``write_audit(result, path)`` writes each ballot's path through the rounds as Parquet: a ``ballot``
column, then one dictionary-encoded column per round holding the candidate the ballot counts for,
or ``inactive: <reason>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.cvr import read_cvrs
from electoral.rcv.cvr.common import CvrOptions, open_maybe_gzip
from electoral.rcv.cvr.provider import Provider
from electoral.rcv.cvr.ranks import RankMatrix, read_rank_matrix, read_rank_profile
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
from electoral.rcv.session.sniff import dominion_names, sniff

WHOLE_FILE = 256 << 20  # bytes: a ranks CSV up to this size is parsed in one go


@dataclass(frozen=True, slots=True)
class QuickOptions:
    """How a quick count reads and counts: seats, the provider (else from each file's name), the
    contest in multi-contest formats, RCTab's overvote, skipped-rank and tie-break rules with the
    tie-break seed, and the labels that mean an overvote or a skipped rank. ``audit`` keeps each
    ballot's path through the rounds for ``write_audit``."""

    seats: int | None = None  # None: the file's own (BLT), else 1
    provider: Provider | str | None = None  # None: from each file (session.sniff)
    contest: str | None = None  # the contest's id or name, in multi-contest CVR formats
    overvote: OvervoteRule = OvervoteRule.EXHAUST
    max_skipped: int | None = None
    tiebreak: Tiebreak = Tiebreak.PREVIOUS_THEN_RANDOM
    seed: int = 0
    batch_elimination: bool = False
    exhaust_on_duplicate: bool = False
    continue_until_two: bool = False
    decimals: int = 4
    overvote_label: str = "overvote"
    skipped_label: str = "undervote"
    # RCTab's undeclaredWriteInLabel: marks so labelled are the one "Undeclared Write-ins"
    # candidate, which RCTab drops in the first round it can (Minneapolis' "UWI")
    write_in_label: str | None = None
    audit: bool = False


@dataclass(frozen=True, slots=True)
class QuickSource:
    """One file as the count read it: its path, provider and the reader options found for it."""

    path: Path
    provider: Provider
    options: CvrOptions


@dataclass(frozen=True, slots=True)
class QuickResult:
    """A quick count's ``RcvTabulation``, its title (a BLT file's title, else the file names),
    each candidate's party where the file gives one, the files as read, and, when audited, each
    ballot's id and its row in ``tabulation.trail`` (``rows``: ``int64``, one per ballot)."""

    tabulation: RcvTabulation
    title: str
    parties: Mapping[str, str] = field(default_factory=dict, compare=False)
    sources: tuple[QuickSource, ...] = field(default=(), compare=False)
    ballot_ids: tuple[str, ...] = field(default=(), compare=False)  # one per ballot, when audited
    rows: np.ndarray | None = field(default=None, compare=False)  # ballot -> trail row


@dataclass(frozen=True, slots=True)
class _Declared:
    """What the files say beyond their marks: candidates (declared order), aliases (label ->
    candidate), withdrawn candidates, seats, parties and title."""

    candidates: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    excluded: frozenset[str] = frozenset()
    seats: int | None = None
    parties: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None


def quick_rules(candidates: tuple[str, ...], options: QuickOptions, seats: int | None = None,
                excluded: frozenset[str] = frozenset(),
                aliases: tuple[tuple[str, str], ...] = (), write_ins: bool = False) -> Rules:
    """The ``Rules`` a quick count uses for ``candidates``: one winner by majority, or several by
    Droop surplus transfer (RCTab's multiWinnerAllowMultipleWinnersPerRound), values to
    ``options.decimals`` places.
    ``options.seats`` wins over ``seats`` (the file's own); 1 when neither says.

    Raises:
        ValidationError: the options contradict each other (as ``Rules.validate``).
    """
    wanted = options.seats or seats or 1
    return Rules(candidates=candidates, seats=wanted,
                 mode=WinnerMode.SINGLE if wanted == 1 else WinnerMode.MULTIPLE_PER_ROUND,
                 tiebreak=options.tiebreak, seed=options.seed, overvote=options.overvote,
                 max_skipped=options.max_skipped, decimals=options.decimals,
                 batch_elimination=options.batch_elimination,
                 exhaust_on_duplicate=options.exhaust_on_duplicate,
                 continue_until_two=options.continue_until_two, excluded=excluded,
                 aliases=aliases, write_ins=write_ins).validate()


def quick_count(paths: list[Path], options: QuickOptions = QuickOptions()) -> QuickResult:
    """Read every CVR file in ``paths``, take the candidates the files declare (else those the
    marks name), and count them (see the module docstring).

    Raises:
        ValidationError: no paths, an unknown provider or layout, a file with no ballots, every
            problem in every file (located at the file), or a count that cannot go on.
        NotFoundError: a file is missing or unreadable.
    """
    if not paths:
        raise ValidationError([Problem("no-files", "name at least one CVR file")])
    labels = LabelMap(overvote=options.overvote_label, skipped=options.skipped_label,
                      write_in=options.write_in_label)
    sources = tuple(QuickSource(p, *sniff(p, options.provider, options.contest)) for p in paths)
    title = ", ".join(p.name for p in paths)
    if [s.provider for s in sources] == [Provider.RANKS]:
        return replace(_quick_matrix(paths[0], labels, options, title), sources=sources)
    if [s.provider for s in sources] == [Provider.GENERIC_CSV] and not options.audit:
        plain = _generic_matrix(sources[0], (labels.overvote, labels.skipped, OVERVOTE))
        if plain is not None:
            tab = count_matrix(plain.ranks, plain.names, quick_rules(plain.names, options),
                               plain.counts, labels)
            return QuickResult(tab, title, sources=sources)
    records, declared = _read_all(sources)
    special = (labels.overvote, labels.skipped, labels.write_in, OVERVOTE)
    names = declared.candidates or tuple(dict.fromkeys(
        dict(declared.aliases).get(label, label) for r in records for _, label in r.marks
        if label not in special))
    coded = () if declared.candidates else code_aliases(names)
    names = tuple(n for n in names if n not in dict(coded))
    write_ins = labels.write_in is not None and any(
        label == labels.write_in for r in records for _, label in r.marks)
    rules = quick_rules(names, options, declared.seats, declared.excluded,
                        declared.aliases + coded, write_ins)
    if not options.audit:
        records = _merge_rankings(records)
    ballots = compact([(r, labels) for r in records], rules, keep_ids=options.audit)
    tab = tabulate_rcv(ballots, rules, audit=options.audit)
    result = QuickResult(tab, declared.title or title, declared.parties, sources)
    if not options.audit:
        return result
    ids = tuple(r.id for r in records)
    return replace(result, ballot_ids=ids, rows=np.array(ballots.record_rows, dtype=np.int64))


def _generic_matrix(source: QuickSource, special: tuple[str | None, ...]) -> RankMatrix | None:
    """A plain RCTab generic CSV's distinct rankings (``read_generic_matrix``), or None for the
    general reader, which reports what is wrong with the file."""
    from electoral.rcv.cvr.generic import read_generic_matrix

    try:
        with open_maybe_gzip(source.path) as stream:
            matrix = read_generic_matrix(stream, source.options)
    except OSError as exc:
        raise NotFoundError(f"cannot read {source.path}: {exc.strerror or exc}") from exc
    if matrix is None or not len(matrix) or set(special) & set(matrix.names):
        return None  # no ballots, or a candidate column named like a label: as the general path
    return matrix


# A candidate label with a code after it: "DEM Golden, Jared F. (5471)" (Maine's 2018 CVR writes
# a candidate both so and without the code, ``../shared/data/rcv/README.md``).
CODED = re.compile(r"^(?P<name>.*\S)\s*\(\s*\d+\s*\)$")


def code_aliases(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``(label, name)`` for each label that is another label with a number in parentheses
    after it ("DEM Golden, Jared F. (5471)" and "DEM Golden, Jared F."): one candidate, counted
    under the plain name. Only where the plain name is itself a label and no other code goes
    with it (two codes for one name could be two people): anything else stays as written."""
    present = set(names)
    coded: dict[str, list[str]] = {}
    for label in names:
        match = CODED.match(label)
        if match and match["name"] in present:
            coded.setdefault(match["name"], []).append(label)
    return tuple((labels[0], name) for name, labels in coded.items() if len(labels) == 1)


def _merge_rankings(records: list[CastVoteRecord]) -> list[CastVoteRecord]:
    """Records with the same marks as one, weights summed (a count alone needs no ids)."""
    weights: dict[tuple[tuple[int, str], ...], int] = {}
    first: dict[tuple[tuple[int, str], ...], CastVoteRecord] = {}
    for record in records:
        weights[record.marks] = weights.get(record.marks, 0) + record.weight
        first.setdefault(record.marks, record)
    return [replace(first[m], weight=w) for m, w in weights.items()]


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
    labels = LabelMap(overvote=options.overvote_label, skipped=options.skipped_label,
                      write_in=options.write_in_label)
    sources = tuple(QuickSource(p, *sniff(p, options.provider, options.contest)) for p in paths)
    special = (labels.overvote, labels.skipped, OVERVOTE)
    found: dict[tuple[int, ...], int] = {}
    if [s.provider for s in sources] == [Provider.RANKS]:
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
    records, declared = _read_all(sources)
    names = declared.candidates or tuple(dict.fromkeys(
        dict(declared.aliases).get(label, label) for r in records for _, label in r.marks
        if label not in special))
    rules = quick_rules(names, options, declared.seats, declared.excluded, declared.aliases)
    ballots = compact([(r, labels) for r in _merge_rankings(records)], rules)
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


def _read_all(sources: tuple[QuickSource, ...]) -> tuple[list[CastVoteRecord], _Declared]:
    records: list[CastVoteRecord] = []
    problems: list[Problem] = []
    declared: list[_Declared] = []
    for source in sources:
        try:
            found, said = _read_one(source)
        except ValidationError as exc:
            problems += [p.located(source=source.path.name) for p in exc.problems]
            continue
        if not found:
            problems.append(Problem("empty-cvr", f"{source.path.name} holds no ballots",
                                    source=source.path.name))
        records += found
        declared.append(said)
    if problems:
        raise ValidationError(problems)
    return records, _merge(declared, sources)


def _read_one(source: QuickSource) -> tuple[list[CastVoteRecord], _Declared]:
    if source.provider == Provider.BLT:
        from electoral.rcv.cvr.blt import read_blt_contest
        try:
            with open_maybe_gzip(source.path) as stream:
                blt = read_blt_contest(stream, source.path.name, source.options)
        except OSError as exc:
            raise NotFoundError(f"cannot read {source.path}: {exc.strerror or exc}") from exc
        aliases = tuple((label, name) for label, name in zip(blt.candidates, blt.names,
                                                             strict=True) if label != name)
        named = dict(zip(blt.candidates, blt.names, strict=True))
        return blt.records, _Declared(blt.names, aliases,
                                      frozenset(named[w] for w in blt.withdrawn), blt.seats,
                                      blt.parties, blt.title)
    records = read_cvrs(source.path, source.provider, source.options)
    if source.provider == Provider.DOMINION and source.options.contest:
        names = dominion_names(source.path, source.options.contest)
        # every candidate the manifest gives the contest, those nobody ranked included
        return records, _Declared(tuple(names.values()),
                                  tuple((i, n) for i, n in names.items() if i != n))
    return records, _Declared()


def _merge(declared: list[_Declared], sources: tuple[QuickSource, ...]) -> _Declared:
    """One declaration for all files: files that declare candidates must declare the same."""
    lists = {d.candidates for d in declared if d.candidates}
    if len(lists) > 1:
        raise ValidationError([Problem(
            "mismatched-files", "the files list different candidates: count them one at a "
            "time", source=", ".join(s.path.name for s in sources), field="candidates")])
    titles = {d.title for d in declared}
    aliases = tuple(dict(a for d in declared for a in d.aliases).items())
    seats = {d.seats for d in declared if d.seats is not None}
    parties = {k: v for d in declared for k, v in d.parties.items()}
    return _Declared(lists.pop() if lists else (), aliases,
                     frozenset().union(*(d.excluded for d in declared)),
                     seats.pop() if len(seats) == 1 else None, parties,
                     titles.pop() if len(titles) == 1 else None)


def _quick_matrix(path: Path, labels: LabelMap, options: QuickOptions,
                  title: str) -> QuickResult:
    try:
        stream = open_maybe_gzip(path)
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with stream:
        # the audit needs every ballot's row; a count alone only the distinct rankings, read
        # whole (pyarrow parses on every core) when the file is small enough, else by blocks
        if options.audit:
            matrix = read_rank_matrix(stream, path.name)
        elif path.stat().st_size <= WHOLE_FILE:
            matrix = read_rank_matrix(stream, path.name, fold=True)
        else:
            matrix = read_rank_profile(stream, path.name)
    if len(matrix) == 0:
        raise ValidationError([Problem("empty-cvr", f"{path.name} holds no ballots",
                                       source=path.name)])
    special = (labels.overvote, labels.skipped, labels.write_in, OVERVOTE)
    names = tuple(n for n in matrix.names if n not in special)
    coded = code_aliases(names)
    names = tuple(n for n in names if n not in dict(coded))
    rules = quick_rules(names, options, aliases=coded,
                        write_ins=labels.write_in is not None and labels.write_in in matrix.names)
    tab = count_matrix(matrix.ranks, matrix.names, rules, matrix.counts, labels,
                       audit=options.audit)
    if not options.audit:
        return QuickResult(tab, title)
    ids = tuple(str(i) for i in range(1, len(matrix) + 1))
    return QuickResult(tab, title, ballot_ids=ids, rows=np.arange(len(matrix)))


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
