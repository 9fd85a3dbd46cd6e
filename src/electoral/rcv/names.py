"""The labels and ids RCTab coins itself, shared by the CVR readers, the rules and the writers.

``UNDECLARED_WRITE_IN`` and ``OVERVOTE`` are the labels for marks a file states by structure rather
than by name (RCTab's ``Tabulator.UNDECLARED_WRITE_IN_OUTPUT_LABEL`` and its explicit overvote
label); ``sanitize`` turns a file or contest name into the characters RCTab keeps in record ids and
output file names.
"""

from __future__ import annotations

import re

UNDECLARED_WRITE_IN = "Undeclared Write-ins"
OVERVOTE = "overvote"


def sanitize(name: str) -> str:
    """``name`` with every character outside ``[a-zA-Z0-9_.-]`` replaced by ``_``, as RCTab writes
    file names into record ids and report names."""
    return re.sub(r"[^a-zA-Z0-9_\-.]", "_", name)
