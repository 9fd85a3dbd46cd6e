"""A vote count as text, read one way by every reader: ``parse_count`` for a cell at a time,
``parse_count_column`` for a whole Arrow column (the 1.48M-row MEDSL precinct file).

A count is ASCII digits, either plain (``1234567``) or grouped by commas in threes
(``1,234,567``); a leading ``-`` only where the format allows negative counts (Michigan's
statistical adjustments, ``io.rules_numbers``); an exact ``.0`` only where the format's files are
written by a tool that prints integer columns as floats (pandas prints a column that has a missing
value so: MEDSL's own precinct file writes ``44001.0`` for a FIPS code); or the suppression mark
``*`` (a count the source withholds: unknown, ``None``, never 0). Surrounding spaces are allowed.
Everything else is refused — ``12,5`` (a decimal comma), ``1,2,3,4``, ``1_000``, Arabic-Indic or
fullwidth digits, ``12.5``, ``+3``, a count of 2^63 or more (the store's integers are 64-bit) —
never read as some other number.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow loads only when a column is parsed
    import pyarrow as pa  # type: ignore[import-untyped]

WITHHELD = "*"
# The largest count the store keeps (DuckDB BIGINT, Arrow int64).
LARGEST = 2**63 - 1
_DIGITS = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
_POINT_ZERO = r"(?:\.0)?"
_SPACE = " \t\r\n"


class CountError(ValueError):
    """Text that is not a count; ``str(error)`` says what it is and what a count looks like."""


def _pattern(signed: bool, point_zero: bool, grouped: bool) -> str:
    digits = _DIGITS if grouped else "[0-9]+"
    return f"{'-?' if signed else ''}{digits}{_POINT_ZERO if point_zero else ''}"


def parse_count(text: str, *, signed: bool = False, point_zero: bool = False,
                grouped: bool = True, withheld: bool = True) -> int | None:
    """The count ``text`` states (module docstring): an ``int``, or ``None`` for ``*`` where
    ``withheld`` allows it. ``signed`` allows a leading ``-``; ``point_zero`` an exact ``.0``;
    ``grouped`` thousands separators.

    Raises:
        CountError: ``text`` is anything else, or the count is 2^63 or more in size.
    """
    stripped = text.strip(_SPACE)
    if withheld and stripped == WITHHELD:
        return None
    if not re.fullmatch(_pattern(signed, point_zero, grouped), stripped):
        raise CountError(f"{text!r} is not a vote count (whole number of ASCII digits"
                         f"{', thousands separated by commas' if grouped else ''}"
                         f"{', or * for a withheld count' if withheld else ''})")
    value = int(stripped.removesuffix(".0").replace(",", ""))
    if abs(value) > LARGEST:
        raise CountError(f"{text.strip()!r} is too large to be a vote count (at most {LARGEST:,})")
    return value


def parse_count_column(column: pa.Array | pa.ChunkedArray, *, signed: bool = False,
                       point_zero: bool = False) -> tuple[pa.Array, pa.Array]:
    """``parse_count`` over a string column, vectorised: ``(counts, readable)``, counts an
    int64 array (null where withheld or unreadable) and ``readable`` a boolean array, true where
    the text is a count or ``*``. Same rules and results as ``parse_count`` (grouped, withheld)."""
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    text = pc.utf8_trim(column, _SPACE)
    # RE2 (Arrow's regex engine) reads [0-9] as ASCII only, as ``re`` does here
    number = pc.match_substring_regex(text, f"^{_pattern(signed, point_zero, True)}$")
    number = pc.fill_null(number, False)
    digits = pc.replace_substring(pc.replace_substring(text, ",", ""), ".0", "")
    magnitude = pc.utf8_ltrim(digits, "-0")
    fits = pc.or_(pc.less(pc.utf8_length(magnitude), 19),
                  pc.and_(pc.equal(pc.utf8_length(magnitude), 19),
                          pc.less_equal(magnitude, str(LARGEST))))
    good = pc.and_(number, pc.fill_null(fits, False))
    safe = pc.if_else(good, digits, pa.scalar(None, pa.string()))
    counts = pc.cast(safe, pa.int64())
    readable = pc.or_(good, pc.fill_null(pc.equal(text, WITHHELD), False))
    return counts, readable


__all__ = ["LARGEST", "WITHHELD", "CountError", "parse_count", "parse_count_column"]
