"""Every handed vector of shared/cases/audit/vectors.json, run through `electoral rla` as written.

The values are published by Arlo, rlacalc (from the BRAVO paper's Table 1) and Rivest's sampler
tests, and RAIRE's guide example (raire-rs); the README of that folder says where each comes
from.
"""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from electoral.cli import app
from tests.conftest import SHARED

AUDIT = SHARED / "cases" / "audit"
VECTORS = json.loads((AUDIT / "vectors.json").read_text())["vectors"]


def _matches(got: object, want: object, tolerance: float | None) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(
            _matches(got.get(k), v, tolerance) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(
            _matches(g, w, tolerance) for g, w in zip(got, want, strict=True))
    if tolerance is not None and isinstance(want, float):
        return isinstance(got, int | float) and math.isclose(got, want, abs_tol=tolerance)
    return got == want and type(got) is type(want)


@pytest.mark.parametrize("vector", [pytest.param(v, id=v["id"]) for v in VECTORS])
def test_vector(vector: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(AUDIT)
    result = CliRunner().invoke(app, vector["args"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    tolerance = vector.get("tolerance") or {}
    assert isinstance(tolerance, dict)
    expect = vector["expect"]
    assert isinstance(expect, dict)
    for key, want in expect.items():
        assert _matches(document.get(key), want, tolerance.get(key)), (key, document.get(key), want)
