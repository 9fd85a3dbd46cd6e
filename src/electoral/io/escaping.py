"""Text from the returns made harmless for each output's reader: spreadsheets (CSV), Markdown,
wikitext, XML and the terminal. Names in returns are data; none of these readers may take them as
formulas, markup, table syntax or control sequences. Every writer of those formats goes through the
one function here for its format, so a rule is fixed in one place.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape

# OWASP "CSV Injection": a cell a spreadsheet would read as a formula starts with one of these
# (https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# ANSI/VT100 escape sequences (CSI ... final byte, OSC ... BEL or ST, and two-byte escapes), then
# any C0/C1 control character left: a terminal would act on them rather than show them.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# Characters XML 1.0 cannot carry at all, not even as a character reference
# (https://www.w3.org/TR/xml/#charsets).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Wikitext that opens or closes markup inside a table cell: pipes and ! split cells, braces open
# templates and parser functions, brackets links, < tags, & entities, ~~~ signatures; doubled
# quotes (bold/italics) and underscores (__TOC__) are taken apart below.
_WIKI_SPECIAL = set("|!{}[]<>&~")


def csv_cell(value: object) -> object:
    """``value`` as a CSV writer should get it: a number (``int``, ``Decimal``) as it is, so a
    negative margin stays a number; text starting with ``=``, ``+``, ``-``, ``@``, tab or CR
    prefixed with a single quote, so no spreadsheet runs it as a formula (OWASP's rule);
    ``None`` as an empty cell; other text as it is."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: Iterable[Sequence[object]]) -> str:
    """``rows`` as CSV text (``\\n`` line ends, minimal quoting), every cell through
    ``csv_cell``: the one CSV writer of electoral's outputs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()


def on_screen(text: str) -> str:
    """``text`` as a terminal may show it: escape sequences removed whole, line breaks as spaces
    (a name stays on its line), every other control character removed."""
    return _CONTROL.sub("", _LINE_BREAK.sub(" ", _ESCAPE_SEQUENCE.sub("", text)))


def screen_output(text: str) -> str:
    """A rendered document (many lines) as a terminal may show it: escape sequences and control
    characters removed, line breaks and tabs kept."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text).replace("\r\n", "\n").replace("\r", "\n"))


def md_cell(text: str) -> str:
    """``text`` for a Markdown (GitHub pipe) table cell or line: HTML escaped (``<script>``
    shows as text), ``|`` and ``\\`` backslash-escaped so no cell splits, Markdown's inline
    punctuation backslash-escaped, line breaks as spaces, control characters removed."""
    flat = escape(on_screen(text), quote=False)
    return re.sub(r"([\\|`*_\[\]])", r"\\\1", flat)


def wiki_cell(text: str) -> str:
    """``text`` for a wikitext table cell or line: every character that could open or close
    wiki markup (``|``, ``!``, ``{{``, ``}}``, ``[[``, ``<``, ``'``, ...) as a numeric character
    reference, so ``|}`` cannot end the table nor ``{{x}}`` call a template; line breaks as
    spaces, control characters removed."""
    escaped = "".join(f"&#{ord(c)};" if c in _WIKI_SPECIAL else c for c in on_screen(text))
    return escaped.replace("''", "'&#39;").replace("__", "_&#95;")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot carry replaced by U+FFFD, for drawings (an SVG
    map) whose text is for display; data exports refuse such text instead (``io.export``)."""
    return XML_ILLEGAL.sub("\ufffd", text)


__all__ = ["FORMULA_STARTS", "XML_ILLEGAL", "csv_cell", "md_cell", "on_screen", "screen_output",
           "wiki_cell", "write_csv", "xml_text"]
