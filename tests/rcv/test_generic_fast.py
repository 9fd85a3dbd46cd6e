"""The quick count's fast path for RCTab's generic CSV (``read_generic_matrix``) counts exactly as
the general reader's records do, and steps aside for every file it does not read plainly."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from electoral.errors import ValidationError
from electoral.rcv import QuickOptions, quick_count
from electoral.rcv.cvr.common import CvrOptions
from electoral.rcv.cvr.generic import read_generic_matrix
from electoral.rcv.rules import OvervoteRule, Tiebreak
from electoral.rcv.session import quick

NAMES = ("Ann", "Bo", "Cy", "Di", "Ed")


def _file(tmp_path: Path, seed: int, ballots: int = 300) -> Path:
    rng = random.Random(seed)
    lines = ["id," + ",".join(NAMES)]
    for b in range(ballots):
        chosen = rng.sample(range(len(NAMES)), rng.randint(0, len(NAMES)))
        ranks = [""] * len(NAMES)
        rank = 0
        for c in chosen:
            rank += rng.choice((1, 1, 1, 2))  # now and then a skipped rank
            ranks[c] = str(rank)
        lines.append(f"{b + 1}," + ",".join(ranks))
    path = tmp_path / f"g{seed}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _both(path: Path, options: QuickOptions, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202
    fast = quick_count([path], options)
    with monkeypatch.context() as m:
        m.setattr(quick, "_generic_matrix", lambda *_: None)
        general = quick_count([path], options)
    return fast.tabulation, general.tabulation


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("options", [
    QuickOptions(), QuickOptions(max_skipped=0), QuickOptions(max_skipped=1),
    QuickOptions(seats=2), QuickOptions(tiebreak=Tiebreak.CANDIDATE_ORDER, batch_elimination=True),
], ids=["default", "skip0", "skip1", "stv2", "order-batch"])
def test_fast_path_counts_as_the_records_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            seed: int, options: QuickOptions) -> None:
    fast, general = _both(_file(tmp_path, seed), options, monkeypatch)
    assert fast.winners == general.winners
    assert tuple(fast.rules.names) == tuple(general.rules.names)  # candidate order: first met
    assert [r.tally for r in fast.rounds] == [r.tally for r in general.rounds]


def test_ranks_far_apart_count_as_the_records_do(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Rank numbers past 30 (skipped ranks) take the row-matrix branch instead of one key."""
    path = tmp_path / "far.csv"
    path.write_text("id,Ann,Bo,Cy\n1,1,35,\n2,,1,40\n3,2,,1\n4,1,,\n5,,1,\n")
    fast, general = _both(path, QuickOptions(), monkeypatch)
    assert [r.tally for r in fast.rounds] == [r.tally for r in general.rounds]
    assert fast.winners == general.winners


@pytest.mark.parametrize("body", [
    "1,1,2,,,\n2,2,1,1,,\n",  # two candidates at rank 1: an overvote
    "1,1,x,,,\n",  # not a number
    "1,1,NA,,,\n",  # a null spelling pyarrow knows, a bad rank to RCTab
    "1,0,1,,,\n",  # rank 0
    "1,1,2\n",  # a short row
    "1,,,,,\n",  # nobody ranked at all
])
def test_anything_but_a_plain_file_goes_to_the_general_reader(tmp_path: Path, body: str) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("id," + ",".join(NAMES) + "\n" + body)
    with path.open("rb") as stream:
        assert read_generic_matrix(stream, CvrOptions(first_vote_column=2)) is None


def test_overvotes_still_count_by_the_general_reader(tmp_path: Path) -> None:
    path = tmp_path / "over.csv"
    path.write_text("id,Ann,Bo,Cy\n1,1,1,2\n2,1,,2\n3,,1,\n4,2,,1\n5,1,,\n6,1,,\n")
    tab = quick_count([path], QuickOptions(overvote=OvervoteRule.SKIP)).tabulation
    assert tab.rounds[0].tally.votes == {"Ann": 3, "Bo": 1, "Cy": 2}  # ballot 1 skips to Cy
    assert tab.winners == ("Ann",)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,Ann,Bo,Cy\n1,1,x,2\n2,1,,2\n")
    with pytest.raises(ValidationError, match="bad.csv"):
        quick_count([bad])
