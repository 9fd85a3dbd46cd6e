"""Maps: TopoJSON decoding, the Albers projection, and the SVG every unit is drawn into."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from electoral.analyze.compare import compare
from electoral.errors import ValidationError
from electoral.model import Unit, UnitKind
from electoral.numbers import percent
from electoral.report import maps
from electoral.report.college_map import draw_college
from electoral.report.geometry import decode_topology, load_atlas
from electoral.report.maps import PARTY_COLOURS, MapKind, Palette, draw_map, map_election
from electoral.report.projection import Albers, united_states
from electoral.tabulate.rollup import roll_up
from tests.report.elections import county_returns

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def units(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}path") if e.get("class") == "unit"]


def no_result_areas(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}path") if e.get("data-status") == "no-result"]


def texts(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


# ---- TopoJSON ----------------------------------------------------------------------------------

SQUARE = {
    "type": "Topology",
    "transform": {"scale": [0.5, 2.0], "translate": [10.0, 20.0]},
    "arcs": [[[0, 0], [2, 0], [0, 1]], [[2, 1], [-2, 0], [0, -1]]],
    "objects": {"shapes": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "id": "a", "arcs": [[0, 1]]},
        {"type": "MultiPolygon", "id": "b", "arcs": [[[~1, ~0]], [[0, 1]]]},
        {"type": None, "id": "c"},
    ]}},
}


def test_decoding_undoes_delta_encoding_quantization_and_reversed_arcs():
    shapes = {g["id"]: g for g in decode_topology(SQUARE)["shapes"]}
    ring = shapes["a"]["polygons"][0][0]
    assert ring.tolist() == [[10, 20], [11, 20], [11, 22], [10, 22], [10, 20]]
    reversed_ring = shapes["b"]["polygons"][0][0]
    assert reversed_ring.tolist() == [[10, 20], [10, 22], [11, 22], [11, 20], [10, 20]]
    assert len(shapes["b"]["polygons"]) == 2
    assert shapes["c"]["polygons"] == ()


def test_an_unquantized_topology_keeps_its_positions():
    plain = {**SQUARE, "arcs": [[[1.5, 2.5], [3.0, 2.5], [3.0, 4.0]],
                                [[3.0, 4.0], [1.5, 4.0], [1.5, 2.5]]]}
    del plain["transform"]
    ring = decode_topology(plain)["shapes"][0]["polygons"][0][0]
    assert ring.tolist() == [[1.5, 2.5], [3.0, 2.5], [3.0, 4.0], [1.5, 4.0], [1.5, 2.5]]


def test_decoding_rejects_what_is_not_an_area_topology():
    with pytest.raises(ValidationError, match="not a TopoJSON topology"):
        decode_topology({"type": "FeatureCollection"})
    point = {**SQUARE, "objects": {"p": {"type": "Point", "coordinates": [0, 0]}}}
    with pytest.raises(ValidationError, match="'Point' is not an area"):
        decode_topology(point)


def test_the_bundled_atlas_has_every_state_and_county_with_its_licence():
    atlas = load_atlas()
    assert len(atlas.states) == 51 and "DC" in atlas.states and "PR" not in atlas.states
    assert len(atlas.counties) == 3142
    for county in atlas.counties.values():
        assert county.id[:2] == atlas.states[county.state].fips
    assert len(atlas.counties_of("MO")) == 115  # 114 counties and St. Louis city
    assert len(atlas.counties_of("CT")) == 8  # the legacy counties, not the 2022 regions
    root = Path(maps.__file__).parents[1] / "data" / "geometry"
    assert "ISC" in (root / "us-atlas-LICENSE.txt").read_text() or \
        "Permission to use" in (root / "us-atlas-LICENSE.txt").read_text()


# ---- projection --------------------------------------------------------------------------------

def cell(lon: float, lat: float, size: float, steps: int = 200) -> np.ndarray:
    """The boundary of a lon/lat cell, densely sampled (parallels are arcs in a conic)."""
    t = np.linspace(0, 1, steps, endpoint=False)
    edges = [np.column_stack((lon + size * t, np.full(steps, lat))),
             np.column_stack((np.full(steps, lon + size), lat + size * t)),
             np.column_stack((lon + size * (1 - t), np.full(steps, lat + size))),
             np.column_stack((np.full(steps, lon), lat + size * (1 - t)))]
    return np.concatenate(edges)


def plane_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return abs(float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum()) / 2)


@pytest.mark.parametrize(("lon", "lat"), [(-120, 30), (-96, 40), (-70, 45), (-85, 26)])
def test_albers_preserves_area_on_the_unit_sphere(lon, lat):
    albers = Albers(29.5, 45.5, -96, 37.5)
    size = 2.0
    sphere = math.radians(size) * (math.sin(math.radians(lat + size)) - math.sin(math.radians(lat)))
    assert plane_area(albers.project(cell(lon, lat, size))) == pytest.approx(sphere, rel=1e-4)


def test_albers_puts_the_origin_at_zero_and_north_up():
    albers = Albers(29.5, 45.5, -96, 37.5)
    origin, north = albers.project(np.array([[-96.0, 37.5], [-96.0, 45.0]]))
    assert origin == pytest.approx([0, 0], abs=1e-12)
    assert north[0] == pytest.approx(0, abs=1e-12) and north[1] < 0  # screen y grows downwards


def test_alaska_and_hawaii_insets_sit_on_the_lower_48s_southern_edge():
    states = load_atlas().states
    lower48 = np.concatenate([r for s in states.values() if s.id not in ("AK", "HI")
                              for r in s.rings()])
    alaska, hawaii = (np.concatenate(states[s].rings()) for s in ("AK", "HI"))
    usa = united_states(lower48, alaska, hawaii)
    main = usa.project(lower48, "TX")
    ak, hi = usa.project(alaska, "AK"), usa.project(hawaii, "HI")
    assert ak[:, 1].max() == pytest.approx(main[:, 1].max())
    assert ak[:, 0].min() == pytest.approx(main[:, 0].min())
    assert hi[:, 1].max() == pytest.approx(main[:, 1].max())
    assert ak[:, 0].max() < hi[:, 0].min()  # side by side, not on top of each other
    assert np.ptp(ak[:, 0]) < 0.3 * np.ptp(main[:, 0])  # Alaska drawn at a reduced scale


# ---- the map: every unit an element with its result ----------------------------------------------

def test_every_county_is_drawn_with_its_fips_and_result():
    returns = county_returns("MO", 2004)
    table = roll_up(returns, "county")
    root = parse(draw_map(table))
    drawn = {e.get("data-fips"): e for e in units(root)}
    assert len(drawn) == 115 == int(root.get("data-units"))
    for row in table.rows:
        element = drawn[row.unit.fips]
        assert element.get("id") == f"unit-{row.unit.fips}"
        assert element.get("data-unit") == row.unit.id
        assert element.get("data-name") == row.unit.name
        assert int(element.get("data-total")) == row.total
        assert json.loads(element.get("data-votes")) == {k: v for k, v in row.votes.items() if v}
        assert element.get("data-margin") == str(table.margin_percent(row))
        winner = maps.leader(table, row)
        assert element.get("data-winner") == returns.candidate(winner).name
        assert element.find(f"{SVG}title").text.startswith(row.unit.name + ":")
    assert root.get("data-election") == "2004-MO-president"
    assert "2004 presidential election in Missouri" in texts(root)
    assert "Source: test returns" in texts(root)


def test_winner_fill_follows_the_winning_party():
    def votes(feature, rnd):
        return (900, 100, 0) if feature.name.startswith("B") else (100, 900, 0)
    table = roll_up(county_returns("MO", 2004, votes=votes), "county")
    colours = PARTY_COLOURS[Palette.STANDARD]
    for element in units(parse(draw_map(table))):
        expected = colours["democrat"] if element.get("data-name").startswith("B") \
            else colours["republican"]
        assert element.get("fill") == expected


def test_margin_map_shades_by_margin_bins():
    def votes(feature, rnd):  # margins of 80 and 2 points
        return (900, 100, 0) if feature.name.startswith("B") else (490, 510, 0)
    table = roll_up(county_returns("MO", 2004, votes=votes), "county")
    root = parse(draw_map(table, MapKind.MARGIN))
    by_name = {e.get("data-name"): e for e in units(root)}
    landslide, close = by_name["Boone"], by_name["Adair"]
    assert table.leading == ("dem", "rep")  # the margin is Democratic minus Republican
    assert landslide.get("data-value") == "80.00" and "40+" in landslide.get("data-category")
    assert close.get("data-value") == "-2.00" and "< 5" in close.get("data-category")
    fills = maps.ramp(PARTY_COLOURS[Palette.STANDARD]["democrat"], 6)
    assert landslide.get("fill") == fills[-1]
    assert "ahead by" in texts(root)


def test_the_colour_blind_palette_replaces_every_party_colour():
    table = roll_up(county_returns("MO", 2004), "county")
    standard = set(PARTY_COLOURS[Palette.STANDARD].values())
    fills = {e.get("fill") for e in units(parse(draw_map(table, palette="colorblind")))}
    assert fills <= set(PARTY_COLOURS[Palette.COLORBLIND].values()) | {maps.TIE}
    assert not fills & standard


def test_areas_without_results_are_hatched_and_said_so():
    returns = county_returns("MO", 2004, skip=["29001", "29003"])
    root = parse(map_election(returns))
    missing = no_result_areas(root)
    assert {e.get("data-fips") for e in missing} == {"29001", "29003"}
    assert all(e.get("fill", "").startswith("url(#hatch-") for e in missing)
    assert len(units(root)) == 113
    assert "no results for this area" in texts(root)
    assert "2 areas with no results" in texts(root)


def test_units_without_geometry_are_listed_on_the_map_not_left_blank():
    kansas_city = Unit("MO-kansas-city", "Kansas City", UnitKind.COUNTY, "MO")
    returns = county_returns("MO", 2004, extra_units=[(kansas_city, (5000, 1000, 10))])
    root = parse(map_election(returns))
    undrawn = root.find(f".//{SVG}g[@class='undrawn']")
    assert undrawn is not None and undrawn.get("data-count") == "1"
    (record,) = list(undrawn)
    assert record.get("data-name") == "Kansas City" and record.get("data-total") == "6010"
    assert "Not drawn: 1 county with no boundary" in texts(root)
    assert "Kansas City (John Kerry 83.19%)" in texts(root)
    assert len(units(root)) == 115


def test_connecticut_councils_of_government_are_said_to_have_no_geometry():
    returns = county_returns("CT", 2024, skip=[f.id for f in load_atlas().counties_of("CT")],
                             extra_units=[(Unit(f"CT-cog-{n}", name, UnitKind.COG, "CT"),
                                           (1000 + n, 900, 10))
                                          for n, name in enumerate(
                                              ["Capitol Planning Region", "Greater Bridgeport",
                                               "Naugatuck Valley"])])
    root = parse(map_election(returns, by="cog"))
    assert units(root) == []
    assert root.find(f".//{SVG}g[@class='undrawn']").get("data-count") == "3"
    assert "3 councils of government with no boundary" in texts(root)
    assert [e.get("data-fips") for e in no_result_areas(root)] == ["09"]  # the state, hatched


def test_a_county_under_its_former_fips_code_is_drawn_in_its_place():
    shannon = Unit("46113", "Shannon", UnitKind.COUNTY, "SD", fips="46113")
    returns = county_returns("SD", 2012, skip=["46102"], extra_units=[(shannon, (2000, 200, 5))])
    root = parse(map_election(returns))
    drawn = {e.get("data-unit"): e for e in units(root)}
    assert drawn["46113"].get("data-fips") == "46102" and len(drawn) == 66
    assert no_result_areas(root) == []


def test_alaska_house_districts_never_land_on_borough_codes():
    atlas = load_atlas()
    districts = [(Unit(f"020{n:02d}", f"District {n}", UnitKind.COUNTY, "AK", fips=f"020{n:02d}"),
                  (1000, 1200 + n, 5)) for n in range(1, 41)]
    assert "02020" in atlas.counties  # Anchorage: the code a district also uses
    returns = county_returns("AK", 2020, skip=[f.id for f in atlas.counties_of("AK")],
                             extra_units=districts)
    root = parse(map_election(returns))
    assert units(root) == []
    assert len(no_result_areas(root)) == len(atlas.counties_of("AK"))
    assert root.find(f".//{SVG}g[@class='undrawn']").get("data-count") == "40"
    assert "40 counties with no boundary" in texts(root)


def test_flips_map_marks_flipped_counties_by_pattern_as_well_as_colour():
    def later_votes(feature, rnd):
        return (600, 400, 0) if feature.id in ("29001", "29003") else (300, 700, 0)
    later = county_returns("MO", 2004, votes=later_votes)
    earlier = county_returns("MO", 2000, votes=lambda f, r: (300, 700, 0),
                             names=("Al Gore", "George W. Bush"))
    root = parse(map_election(later, kind="flips", earlier=earlier))
    flipped = [e for e in units(root) if e.get("data-value") == "flipped"]
    assert {e.get("data-fips") for e in flipped} == {"29001", "29003"}
    assert all(e.get("fill").startswith("url(#hatch-") for e in flipped)
    held = [e for e in units(root) if e.get("data-value") == "held"]
    assert len(held) == 113 and not any(e.get("fill").startswith("url(") for e in held)
    assert "2 counties changed party since 2000" in texts(root)
    assert "Flipped to Democratic (2)" in texts(root)


def test_swing_map_carries_the_exact_swing_of_each_county():
    later = county_returns("MO", 2004, seed=3)
    earlier = county_returns("MO", 2000, seed=4, names=("Al Gore", "George W. Bush"))
    root = parse(map_election(later, kind="swing", earlier=earlier))
    comparison = compare(roll_up(later, "county"), roll_up(earlier, "county"))
    by_unit = {e.get("data-unit"): e for e in units(root)}
    for change in comparison.changes:
        swing: Fraction = change.swing
        assert by_unit[change.unit.id].get("data-value") == str(
            percent(swing.numerator, swing.denominator))
    assert "Toward Democratic" in texts(root) and "Swing since 2000" in texts(root)


def test_comparison_maps_need_the_earlier_election():
    table = roll_up(county_returns("MO", 2004), "county")
    with pytest.raises(ValidationError, match="--compare") as caught:
        draw_map(table, "swing")
    assert caught.value.problems[0].code == "map-needs-earlier"


def test_national_county_map_draws_state_borders_over_every_county():
    returns = county_returns("US", 2020, skip=["11001"])
    root = parse(map_election(returns))
    assert len(units(root)) == 3141
    borders = root.find(f".//{SVG}g[@class='borders']")
    assert len(list(borders)) == 51
    assert [e.get("data-fips") for e in no_result_areas(root)] == ["11001"]


def test_state_map_of_a_national_election_draws_every_state():
    from electoral.model import STATE_NAMES, Count, Election, Returns
    base = county_returns("RI", 2020)
    states = [Unit(code, name, UnitKind.STATE, "US") for code, name in STATE_NAMES.items()]
    counts = [Count(s.id, c.id, 1000 + 10 * i + j) for i, s in enumerate(states)
              for j, c in enumerate(base.candidates)]
    national = Returns(Election(2020, "US"), base.candidates,
                       (Unit("US", "United States", UnitKind.NATION), *states), tuple(counts),
                       base.parties)
    root = parse(map_election(national, by="state"))
    drawn = {e.get("data-unit"): e for e in units(root)}
    assert len(drawn) == 51 and drawn["MO"].get("data-fips") == "29"
    assert "2020 presidential election in the United States" in texts(root)


def cairo_missing() -> bool:
    try:
        import cairosvg  # noqa: F401
    except OSError:
        return True
    return False


@pytest.mark.skipif(cairo_missing(), reason="no libcairo2: `make system-deps` (as root) "
                    "installs it; PNG maps need it")
def test_maps_are_written_as_svg_or_png_only(tmp_path):
    svg = map_election(county_returns("RI", 2004))
    png = maps.write_map(svg, tmp_path / "ri.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert maps.write_map(svg, tmp_path / "ri.svg").read_text() == svg
    with pytest.raises(ValidationError, match=r"\.svg or \.png"):
        maps.write_map(svg, tmp_path / "ri.pdf")


# ---- the Electoral College --------------------------------------------------------------------

@pytest.fixture(scope="module")
def states_2008():
    from tests.conftest import SHARED
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the college map reads the MEDSL state returns")
    from electoral.io import read_path
    from electoral.tabulate.electors import state_votes
    path = SHARED / "data" / "state_presidential" / "1976-2020-president.csv"
    return [state_votes(r) for r in read_path(path) if r.election.year == 2008]


def test_college_map_labels_every_state_with_its_electors(states_2008):
    from electoral.tabulate.electors import count_college
    college = count_college(states_2008, 2008)
    root = parse(draw_college(college))
    drawn = {e.get("data-unit"): e for e in units(root)}
    assert len(drawn) == 51
    assert sum(int(e.get("data-electors")) for e in drawn.values()) == 538
    assert drawn["OH"].get("data-winner") == "Barack H. Obama"
    assert drawn["TX"].get("data-winner") == "John McCain"
    # Nebraska split 4–1 in 2008 (Obama won the 2nd district): hatched, not colour alone.
    assert drawn["NE"].get("data-value") == "4–1" and drawn["NE"].get("fill").startswith("url(")
    assert "Barack H. Obama: 365" in texts(root) and "John McCain: 173" in texts(root)
    assert "DC 3" in texts(root)  # small states are labelled beside the map
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert "4–1" in labels and "55" in labels  # a split state is labelled with its split


# ---- a state that lacks units is never painted as won --------------------------------------------

def _short_state(year: int = 2004):
    return county_returns("MO", year, skip=[f"29{n:03d}" for n in range(1, 60, 2)])


@pytest.mark.parametrize("kind", [MapKind.WINNER, MapKind.MARGIN, MapKind.FLIPS, MapKind.SWING])
def test_an_incomplete_state_is_drawn_incomplete_on_every_map_kind(kind):
    earlier = county_returns("MO", 2000) if kind in (MapKind.FLIPS, MapKind.SWING) else None
    root = parse(map_election(_short_state(), by="state", kind=kind, earlier=earlier))
    (state,) = units(root)
    assert state.get("data-status") == "incomplete" and state.get("data-winner") == ""
    assert state.get("fill").startswith("url(#hatch-")
    assert maps.INCOMPLETE_LABEL in texts(root)
    assert "no winner declared in 1 state" in texts(root)
    colours = set(PARTY_COLOURS[Palette.STANDARD].values())
    assert not any(c in state.get("fill") for c in colours)


def test_an_incomplete_state_wins_nothing_in_the_legend_unless_assumed_complete():
    root = parse(map_election(_short_state(), by="state"))
    assert ": 1 state" not in texts(root)
    assumed = parse(map_election(_short_state(), by="state", assume_complete=True))
    (state,) = units(assumed)
    assert state.get("data-status") == "reporting" and state.get("data-winner")
    assert ": 1 state" in texts(assumed)


def test_a_national_state_map_marks_only_the_incomplete_state():
    from electoral.tabulate.nation import national_table
    table = national_table([_short_state(), county_returns("RI", 2004)], "state")
    drawn = {e.get("data-unit"): e for e in units(parse(draw_map(table)))}
    assert drawn["MO"].get("data-status") == "incomplete"
    assert drawn["RI"].get("data-status") == "reporting" and drawn["RI"].get("data-winner")
