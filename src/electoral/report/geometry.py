"""County and state boundaries for maps: a TopoJSON decoder and the package's bundled US atlas.

TopoJSON stores each shared boundary once, as an *arc*; a polygon ring is a list of arc indices
(``~i``, i.e. ``-i - 1``, meaning arc ``i`` walked backwards). A quantized topology stores arc
positions as integer steps from the previous position, turned back into longitude/latitude by its
``transform`` (``x * scale + translate``). ``decode_topology`` undoes all three.

The bundled atlas (``data/geometry/us-10m.topo.json.gz``) is derived from us-atlas 3.0.1
(ISC licence, shipped beside it) by ``scripts/derive_geometry.py``: the 50 states and DC, their
counties as of the Census Bureau's 2017 cartographic boundary files.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import chain
from typing import Any, cast

import numpy as np

from electoral.errors import Problem, ValidationError

ATLAS = "data/geometry/us-10m.topo.json.gz"
ATTRIBUTION = ("Boundaries: US Census Bureau cartographic boundary files (2017) "
               "via us-atlas 3.0.1, ISC licence")

Ring = np.ndarray  # (n, 2) float64: longitude, latitude


@dataclass(frozen=True, slots=True, eq=False)
class Feature:
    """One area on the map: a county (``id`` its 5-digit FIPS) or a state (``id`` its USPS code)."""

    id: str
    name: str
    state: str  # USPS code of the state it lies in
    fips: str  # 5-digit county or 2-digit state FIPS code
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: its outer ring, then its holes

    def rings(self) -> list[Ring]:
        """Every ring of every polygon, outer rings and holes alike, each (n, 2) lon/lat degrees."""
        return [ring for polygon in self.polygons for ring in polygon]


@dataclass(frozen=True, slots=True, eq=False)
class Atlas:
    """The map's areas: counties by 5-digit FIPS, states by USPS code, and where they come from."""

    counties: Mapping[str, Feature]  # FIPS → county
    states: Mapping[str, Feature]  # USPS → state
    source: str

    def counties_of(self, state: str) -> list[Feature]:
        """The counties (and county-equivalents) of ``state`` (USPS code), in atlas order."""
        return [f for f in self.counties.values() if f.state == state]


def decode_arcs(topology: Mapping[str, object]) -> list[np.ndarray]:
    """Every arc of ``topology`` as an (n, 2) float64 array of absolute coordinates (longitude,
    latitude in degrees for the bundled atlas), delta-decoded and transformed when quantized.

    Raises:
        ValidationError: the topology has no ``arcs`` list.
    """
    arcs = topology.get("arcs")
    if not isinstance(arcs, list):
        raise ValidationError([Problem("topojson", "a topology needs an 'arcs' list",
                                       field="arcs")])
    lengths = np.fromiter((len(arc) for arc in arcs), dtype=np.int64, count=len(arcs))
    flat = np.fromiter(chain.from_iterable(pos[:2] for arc in arcs for pos in arc),
                       dtype=np.float64, count=int(lengths.sum()) * 2).reshape(-1, 2)
    transform = topology.get("transform")
    if isinstance(transform, Mapping):
        flat = _undelta(flat, lengths)
        flat = flat * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
    return np.split(flat, np.cumsum(lengths)[:-1])


def _undelta(steps: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Running sums of delta-encoded positions, restarting at the first position of each arc."""
    running = np.cumsum(steps, axis=0)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    before = np.zeros_like(running)
    before[1:] = running[:-1]
    undone: np.ndarray = running - np.repeat(before[starts], lengths, axis=0)
    return undone


def stitch(arcs: Sequence[np.ndarray], indices: Sequence[int]) -> Ring:
    """One ring from arc indices: each arc after the first drops its first (shared) position."""
    parts = []
    for n, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if n == 0 else arc[1:])
    return np.concatenate(parts)


def decode_geometry(arcs: Sequence[np.ndarray],
                    geometry: Mapping[str, object]) -> tuple[tuple[Ring, ...], ...]:
    """The polygons of one TopoJSON geometry object (Polygon, MultiPolygon or null), each an
    outer ring then its holes.

    Raises:
        ValidationError: the geometry is of another type (a point or a line is not an area).
    """
    kind = geometry.get("type")
    rings = cast(list[Any], geometry.get("arcs", []))
    if kind == "Polygon":
        return (tuple(stitch(arcs, ring) for ring in rings),)
    if kind == "MultiPolygon":
        return tuple(tuple(stitch(arcs, ring) for ring in polygon) for polygon in rings)
    if kind is None:
        return ()
    raise ValidationError([Problem("topojson", f"geometry type {kind!r} is not an area; "
                                   "maps draw Polygon and MultiPolygon only", field="type")])


def decode_topology(topology: Mapping[str, object]) -> dict[str, list[dict[str, object]]]:
    """Each object of ``topology`` as a list of ``{"id", "properties", "polygons"}`` (TopoJSON
    specification 1.0, github.com/topojson/topojson-specification).

    Raises:
        ValidationError: not a ``Topology``, no ``objects``, no ``arcs``, or a geometry that is not
            an area.
    """
    if topology.get("type") != "Topology":
        raise ValidationError([Problem("topojson", "not a TopoJSON topology (type is "
                                       f"{topology.get('type')!r})", field="type")])
    arcs = decode_arcs(topology)
    objects = topology.get("objects")
    if not isinstance(objects, Mapping):
        raise ValidationError([Problem("topojson", "a topology needs 'objects'",
                                       field="objects")])
    decoded: dict[str, list[dict[str, object]]] = {}
    for name, collection in objects.items():
        members = collection.get("geometries", [collection])
        decoded[name] = [{"id": g.get("id"), "properties": g.get("properties", {}),
                          "polygons": decode_geometry(arcs, g)} for g in members]
    return decoded


@cache
def load_atlas() -> Atlas:
    """The bundled US atlas (decoded once per process): 3,000-odd counties and the 50 states and
    DC, from us-atlas 3.0.1 (Census Bureau 2017 cartographic boundaries)."""
    raw = resources.files("electoral").joinpath(ATLAS).read_bytes()
    topology = json.loads(gzip.decompress(raw))
    objects = decode_topology(topology)
    counties = {str(g["id"]): _feature(g) for g in objects["counties"]}
    states = {str(g["id"]): _feature(g) for g in objects["states"]}
    return Atlas(counties, states, str(topology.get("source", "")))


def _feature(geometry: Mapping[str, object]) -> Feature:
    props = geometry["properties"]
    assert isinstance(props, Mapping)
    polygons = geometry["polygons"]
    assert isinstance(polygons, tuple)
    fips = str(props.get("fips", geometry["id"]))
    return Feature(str(geometry["id"]), str(props["name"]), str(props["state"]), fips, polygons)
