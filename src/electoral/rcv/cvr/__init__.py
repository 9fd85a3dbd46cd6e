"""Cast vote records for ranked contests: one entry point over every vendor format.

``read_cvrs(path, provider, options)`` opens a CVR file (or a Dominion or Hart export folder) and
hands it to the reader for ``provider``: a ``Provider`` (``cvr.provider``, the one list of formats,
with the suffixes that identify them and their readers) or its name as RCTab spells it. Each
reader returns ``CastVoteRecord``s holding the marks exactly as the file states them — labels
untouched, overvote/skip/duplicate/alias rules left to the tabulator — and raises one
``ValidationError`` listing every problem by file, ballot/line and field.

Two labels are the readers' own, for marks a file states by structure rather than by name:
``UNDECLARED_WRITE_IN`` (a write-in position in CDF, Hart or Clear Ballot; the configured write-in
code in Dominion) and ``OVERVOTE`` (an ``a=b`` overvote in BLT). Ids follow RCTab's computed ids
so audit output lines up: ``<file>-<row>`` (ES&S), ``<file>(<n>)`` (CDF),
``<tabulator>-<batch>-<record>`` (Dominion), the ballot number (generic CSV, BLT, ranks).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from electoral.errors import NotFoundError, Problem, ValidationError
from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import OVERVOTE, UNDECLARED_WRITE_IN, CvrOptions, Problems
from electoral.rcv.cvr.provider import Provider

__all__ = ["OVERVOTE", "UNDECLARED_WRITE_IN", "CvrOptions", "Problems", "Provider", "read_cvrs"]


def read_cvrs(path: Path | str, provider: Provider | str,
              options: CvrOptions | Mapping[str, Any] | None = None) -> list[CastVoteRecord]:
    """Every cast vote record in ``path`` (a file, or a folder for Dominion and Hart), in file order.

    ``provider`` is a ``Provider`` or its name; ``options`` a ``CvrOptions`` or an RCTab
    ``cvrFileSources`` entry.

    Raises:
        ValidationError: an unknown provider or option, or every problem in the file (by
            file, ballot/line and field).
        NotFoundError: the path is missing or cannot be read.
    """
    path = Path(path)
    kind = Provider.parse(provider, path.name)
    if options is None:
        options = CvrOptions()
    elif not isinstance(options, CvrOptions):
        options = CvrOptions.from_rctab(options)
    if not path.exists():
        raise NotFoundError(f"no CVR file or folder {path}; check the filePath in the config")
    try:
        return kind.read(path, options)
    except IsADirectoryError as exc:
        raise ValidationError([Problem("malformed-file", f"{path} is a folder; provider "
                                       f"{kind.value!r} reads one file", source=path.name)]) from exc
    except OSError as exc:
        raise NotFoundError(f"cannot read {path}: {exc.strerror or exc}") from exc
