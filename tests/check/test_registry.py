"""The registry of checks: one unit per rule, every table kind covered, findings named by their rule."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator

import pytest

from electoral.api import check_paths
from electoral.check import Discrepancy, Kind, has_errors, list_checks, worst
from electoral.check.base import Context, rule
from electoral.published import TableKind


def test_every_table_kind_has_a_check() -> None:
    assert {c.table for c in list_checks()} == set(TableKind)
    for kind in TableKind:
        assert list_checks(kind) and all(c.table == kind for c in list_checks(kind))


def test_every_check_states_its_rule_and_has_its_own_name() -> None:
    checks = list_checks()
    for check in checks:
        assert check.rule.strip(), check.name
        assert check.rule == inspect.cleandoc(check.run.__doc__ or ""), check.name
    assert len({c.name for c in checks}) == len(checks)


def test_a_check_without_a_rule_or_with_a_taken_name_is_refused() -> None:
    before = list_checks()

    def undocumented(ctx: Context) -> Iterator[Discrepancy]:
        yield from ()

    def unit_shares(ctx: Context) -> Iterator[Discrepancy]:
        """A second rule under a name already registered."""
        yield from ()

    with pytest.raises(TypeError, match="no docstring"):
        rule(TableKind.UNITS)(undocumented)
    with pytest.raises(TypeError, match="two checks are named unit-shares"):
        rule(TableKind.UNITS)(unit_shares)
    assert list_checks() == before


def _finding(kind: Kind) -> Discrepancy:
    return Discrepancy(kind, "a.txt", "By county", "Essex", "Other %", "1.41%", "1.22%", "why")


def test_the_worst_finding_decides() -> None:
    assert worst([]) is None and not has_errors([])
    assert worst([_finding(Kind.ROUNDING)]) == Kind.ROUNDING
    assert not has_errors([_finding(Kind.ROUNDING)])
    assert worst([_finding(Kind.ROUNDING), _finding(Kind.ERROR)]) == Kind.ERROR
    assert has_errors([_finding(Kind.ROUNDING), _finding(Kind.ERROR)])


def test_a_finding_names_the_check_whose_rule_it_breaks(seed) -> None:
    found = check_paths([seed("2004-CT-president")])
    windham = [d for d in found if (d.row, d.column) == ("Windham", "Other %")]
    assert [(d.kind, d.check) for d in windham] == [(Kind.ERROR, "unit-shares")]
    assert windham[0].as_dict()["check"] == "unit-shares"
    totals = {(d.column, d.check) for d in found if d.row == "Totals" and d.kind == Kind.ROUNDING}
    assert ("Margin %", "unit-margins") in totals
    names = {c.name for c in list_checks()}
    assert all(d.check in names for d in found)


def test_findings_run_top_to_bottom_within_a_table(seed) -> None:
    found = check_paths([seed("2004-MA-president")])
    for table in {d.table for d in found}:
        lines = [d.line for d in found if d.table == table]
        assert lines == sorted(lines)


def test_check_list_names_every_check_with_its_rule() -> None:
    from typer.testing import CliRunner

    from electoral.check import list_checks
    from electoral.cli import app

    result = CliRunner().invoke(app, ["check", "--list", "--format", "json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [c["name"] for c in listed] == [c.name for c in list_checks()]
    assert all(c["rule"] for c in listed)
    text = CliRunner().invoke(app, ["check", "--list"])
    assert text.exit_code == 0 and len(text.output.splitlines()) == len(listed)
    assert CliRunner().invoke(app, ["check"]).exit_code == 2
