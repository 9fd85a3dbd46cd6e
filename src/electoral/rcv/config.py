"""RCTab's contest config (read and validated) and its reports (written: see ``rctab_report``, and
``rctab_cdf`` for the CDF export of the ballots a config may ask for).

``load_config(path)`` reads an RCTab ``*_config.json`` and checks it the way RCTab does, naming
every contradictory or missing field in one ``ValidationError``. CVR paths are relative to the
config file. ``read_ballots(config)`` reads every CVR source through ``electoral.rcv.cvr`` and
compacts the records for ``tabulate.rcv``; ``count(config)`` does both and tabulates (one result
per pass in multi-pass IRV).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.engine import BATCH, PRECINCT, Tabulation, tabulate_passes, tabulate_rcv
from electoral.rcv.rules import (
    UNDECLARED_WRITE_IN,
    Ballots,
    LabelMap,
    OvervoteRule,
    Rules,
    Tiebreak,
    WinnerMode,
    compact,
)

RESERVED = ("residual surplus", "exhausted", "uncounted")
PROVIDERS = ("ess", "dominion", "hart", "clearBallot", "cdf", "genericCsv", "csv")


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    provider: str
    raw: Mapping[str, Any]  # the config's cvrFileSources entry, for the reader
    labels: LabelMap
    blank_is_write_in: bool = False


@dataclass(frozen=True, slots=True)
class ContestConfig:
    """An RCTab config, validated: what to read, how to count, what to call the contest."""

    path: Path
    rules: Rules
    sources: tuple[Source, ...]
    contest: str
    jurisdiction: str | None
    office: str | None
    date: str | None
    slices: tuple[str, ...]  # "precinct" and/or "batch"
    cdf: bool = False  # also write the ballots as a NIST CDF report (generateCdfJson)

    @property
    def stem(self) -> str:
        name = self.path.stem
        return name[: -len("_config")] if name.endswith("_config") else name


def load_config(path: Path | str) -> ContestConfig:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise NotFoundError(f"no config file {path}; check the path") from exc
    except json.JSONDecodeError as exc:
        raise ValidationError([Problem("malformed-file", f"not valid JSON: {exc.msg}",
                                       source=path.name, line=exc.lineno)]) from exc
    if not isinstance(raw, dict):
        raise ValidationError([Problem("malformed-file", "the config must be a JSON object",
                                       source=path.name)])
    problems: list[Problem] = []
    config = _build(path, raw, problems)
    if config is not None:
        try:
            config.rules.validate()
        except ValidationError as exc:
            problems.extend(exc.problems)
        problems.extend(_source_problems(config))
    if problems or config is None:
        raise ValidationError(p.located(source=path.name) for p in problems)
    return config


def _build(path: Path, raw: dict[str, Any], problems: list[Problem]) -> ContestConfig | None:
    output = _section(raw, "outputSettings", problems)
    rules_raw = _section(raw, "rules", problems)
    sources_raw = raw.get("cvrFileSources") or []
    candidates_raw = raw.get("candidates") or []
    if not isinstance(sources_raw, list) or not sources_raw:
        problems.append(Problem("bad-config", "list at least one CVR file", field="cvrFileSources"))
        sources_raw = []
    if not _text(raw.get("tabulatorVersion")):
        problems.append(Problem("bad-config", "tabulatorVersion is required",
                                field="tabulatorVersion"))
    if not _text(output.get("contestName")):
        problems.append(Problem("bad-config", "contestName is required", field="contestName"))
    sources = tuple(_source(path.parent, s, i, problems) for i, s in enumerate(sources_raw)
                    if isinstance(s, dict))
    rules = _rules(rules_raw, candidates_raw, sources, problems)
    slices = tuple(kind for kind, key in ((PRECINCT, "tabulateByPrecinct"),
                                          (BATCH, "tabulateByBatch")) if output.get(key) is True)
    if rules is None:
        return None
    return ContestConfig(path, rules, sources, _text(output.get("contestName")) or "",
                         output.get("contestJurisdiction"), output.get("contestOffice"),
                         output.get("contestDate"), slices, output.get("generateCdfJson") is True)


def _section(raw: dict[str, Any], key: str, problems: list[Problem]) -> dict[str, Any]:
    section = raw.get(key)
    if not isinstance(section, dict):
        problems.append(Problem("bad-config", f"the config needs a {key!r} object", field=key))
        return {}
    return section


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _source(folder: Path, raw: dict[str, Any], index: int, problems: list[Problem]) -> Source:
    file_path = _text(raw.get("filePath"))
    if file_path is None:
        problems.append(Problem("bad-config", f"CVR source {index + 1} has no filePath",
                                field="filePath"))
        file_path = ""
    resolved = Path(file_path) if Path(file_path).is_absolute() else folder / file_path
    labels = LabelMap(_text(raw.get("overvoteLabel")), _text(raw.get("skippedRankLabel")),
                      _text(raw.get("undeclaredWriteInLabel")),
                      _text(raw.get("overvoteDelimiter")), resolved.name)
    return Source(resolved, str(raw.get("provider") or ""), raw, labels,
                  raw.get("treatBlankAsUndeclaredWriteIn") is True)


def _rules(raw: dict[str, Any], candidates_raw: Any, sources: tuple[Source, ...],
           problems: list[Problem]) -> Rules | None:
    names: list[str] = []
    aliases: list[tuple[str, str]] = []
    excluded: set[str] = set()
    for i, candidate in enumerate(candidates_raw if isinstance(candidates_raw, list) else []):
        name = _text(candidate.get("name")) if isinstance(candidate, dict) else None
        if name is None:
            problems.append(Problem("bad-config", f"candidate {i + 1} has no name", field="name"))
            continue
        names.append(name)
        if candidate.get("excluded") is True:
            excluded.add(name)
        aliases.extend((a, name) for a in candidate.get("aliases") or [] if _text(a))
    before = len(problems)
    mode = _enum(WinnerMode, raw, "winnerElectionMode", problems)
    tiebreak = _enum(Tiebreak, raw, "tiebreakMode", problems)
    overvote = _enum(OvervoteRule, raw, "overvoteRule", problems)
    seats = _int(raw, "numberOfWinners", problems, required=True)
    decimals = _int(raw, "decimalPlacesForVoteArithmetic", problems, required=True)
    seed = _int(raw, "randomSeed", problems)
    max_rankings = _int(raw, "maxRankingsAllowed", problems, required=True, word="max")
    max_skipped = _int(raw, "maxSkippedRanksAllowed", problems, required=True, word="unlimited")
    stop = _int(raw, "stopTabulationEarlyAfterRound", problems)
    if len(problems) > before or mode is None or tiebreak is None or overvote is None:
        return None
    write_ins = any(s.labels.write_in or s.blank_is_write_in for s in sources)
    return Rules(
        candidates=tuple(names), seats=seats or 0, mode=mode, tiebreak=tiebreak, seed=seed,
        overvote=overvote, max_skipped=max_skipped, max_rankings=max_rankings,
        decimals=decimals if decimals is not None else 4,
        non_integer_threshold=raw.get("nonIntegerWinningThreshold") is True,
        hare=raw.get("hareQuota") is True,
        first_round_threshold=raw.get("doesFirstRoundDetermineThreshold") is True,
        bottoms_up_percent=_text(raw.get("multiSeatBottomsUpPercentageThreshold")),
        cutoff_elimination=raw.get("cutoffElimination") is True,
        batch_elimination=raw.get("batchElimination") is True,
        continue_until_two=raw.get("continueUntilTwoCandidatesRemain") is True,
        stop_after_round=stop,
        exhaust_on_duplicate=raw.get("exhaustOnDuplicateCandidate") is True,
        excluded=frozenset(excluded), aliases=tuple(aliases), write_ins=write_ins)


def _enum(kind: Any, raw: dict[str, Any], key: str, problems: list[Problem]) -> Any:
    value = raw.get(key)
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        problems.append(Problem("bad-config", f"{value!r} is not one of {choices}", field=key))
        return None


def _int(raw: dict[str, Any], key: str, problems: list[Problem], required: bool = False,
         word: str | None = None) -> int | None:
    text = _text(raw.get(key))
    if text is None:
        if required:
            problems.append(Problem("bad-config", f"{key} is required", field=key))
        return None
    if word is not None and text.lower() == word:
        return None
    try:
        return int(text)
    except ValueError:
        also = f" or {word!r}" if word else ""
        problems.append(Problem("bad-config", f"{text!r} is not a whole number{also}", field=key))
        return None


def _source_problems(config: ContestConfig) -> list[Problem]:
    problems: list[Problem] = []
    rules, seen = config.rules, set()
    for source in config.sources:
        where = f"CVR source {source.path.name}"
        if source.provider not in PROVIDERS:
            problems.append(Problem("bad-config", f"{where}: unknown provider "
                                    f"{source.provider!r}; use one of {', '.join(PROVIDERS)}",
                                    field="provider"))
        if source.path in seen:
            problems.append(Problem("bad-config", f"{where} is listed twice", field="filePath"))
        seen.add(source.path)
        if not source.path.exists():
            problems.append(Problem("bad-config", f"{where}: no such file or folder "
                                    f"{source.path}", field="filePath"))
        if source.labels.overvote and rules.overvote == OvervoteRule.EXHAUST_IF_MULTIPLE:
            problems.append(Problem("bad-config", f"{where}: an overvoteLabel needs overvoteRule "
                                    "exhaustImmediately or alwaysSkipToNextRank",
                                    field="overvoteRule"))
        if source.provider == "cdf" and config.slices:
            problems.append(Problem("bad-config", f"{where}: tabulating CDF files by precinct or "
                                    "batch is not supported", field="tabulateByPrecinct"))
        if source.provider == "ess":
            problems.extend(_ess_problems(config, source, where))
        for key, label in (("overvoteLabel", source.labels.overvote),
                           ("skippedRankLabel", source.labels.skipped),
                           ("undeclaredWriteInLabel", source.labels.write_in)):
            if label and label.lower() in RESERVED:
                problems.append(Problem("bad-config", f"{label!r} is a reserved word", field=key))
    names = {*rules.candidates, *(a for a, _ in rules.aliases)}
    for source in config.sources:
        for key, label in (("overvoteLabel", source.labels.overvote),
                           ("skippedRankLabel", source.labels.skipped)):
            if label and label in names:
                problems.append(Problem("bad-config", f"{label!r} is both a candidate and the "
                                        f"{key}", field=key))
    for name in names:
        if name.lower() in RESERVED:
            problems.append(Problem("bad-config", f"{name!r} is a reserved word and cannot name "
                                    "a candidate", field="candidates"))
    return problems


def _ess_problems(config: ContestConfig, source: Source, where: str) -> list[Problem]:
    problems = []
    if PRECINCT in config.slices and not _text(source.raw.get("precinctColumnIndex")):
        problems.append(Problem("bad-config", f"{where}: tabulateByPrecinct needs a "
                                "precinctColumnIndex", field="precinctColumnIndex"))
    if BATCH in config.slices and not _text(source.raw.get("batchColumnIndex")):
        problems.append(Problem("bad-config", f"{where}: tabulateByBatch needs a "
                                "batchColumnIndex", field="batchColumnIndex"))
    if config.rules.overvote == OvervoteRule.EXHAUST_IF_MULTIPLE and not source.labels.delimiter:
        problems.append(Problem("bad-config", f"{where}: overvoteRule exhaustIfMultipleContinuing "
                                "needs an overvoteDelimiter", field="overvoteDelimiter"))
    return problems


# ---- reading and counting ----

def read_records(config: ContestConfig) -> list[tuple[CastVoteRecord, LabelMap]]:
    """Every CVR of every source, each with its source's label rules; all problems at once."""
    from electoral.rcv.cvr import read_cvrs

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


def _fit_ranks(record: CastVoteRecord, source: Source, limit: int | None,
               problems: list[Problem], number: int) -> CastVoteRecord:
    """RCTab's rank limits: ES&S reads only the first ``limit`` columns (blank ones may be
    write-ins); any other format with a rank above the limit is refused."""
    if source.provider == "ess":
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
    records = read_records(config)
    return compact(records, config.rules, slices=bool(config.slices), keep_ids=keep_ids)


def count(config: ContestConfig) -> tuple[Tabulation, ...]:
    """Tabulate a config's contest: one ``Tabulation``, or one per pass in multi-pass IRV."""
    return _tabulate(config, read_ballots(config))


def _tabulate(config: ContestConfig, ballots: Ballots,
              audit: bool = False) -> tuple[Tabulation, ...]:
    if config.rules.mode == WinnerMode.MULTI_PASS:
        return tabulate_passes(ballots, config.rules, config.slices, audit)
    return (tabulate_rcv(ballots, config.rules, config.slices, audit),)


def tabulate_config(path: Path | str, folder: Path | str) -> list[Path]:
    """Read, validate and count an RCTab config, then write RCTab's reports into ``folder``
    (named after the config, ``<name>_detailed_report.json`` ...). Nothing is written unless
    the whole count succeeds."""
    from electoral.rcv.rctab_report import Contest, write_reports

    config = load_config(path)
    records = read_records(config)
    ballots = compact(records, config.rules, slices=bool(config.slices), keep_ids=config.cdf)
    results = _tabulate(config, ballots, audit=config.cdf)
    contest = Contest(config.contest, config.jurisdiction, config.office, config.date,
                      config.rules.bottoms_up_percent)
    written = write_reports(results, contest, Path(folder), config.stem)
    if config.cdf:
        written += _write_cdf(config, records, ballots, results, Path(folder))
    return written


def _write_cdf(config: ContestConfig, records: list[tuple[CastVoteRecord, LabelMap]],
               ballots: Ballots, results: tuple[Tabulation, ...], folder: Path) -> list[Path]:
    """RCTab's CDF export of the ballots, one per pass (see ``rctab_cdf``)."""
    from electoral.rcv.cdf_export import cdf_json

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
