"""Writing output files atomically: a private temporary file beside the target, renamed over it.

An interrupted or failed write leaves any existing file untouched and no temporary file
behind; the temporary name is created exclusively, so a planted file or link is never
followed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from regmap.errors import ExportError

__all__ = [
    "default_file_mode",
    "temporary_beside",
    "write_bytes_atomically",
    "write_text_atomically",
]


def default_file_mode(path: str | os.PathLike[str]) -> None:
    """Give a file written through a private temporary file the usual permissions.

    ``tempfile.mkstemp`` creates files readable by their owner only; an exported report is
    meant to have the permissions any new file gets (0666 less the process's umask).

    Examples:
        >>> import tempfile, os, stat
        >>> from regmap.io.atomic import default_file_mode
        >>> fd, name = tempfile.mkstemp()
        >>> os.close(fd)
        >>> default_file_mode(name)
        >>> mask = os.umask(0)
        >>> _ = os.umask(mask)
        >>> stat.S_IMODE(os.stat(name).st_mode) == 0o666 & ~mask
        True
    """
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def temporary_beside(target: Path, what: str) -> tuple[int, str]:
    """An exclusively created temporary file in the target's directory: (fd, name).

    Raises:
        ExportError: If the directory cannot take the file.

    Examples:
        >>> import tempfile, pathlib, os
        >>> from regmap.io.atomic import temporary_beside
        >>> fd, name = temporary_beside(pathlib.Path(tempfile.mkdtemp()) / "r.csv", "CSV")
        >>> os.close(fd)
        >>> pathlib.Path(name).name.startswith(".r.csv.")
        True
    """
    directory = target.parent if str(target.parent) else Path(".")
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise ExportError(f"cannot write {what}: {e.strerror}", path=str(target)) from e


def write_bytes_atomically(
    data: bytes, path: str | os.PathLike[str], *, what: str = "file"
) -> Path:
    r"""Write ``data`` to ``path`` atomically and return the path.

    Raises:
        ExportError: If the file cannot be written; an existing file is left untouched.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.atomic import write_bytes_atomically
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.bin"
        >>> write_bytes_atomically(b"\x00\x01", out).read_bytes()
        b'\x00\x01'
    """
    target = Path(path)
    fd, tmp = temporary_beside(target, what)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        default_file_mode(tmp)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {what}: {e.strerror or e}", path=str(target)) from e
    return target


def write_text_atomically(
    text: str, path: str | os.PathLike[str], *, what: str = "file", newline: str | None = None
) -> Path:
    r"""Write UTF-8 text to ``path`` atomically and return the path.

    ``newline`` is as for :func:`open`: None writes each ``\n`` as :data:`os.linesep`, ``""``
    and ``"\n"`` write it as it is, any other value replaces it. The text is encoded before
    any file is created, so text that is not UTF-8 (a lone surrogate) leaves nothing behind.

    Raises:
        ExportError: If the file cannot be written; an existing file is left untouched.
        UnicodeEncodeError: If ``text`` cannot be encoded as UTF-8.
        ValueError: If ``newline`` is not one :func:`open` accepts.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.atomic import write_text_atomically
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
        >>> write_text_atomically("hello", out).read_text()
        'hello'
    """
    if newline not in (None, "", "\n", "\r", "\r\n"):
        raise ValueError(f"illegal newline value: {newline!r}")  # as open() says it
    ending = os.linesep if newline is None else newline
    if ending not in ("", "\n"):
        text = text.replace("\n", ending)
    return write_bytes_atomically(text.encode("utf-8"), path, what=what)
