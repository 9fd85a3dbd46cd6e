"""The package's public surface, and that importing it stays light (issue 9: the CLI starts at once)."""

import subprocess
import sys

import pytest

import electoral.rcv as rcv

HEAVY = ("numba", "numpy", "pyarrow", "duckdb")


def test_import_loads_no_heavy_module() -> None:
    code = ("import sys, electoral.rcv, electoral.rcv.cvr; "
            "from electoral.rcv import Provider, OvervoteRule, Tiebreak, WinnerMode; "
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_public_name_resolves_to_its_home() -> None:
    for name in rcv.__all__:
        value = getattr(rcv, name)
        assert value.__module__.startswith("electoral.rcv."), name
    assert rcv.quick_count.__module__ == "electoral.rcv.session.quick"
    assert rcv.tabulate_config.__module__ == "electoral.rcv.session.rctab"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Tabulation"):
        rcv.Tabulation  # noqa: B018
