"""The package's public surface is this list (issue 9): a name added or dropped is a decision."""

from __future__ import annotations

import subprocess
import sys

import pytest

import electoral

PUBLIC = {
    "__version__", "api", "open_store", "ResultsStore", "Store",
    "Election", "Party", "Candidate", "Unit", "UnitKind", "Count", "VoteType", "Returns",
    "Exclusion", "CastVoteRecord", "ElectoralError", "ValidationError", "NotFoundError",
    "StoreError", "Problem", "CountTable", "ReturnsTable", "percent", "canonical_party",
    "Format", "open_source", "read_path", "read_tables", "stage",
    "roll_up", "Tabulation", "apportion", "census_populations", "state_votes", "national_table",
    "Scenario", "analyse", "parse_flips", "parse_swing",
    "draw_map", "svg_to_png", "load_atlas",
    "Rules", "Ballots", "Labels", "tabulate_rcv", "count_matrix", "RankMatrix", "collapse",
    "read_rank_matrix", "iter_rank_matrices",
}


def test_the_public_names_are_the_list() -> None:
    assert set(electoral.__all__) == PUBLIC


@pytest.mark.parametrize("name", sorted(PUBLIC - {"__version__"}))
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(electoral, name)
    assert value is not None
    if name != "api":
        assert getattr(value, "__name__", name) == name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'roll_upp'"):
        electoral.roll_upp  # noqa: B018


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = ("import sys, electoral; "
            "print(','.join(m for m in ('duckdb', 'pyarrow', 'numpy', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert electoral.__version__
