"""The CVR providers, one enum as in RCTab's ``ContestConfig.Provider``: each member is the name a
config or the command line gives, the file suffixes that identify it, and the reader that opens it.

Names follow RCTab (``ess``, ``dominion``, ``hart``, ``clearBallot``, ``cdf``, ``genericCsv`` and its
older spelling ``csv``) plus ``ranks`` (a plain ``rank1..rankN`` CSV) and ``blt`` (OpenSTV ballot
files), which RCTab configs do not accept (``Provider.rctab`` is False for them). Readers are
imported only when a file is read, so importing this module loads no reader (nor numpy, pyarrow).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from electoral.errors import Problem, ValidationError
from electoral.io import limits
from electoral.model import CastVoteRecord
from electoral.rcv.cvr.common import CvrOptions

Opener = Callable[[Path, str, CvrOptions], list[CastVoteRecord]]


def _ess(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    import io

    from electoral.rcv.cvr.ess import read_ess
    return read_ess(io.BytesIO(limits.read_stored(path, name)), name, options)


def _cdf(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.cdf import read_cdf_json, read_cdf_xml
    reader = read_cdf_xml if path.suffix.lower() == ".xml" else read_cdf_json
    with limits.open_capped(path) as stream:
        return reader(stream, name, options)


def _dominion(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.dominion import export_names, read_dominion
    names = _folder(path)
    wanted = [n for n in names if n.endswith("Manifest.json")] + export_names(names)
    return read_dominion(_contents(path, wanted), name, options)


def _hart(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.hart import ballot_names, read_hart
    return read_hart(_contents(path, ballot_names(_folder(path))), name, options)


def _contents(folder: Path, names: list[str]) -> dict[str, bytes]:
    """The bytes of each named file of ``folder``, together within ``io.limits``' size bound."""
    limit, files, total = limits.current().max_bytes, {}, 0
    for name in names:
        files[name] = limits.read_stored(folder / name, f"{folder.name}/{name}")
        total += len(files[name])
        if total > limit:
            raise ValidationError([Problem("too-large", f"the folder's CVR files hold more than "
                                           f"{limit:,} bytes; a bigger export needs "
                                           f"{limits.VARIABLES['max_bytes']} raised",
                                           source=folder.name)])
    return files


def _folder(path: Path) -> list[str]:
    if not path.is_dir():
        raise ValidationError([Problem("malformed-file", f"{path} is a file; this provider "
                                       "reads a folder of CVR files", source=path.name)])
    return sorted(child.name for child in path.iterdir() if child.is_file())


def _clear_ballot(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.clearballot import read_clear_ballot
    with limits.open_capped(path) as stream:
        return read_clear_ballot(stream, name, options)


def _generic_csv(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.generic import read_generic_csv
    with limits.open_capped(path) as stream:
        return read_generic_csv(stream, name, options)


def _ranks(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.ranks import read_ranks
    with limits.open_capped(path) as stream:
        return read_ranks(stream, name, options)


def _blt(path: Path, name: str, options: CvrOptions) -> list[CastVoteRecord]:
    from electoral.rcv.cvr.blt import read_blt
    with limits.open_capped(path) as stream:
        return read_blt(stream, name, options)


class Provider(StrEnum):
    """A CVR format: its name (the enum value), ``suffixes`` (lower-case, ``.gz`` aside) that
    identify its files, ``folder`` when it reads a folder of files, ``rctab`` when RCTab configs
    accept it, and ``read`` (its reader). Iteration order is the order error messages list them."""

    _suffixes: tuple[str, ...]
    _folder: bool
    _rctab: bool
    _opener: Opener

    def __new__(cls, value: str, suffixes: tuple[str, ...], folder: bool, rctab: bool,
                opener: Opener) -> Provider:
        member = str.__new__(cls, value)
        member._value_ = value
        member._suffixes, member._folder, member._rctab = suffixes, folder, rctab
        member._opener = opener
        return member

    ESS = "ess", (".xlsx",), False, True, _ess
    DOMINION = "dominion", (), True, True, _dominion
    HART = "hart", (), True, True, _hart
    CLEAR_BALLOT = "clearBallot", (), False, True, _clear_ballot
    CDF = "cdf", (".xml", ".json"), False, True, _cdf
    GENERIC_CSV = "genericCsv", (), False, True, _generic_csv
    CSV = "csv", (), False, True, _generic_csv  # RCTab's older name for genericCsv
    RANKS = "ranks", (".csv",), False, False, _ranks
    BLT = "blt", (".blt",), False, False, _blt

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The lower-case file suffixes that identify this provider's files (``.gz`` aside)."""
        return self._suffixes

    @property
    def folder(self) -> bool:
        """Whether this provider reads a folder of files rather than one file."""
        return self._folder

    @property
    def rctab(self) -> bool:
        """Whether RCTab configs accept this provider name."""
        return self._rctab

    def read(self, path: Path, options: CvrOptions) -> list[CastVoteRecord]:
        """Every cast vote record in ``path`` (a file, or a folder when ``folder``).

        Raises:
            ValidationError: every problem in the file, by file, ballot/line and field.
            OSError: when the file cannot be read (``read_cvrs`` turns it into a NotFoundError).
        """
        return self._opener(path, path.name, options)

    @classmethod
    def parse(cls, name: str, source: str | None = None) -> Provider:
        """The provider called ``name`` (exactly as RCTab spells it).

        Raises:
            ValidationError: ``unknown-provider``, listing every name, located at ``source``.
        """
        for member in cls:
            if member.value == name:
                return member
        raise ValidationError([Problem(
            "unknown-provider", f"no CVR reader for provider {name!r}; use one of "
            f"{', '.join(cls)}", source=source, field="provider")])

    @classmethod
    def detect(cls, path: Path) -> Provider:
        """The provider for ``path`` from its name: a folder holding ``CvrExport*.json`` is a
        Dominion export, one holding ``.xml`` files a Hart one; a file goes by its last suffix
        (``.gz`` aside) among the members' ``suffixes``.

        Raises:
            ValidationError: ``unknown-format`` when no member claims the suffix, or a folder is
                neither (naming an inner folder that holds a Dominion export); ``rctab-config``
                for an RCTab contest config given as a CVR (it says to use ``--rctab-config``).
        """
        if path.is_dir():
            if any(path.glob("CvrExport*.json")):
                return cls.DOMINION
            if any(p.is_file() and p.name.lower().endswith("xml") for p in path.iterdir()):
                return cls.HART
            # a folder around an export (a case folder with its config and the export inside)
            inner = sorted(d.name for d in path.iterdir()
                           if d.is_dir() and any(d.glob("CvrExport*.json")))
            hint = f"; its folder {inner[0]!r} holds a Dominion export: pass that folder" \
                if inner else "; pass --provider"
            raise ValidationError([Problem(
                "unknown-format", "the folder holds no Dominion export (CvrExport*.json) and no "
                f"Hart ballot files (*.xml){hint}", source=path.name)])
        suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
        if suffixes[-1:] == [".json"] and _is_rctab_config(path):
            raise ValidationError([Problem(
                "rctab-config", "an RCTab contest config, not a CVR: pass it as "
                f"--rctab-config {path.name}", source=path.name)])
        for member in cls:
            if suffixes and suffixes[-1] in member.suffixes:
                return member
        raise ValidationError([Problem("unknown-format", f"cannot tell the CVR format of "
                                       f"{path.name}; pass --provider", source=path.name)])


#: Keys every RCTab contest config has at its top level and no CVR (CDF JSON) has (RCTab's
#: config file documentation: "outputSettings", "cvrFileSources", "rules").
_RCTAB_KEYS = ('"outputSettings"', '"cvrFileSources"')


def _is_rctab_config(path: Path) -> bool:
    """Whether the JSON file at ``path`` starts like an RCTab config (its first 64 KiB name the
    config's sections); a file that cannot be read is left to the CVR reader to refuse."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return False
    return all(key in head for key in _RCTAB_KEYS)
