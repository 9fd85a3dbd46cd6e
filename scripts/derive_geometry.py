"""Derive the package's map geometry, src/electoral/data/geometry/us-10m.topo.json.gz, from
us-atlas 3.0.1's counties-10m.json in ../shared/data/geometry (ISC licence, shipped beside it).

What changes: only the 50 states and DC are kept (territories have no electors and no returns
here); state features get their USPS code as id (``properties.fips`` keeps the FIPS); counties get
``properties.state``; arcs no feature uses are dropped and the rest renumbered. Arc positions stay
quantized and delta-encoded, so the file is decoded by electoral.report.geometry like any topology.
Run by `make data`; the output is committed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from pathlib import Path

from electoral.model import STATE_BY_NAME

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "geometry"
OUT = ROOT / "src" / "electoral" / "data" / "geometry"
SOURCE = "counties-10m.json"
LICENCE = "us-atlas-LICENSE.txt"


def main() -> int:
    path = SHARED / SOURCE
    if not path.is_file():
        print(f"error: {path} is absent; it comes from the shared data folder", file=sys.stderr)
        return 1
    raw = path.read_bytes()
    topology = json.loads(raw)
    states, counties = _keep(topology["objects"])
    used = sorted({_arc(i) for g in (*states, *counties) for i in _indices(g["arcs"])})
    renumber = {old: new for new, old in enumerate(used)}
    for geometry in (*states, *counties):
        geometry["arcs"] = _renumbered(geometry["arcs"], renumber)
    derived = {
        "type": "Topology",
        "source": f"us-atlas 3.0.1 {SOURCE} (sha256 {hashlib.sha256(raw).hexdigest()}), "
                  "50 states and DC",
        "transform": topology["transform"],
        "objects": {"states": {"type": "GeometryCollection", "geometries": states},
                    "counties": {"type": "GeometryCollection", "geometries": counties}},
        "arcs": [topology["arcs"][i] for i in used],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    text = json.dumps(derived, separators=(",", ":"), sort_keys=True).encode()
    (OUT / "us-10m.topo.json.gz").write_bytes(gzip.compress(text, 9, mtime=0))
    shutil.copyfile(SHARED / LICENCE, OUT / LICENCE)
    print(f"wrote {OUT}: {len(states)} states, {len(counties)} counties, {len(used)} arcs")
    return 0


def _keep(objects: dict) -> tuple[list[dict], list[dict]]:
    """States that have electors (with USPS ids) and the counties inside them."""
    states, usps = [], {}
    for g in objects["states"]["geometries"]:
        code = STATE_BY_NAME.get(g["properties"]["name"].lower())
        if code is None:
            continue
        usps[g["id"]] = code
        states.append({"type": g["type"], "id": code, "arcs": g["arcs"],
                       "properties": {"name": g["properties"]["name"], "state": code,
                                      "fips": g["id"]}})
    counties = [{"type": g["type"], "id": g["id"], "arcs": g["arcs"],
                 "properties": {"name": g["properties"]["name"], "state": usps[g["id"][:2]]}}
                for g in objects["counties"]["geometries"] if g["id"][:2] in usps]
    return states, counties


def _indices(nested: list) -> list[int]:
    if nested and isinstance(nested[0], int):
        return nested
    return [i for part in nested for i in _indices(part)]


def _arc(index: int) -> int:
    return index if index >= 0 else ~index


def _renumbered(nested: list, renumber: dict[int, int]) -> list:
    if nested and isinstance(nested[0], int):
        return [renumber[i] if i >= 0 else ~renumber[~i] for i in nested]
    return [_renumbered(part, renumber) for part in nested]


if __name__ == "__main__":
    sys.exit(main())
