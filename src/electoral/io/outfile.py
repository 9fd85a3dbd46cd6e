"""Writing an output file so a reader never sees half of it: every ``--out`` of the CLI and every
file of a results page goes through ``write_file``.

The text goes to a temporary file in the same folder, is flushed to the disk, and then renamed
over the target (``os.replace``, atomic on POSIX and Windows): a full disk or a crash leaves the
old file whole, never a truncated one. A write never goes through a symbolic link: a target that
is a link is refused, and so is one whose folder resolves outside the output folder it belongs to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from electoral.errors import ElectoralError


class OutputError(ElectoralError):
    """An output file could not be written; the message names the file and the reason."""


def write_file(path: Path | str, data: str | bytes, *, within: Path | str | None = None) -> bool:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, creating its folders; return
    whether an existing file was replaced. ``within``: the output folder ``path`` must stay in
    (default: ``path``'s own folder), checked after resolving every link on the way.

    Raises:
        OutputError: ``path`` is a symbolic link or a folder, resolves outside ``within``, or
            cannot be written (read-only folder, disk full, a file where a folder should be).
    """
    target = Path(path)
    try:
        return _write(target, data.encode("utf-8") if isinstance(data, str) else data,
                      Path(within) if within is not None else None)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from None


def _write(target: Path, data: bytes, within: Path | None) -> bool:
    if target.is_symlink():
        raise OutputError(f"cannot write {target}: it is a symbolic link; electoral does not "
                          "write through links (remove it or choose another name)")
    # checked before any folder is made, so a link cannot have one made outside either
    root = (within if within is not None else target.parent).resolve()
    folder = target.parent.resolve()
    if not folder.is_relative_to(root):
        raise OutputError(f"cannot write {target}: its folder leads outside {root} "
                          "through a symbolic link")
    folder.mkdir(parents=True, exist_ok=True)
    existing = _mode(target)
    if existing is not None and stat.S_ISDIR(existing):
        raise OutputError(f"cannot write {target}: it is a folder")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(existing) if existing is not None else _default_mode())
        os.replace(temporary, folder / target.name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return existing is not None


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None


def _default_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give: 0o666 less the process's umask (a
    temporary file is made 0o600, too narrow for a published file)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _reason(exc: OSError) -> str:
    """A one-line reason a user can act on."""
    reasons = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
               errno.EROFS: "the file system is read-only",
               errno.ENOTDIR: "a file stands where a folder is needed",
               errno.EEXIST: "a file stands where a folder is needed",
               errno.EISDIR: "it is a folder"}
    if isinstance(exc, PermissionError):
        return "permission denied (is the folder read-only?)"
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


__all__ = ["OutputError", "write_file"]
