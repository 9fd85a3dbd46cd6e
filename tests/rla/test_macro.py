"""MACRO batch comparison (Stark 2008) on Arlo's example batches: bounds, risk after hand counts,
the further batches, PPEB draws and located errors."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from electoral.errors import ValidationError
from electoral.rla import audit, macro
from electoral.rla.sampler import draw_weighted
from tests.conftest import SHARED

BATCHES = SHARED / "cases" / "audit" / "macro_batches.csv"
# Contest C: Marsh 18,000, Dunmore 12,600 of 36,000 ballots; V = 5,400
V = 5400


@pytest.fixture(scope="module")
def batch_file() -> macro.Batches:
    return macro.read_batches(BATCHES.read_bytes(), str(BATCHES))


def test_bounds_are_exact_and_add_up_to_u(batch_file: macro.Batches) -> None:
    contest, held = macro.contest_of(batch_file, "Contest C")
    bounds = macro.error_bounds(contest, held)
    assert bounds["B000"] == Fraction(200 - 140 + 400, V)
    assert bounds["AV000"] == Fraction(100 - 70 + 200, V)
    assert sum(bounds.values()) == Fraction(23, 3)  # 1 + 36,000 / 5,400


def test_risk_after_hand_counts(batch_file: macro.Batches, tmp_path: Path) -> None:
    hand = tmp_path / "audited.csv"
    # B000 as reported; AV000 with ten of Marsh's votes found to be Dunmore's
    hand.write_text("batch,contest,candidate,votes\nB000,Contest C,Marsh,200\n"
                    "B000,Contest C,Dunmore,140\nAV000,Contest C,Marsh,90\nAV000,Contest C,Dunmore,80\n")
    audited = macro.read_batches(hand.read_bytes(), str(hand), with_ballots=False)
    document = audit.batches(batch_file, 0.25, contest="Contest C", audited=audited)
    step = 1 - Fraction(3, 23)
    taint = Fraction(20, V) / Fraction(230, V)
    expect = float(step) * float(step / (1 - taint))
    assert document["p_value"] == pytest.approx(expect, rel=1e-12)
    assert document["taints"] == {"B000": 0.0, "AV000": float(taint)}
    further = math.ceil((math.log(0.25) - math.log(expect)) / math.log(float(step))) + 1
    assert document["sample_size"] == further and document["confirmed"] is False
    runner = CliRunner()
    cli = runner.invoke(app, ["rla", "risk", "--method", "macro", "--risk-limit", "0.25",
                              "--batches", str(BATCHES), "--contest", "Contest C",
                              "--audited", str(hand), "--format", "json"])
    assert cli.exit_code == 0, cli.output


def test_bad_hand_counts_and_batch_rows_are_located(batch_file: macro.Batches, tmp_path: Path) -> None:
    hand = tmp_path / "audited.csv"
    hand.write_text("batch,contest,candidate,votes\nB150,Contest C,Marsh,1\nB000,Contest C,Zed,2\n")
    audited = macro.read_batches(hand.read_bytes(), str(hand), with_ballots=False)
    with pytest.raises(ValidationError) as caught:
        audit.batches(batch_file, 0.25, contest="Contest C", audited=audited,
                      audited_source=str(hand))
    assert [(p.source, p.line, p.field) for p in caught.value.problems] == [
        (str(hand), 2, "batch"), (str(hand), 3, "candidate")]
    with pytest.raises(ValidationError) as caught:
        macro.read_batches(b"batch,contest,candidate,votes,ballots\nB1,C,A,5,10\nB1,C,B,3,12\n"
                           b"B1,C,A,1,10\nB2,C,A,9,4\n", "b.csv")
    assert [(p.code, p.line) for p in caught.value.problems] == [
        ("ballots_differ", 3), ("repeated_candidate", 4), ("votes_over_ballots", 5)]
    with pytest.raises(ValidationError, match="name one with --contest"):
        macro.contest_of(batch_file, None)


def test_ppeb_sample_draws_by_the_bounds(batch_file: macro.Batches) -> None:
    document = audit.sample_batches("2026-11-30 dice 914", 12, batch_file, contest="Contest C")
    contest, held = macro.contest_of(batch_file, "Contest C")
    names = list(held)
    weights = [Fraction(held[n].votes["Marsh"] - held[n].votes["Dunmore"] + (held[n].ballots or 0), V)
               for n in names]
    assert document["sample"] == [names[i] for i in draw_weighted("2026-11-30 dice 914", weights, 12)]
    assert document["batches"] == 120 and len(document["sample"]) == 12


def test_a_tied_contest_is_a_full_count_of_its_batches_and_cannot_be_sampled(tmp_path: Path) -> None:
    path = tmp_path / "tied.csv"
    path.write_text("batch,contest,candidate,votes,ballots\nP1,Tied,Eck,40,100\nP1,Tied,Fox,30,100\n"
                    "P2,Tied,Eck,30,100\nP2,Tied,Fox,40,100\n", encoding="utf-8")
    runner = CliRunner()
    planned = runner.invoke(app, ["rla", "plan", "--method", "macro", "--risk-limit", "0.1",
                                  "--batches", str(path)])
    assert planned.exit_code == 0 and "full hand count" in planned.stdout, planned.output
    drawn = runner.invoke(app, ["rla", "sample", "--seed", "1", "--size", "1", "--batches",
                                str(path)])
    assert drawn.exit_code == 1 and "Tied is tied" in drawn.stderr
