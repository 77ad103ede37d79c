"""Safe file writing: every output goes to a temporary file first and is renamed over the target.

A crash, a full disk or a bad option can then never leave a half-written file behind. What stands
at the target is respected as `cp` would: a symlink is written through to the file it points at,
a read-only file or anything that is not a regular file (a device such as /dev/full, a FIFO) is
refused, and a replaced file keeps its permissions. `FIXED_TIME` is the one date every workbook
carries (documents and zip entries, `workbook/writer.py`), so the same content gives the same bytes.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Every document property and zip entry carries this time, so rebuilds are byte-identical.
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


class OutputError(ValueError):
    """The output path cannot be written (a folder that cannot be made, not a regular file,
    read-only, ...)."""


class WriteError(OSError):
    """Writing failed part-way (a full disk, an I/O error); the target was left as it was."""

    def __init__(self, message: str, errno: int | None = None):
        super().__init__(message)  # one argument: str() is the message alone, no "[Errno 28]"
        self.errno = errno


class NotRegularFile(OSError):
    """An input that is not a regular file (a folder, a FIFO, a device, a socket)."""


def open_regular(path: str | os.PathLike):
    """`path` opened for reading as a binary file object, if it is a regular file.

    It is opened without blocking and then checked by `fstat`, so a FIFO swapped in after an
    earlier check can never hang `open()` waiting for a writer; raises NotRegularFile (with the
    kind in words) or the OSError of the open.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)"
                    if stat.S_ISFIFO(mode) else "a device or socket")
            raise NotRegularFile(kind)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def same_file(a: str | os.PathLike, b: os.stat_result) -> bool:
    """Whether `a` names the file `b` describes (by device and inode, so a hard link or a
    path spelt another way counts as the same file)."""
    try:
        st = os.stat(a)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (b.st_dev, b.st_ino)


def check_output_path(path: str | os.PathLike, follow_links: bool = True) -> Path:
    """The file that writing `path` replaces (a symlink's target), or raise OutputError.
    With `follow_links` False a symlink at `path` is refused instead of written through."""
    path = Path(path)
    if path.is_symlink() and not follow_links:
        raise OutputError(f"output path {path} is a symbolic link; refusing to write through it")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if target.is_dir():
        raise OutputError(f"output path {path} is a folder, not a file")
    if not target.parent.is_dir():
        _check_folder_can_be_made(target.parent)
        return target
    if target.exists():
        mode = target.stat().st_mode
        if not stat.S_ISREG(mode):
            raise OutputError(f"output path {path} is not a regular file (a device, FIFO or "
                              "socket); refusing to replace it")
        # Root may write anywhere; a file without any write permission is still not for replacing.
        if not os.access(target, os.W_OK) or not mode & 0o222:
            raise OutputError(f"output file {path} is read-only; refusing to replace it")
    elif not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {target.parent} is not writable")
    return target


def _check_folder_can_be_made(folder: Path) -> None:
    """Raise OutputError unless `folder` can be made: its nearest existing ancestor is a writable
    folder (not a file, not read-only)."""
    ancestor = folder
    while not ancestor.exists() and not ancestor.is_symlink() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"output folder {folder} cannot be made: {ancestor} is not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {folder} cannot be made: {ancestor} is not writable")


def make_folder(path: str | os.PathLike) -> Path:
    """The folder `path` is written into, made (with its parents) if missing; OutputError if it
    cannot be. Every command that writes makes its output's folder, as `-o class/x.xlsx` asks."""
    target = check_output_path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"output folder {target.parent} cannot be made: {e.strerror or e}") \
            from None
    return target.parent


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb",
                 follow_links: bool = True) -> Iterator[io.IOBase]:
    """Open a temporary file beside `path`'s target; on success rename it over the target with the
    target's permissions (a new file gets the umask's), else delete it. With `follow_links`
    False, a symlink at `path` is refused, and one put there meanwhile is replaced by the
    rename (a rename never writes through a link).

    Raises OutputError before writing when the target cannot be replaced, and WriteError (an
    OSError) when writing fails, with the target unchanged and no temporary file left.
    """
    make_folder(path)
    target = check_output_path(path, follow_links)
    old = target.stat() if target.exists() else None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise WriteError(f"could not write {path}: {e.strerror or e}", e.errno) from None
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the rename makes it the target
        _match_permissions(tmp, old)
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, WriteError):
            kept = "the old file is unchanged" if old else "nothing was written"
            raise WriteError(f"could not write {path}: {e.strerror or e}; {kept}", e.errno) from None
        raise


def _match_permissions(tmp: str, old: os.stat_result | None) -> None:
    """Give the temporary file the replaced file's mode (and owner, where allowed)."""
    if old is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, stat.S_IMODE(old.st_mode))
    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(PermissionError):
            os.chown(tmp, old.st_uid, old.st_gid)
