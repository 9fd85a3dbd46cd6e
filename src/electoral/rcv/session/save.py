"""A quick count written as the RCTab contest config that counts the same way
(``electoral rcv FILE --save-config OUT.json``), so the count can be re-run in RCTab or with
``electoral rcv --rctab-config``.

The config holds what the quick count used: each file with the provider and columns found in it,
the candidates (with the aliases and withdrawn candidates the files declare), and the rules. Field
names and value spellings are RCTab 2.0's (``ContestConfig``). Files RCTab cannot read (plain
ranks CSV, BLT) are refused: no RCTab config counts them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from electoral.errors import Problem, ValidationError
from electoral.rcv.rules import Rules
from electoral.rcv.session.quick import QuickOptions, QuickResult, QuickSource


def rctab_config(result: QuickResult, options: QuickOptions, folder: Path) -> dict[str, Any]:
    """The RCTab config (a JSON-ready dict) for the quick count ``result``, with file paths
    relative to ``folder`` (where the config will be written) when they can be.

    Raises:
        ValidationError: ``not-rctab`` naming each file whose provider RCTab does not read.
    """
    refused = [Problem("not-rctab", f"RCTab reads no {s.provider.value!r} files: this count "
                       "has no RCTab config", source=s.path.name, field="provider")
               for s in result.sources if not s.provider.rctab]
    if refused or not result.sources:
        raise ValidationError(refused or [Problem("not-rctab", "the count read no files")])
    rules = result.tabulation.rules
    aliases: dict[str, list[str]] = {}
    for alias, name in rules.aliases:
        aliases.setdefault(name, []).append(alias)
    return {
        "tabulatorVersion": "2.0.1",
        "outputSettings": {"contestName": result.title, "outputDirectory": "output",
                           "contestDate": "", "contestJurisdiction": "", "contestOffice": "",
                           "tabulateByBatch": False, "tabulateByPrecinct": False,
                           "generateCdfJson": False},
        "cvrFileSources": [_source(s, options, folder) for s in result.sources],
        "candidates": [{"name": c, "excluded": c in rules.excluded,
                        "aliases": aliases.get(c, [])} for c in rules.candidates],
        "rules": _rules(rules, result.sources),
    }


def _path(path: Path, folder: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:  # another drive (Windows)
        return str(path.resolve())


def _source(source: QuickSource, options: QuickOptions, folder: Path) -> dict[str, Any]:
    found = source.options

    def index(value: int | None) -> str:
        return "" if value is None else str(value)

    return {
        "filePath": _path(source.path, folder), "contestId": found.contest or "",
        "firstVoteColumnIndex": index(found.first_vote_column),
        "firstVoteRowIndex": index(found.first_vote_row), "idColumnIndex": index(found.id_column),
        "batchColumnIndex": index(found.batch_column),
        "precinctColumnIndex": index(found.precinct_column), "overvoteDelimiter": "",
        "provider": source.provider.value, "overvoteLabel": options.overvote_label,
        "skippedRankLabel": options.skipped_label, "undeclaredWriteInLabel": options.write_in_label or "",
        "treatBlankAsUndeclaredWriteIn": False,
    }


def _rules(rules: Rules, sources: tuple[QuickSource, ...]) -> dict[str, Any]:
    most = {s.options.max_rankings for s in sources}
    return {
        "tiebreakMode": rules.tiebreak.value, "overvoteRule": rules.overvote.value,
        "winnerElectionMode": rules.mode.value,
        "randomSeed": "" if rules.seed is None else str(rules.seed),
        "numberOfWinners": str(rules.seats), "multiSeatBottomsUpPercentageThreshold": "",
        "decimalPlacesForVoteArithmetic": str(rules.decimals), "minimumVoteThreshold": "0",
        "maxSkippedRanksAllowed": "unlimited" if rules.max_skipped is None
        else str(rules.max_skipped),
        "maxRankingsAllowed": str(most.pop()) if len(most) == 1 and None not in most else "max",
        "nonIntegerWinningThreshold": False, "doesFirstRoundDetermineThreshold": False,
        "hareQuota": False, "batchElimination": rules.batch_elimination,
        "continueUntilTwoCandidatesRemain": rules.continue_until_two,
        "stopTabulationEarlyAfterRound": "",
        "exhaustOnDuplicateCandidate": rules.exhaust_on_duplicate,
        "rulesDescription": "electoral quick count", "treatBlankAsUndeclaredWriteIn": False,
    }


def save_config(result: QuickResult, options: QuickOptions, path: Path) -> None:
    """Write ``rctab_config`` for ``result`` to ``path`` (JSON, RCTab's two-space layout),
    creating its folder.

    Raises:
        ValidationError: as ``rctab_config``.
    """
    text = json.dumps(rctab_config(result, options, path.parent), indent=2, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
