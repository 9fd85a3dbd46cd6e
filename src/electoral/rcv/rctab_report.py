"""RCTab's result files, written to equal RCTab 2.0's: ``*_detailed_report.json``,
``*_detailed_report.csv`` and ``*_summary_report.csv``, and the same per precinct and per batch
(in ``Tabulate by Precinct/`` and ``Tabulate by Batch/``).

Numbers print as Java's ``BigDecimal.toString`` prints them (``Decimal`` keeps the same scale);
the CSV's "% of vote" is truncated to two places after a 7-digit division, as RCTab does; CSV cells
are quoted as Apache Commons CSV's default format quotes them, with CRLF line ends.
"""

from __future__ import annotations

import decimal
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from electoral.rcv.javarandom import java_sort_key
from electoral.rcv.names import sanitize
from electoral.rcv.rounds import Decision, RcvTabulation, Round, Tally
from electoral.rcv.rules import INACTIVE_REPORTED, Status, WinnerMode

GENERATED_BY = "RCTab 2.0.1"
ZERO = Decimal(0)
STATUS_TITLES = {
    Status.OVERVOTE: "Inactive Ballots by Overvotes",
    Status.SKIPPED: "Inactive Ballots by Skipped Rankings",
    Status.EXHAUSTED: "Inactive Ballots by Exhausted Choices",
    Status.REPEATED: "Inactive Ballots by Repeated Rankings",
}


@dataclass(frozen=True, slots=True)
class RctabContest:
    """What the reports say about the contest itself (RCTab's outputSettings)."""

    name: str
    jurisdiction: str | None = None
    office: str | None = None
    date: str | None = None
    bottoms_up_percent: str | None = None


@dataclass(frozen=True, slots=True)
class View:
    """One report: the whole contest (``scope`` None) or one precinct or batch."""

    tabulation: RcvTabulation
    contest: RctabContest
    scope: tuple[str, str] | None = None

    def tally(self, rnd: Round) -> Tally:
        return rnd.tally if self.scope is None else rnd.slices[self.scope]


def detailed_json(view: View) -> dict[str, Any]:
    tab, contest = view.tabulation, view.contest
    rounds = tab.rounds
    first, last = view.tally(rounds[0]), rounds[-1]
    config: dict[str, Any] = {"contest": contest.name, "date": contest.date,
                              "generatedBy": GENERATED_BY, "jurisdiction": contest.jurisdiction,
                              "office": contest.office}
    if view.scope is not None:
        config[view.scope[0]] = view.scope[1]
    results = []
    for i, rnd in enumerate(rounds):
        tally = view.tally(rnd)
        following = view.tally(rounds[i + 1]).transfers if i + 1 < len(rounds) else {}
        actions = [_action("elected", d, following) for d in _sorted(rnd.elected)]
        actions += [_action("eliminated", d, following) for d in _sorted(rnd.eliminated)]
        inactive = {s.value: str(tally.inactive[s]) for s in INACTIVE_REPORTED}
        if tab.rules.uses_surpluses and rnd is last:
            inactive[Status.FINAL_SURPLUS.value] = str(tally.inactive[Status.FINAL_SURPLUS])
        results.append({"round": rnd.number, "tally": {k: str(v) for k, v in tally.votes.items()},
                        "tallyResults": actions, "threshold": str(rnd.threshold),
                        "inactiveBallots": inactive})
    summary = {"finalThreshold": str(last.threshold), "numWinners": tab.rules.seats,
               "numCandidates": len(tab.rules.names),
               "totalNumBallots": str(first.active + first.inactive_total),
               "undervotes": int(first.inactive[Status.NO_RANKINGS])}
    return {"config": config, "jsonFormatVersion": "1", "results": results, "summary": summary}


def _sorted(decisions: Sequence[Decision]) -> list[Decision]:
    return sorted(decisions, key=lambda d: java_sort_key(d.candidate))


def _action(kind: str, decision: Decision, transfers: Any) -> dict[str, Any]:
    moved = transfers.get(decision.candidate, {})
    return {kind: decision.candidate, "transfers": {k: str(v) for k, v in moved.items()}}


def detailed_csv(view: View, summary: bool = False) -> str:
    """The detailed report (``summary`` leaves out the inactive-ballot rows, as RCTab's summary
    report does)."""
    tab, rounds = view.tabulation, view.tabulation.rounds
    rows: list[list[Any]] = []
    rows += _information_rows(view)
    rows += _summary_rows(view)
    header: list[Any] = ["Rounds"]
    for rnd in rounds:
        header += [f"Round {rnd.number} Votes", "% of vote", "transfer"]
    rows.append(header)
    dagger = "†" if view.scope else ""
    tied = any(d.tiebreak for rnd in rounds for d in (*rnd.elected, *rnd.eliminated))
    rows.append([f"Eliminated{dagger}", *_decision_cells(rounds, "eliminated", tied)])
    rows.append([f"Elected{dagger}", *_decision_cells(rounds, "elected", tied)])
    for name in tab.first_round_order:
        rows.append([name, *_candidate_cells(view, name)])
    rows.append(["Active Ballots", *_plain(str(view.tally(r).active_and_locked) for r in rounds)])
    if view.scope is None:
        rows.append(["Current Round Threshold", *_plain(str(r.threshold) for r in rounds)])
    rows += _inactive_rows(view, summary)
    if view.scope is None and rounds[-1].residual_surplus > 0:
        rows.append(["Residual surplus", *_plain(str(r.residual_surplus) for r in rounds)])
    if tab.rules.uses_surpluses:
        surplus = (view.tally(r).inactive[Status.FINAL_SURPLUS] for r in rounds)
        rows.append(["Final Round Surplus", *_plain("" if _java_zero(v) else str(v)
                                                    for v in surplus)])
    if view.scope:
        rows += [[], [f"†Elect/Eliminate decisions are from the full contest. All other results "
                      f"on this report are at the {view.scope[0]} level."]]
    if tied:
        rows += [[], ["*Tie resolved in accordance with election law"]]
    return "".join(_csv_line(row) for row in rows)


def _information_rows(view: View) -> list[list[Any]]:
    tab, contest = view.tabulation, view.contest
    single = tab.rules.mode == WinnerMode.SINGLE
    winners = [d.candidate for rnd in tab.rounds for d in _sorted(rnd.elected)]
    last = (view.scope[0].capitalize(), view.scope[1]) if view.scope else \
        ("Final Threshold", str(tab.rounds[-1].threshold))
    return [["Contest Information"], ["Generated By", GENERATED_BY],
            ["CSV Format Version", "1"],
            ["Type of Election", "Single-Winner" if single else "Multi-Winner"],
            ["Contest", contest.name], ["Jurisdiction", contest.jurisdiction],
            ["Office", contest.office], ["Date", contest.date],
            ["Winner(s)", ", ".join(winners)], list(last), []]


def _summary_rows(view: View) -> list[list[Any]]:
    rules, first = view.tabulation.rules, view.tally(view.tabulation.rounds[0])
    if rules.mode == WinnerMode.BOTTOMS_UP_THRESHOLD:
        to_elect = f"All candidates over the {view.contest.bottoms_up_percent}% threshold"
    else:
        to_elect = str(rules.seats)
    return [["Contest Summary"], ["Number to be Elected", to_elect],
            ["Number of Candidates", str(len(rules.names) - len(rules.excluded))],
            ["Total Number of Ballots", str(first.active + first.inactive_total)],
            ["Number of Undervotes (No Rankings)", str(first.inactive[Status.NO_RANKINGS])], []]


def _decision_cells(rounds: Sequence[Round], kind: str, tied: bool) -> list[str]:
    cells: list[str] = []
    for rnd in rounds:
        decisions = _sorted(rnd.elected if kind == "elected" else rnd.eliminated)
        cells += ["; ".join(d.candidate + ("*" if d.tiebreak else "") for d in decisions), "", ""]
    return cells


def _candidate_cells(view: View, name: str) -> list[str]:
    rules, rounds = view.tabulation.rules, view.tabulation.rounds
    per_round = rules.mode in (WinnerMode.SINGLE, WinnerMode.BOTTOMS_UP_THRESHOLD)
    cells: list[str] = []
    for i, rnd in enumerate(rounds):
        votes = view.tally(rnd).votes.get(name, ZERO)
        divisor_round = rounds[0] if not per_round or rules.first_round_threshold else rnd
        divisor = view.tally(divisor_round).active_and_locked
        cells += [str(votes), _percent(votes, divisor) if divisor != 0 else ""]
        if i + 1 < len(rounds):
            cells.append(str(view.tally(rounds[i + 1]).votes.get(name, ZERO) - votes))
        else:
            cells.append("0")
    return cells


def _percent(votes: Decimal, divisor: Decimal) -> str:
    """RCTab's "% of vote": a 7-digit quotient, truncated to 2 places, printed as a double."""
    with decimal.localcontext() as context:
        context.prec = 7
        context.rounding = decimal.ROUND_HALF_EVEN
        quotient = votes / divisor
    hundredths = int(quotient.scaleb(4))
    return repr(hundredths / 100.0) + "%"


def _inactive_rows(view: View, summary: bool) -> list[list[Any]]:
    rounds = view.tabulation.rounds
    tallies = [view.tally(r) for r in rounds]
    rows: list[list[Any]] = []
    if not summary:
        for status in INACTIVE_REPORTED:
            rows.append([STATUS_TITLES[status], *_with_change([t.inactive[status] for t in tallies],
                                                              lambda v: v)])
    no_rankings = tallies[0].inactive[Status.NO_RANKINGS]
    totals = [t.inactive_total for t in tallies]
    rows.append(["Inactive Ballots Total", *_with_change(totals, lambda v: v - no_rankings)])
    return rows


def _with_change(values: list[Decimal], shown: Any) -> list[str]:
    cells: list[str] = []
    for i, value in enumerate(values):
        change = str(values[i + 1] - value) if i + 1 < len(values) else "0"
        cells += [str(shown(value)), "", change]
    return cells


def _plain(values: Any) -> list[str]:
    return [cell for value in values for cell in (value, "", "")]


def _java_zero(value: Decimal) -> bool:
    """``BigDecimal.equals(ZERO)``: zero *with scale 0* (0.0000 is not equal to it)."""
    return value == 0 and value.as_tuple().exponent == 0


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_cell(value: Any, first: bool) -> str:
    text = "" if value is None else str(value)
    if not text:
        return '""' if first else ""
    if text[0] <= "#" or _NEEDS_QUOTES.search(text) or text[-1] <= " ":
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_line(row: Sequence[Any]) -> str:
    if not row:
        return "\r\n"
    return ",".join(_csv_cell(v, i == 0) for i, v in enumerate(row)) + "\r\n"


# ---- files ----


def write_reports(tabulations: Sequence[RcvTabulation], contest: RctabContest, folder: Path,
                  prefix: str) -> list[Path]:
    """Write every report RCTab writes for these results; return the paths written.

    Raises:
        OSError: ``folder`` cannot be created or a report cannot be written.
    """
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    sequential = len(tabulations) > 1 or (
        tabulations and tabulations[0].rules.mode == WinnerMode.MULTI_PASS)
    used: dict[str, str] = {}
    for number, tab in enumerate(tabulations, 1):
        stem = f"{prefix}_{number}" if sequential else prefix
        whole = View(tab, contest)
        written += _write_set(folder, stem, whole)
        for kind, ids in tab.slice_ids.items():
            sub = folder / f"Tabulate by {kind.capitalize()}"
            sub.mkdir(exist_ok=True)
            for scope in ids:
                name = used.setdefault(f"{kind}\0{scope}", _unique(sanitize(scope), used))
                written += _write_set(sub, f"{stem}_{name}_{kind}", View(tab, contest,
                                                                         (kind, scope)),
                                      summary=False)
    return written


def _unique(name: str, used: dict[str, str]) -> str:
    taken, candidate, n = set(used.values()), name, 1
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def _write_set(folder: Path, stem: str, view: View, summary: bool = True) -> list[Path]:
    paths = []
    if summary:
        paths.append(folder / f"{stem}_summary_report.csv")
        paths[-1].write_bytes(detailed_csv(view, summary=True).encode("utf-8"))
    paths.append(folder / f"{stem}_detailed_report.csv")
    paths[-1].write_bytes(detailed_csv(view).encode("utf-8"))
    paths.append(folder / f"{stem}_detailed_report.json")
    paths[-1].write_text(json.dumps(detailed_json(view), indent=2, sort_keys=True,
                                    ensure_ascii=False) + "\n", encoding="utf-8")
    return paths
