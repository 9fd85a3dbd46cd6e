"""Render what ``electoral.check`` found: a readable list, or the JSON contract scripts rely on."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from electoral.check import Discrepancy, Kind
from electoral.io.escaping import on_screen


def render_check(found: Sequence[Discrepancy], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps({"problems": [d.as_dict() for d in found]}, indent=2,
                          ensure_ascii=False) + "\n"
    return _text(found)


def _text(found: Sequence[Discrepancy]) -> str:
    errors = [d for d in found if d.kind == Kind.ERROR]
    rounding = [d for d in found if d.kind == Kind.ROUNDING]
    console = Console(file=io.StringIO(), width=160, record=True, highlight=False)
    for title, items in (("Errors", errors), ("Rounding (derived from rounded figures)", rounding)):
        if not items:
            continue
        table = Table(title=f"{title}: {len(items)}", title_justify="left")
        for column in ("source:line", "table", "row", "column", "stated", "computed", "why"):
            table.add_column(column, overflow="fold")
        for d in items:
            # figures and names quoted from a checked file: data, never Rich markup
            cells = (f"{d.source}:{d.line}", d.table, d.row, d.column, d.stated, d.computed,
                     d.message)
            table.add_row(*(Text(on_screen("" if c is None else str(c))) for c in cells))
        console.print(table)
    verdict = (f"{len(errors)} error(s), {len(rounding)} rounding difference(s)" if found
               else "every figure checks out")
    console.print(verdict)
    return console.export_text()
