"""Writing a stored election out: NIST SP 1500-100 v2 (JSON or XML) or electoral's own CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from electoral.formats import ExportFormat as ExportFormat
from electoral.io.native import write_native
from electoral.io.nist import write_nist_json, write_nist_xml
from electoral.model import Returns

WRITERS: dict[ExportFormat, Callable[[Returns, dt.datetime | None], str]] = {
    ExportFormat.NIST_JSON: write_nist_json,
    ExportFormat.NIST_XML: write_nist_xml,
    ExportFormat.CSV: lambda returns, _generated: write_native([returns]),
}


def export(returns: Returns, fmt: ExportFormat | str,
           generated: dt.datetime | None = None) -> str:
    """The text of ``returns`` in ``fmt``; ``generated`` stamps a NIST report (default: now)."""
    return WRITERS[ExportFormat(fmt)](returns, generated)
