"""Every cell of every unit table in the four seed articles, reproduced from the raw counts.

electoral's own table is compared cell by cell with the article's. The cells that differ must be
exactly the ones `electoral check` reports within the table (as an error or as a rounding slip):
everything else is reproduced to the last digit.
"""

from __future__ import annotations

import pytest

from electoral.api import read_published
from electoral.check import check_article
from electoral.model import UnitKind
from electoral.published import TableKind
from electoral.report.tables import results_view, table_cells
from electoral.tabulate.rollup import roll_up

ELECTIONS = ("2004-CT-president", "2004-MA-president", "2024-CT-president", "2004-MO-president")


@pytest.mark.parametrize("election", ELECTIONS)
def test_unit_tables_reproduced_cell_by_cell(seed, election: str) -> None:
    article = read_published(seed(election))
    # A total that disagrees with the *statewide* table is reproduced here all the same (it is the
    # sum of the units); check reports it as a disagreement between two tables.
    flagged = {(d.table, d.row, d.column) for d in check_article(article)
               if "statewide results table" not in d.message}
    tables = [t for t in article.tables if t.kind == TableKind.UNITS]
    assert tables
    for table in tables:
        ours = {row[0]: row[1:] for row in table_cells(results_view(
            roll_up(article.returns, UnitKind(table.level or "county"))))}
        differing = set()
        for stated in table.rows:
            label = "Total" if stated.label.lower().startswith("total") else stated.label
            computed = ours[label]
            for column, figure, cell in zip(table.columns, stated.cells, computed, strict=True):
                if figure is not None and figure.text != cell:
                    differing.add((table.title, stated.label, column))
        assert differing == {f for f in flagged if f[0] == table.title}, table.title
        cells = sum(len(r.cells) for r in table.rows)
        assert cells - len(differing) > 0.9 * cells
