"""The forecast section of the results page: the electoral-vote histogram, the probability map, the
ratings and state tables, their files beside the page, and every name escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from electoral.analyze.forecast import Parameters, Unit, forecast
from electoral.report.page import build_page, render_page
from tests.report.elections import county_returns

ODD = '<b>"Smith" & Sons</b>'


def a_forecast():
    units = (Unit("RI", "RI", 4, 20.0, 0.0), Unit("PA", "PA", 300, 1.0, 2.0),
             Unit(ODD, "OH", 234, -5.0, 0.0))
    return forecast(units, Parameters(0.0, 0.0, 1.0, 1.0), year=2020, as_of="2020-10-20",
                    national=2.0, incumbent="republican", simulations=2000, seed=3)


def test_the_page_shows_the_forecast_pictures_and_tables() -> None:
    result = a_forecast()
    page = build_page(county_returns("RI", 2020), forecast=result)
    text = render_page(page)
    section = text.split('<section id="forecast"')[1].split("</section>")[0]
    assert '<a href="#forecast">Forecast</a>' in text
    assert "The 2020 forecast as of 2020-10-20" in section
    assert "Rhode Island: P(Democrat wins) 100.0%, rated Safe D; mean margin D+20.0" in section
    histogram = section.split('<figure id="forecast-histogram"')[1].split("</figure>")[0]
    drawn = section.split('<figure id="forecast-map"')[1].split("</figure>")[0]
    ET.fromstring(histogram[histogram.index("<svg"):histogram.index("</svg>") + 6])
    ET.fromstring(drawn[drawn.index("<svg"):drawn.index("</svg>") + 6])
    assert histogram.count("<rect") > 2 and 'data-state="PA"' in drawn
    assert 'id="forecast-map-unit-PA"' in drawn and ' id="unit-' not in text  # ids kept apart
    assert "Safe ≥ 95%, Likely ≥ 75%, Lean ≥ 60%" in section
    assert '<th scope="row">Safe D</th><td>RI (4)</td>' in section
    assert '<th scope="row">PA</th><td class="num">300</td>' in section
    names = {name for _label, name in page.downloads}
    assert {"forecast/2020-forecast-ev-histogram.svg", "forecast/2020-forecast-probability-map.svg",
            "forecast/2020-forecast.csv"} <= names <= set(page.files) | {
                n for n in names if not n.startswith("forecast/")}
    assert page.files["forecast/2020-forecast-ev-histogram.svg"] in text
    assert page.files["forecast/2020-forecast.csv"].startswith("state,electors,tipping")


def test_names_in_the_forecast_are_escaped() -> None:
    text = render_page(build_page(county_returns("RI", 2020), forecast=a_forecast()))
    assert ODD not in text
    assert "&lt;b&gt;&#34;Smith&#34; &amp; Sons&lt;/b&gt;" in text


def test_no_forecast_no_section() -> None:
    page = build_page(county_returns("RI", 2020))
    text = render_page(page)
    assert page.forecast is None and 'id="forecast"' not in text and "#forecast" not in text
