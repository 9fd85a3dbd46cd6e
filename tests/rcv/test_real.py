"""Real elections against their official round-by-round reports (../shared/data/rcv, README there).

- Burlington 2009 mayor: the city's official OpenSTV detail report (Droop threshold, candidates
  "mathematically eliminated" dropped together, an overvote counting once only one of its
  candidates is left). RCTab's batch elimination and exhaustIfMultipleContinuing rules give the
  same three rounds (the official report adds a fourth that only restates the third).
- Maine 2018 CD2: the Maine Secretary of State's summary report (overvotes exhaust, two skipped
  ranks in a row exhaust, all but the top two eliminated together). Maine counts ballots with no
  rankings and with two skipped ranks together as "undervotes".
- Minneapolis 2013/2017 mayor: RCTab's own expected output, checked in test_rcv_conformance
  (the same CVR, config and expected files as ../shared/data/rcv/minneapolis_*).
- Portland, Oregon 2024 city council (4 districts x 3 seats, STV): the certified winners, from a
  multi-winner count with fractional surplus transfer, under the quick count's ``portland`` preset
  and with overvoted ranks skipped. (The county's round figures are not in ../shared; the
  third-party rounds there take a quota over every ballot cast, where RCTab's counts round 1's
  active ballots.)
- Scottish council STV: the data set holds no Scottish BLT file and no official Scottish result
  (its README lists what it holds), so none is checked against an official count here; the one
  other multi-seat contest in it, Aspen 2009 city council (2 seats, Aspen's own rules), comes
  without an official report.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from electoral.model import CastVoteRecord
from electoral.rcv.cvr import read_cvrs
from electoral.rcv.engine import count_matrix, tabulate_rcv
from electoral.rcv.rules import (
    LabelMap,
    OvervoteRule,
    Rules,
    Status,
    Tiebreak,
    WinnerMode,
    compact,
)

RCV = "data/rcv"


def votes(tab, number: int) -> dict[str, int]:  # noqa: ANN001
    return {k: int(v) for k, v in tab.rounds[number - 1].tally.votes.items() if v}


def test_burlington_2009_matches_the_official_report(shared: Path) -> None:
    path = shared / RCV / "blt_irv_elections_2006_2011" / "2009-Burlington-Mayor.blt.gz"
    records = read_cvrs(path, "blt")
    names = tuple(dict.fromkeys(label for r in records for _, label in r.marks
                                if label != "overvote"))
    rules = Rules(names, tiebreak=Tiebreak.PREVIOUS_THEN_RANDOM, seed=1, batch_elimination=True,
                  overvote=OvervoteRule.EXHAUST_IF_MULTIPLE)
    tab = tabulate_rcv(compact([(r, LabelMap()) for r in records], rules), rules)
    assert votes(tab, 1) == {"Kurt Wright": 2951, "Bob Kiss": 2585, "Andy Montroll": 2063,
                             "Dan Smith": 1306, "Write-in": 36, "James Simpson": 35}
    assert {d.candidate for d in tab.rounds[0].eliminated} == {"Dan Smith", "Write-in",
                                                               "James Simpson"}
    assert votes(tab, 2) == {"Kurt Wright": 3294, "Bob Kiss": 2981, "Andy Montroll": 2554}
    assert votes(tab, 3) == {"Bob Kiss": 4313, "Kurt Wright": 4061}
    assert tab.winners == ("Bob Kiss",)
    # 8,984 ballots: 4 invalid (no rankings), then the report's exhausted pile of 4, 151, 606
    blank = tab.rounds[0].tally.inactive[Status.NO_RANKINGS]
    assert blank == 4
    assert [int(r.tally.inactive_total - blank) for r in tab.rounds] == [4, 151, 606]


def _maine_matrix(path: Path) -> tuple[np.ndarray, list[str]]:
    """The CVR's five choice columns as a rank matrix. Labels are cleaned as the data README says
    (the files disagree on a trailing " (nnnn)" and spaces); a test-side adapter, not a reader."""
    table = pacsv.read_csv(path)
    names: list[str] = []
    index: dict[str, int] = {}
    matrix = np.full((table.num_rows, 5), -1, dtype=np.int32)
    for j in range(5):
        encoded = pc.dictionary_encode(table.column(f"choice_{j + 1}")).combine_chunks()
        lookup = []
        for label in encoded.dictionary.to_pylist():
            label = re.sub(r"\s*\(\d+\)\s*$", "", label or "").strip()
            lookup.append(index.setdefault(label, len(index)))
            if len(names) < len(index):
                names.append(label)
        matrix[:, j] = np.array(lookup, dtype=np.int32)[encoded.indices.to_numpy()]
    return matrix, names


@pytest.mark.slow
def test_maine_2018_cd2_matches_the_official_report(shared: Path) -> None:
    matrix, names = _maine_matrix(shared / RCV / "maine_2018_cd2" / "maine_2018_cd2_cvr.csv.gz")
    candidates = tuple(n for n in names if n not in ("overvote", "undervote", ""))
    rules = Rules(candidates, tiebreak=Tiebreak.RANDOM, seed=1, overvote=OvervoteRule.EXHAUST,
                  max_skipped=1, batch_elimination=True)
    tab = count_matrix(matrix, names, rules, labels=LabelMap(overvote="overvote",
                                                            skipped="undervote"))
    assert votes(tab, 1) == {"REP Poliquin, Bruce": 134184, "DEM Golden, Jared F.": 132013,
                             "Bond, Tiffany L.": 16552, "Hoar, William R.S.": 6875}
    first = tab.rounds[0].tally.inactive
    assert first[Status.OVERVOTE] == 435
    assert first[Status.NO_RANKINGS] + first[Status.SKIPPED] == 6018  # "By Undervotes"
    assert tab.rounds[0].threshold == 144813
    assert votes(tab, 2) == {"DEM Golden, Jared F.": 142440, "REP Poliquin, Bruce": 138931}
    second = tab.rounds[1].tally
    assert second.inactive[Status.OVERVOTE] == 533
    assert second.inactive_total == 533 + 13838 + 335  # overvotes, undervotes, exhausted
    assert second.active + second.inactive_total == 296077
    assert tab.winners == ("DEM Golden, Jared F.",)


PORTLAND_WINNERS = {
    1: {"Candace Avalos", "Loretta Smith", "Jamie Dunphy"},
    2: {"Sameer Kanal", "Dan Ryan", "Elana Pirtle-Guiney"},
    3: {"Steve Novick", "Angelita Morillo", "Tiffany Koyama Lane"},
    4: {"Olivia Clark", "Mitch Green", "Eric Zimmerman"},
}


# The data set's third-party rounds (README: goodfastcheapPDX, not official) use a quota of every
# ballot cast / (seats + 1), floored, plus 1; RCTab and electoral take round 1's continuing votes.
PORTLAND_ALL_BALLOTS_QUOTA = {1: 10_370, 2: 18_522, 3: 20_292, 4: 18_465}


def _portland_marks(shared: Path, district: int) -> tuple[dict[str, list[tuple[int, str]]],
                                                           tuple[str, ...]]:
    path = shared / RCV / "portland_or_2024_city_council" / f"district{district}_ballots_long.csv.gz"
    table = pacsv.read_csv(path).to_pydict()  # one row per (ballot, rank, candidate) mark
    marks: dict[str, list[tuple[int, str]]] = {}
    for ballot, rank, name in zip(table["BallotID"], table["rank_position"],
                                  table["candidate_name"], strict=True):
        marks.setdefault(ballot, []).append((rank, name))
    return marks, tuple(sorted(set(table["candidate_name"])))


@pytest.mark.slow
@pytest.mark.parametrize("rules_from", ["skip overvotes", "--rules portland"])
@pytest.mark.parametrize("district", sorted(PORTLAND_WINNERS))
def test_portland_2024_council_elects_the_certified_winners(shared: Path, district: int,
                                                            rules_from: str) -> None:
    """The certified winners, whether an overvoted rank is skipped or (the quick count's
    ``portland`` preset, which keeps the default) exhausts the ballot; the quota is Droop's over
    round 1's continuing votes. The third-party rounds in the data set reach the same winners
    with a quota over every ballot cast (higher by 1-1.5%), so some eliminations and elections
    come in another order there."""
    from electoral.rcv.presets import PRESETS
    from electoral.rcv.session.quick import QuickOptions, quick_rules

    marks, names = _portland_marks(shared, district)
    if rules_from == "skip overvotes":
        rules = Rules(names, seats=3, mode=WinnerMode.MULTIPLE_PER_ROUND,
                      tiebreak=Tiebreak.RANDOM, seed=1, overvote=OvervoteRule.SKIP, decimals=4)
    else:
        rules = quick_rules(names, QuickOptions(**PRESETS["portland"].rules))
    records = [(CastVoteRecord(b, tuple(m)), LabelMap()) for b, m in marks.items()]
    tab = tabulate_rcv(compact(records, rules), rules)
    assert set(tab.winners) == PORTLAND_WINNERS[district]
    first = tab.rounds[0]
    assert first.threshold == int(first.tally.active_and_locked) // 4 + 1
    assert first.threshold < PORTLAND_ALL_BALLOTS_QUOTA[district] == len(records) // 4 + 1
    for rnd in tab.rounds:  # every ballot accounted for, fractions included
        assert rnd.tally.active_and_locked + rnd.tally.inactive_total + rnd.residual_surplus \
            == len(records)


@pytest.mark.slow
def test_maine_2018_cd2_quick_count_reads_the_published_cvr_as_it_is(shared: Path) -> None:
    # The CVR as Maine published it: choice_1..choice_5 headings, and a candidate written both
    # with and without a code ("DEM Golden, Jared F. (5471)"): one candidate, said in a note.
    # Counted as two, Poliquin won (the fresh-user trial of issue 13's quick count).
    from electoral import api

    path = shared / RCV / "maine_2018_cd2" / "maine_2018_cd2_cvr.csv.gz"
    text = api.rcv_count([path], rules="maine", fmt="csv")
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(text)) if row}
    golden = next(v for k, v in rows.items() if k.startswith("DEM Golden, Jared F."))
    poliquin = next(v for k, v in rows.items() if k.startswith("REP Poliquin, Bruce"))
    assert [c for c in golden if c.replace(",", "").isdigit()][:1] == ["132013"]
    assert "142440" in golden and "138931" in poliquin and "134184" in poliquin
    table = api.rcv_count([path], rules="maine")
    assert "'DEM Golden, Jared F. (5471)' is counted as 'DEM Golden, Jared F.'" in table
    assert "(5471)" not in table.split("*")[0]  # no second Golden row


@pytest.mark.slow
def test_minneapolis_2017_quick_count_under_its_preset_is_rctabs(shared: Path) -> None:
    # the preset names 'UWI' as undeclared write-ins, dropped first as RCTab does: six rounds as
    # in RCTab's expected report (counted as a candidate, they made five)
    import json

    from electoral import api

    case = shared / "conformance/rctab/2017_minneapolis_mayor"
    text = api.rcv_count([case / "2017_minneapolis_mayor_cvr.xlsx"], rules="minneapolis",
                         fmt="csv")
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(text)) if row}
    expected = json.loads((case / "2017_minneapolis_mayor_expected_detailed_report.json")
                          .read_text())["results"]
    header = next(iter(rows))
    assert sum(1 for cell in rows[header] if cell.endswith("Votes")) == len(expected) == 6
    last = {name: int(votes) for name, votes in expected[-1]["tally"].items()}
    assert rows["Jacob Frey (elected)"][-2] == str(last["Jacob Frey"])
    assert rows["Raymond Dehn"][-2] == str(last["Raymond Dehn"])
    assert rows["Undeclared Write-ins"][:3] == ["137", "0.1%", "-137"]
