"""The results page: what it contains, that it needs no network, and what a reader sees in a real
browser (headless Chromium), with one golden screenshot per seed election.

Published figures come from the seed articles' infoboxes and tables (bundled as samples).
Golden images live in tests/report/golden/pages/; rerun with ELECTORAL_UPDATE_GOLDEN=1 to
rewrite them after an intended change, and look at the new images before committing them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from electoral import api
from electoral.cli import app
from electoral.model import STATE_NAMES
from electoral.numbers import percent
from electoral.report.maps import PARTY_COLOURS, Palette, ramp
from electoral.store import Store
from electoral.tabulate.rollup import roll_up

SEEDS = ("2004-CT-president", "2004-MA-president", "2004-MO-president", "2024-CT-president")
COUNTIES = {"2004-CT-president": 8, "2004-MA-president": 14, "2004-MO-president": 115,
            "2024-CT-president": 8}
GOLDEN = Path(__file__).parent / "golden" / "pages"
UPDATE = os.environ.get("ELECTORAL_UPDATE_GOLDEN") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    """The bundled elections in a store, and a page for each (as `make demo` writes them)."""
    root = tmp_path_factory.mktemp("site")
    db = root / "pages.duckdb"
    with Store(db) as store:
        for article in api.load_samples(store):
            election = article.returns.election.id
            api.write_page(store, election, root / election, article=article)
    return db, root


def page_text(site: tuple[Path, Path], election: str) -> str:
    return (site[1] / election / "index.html").read_text(encoding="utf-8")


def standard_map(text: str, figure: str) -> str:
    """The inline standard-palette SVG of one map figure on a page."""
    inside = text.split(f'<figure id="{figure}"')[1].split("</figure>")[0]
    return inside.split('<div class="palette-colorblind"')[0]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.refs += [v for k, v in attrs if k in ("href", "src") and v]
        if found.get("id"):
            self.ids.add(found["id"])  # type: ignore[arg-type]


@pytest.mark.parametrize("election", SEEDS)
def test_page_needs_nothing_from_the_network(site, election):
    links = Links()
    links.feed(page_text(site, election))
    assert links.refs
    for ref in links.refs:
        assert not re.match(r"^(https?:)?//", ref), ref
        if ref.startswith("#"):
            assert ref[1:] in links.ids, ref
        else:
            assert (site[1] / election / ref).is_file(), ref
    assert "<link" not in page_text(site, election)
    ids = re.findall(r'\bid="([^"]+)"', page_text(site, election))
    assert len(ids) == len(set(ids)), "element ids repeat: maps on one page must not share ids"


def test_headline_gives_the_published_result(site):
    # 2004 Missouri infobox: Bush 53.30%, a 7.20% margin over Kerry.
    text = page_text(site, "2004-MO-president")
    assert "George W. Bush won Missouri with 53.30% of the vote, 7.20 points" in text
    assert "ahead of John Kerry" in text
    assert "11 electors (statewide) pledged to George W. Bush" in text


def test_unit_tables_have_real_headers_and_every_unit(site):
    text = page_text(site, "2024-CT-president")
    for section, rows in (("by-county", 8), ("by-cog", 9)):
        body = text.split(f'<section id="{section}"')[1].split("</section>")[0]
        assert '<th scope="col">' in body
        tbody = body.split("<tbody>")[1].split("</tbody>")[0]
        assert tbody.count('<th scope="row">') == rows


def test_comparison_with_the_latest_earlier_election(site):
    # 2024 Connecticut article: Windham went to Trump; the 2004 article has Kerry winning it.
    text = page_text(site, "2024-CT-president")
    section = text.split('<section id="comparison"')[1].split("</section>")[0]
    assert "Compared with 2004" in section
    windham = section.split('<th scope="row">Windham</th>')[1].split("</tr>")[0]
    assert "<td>Democratic</td><td>Republican</td><td>yes</td>" in windham.replace(
        "Democratic Party (United States)", "Democratic").replace(
        "Republican Party (United States)", "Republican")
    assert "1 county of 8 changed party since 2004" in section


def test_precinct_results_are_downloads_not_a_page_long_table():
    from electoral.model import Count, Unit, UnitKind
    from electoral.report.page import build_page, render_page
    from tests.report.elections import county_returns

    base = county_returns("RI", 2020)
    precincts = [Unit(f"{c.id}/p{n}", f"Precinct {n}", UnitKind.PRECINCT, c.id)
                 for c in base.units if c.kind == UnitKind.COUNTY for n in range(3)]
    counts = [Count(p.id, k.id, 10 + n) for n, p in enumerate(precincts) for k in base.candidates]
    returns = type(base)(base.election, base.candidates, base.units + tuple(precincts),
                         tuple(counts), base.parties)
    page = build_page(returns)
    text = render_page(page)
    precinct = text.split('<section id="by-precinct"')[1].split("</section>")[0]
    assert "15 precincts: listed in the CSV and JSON downloads" in precinct and "<table" not in precinct
    assert "data/2020-RI-president-precinct.csv" in page.files
    assert '<section id="by-county"' in text and text.count('<th scope="row">') > 5


def test_names_are_escaped_everywhere():
    import dataclasses
    import xml.etree.ElementTree as ET

    from electoral.model import Candidate
    from electoral.report.page import build_page, render_page
    from tests.report.elections import county_returns

    base = county_returns("RI", 2020)
    odd = '<b>"Smith" & Sons</b>'
    returns = dataclasses.replace(base, candidates=(Candidate("dem", odd, "democratic"),
                                                    *base.candidates[1:]))
    page = build_page(returns)
    text = render_page(page)
    assert odd not in text and "&lt;b&gt;" in text
    for view in page.maps:
        ET.fromstring(view.svg)  # still well-formed XML


def test_ranked_choice_rounds_are_shown_where_the_source_has_them(site):
    text = page_text(site, "2024-CT-president")
    assert "2024 Connecticut Libertarian straw poll" in text and 'id="rounds"' in text
    assert 'id="rounds"' not in page_text(site, "2004-MO-president")


def test_downloads_hold_the_tables(site):
    folder = site[1] / "2004-MA-president"
    rows = list(csv.DictReader(io.StringIO(
        (folder / "data" / "2004-MA-president-county.csv").read_text())))
    assert len(rows) == 15 and rows[-1]["unit"] == "Total"
    document = json.loads((folder / "data" / "2004-MA-president-state.json").read_text())
    assert document["election"] == "2004-MA-president"
    nist = json.loads((folder / "data" / "2004-MA-president-nist-1500-100.json").read_text())
    assert nist["@type"] == "ElectionResults.ElectionReport"
    assert (folder / "data" / "2004-MA-president-nist-1500-100.xml").read_text().startswith(
        "<?xml")
    colour_blind = folder / "maps" / "2004-MA-president-county-margin-colorblind.svg"
    assert colour_blind.read_text().count('class="unit"') == 14


def test_report_html_to_a_folder_writes_the_page(site, tmp_path):
    db, _ = site
    result = CliRunner().invoke(app, ["report", "2004-MO-president", "--format", "html",
                                      "--out", str(tmp_path / "mo"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mo" / "index.html").is_file()


def test_map_command_exit_codes(site, tmp_path):
    db = str(site[0])
    runner = CliRunner()
    ok = runner.invoke(app, ["map", "2004-MO-president", "--kind", "margin", "--out",
                             str(tmp_path / "mo.svg"), "--db", db])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "mo.svg").read_text().count('class="unit"') == 115
    flips = runner.invoke(app, ["map", "2024-CT-president", "--kind", "flips", "--compare",
                                "2004-CT-president", "--out", str(tmp_path / "ct.svg"),
                                "--db", db])
    assert flips.exit_code == 0 and 'data-value="flipped"' in (tmp_path / "ct.svg").read_text()
    missing = runner.invoke(app, ["map", "2024-CT-president", "--kind", "swing", "--out",
                                  str(tmp_path / "x.svg"), "--db", db])
    assert missing.exit_code == 1 and "--compare" in missing.output
    usage = runner.invoke(app, ["map", "2004-MO-president", "--out", str(tmp_path / "x.pdf"),
                                "--db", db])
    assert usage.exit_code == 2


@pytest.fixture(scope="module")
def medsl(tmp_path_factory) -> tuple[Path, Path]:
    """Real MEDSL returns in a store: every state of 1976–2020 (state level) and Pennsylvania's
    and Alaska's counties in 2016 and 2020; pages for three of them."""
    from tests.conftest import SHARED

    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these pages are drawn from the MEDSL returns")
    data = SHARED / "data"
    root = tmp_path_factory.mktemp("medsl")
    db = root / "medsl.duckdb"
    with Store(db) as store:
        api.import_path(store, data / "state_presidential" / "1976-2020-president.csv")
        for election in ("2016-PA-president", "2020-PA-president", "2020-AK-president"):
            # issue 10: another source of a stored election replaces it only when told to
            api.import_path(store, data / "county_presidential" / "countypres_2000-2020.csv.gz",
                            election=election, replace=True)
        for election in ("2008-NE-president", "2020-PA-president", "2020-AK-president"):
            api.write_page(store, election, root / election)
    return db, root


@pytest.mark.slow
def test_page_draws_the_national_college_when_every_state_is_stored(medsl):
    # 2008: Obama 365, McCain 173; Nebraska split, Obama taking the 2nd district.
    text = page_text(medsl, "2008-NE-president")
    college = standard_map(text, "map-college")
    assert college.count('class="unit"') == 51
    assert "1 elector (district 02) pledged to Barack H. Obama" in text
    assert "2 electors (at large) pledged to John McCain" in text
    assert "Nationally: Barack H. Obama elected with 365 of 538 electoral votes cast" in text


@pytest.mark.slow
def test_a_state_only_earlier_election_is_compared_statewide(medsl):
    # MEDSL Nebraska: 2004 Bush 512,814, Kerry 254,328 of 778,186 (margin 33.22 points);
    # 2008 McCain 452,979, Obama 333,319 of 801,281 (14.93): margins Democratic minus Republican
    # whoever leads, so −33.22 → −14.93, a swing of +18.28 toward the Democrats.
    text = page_text(medsl, "2008-NE-president")
    section = text.split('<section id="comparison"')[1].split("</section>")[0]
    assert "Compared with 2004" in section and section.count('<th scope="row">') == 1
    assert ('<td class="num">-33.22%</td><td class="num">-14.93%</td>'
            '<td class="num">18.28%</td>') in section
    assert 'id="map-state-flips"' not in text


@pytest.mark.slow
def test_medsl_county_page_compares_with_the_last_stored_election(medsl):
    # Erie and Northampton went from Trump (2016) to Biden (2020).
    text = page_text(medsl, "2020-PA-president")
    flips = standard_map(text, "map-county-flips")
    assert flips.count('class="unit"') == 67
    flipped = re.findall(r'data-name="([^"]+)"[^>]*data-value="flipped"', flips)
    assert sorted(flipped) == ["Erie County", "Northampton County"]
    assert "Joseph R Biden Jr. won Pennsylvania with 50.01% of the vote" in text


@pytest.mark.slow
def test_national_maps_put_the_stored_states_together(medsl, tmp_path):
    db, runner = str(medsl[0]), CliRunner()
    counties = runner.invoke(app, ["map", "2020-US-president", "--out", str(tmp_path / "c.svg"),
                                   "--db", db])
    assert counties.exit_code == 0, counties.output
    svg = (tmp_path / "c.svg").read_text()
    assert svg.count('class="unit"') == 67  # Pennsylvania's counties: the only ones stored
    assert svg.count('class="no-result"') == 3142 - 67
    assert 'data-undrawn' not in svg and '<g class="undrawn" data-count="41">' in svg  # AK
    assert "2020 presidential election in the United States" in svg
    assert "Hatched grey: 3,075 areas with no results at this level — in 50 states." in svg
    states = runner.invoke(app, ["map", "2020-US-president", "--by", "state", "--kind",
                                 "margin", "--out", str(tmp_path / "s.svg"), "--db", db])
    assert states.exit_code == 0, states.output
    assert (tmp_path / "s.svg").read_text().count('class="unit"') == 51
    # The national popular vote: every state's Biden and Trump votes (PA and AK from the county
    # file, spelled differently there), summed by party.
    votes, everyone = {"democratic": 0, "republican": 0}, 0
    with Store(medsl[0]) as store:
        for state in STATE_NAMES:
            returns = store.load(f"2020-{state}-president")
            total = roll_up(returns, "state").total
            everyone += total.total
            for c in returns.candidates:
                if c.party in votes and not c.aggregate:
                    votes[c.party] += total.of(c.id)
    shares = [percent(votes[p], everyone) for p in ("democratic", "republican")]
    assert f"Biden Jr. {shares[0]}%, Donald J" in (tmp_path / "s.svg").read_text()
    assert f"Trump {shares[1]}%" in (tmp_path / "s.svg").read_text()


@pytest.mark.slow
def test_alaska_districts_are_listed_not_drawn(medsl):
    text = page_text(medsl, "2020-AK-president")
    figure = standard_map(text, "map-county-margin")
    assert 'class="unit"' not in figure
    assert "Not drawn: " in figure and "District 1 (Donald J Trump 48.00%)" in figure


# ---- in a real browser ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium "
                    "(make system-deps, as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:])
        yield chromium
        chromium.close()


@pytest.mark.slow
@pytest.mark.parametrize("election", SEEDS)
def test_a_reader_sees_title_map_and_tables(site, browser, election):
    context = browser.new_context(viewport={"width": 1100, "height": 900},
                                  device_scale_factor=1)
    requested: list[str] = []
    context.route("**/*", lambda route: (requested.append(route.request.url),
                                         route.abort() if not route.request.url.startswith(
                                             "file://") else route.continue_()))
    page = context.new_page()
    page.goto((site[1] / election / "index.html").as_uri())
    assert all(url.startswith("file://") for url in requested), requested
    title = page.locator("h1").inner_text()
    assert page.title().startswith(title) and "presidential election in" in title
    map_figure = page.locator("figure#map-county-margin")
    drawn = map_figure.locator(".palette-standard svg path.unit")
    assert drawn.count() == COUNTIES[election]
    assert drawn.first.bounding_box()["width"] > 1  # drawn, not just present
    rows = page.locator("#by-county tbody tr")
    assert rows.count() == COUNTIES[election]
    assert page.locator("#statewide table").count() == 1
    _check_sorting(page)
    _compare_with_golden(map_figure.screenshot(), election)
    _check_palette_toggle(page, map_figure, COUNTIES[election])
    context.close()


def _check_palette_toggle(page, figure, units: int) -> None:
    """The toggle swaps every map for its colour-blind-safe twin, and back."""
    toggle = page.locator("#palette-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    safe = figure.locator(".palette-colorblind svg path.unit")
    assert not safe.first.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert safe.first.is_visible() and safe.count() == units
    assert not figure.locator(".palette-standard svg").is_visible()
    fills = set(safe.evaluate_all("paths => paths.map(p => p.getAttribute('fill'))"))
    shades = {p: {s for c in PARTY_COLOURS[p].values() for s in ramp(c, 6)} for p in Palette}
    plain = {f for f in fills if not f.startswith("url(")}
    assert plain and plain <= shades[Palette.COLORBLIND]
    assert not plain & shades[Palette.STANDARD]
    toggle.click()
    assert figure.locator(".palette-standard svg").is_visible()


@pytest.mark.slow
def test_a_reader_sees_a_medsl_state_year(medsl, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
    page.goto((medsl[1] / "2020-PA-president" / "index.html").as_uri())
    assert page.locator("h1").inner_text() == "2020 presidential election in Pennsylvania"
    flips = page.locator("figure#map-county-flips")
    assert flips.locator(".palette-standard svg path.unit").count() == 67
    assert page.locator("#by-county tbody tr").count() == 67
    assert page.locator("#comparison tbody tr").count() == 67
    _compare_with_golden(flips.screenshot(), "2020-PA-president-flips")
    page.goto((medsl[1] / "2008-NE-president" / "index.html").as_uri())
    college = page.locator("figure#map-college")
    assert college.locator(".palette-standard svg path.unit").count() == 51
    assert "DC 3" in college.locator(".palette-standard svg").text_content()
    _compare_with_golden(college.screenshot(), "2008-college")
    page.close()


def _check_sorting(page) -> None:
    """Selecting the "Total" heading orders the county rows by total votes, then reverses."""
    total = page.locator("#by-county thead th").last
    totals = lambda: [int(t.replace(",", "")) for t in page.locator(  # noqa: E731
        "#by-county tbody tr td:last-child").all_inner_texts()]
    total.locator("button").click()
    assert totals() == sorted(totals()) and total.get_attribute("aria-sort") == "ascending"
    total.locator("button").click()
    assert totals() == sorted(totals(), reverse=True)
    assert total.get_attribute("aria-sort") == "descending"


def _compare_with_golden(png: bytes, election: str) -> None:
    from PIL import Image

    golden = GOLDEN / f"{election}.png"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(png)
    assert golden.is_file(), f"no golden image {golden}: run with ELECTORAL_UPDATE_GOLDEN=1"
    seen = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    expected = np.asarray(Image.open(golden).convert("RGB"), dtype=np.int16)
    assert seen.shape == expected.shape, f"screenshot is {seen.shape}, golden {expected.shape}"
    difference = np.abs(seen - expected).max(axis=2)
    changed = float((difference > 48).mean())
    assert changed < 0.005, f"{changed:.2%} of pixels differ from {golden.name}"
    assert float(difference.mean()) < 2.0
