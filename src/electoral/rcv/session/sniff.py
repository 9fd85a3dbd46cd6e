"""What a quick count reads each file as, when the command line gives no RCTab config.

``sniff(path, provider, contest)`` returns the ``Provider`` and the ``CvrOptions`` an RCTab config
would give for that file, found in the file itself:

- a ``.csv`` with ``rank1..rankN`` columns (or ``choice_1``, ``1st Choice``...) is a plain ranks
  file; any other ``.csv`` whose columns
  from some point on hold only blanks and whole numbers is RCTab's generic CSV (a column per
  candidate, the cell its rank); ``id``/``precinct``/``batch`` columns are found by their names;
- an ``.xlsx`` is an ES&S (or Minneapolis-style) workbook: its first row names the rank columns
  ("1st Choice", "2ND CHOICE MAYOR", "Choice 3", "Rank 4"), ballots start on row 2, and the
  ``Precinct`` and ``Cast Vote Record`` columns are found by name;
- a Dominion export folder counts its only contest unless ``contest`` names one, and
  ``dominion_names`` gives the manifest's candidate names for the ids its marks carry.

A file that fits none of these is refused with the reason, never counted some other way.
"""

from __future__ import annotations

import csv
import io
import json
import re
from itertools import islice
from pathlib import Path

from electoral.errors import Problem, ValidationError
from electoral.rcv.cvr.common import CvrOptions, open_maybe_gzip
from electoral.rcv.cvr.provider import Provider

CHOICE = re.compile(r"^\s*(?:\d+\s*(?:st|nd|rd|th)?[\s_]*choice\b.*|(?:choice|rank)[\s_]*\d+)\s*$",
                    re.IGNORECASE)
RANK = re.compile(r"^rank\s*\d+$", re.IGNORECASE)
ID = re.compile(r"^\s*(?:cast vote record|(?:response|ballot|record|cvr)[\s_]*id|id)\s*$",
                re.IGNORECASE)
COUNT = re.compile(r"^\s*(?:count|weight|ballots|number of ballots)\s*$", re.IGNORECASE)
SAMPLE = 200  # data rows looked at to tell rank numbers from names


def _fail(path: Path, message: str, field: str | None = None) -> ValidationError:
    """An ``unknown-format`` problem at the file's first line (the header the layout is read
    from)."""
    return ValidationError([Problem("unknown-format", message, source=path.name, line=1,
                                    field=field)])


def sniff(path: Path, provider: Provider | str | None,
          contest: str | None) -> tuple[Provider, CvrOptions]:
    """The provider and reader options for ``path`` (``provider`` when given, else found).

    Raises:
        ValidationError: ``unknown-format`` when the file fits no layout (the reason says why),
            ``unknown-provider`` for a provider name nobody reads.
        NotFoundError: (from the readers later) a missing file.
    """
    if provider is not None:
        kind = Provider.parse(str(provider), path.name)
    else:
        kind = Provider.detect(path)
        if kind == Provider.RANKS and path.is_file():
            kind = _csv_kind(path)
    if kind == Provider.ESS and path.is_file():
        return kind, _ess_options(path, contest)
    if kind in (Provider.GENERIC_CSV, Provider.CSV) and path.is_file():
        return kind, _generic_options(path, contest)
    if kind == Provider.DOMINION and contest is None and path.is_dir():
        return kind, CvrOptions(contest=_only_contest(path))
    return kind, CvrOptions(contest=contest)


def _header_and_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open_maybe_gzip(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        rows = list(islice(csv.reader(text), SAMPLE + 1))
    if not rows:
        raise ValidationError([Problem("empty-cvr", "the file is empty: no header, no ballots",
                                       source=path.name, line=1)])
    return rows[0], rows[1:]


def _csv_kind(path: Path) -> Provider:
    header, rows = _header_and_rows(path)
    if any(RANK.match(h.strip()) or CHOICE.match(h) for h in header):
        # names by rank ("rank1", "choice_1", "1st Choice"); a count column beside them would
        # weigh each row, which a ranks CSV does not read: refused, never read as one ballot a row
        counts = [h for h in header if COUNT.match(h)]
        if counts:
            raise _fail(path, f"a ranks CSV with a count column ({counts[0]!r}) weighs its rows, "
                        "which the quick count does not read: write one row per ballot (drop "
                        "the column) or pass --rctab-config", field=counts[0])
        return Provider.RANKS
    if _numeric_from(header, rows) is not None:
        return Provider.GENERIC_CSV
    raise _fail(path, "neither a ranks CSV (rank1, rank2... columns of candidate names) nor "
                "RCTab's generic CSV (a column per candidate holding rank numbers); pass "
                "--provider or --rctab-config", field="header")


def _numeric_from(header: list[str], rows: list[list[str]]) -> int | None:
    """The first column (0-based) from which every column to the end holds only blanks and
    whole numbers from 1 in the sampled rows (at least one number, at least two columns), none of
    them a named id, precinct or batch column; None when there is none."""
    def numeric(i: int) -> bool:
        cells = [r[i].strip() for r in rows if i < len(r)]
        return all(not c or (c.isdigit() and int(c) >= 1) for c in cells)

    first = None
    for i in range(len(header) - 1, -1, -1):
        if not numeric(i) or _role(header[i]) is not None:
            break
        first = i
    # a generic CSV ranks at least two candidates; one numeric column is a count or a code
    if first is None or len(header) - first < 2 \
            or not any(r[i].strip() for r in rows for i in range(first, len(r))):
        return None
    return first


def _role(name: str) -> str | None:
    text = name.strip().lower()
    if "precinct" in text:
        return "precinct"
    if "batch" in text:
        return "batch"
    return "id" if ID.match(text) else None


def _columns(header: list[str]) -> dict[str, int]:
    """1-based columns of the first id, precinct and batch headers."""
    found: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        role = _role(name)
        if role is not None:
            found.setdefault(role, i)
    return found


def _generic_options(path: Path, contest: str | None) -> CvrOptions:
    header, rows = _header_and_rows(path)
    first = _numeric_from(header, rows)
    if first is None:
        raise _fail(path, "no columns of rank numbers: RCTab's generic CSV has a column per "
                    "candidate, each cell the rank given to that candidate", field="header")
    roles = _columns(header[:first])
    return CvrOptions(contest=contest, first_vote_column=first + 1, first_vote_row=2,
                      id_column=roles.get("id"), precinct_column=roles.get("precinct"),
                      batch_column=roles.get("batch"))


def _ess_options(path: Path, contest: str | None) -> CvrOptions:
    import python_calamine

    try:
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        header = [str(v) for v in next(iter(sheet.iter_rows()), [])]
        header = [""] * (sheet.start[1] if sheet.start else 0) + header
    except Exception as exc:  # noqa: BLE001 (calamine raises its own classes and plain ones)
        raise ValidationError([Problem("malformed-file", f"not a readable .xlsx workbook "
                                       f"({exc})", source=path.name)]) from exc
    ranks = [i for i, name in enumerate(header, start=1) if CHOICE.match(name)]
    if not ranks:
        raise _fail(path, "the first row names no rank columns ('1st Choice', 'Choice 1', "
                    "'Rank 1'...); pass --rctab-config with firstVoteColumnIndex", field="row 1")
    run = 1
    while ranks[0] + run in ranks:
        run += 1
    roles = _columns(header)
    return CvrOptions(contest=contest, first_vote_column=ranks[0], first_vote_row=2,
                      id_column=roles.get("id"), precinct_column=roles.get("precinct"),
                      batch_column=roles.get("batch"), max_rankings=run)


def _manifest(folder: Path, name: str) -> list[dict[str, object]]:
    try:
        items = json.loads((folder / name).read_bytes()).get("List")
    except (OSError, ValueError, AttributeError) as exc:
        raise ValidationError([Problem("malformed-file", f"cannot read {name}: {exc}",
                                       source=folder.name, field="List")]) from exc
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _only_contest(folder: Path) -> str:
    contests = _manifest(folder, "ContestManifest.json")
    ranked = [c for c in contests if isinstance(c.get("NumOfRanks"), int)
              and int(str(c["NumOfRanks"])) > 1] or contests
    if len(ranked) != 1:
        listed = "; ".join(f"{c.get('Id')} {c.get('Description')}" for c in ranked)
        raise ValidationError([Problem("missing-option", f"the export holds {len(ranked)} "
                                       f"ranked contests ({listed}); pass --contest ID",
                                       source=folder.name, field="contestId")])
    return str(ranked[0].get("Id"))


def dominion_names(folder: Path, contest: str) -> dict[str, str]:
    """Candidate id (as the marks carry it) -> the manifest's name, for every candidate of
    ``contest`` in manifest order; an id whose name is blank or another candidate's too is its
    own name.

    Raises:
        ValidationError: ``malformed-file`` when CandidateManifest.json cannot be read.
    """
    listed = [(str(c.get("Id")), str(c.get("Description") or "").strip())
              for c in _manifest(folder, "CandidateManifest.json")
              if str(c.get("ContestId")) == contest]
    names = [n for _, n in listed]
    return {i: n if n and names.count(n) == 1 else i for i, n in listed}
