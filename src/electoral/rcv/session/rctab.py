"""The RCTab-config session (RCTab's ``TabulatorSession``): the only place that wires a validated
config to the CVR readers, the tabulator and the report writers.

``tabulate_config(path, folder)`` loads and validates an RCTab ``*_config.json`` (``config``),
reads every CVR source (``cvr.read_cvrs``), compacts the records (``rules.compact``), counts them
(``engine``; one result per pass in multi-pass IRV) and writes RCTab's reports (``rctab_report``)
and, when asked, the CDF export (``cdf_export``). ``read_records``, ``read_ballots`` and ``count``
are its first steps, for callers that want the ballots or the results without files.
"""

from __future__ import annotations

import json
from pathlib import Path

from electoral.errors import Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.cdf_export import cdf_json
from electoral.rcv.cvr import read_cvrs
from electoral.rcv.cvr.provider import Provider
from electoral.rcv.engine import tabulate_passes, tabulate_rcv
from electoral.rcv.rctab_config import ContestConfig, CvrSource, load_config
from electoral.rcv.rctab_report import RctabContest, write_reports
from electoral.rcv.rounds import PRECINCT, RcvTabulation
from electoral.rcv.rules import UNDECLARED_WRITE_IN, Ballots, LabelMap, WinnerMode, compact


def read_records(config: ContestConfig) -> list[tuple[CastVoteRecord, LabelMap]]:
    """Every CVR of every source in config order, each with its source's label rules.

    Raises:
        ValidationError: every problem in every source at once (located at the CVR file), or
            ``no-ballots`` when the sources hold no records.
        NotFoundError: a CVR file or folder is missing or unreadable.
    """
    out: list[tuple[CastVoteRecord, LabelMap]] = []
    problems: list[Problem] = []
    limit = config.rules.max_rankings
    for source in config.sources:
        try:
            records = read_cvrs(source.path, source.provider, dict(source.raw))
        except ValidationError as exc:
            problems.extend(p.located(source=source.path.name) for p in exc.problems)
            continue
        for number, record in enumerate(records, 1):
            record = _fit_ranks(record, source, limit, problems, number)
            out.append((record, source.labels))
    if problems:
        raise ValidationError(problems)
    if not out:
        raise ValidationError([Problem("no-ballots", "the CVR files hold no cast vote records",
                                       field="cvrFileSources")])
    return out


def _fit_ranks(record: CastVoteRecord, source: CvrSource, limit: int | None,
               problems: list[Problem], number: int) -> CastVoteRecord:
    """RCTab's rank limits: ES&S reads only the first ``limit`` columns (blank ones may be
    write-ins); any other format with a rank above the limit is refused."""
    if source.provider == Provider.ESS:
        marks = tuple(m for m in record.marks if limit is None or m[0] <= limit)
        if source.blank_is_write_in and limit is not None:
            marked = {rank for rank, _ in marks}
            marks += tuple((rank, UNDECLARED_WRITE_IN) for rank in range(1, limit + 1)
                           if rank not in marked)
        return _with_marks(record, marks)
    for rank, choice in record.marks:
        if rank < 1 or (limit is not None and rank > limit):
            problems.append(Problem(
                "rank-out-of-range", f"ballot {record.id} ranks {choice!r} at {rank}, but "
                f"maxRankingsAllowed is {limit}", source=source.path.name, line=number,
                field="rank"))
    return record


def _with_marks(record: CastVoteRecord, marks: tuple[tuple[int, str], ...]) -> CastVoteRecord:
    if marks == record.marks:
        return record
    return CastVoteRecord(record.id, marks, record.precinct, record.batch, record.contest,
                          record.weight)


def read_ballots(config: ContestConfig, keep_ids: bool = False) -> Ballots:
    """The config's CVRs as compact ``Ballots`` (distinct rankings with counts).

    Raises:
        ValidationError, NotFoundError: as ``read_records``, and for marks the rules refuse.
    """
    records = read_records(config)
    return compact(records, config.rules, slices=bool(config.slices), keep_ids=keep_ids)


def count(config: ContestConfig) -> tuple[RcvTabulation, ...]:
    """Tabulate a config's contest: one ``RcvTabulation``, or one per pass in multi-pass IRV.

    Raises:
        ValidationError: as ``read_ballots``, or a ``TabulationError`` when the count cannot go on.
        NotFoundError: as ``read_records``.
    """
    return _tabulate(config, read_ballots(config))


def _tabulate(config: ContestConfig, ballots: Ballots,
              audit: bool = False) -> tuple[RcvTabulation, ...]:
    if config.rules.mode == WinnerMode.MULTI_PASS:
        return tabulate_passes(ballots, config.rules, config.slices, audit)
    return (tabulate_rcv(ballots, config.rules, config.slices, audit),)


def tabulate_config(path: Path | str, folder: Path | str) -> list[Path]:
    """Read, validate and count an RCTab config, then write RCTab's reports into ``folder``
    (named after the config, ``<name>_detailed_report.json`` ...), and the CDF export when the
    config asks for it. Nothing is written unless the whole count succeeds. Returns the paths
    written.

    Raises:
        NotFoundError: the config or a CVR file is missing.
        ValidationError: the config, a CVR file or the count is wrong (every problem, located).
    """
    config = load_config(path)
    records = read_records(config)
    ballots = compact(records, config.rules, slices=bool(config.slices), keep_ids=config.cdf)
    results = _tabulate(config, ballots, audit=config.cdf)
    contest = RctabContest(config.contest, config.jurisdiction, config.office, config.date,
                      config.rules.bottoms_up_percent)
    written = write_reports(results, contest, Path(folder), config.stem)
    if config.cdf:
        written += _write_cdf(config, records, ballots, results, Path(folder))
    return written


def _write_cdf(config: ContestConfig, records: list[tuple[CastVoteRecord, LabelMap]],
               ballots: Ballots, results: tuple[RcvTabulation, ...], folder: Path) -> list[Path]:
    """RCTab's CDF export of the ballots, one per pass (see ``cdf_export``)."""
    ids = [record.id for record, _ in records]
    precincts = [record.precinct for record, _ in records] if PRECINCT in config.slices else None
    overvote = any(source.labels.overvote for source in config.sources)
    written = []
    for number, tab in enumerate(results, 1):
        stem = f"{config.stem}_{number}" if len(results) > 1 or \
            config.rules.mode == WinnerMode.MULTI_PASS else config.stem
        path = folder / f"{stem}_cdf_cvr.json"
        report = cdf_json(tab, ballots, ids, precincts, config.contest, config.jurisdiction,
                          overvote)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
