"""Every cell of every unit table in the four seed articles, against figures computed here.

The expected cells are derived in this file from the article's vote counts alone, with integer
arithmetic and one rounding half away from zero, sharing no code with electoral's tabulation. Two
claims follow, with no tolerance: electoral's table equals those figures in every cell, and the
article equals them too except in its known errata (``ERRATA``), each of which `electoral check`
must report.
"""

from __future__ import annotations

import pytest

from electoral.api import read_published
from electoral.check import check_article
from electoral.model import UnitKind
from electoral.published import PublishedTable, TableKind
from electoral.report.tables import results_view, table_cells
from electoral.tabulate.rollup import roll_up

ELECTIONS = ("2004-CT-president", "2004-MA-president", "2024-CT-president", "2004-MO-president")

# The seed articles' wrong cells: (table, row, column) → (as published, from the counts). Every one
# is a percentage taken from rounded figures, or cut off instead of rounded, or plainly wrong (Essex).
ERRATA: dict[str, dict[tuple[str, str, str], tuple[str, str]]] = {
    "2004-CT-president": {
        ("By county", "Litchfield", "Other %"): ("1.92%", "1.93%"),
        ("By county", "Middlesex", "Other %"): ("1.72%", "1.71%"),
        ("By county", "New London", "Margin %"): ("13.62%", "13.63%"),
        ("By county", "Tolland", "Margin %"): ("11.01%", "11.02%"),
        ("By county", "Windham", "Other %"): ("2.16%", "2.17%"),
        ("By county", "Totals", "Margin %"): ("10.36%", "10.37%"),
    },
    "2004-MA-president": {
        ("By county", "Berkshire", "Other %"): ("1.13%", "1.14%"),
        ("By county", "Essex", "Other %"): ("1.41%", "1.22%"),
        ("By county", "Hampden", "Margin %"): ("22.93%", "22.92%"),
        ("By county", "Hampshire", "Other %"): ("1.91%", "1.92%"),
        ("By county", "Nantucket", "Other %"): ("1.32%", "1.33%"),
        ("By county", "Norfolk", "Other %"): ("1.21%", "1.20%"),
        ("By county", "Suffolk", "Margin %"): ("53.06%", "53.05%"),
        ("By county", "Totals", "Other %"): ("1.28%", "1.29%"),
    },
    "2024-CT-president": {
        ("By county", "Fairfield", "Margin %"): ("19.63%", "19.62%"),
        ("By county", "Hartford", "Margin %"): ("22.54%", "22.55%"),
        ("By county", "New Haven", "Margin %"): ("11.94%", "11.95%"),
        ("By county", "New London", "Margin %"): ("12.60%", "12.61%"),
        ("By county", "Totals", "Margin %"): ("14.51%", "14.50%"),
        ("By Council of Government", "Totals", "Margin %"): ("14.51%", "14.50%"),
    },
    "2004-MO-president": {
        ("By county", "Barton", "Margin %"): ("53.39%", "53.40%"),
        ("By county", "Bates", "Other %"): ("0.75%", "0.76%"),
        ("By county", "Buchanan", "Margin %"): ("5.31%", "5.30%"),
        ("By county", "Cape Girardeau", "Margin %"): ("38.33%", "38.32%"),
        ("By county", "Carroll", "Margin %"): ("33.48%", "33.47%"),
        ("By county", "Carter", "Other %"): ("0.64%", "0.65%"),
        ("By county", "Cass", "Margin %"): ("23.90%", "23.91%"),
        ("By county", "Cole", "Other %"): ("0.54%", "0.53%"),
        ("By county", "Cooper", "Other %"): ("0.66%", "0.67%"),
        ("By county", "Crawford", "Other %"): ("0.68%", "0.67%"),
        ("By county", "Crawford", "Margin %"): ("21.89%", "21.90%"),
        ("By county", "Dade", "Other %"): ("0.55%", "0.54%"),
        ("By county", "Daviess", "Margin %"): ("25.02%", "25.01%"),
        ("By county", "Dent", "Other %"): ("1.12%", "1.11%"),
        ("By county", "Dent", "Margin %"): ("39.73%", "39.72%"),
        ("By county", "Douglas", "Margin %"): ("43.57%", "43.58%"),
        ("By county", "Grundy", "Margin %"): ("33.50%", "33.51%"),
        ("By county", "Howard", "Margin %"): ("19.17%", "19.16%"),
        ("By county", "Marion", "Margin %"): ("26.08%", "26.07%"),
        ("By county", "Montgomery", "Margin %"): ("24.59%", "24.58%"),
        ("By county", "Morgan", "Other %"): ("0.69%", "0.70%"),
        ("By county", "Oregon", "Margin %"): ("20.25%", "20.24%"),
        ("By county", "Ozark", "Margin %"): ("32.34%", "32.33%"),
        ("By county", "Phelps", "Other %"): ("0.85%", "0.86%"),
        ("By county", "Polk", "Margin %"): ("38.64%", "38.63%"),
        ("By county", "Randolph", "Margin %"): ("29.08%", "29.07%"),
        ("By county", "Ray", "Margin %"): ("5.93%", "5.92%"),
        ("By county", "Reynolds", "Other %"): ("0.57%", "0.56%"),
        ("By county", "Ripley", "Margin %"): ("31.60%", "31.59%"),
        ("By county", "Scott", "Margin %"): ("30.23%", "30.22%"),
        ("By county", "Shelby", "Margin %"): ("30.82%", "30.81%"),
        ("By county", "St. Charles", "Other %"): ("0.50%", "0.49%"),
        ("By county", "St. Louis", "Margin %"): ("-9.26%", "-9.27%"),
        ("By county", "St. Louis City", "Margin %"): ("-61.07%", "-61.08%"),
        ("By county", "Ste. Genevieve", "Margin %"): ("-6.01%", "-6.02%"),
        ("By county", "Sullivan", "Margin %"): ("22.72%", "22.73%"),
        ("By county", "Taney", "Margin %"): ("41.38%", "41.37%"),
        ("By county", "Texas", "Margin %"): ("32.41%", "32.40%"),
        ("By county", "Vernon", "Margin %"): ("28.10%", "28.09%"),
        ("By county", "Washington", "Margin %"): ("1.99%", "1.98%"),
        ("By county", "Worth", "Margin %"): ("22.52%", "22.53%"),
        ("By county", "Wright", "Other %"): ("0.82%", "0.81%"),
    },
}


def pct(part: int, whole: int) -> str:
    """``100 * part / whole`` to two places, half away from zero, as the articles print it."""
    if whole == 0:
        return "0.00%"
    hundredths, rest = divmod(abs(part) * 10_000, whole)
    if 2 * rest >= whole:
        hundredths += 1
    sign = "-" if part < 0 and hundredths else ""
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}%"


def votes(text: str) -> int:
    return int(text.replace(",", ""))


def expected_cells(table: PublishedTable) -> dict[str, list[str]]:
    """Each row's cells from its own vote counts: every ``#`` column but the margin and the total
    is a count taken as published; the rest is derived. The total row sums the units' counts."""
    counted = [i for i, c in enumerate(table.columns)
               if c.endswith(" #") and c != "Margin #"]
    units = [r for r in table.rows if not r.label.lower().startswith("total")]
    rows: dict[str, list[int]] = {}
    for row in units:
        figures = [row.cells[i] for i in counted]
        rows[row.label] = [votes(f.text) if f is not None else 0 for f in figures]
    rows["Total"] = [sum(counts) for counts in zip(*rows.values(), strict=True)]
    expected = {}
    for label, counts in rows.items():
        total = sum(counts)
        cells: list[str] = []
        for count in counts:
            cells += [f"{count:,}", pct(count, total)]
        margin = counts[0] - counts[1]
        expected[label] = [*cells, f"{margin:,}", pct(margin, total), f"{total:,}"]
    return expected


def unit_tables(election: str, seed) -> list[PublishedTable]:
    tables = [t for t in read_published(seed(election)).tables if t.kind == TableKind.UNITS]
    assert tables
    return tables


@pytest.mark.parametrize("election", ELECTIONS)
def test_electoral_reproduces_every_unit_table_cell(seed, election: str) -> None:
    article = read_published(seed(election))
    for table in unit_tables(election, seed):
        assert table.columns[-5:] == ("Other #", "Other %", "Margin #", "Margin %", "Total")
        expected = expected_cells(table)
        ours = {row[0]: row[1:] for row in table_cells(results_view(
            roll_up(article.returns, UnitKind(table.level or "county"))))}
        assert ours == expected, table.title


@pytest.mark.parametrize("election", ELECTIONS)
def test_the_article_differs_only_in_its_known_errata(seed, election: str) -> None:
    wrong = {}
    for table in unit_tables(election, seed):
        expected = expected_cells(table)
        for row in table.rows:
            label = "Total" if row.label.lower().startswith("total") else row.label
            for column, figure, cell in zip(table.columns, row.cells, expected[label], strict=True):
                assert figure is not None, (table.title, row.label, column)
                if figure.text != cell:
                    wrong[(table.title, row.label, column)] = (figure.text, cell)
    assert wrong == ERRATA[election]


@pytest.mark.parametrize("election", ELECTIONS)
def test_check_reports_every_erratum_and_nothing_else_in_the_unit_tables(seed, election: str) -> None:
    article = read_published(seed(election))
    titles = {t.title for t in article.tables if t.kind == TableKind.UNITS}
    # A units total that disagrees with the *statewide* table is a disagreement between two tables,
    # not a wrong cell: the units' own sum is right.
    flagged = {(d.table, d.row, d.column) for d in check_article(article)
               if d.table in titles and "statewide results table" not in d.message}
    assert flagged == set(ERRATA[election])


# Counts whose shares end in an exact half (1,003 of 1,600 is 62.6875%): a rounding rule other than
# half away from zero shows here, where the seed articles have no such share.
HALVES = (
    "= 2004 United States presidential election in Connecticut =\n\nInfobox\n"
    "- Nominee1: John Kerry\n- Party1: Democratic Party (United States)\n- Popular Vote1: 1,014\n"
    "- Nominee2: George W. Bush\n- Party2: Republican Party (United States)\n- Popular Vote2: 552\n\n"
    "==Results==\n"
    "| Party | Candidate | Votes | Percentage | Electoral votes | |\n"
    "| | Democratic | John Kerry | 1,014 | 62.75% | 7 |\n"
    "| | Republican | George W. Bush | 552 | 34.16% | 0 |\n"
    "| | Independent | Ralph Nader | 50 | 3.09% | 0 |\n"
    "| Totals | 1,616 | 100.00% | 7 | | |\n\n"
    "===By county===\n"
    "| County | John Kerry Democratic | George W. Bush Republican | Various candidates Other "
    "parties | Margin | Total votes cast | | | | |\n"
    "| # | % | # | % | # | % | # | % | |\n"
    "| Fairfield | 1,003 | 62.69% | 547 | 34.19% | 50 | 3.13% | 456 | 28.50% | 1,600 |\n"
    "| Hartford | 11 | 68.75% | 5 | 31.25% | 0 | 0.00% | 6 | 37.50% | 16 |\n"
    "| Totals | 1,014 | 62.75% | 552 | 34.16% | 50 | 3.09% | 462 | 28.59% | 1,616 |\n")


def test_exact_halves_round_away_from_zero_in_electorals_table(tmp_path) -> None:
    path = tmp_path / "halves.txt"
    path.write_text(HALVES, encoding="utf-8")
    article = read_published(path)
    (table,) = [t for t in article.tables if t.kind == TableKind.UNITS]
    expected = expected_cells(table)
    assert expected["Fairfield"][1::2][:3] == ["62.69%", "34.19%", "3.13%"]
    ours = {row[0]: row[1:] for row in table_cells(results_view(roll_up(article.returns, "county")))}
    assert ours == expected
    assert [d for d in check_article(article) if d.table == table.title] == []


def test_pct_rounds_half_away_from_zero_exactly() -> None:
    assert [pct(1, 8), pct(-1, 8), pct(1, 3), pct(2, 3), pct(0, 5), pct(1, 0)] == [
        "12.50%", "-12.50%", "33.33%", "66.67%", "0.00%", "0.00%"]
    # 1 of 20,000 is exactly 0.005%: a half, which goes away from zero whatever the digit before it.
    assert [pct(1, 20_001), pct(1, 20_000), pct(-1, 20_000), pct(5, 20_000), pct(7, 20_000)] == [
        "0.00%", "0.01%", "-0.01%", "0.03%", "0.04%"]
