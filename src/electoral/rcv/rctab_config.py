"""RCTab's contest config, read and validated (RCTab's ``ContestConfig``); nothing here reads CVRs
or counts (``session.rctab`` does, from the ``ContestConfig`` this returns).

``load_config(path)`` reads an RCTab ``*_config.json`` and checks it the way RCTab does, naming
every contradictory or missing field in one ``ValidationError``. CVR paths are relative to the
config file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.rcv.cvr.provider import Provider
from electoral.rcv.rounds import BATCH, PRECINCT
from electoral.rcv.rules import (
    LabelMap,
    OvervoteRule,
    Rules,
    Tiebreak,
    WinnerMode,
)

RESERVED = ("residual surplus", "exhausted", "uncounted")
RCTAB_PROVIDERS = tuple(p.value for p in Provider if p.rctab)


@dataclass(frozen=True, slots=True)
class CvrSource:
    """One ``cvrFileSources`` entry: the file or folder (resolved against the config's folder), the
    provider's name as written (checked by ``load_config``), and its label rules."""

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
    sources: tuple[CvrSource, ...]
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
    """The RCTab config at ``path``, validated as RCTab validates it.

    Raises:
        NotFoundError: no file at ``path``.
        ValidationError: not JSON, or every missing, contradictory or reserved field at once
            (located at the config file, with the field's RCTab name).
    """
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


def _source(folder: Path, raw: dict[str, Any], index: int, problems: list[Problem]) -> CvrSource:
    file_path = _text(raw.get("filePath"))
    if file_path is None:
        problems.append(Problem("bad-config", f"CVR source {index + 1} has no filePath",
                                field="filePath"))
        file_path = ""
    resolved = Path(file_path) if Path(file_path).is_absolute() else folder / file_path
    labels = LabelMap(_text(raw.get("overvoteLabel")), _text(raw.get("skippedRankLabel")),
                      _text(raw.get("undeclaredWriteInLabel")),
                      _text(raw.get("overvoteDelimiter")), resolved.name)
    return CvrSource(resolved, str(raw.get("provider") or ""), raw, labels,
                  raw.get("treatBlankAsUndeclaredWriteIn") is True)


def _rules(raw: dict[str, Any], candidates_raw: Any, sources: tuple[CvrSource, ...],
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
        if source.provider not in RCTAB_PROVIDERS:
            problems.append(Problem("bad-config", f"{where}: unknown provider "
                                    f"{source.provider!r}; use one of {', '.join(RCTAB_PROVIDERS)}",
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
        if source.provider == Provider.CDF and config.slices:
            problems.append(Problem("bad-config", f"{where}: tabulating CDF files by precinct or "
                                    "batch is not supported", field="tabulateByPrecinct"))
        if source.provider == Provider.ESS:
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


def _ess_problems(config: ContestConfig, source: CvrSource, where: str) -> list[Problem]:
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
