"""`make bench` (benchmarks/run.py) fails when a bench misses a target, and still writes its report."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, benches: dict[str, int]) -> ModuleType:
    """benchmarks/run.py over a folder of stand-in benches, each printing a report and exiting with
    the given status."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    for name, status in benches.items():
        (tmp_path / f"{name}_bench.py").write_text(
            f"import sys\nprint('## {name}: target met' if {status} == 0 else '## {name}: not met')\n"
            f"sys.exit({status})\n")
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(run, "REPORT", tmp_path / "BENCHMARKS.md")
    return run


def test_every_target_met_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = runner(tmp_path, monkeypatch, {"a": 0, "b": 0})
    assert run.main([]) == 0
    assert "## a: target met" in (tmp_path / "BENCHMARKS.md").read_text()


def test_a_missed_target_exits_1_and_the_report_is_still_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    run = runner(tmp_path, monkeypatch, {"fast": 0, "slow": 3})
    assert run.MISSED == 3
    assert run.main([]) == 1
    report = (tmp_path / "BENCHMARKS.md").read_text()
    assert "## slow: not met" in report and "## fast: target met" in report
    assert "targets not met: slow" in capsys.readouterr().err
    assert run.main(["fast"]) == 0  # only the benches asked for count


def test_a_crashed_bench_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = runner(tmp_path, monkeypatch, {"broken": 2})
    assert run.main([]) == 1
    assert not (tmp_path / "BENCHMARKS.md").exists()
