"""Start-up: the CLI loads nothing heavy until a command needs it, and answers --help/--version.

Each check runs in a fresh interpreter, since this test process has long since imported
everything."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

HEAVY = ("duckdb", "pyarrow", "numpy", "numba")
SRC = Path(__file__).resolve().parents[1] / "src"


def python(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_importing_the_cli_loads_no_heavy_module() -> None:
    done = python("-c", "import sys, electoral.cli; "
                  f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_help_lists_every_command_without_loading_heavy_modules() -> None:
    done = python("-c", "import sys\nfrom electoral.cli import app\ntry:\n    app(['--help'])\n"
                  "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
                  f"print('loaded:', ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    assert done.returncode == 0, done.stderr
    assert "import" in done.stdout and "rcv" in done.stdout and "--version" in done.stdout
    assert done.stdout.rstrip().endswith("loaded:")


def test_electoral_help_and_version_run_as_a_program() -> None:
    help_ = python("-m", "electoral.cli", "--help")
    assert help_.returncode == 0 and "Commands:" in help_.stdout, help_.stderr
    shown = python("-m", "electoral.cli", "--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"electoral {version('electoral')}"


def test_the_named_levels_are_unit_kinds() -> None:
    # formats.py writes them out so that --help need not load the model
    from electoral.formats import MapLevel, ReportLevel
    from electoral.model import UnitKind

    assert {level.value for level in ReportLevel} == {k.value for k in UnitKind} - {"nation"}
    assert {level.value for level in MapLevel} <= {k.value for k in UnitKind}
