"""Writing a stored election out: NIST SP 1500-100 v2 (JSON or XML) or electoral's own CSV."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

from electoral.errors import Problem, ValidationError
from electoral.formats import ExportFormat as ExportFormat
from electoral.io.escaping import XML_ILLEGAL
from electoral.io.native import write_native
from electoral.io.nist import write_nist_json, write_nist_xml
from electoral.model import Returns

# The parts of ``Returns`` whose text the NIST document carries (counts refer to these by id).
XML_PARTS = ("election", "candidates", "units", "parties", "source")

WRITERS: dict[ExportFormat, Callable[[Returns, dt.datetime | None], str]] = {
    ExportFormat.NIST_JSON: write_nist_json,
    ExportFormat.NIST_XML: write_nist_xml,
    ExportFormat.CSV: lambda returns, _generated: write_native([returns]),
}


def export(returns: Returns, fmt: ExportFormat | str,
           generated: dt.datetime | None = None) -> str:
    """The text of ``returns`` in ``fmt``; ``generated`` stamps a NIST report (default: now).

    Raises:
        ValidationError: ``fmt`` is XML and a text of ``returns`` holds a character XML 1.0
            cannot carry (a control character such as ESC or BEL): one problem per text, naming
            where it is and the character. The JSON and CSV exports carry such text as it is.
        ValueError: ``fmt`` is not an ``ExportFormat``.
    """
    chosen = ExportFormat(fmt)
    if chosen == ExportFormat.NIST_XML:
        refuse_unwritable_xml(returns)
    return WRITERS[chosen](returns, generated)


def refuse_unwritable_xml(returns: Returns) -> None:
    """Refuse ``returns`` whose text XML 1.0 cannot carry, not even as a character reference
    (https://www.w3.org/TR/xml/#charsets): the document would be ill-formed, and no reader,
    electoral's own included, could read it back.

    Raises:
        ValidationError: one problem per offending text (``xml-character``), its field named
            like ``candidates[2].name`` and the character as ``U+0007``.
    """
    problems = [Problem("xml-character", f"{where} {text!r} holds U+{ord(bad.group()):04X}, which "
                        "XML 1.0 cannot carry; export as nist-json or csv, or correct the name "
                        "and import again", field=where)
                for part in XML_PARTS
                for where, text in _texts(getattr(returns, part), part)
                for bad in [XML_ILLEGAL.search(text)] if bad]
    if problems:
        raise ValidationError(problems)


def _texts(value: object, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside ``value`` (dataclasses, tuples, mappings), with its path."""
    if isinstance(value, str):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _texts(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            key = getattr(item, "id", i)  # a unit or candidate is found by its id
            yield from _texts(item, f"{where}[{key!r}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{where}[{key!r}]")
