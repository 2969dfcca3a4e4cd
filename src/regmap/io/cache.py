"""A content-addressed cache of parsed files, as JSON (never pickle), in REGMAP_CACHE_DIR.

Parsing is most of the cost of reading a large file: the YAML catalogs, an OSCAL catalog of
3 MB. A reader that has parsed a file stores what it made under a key derived from the file's
bytes (:func:`key`), stamped with what else the result depends on (the limits in force, the
version of the code that made it). An entry is used only when its kind, key and stamp all
match; a missing, stale, truncated or foreign entry is ignored and the file is parsed again.
Nothing read from the cache is trusted further than the file it replaces: readers validate
cached data exactly as they validate parsed data.

The folder is ``REGMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/regmap``, else
``~/.cache/regmap``; ``REGMAP_CACHE=0`` turns the cache off. A cache that cannot be written
(read-only home, full disk) is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from regmap.errors import ExportError
from regmap.io import _json
from regmap.io.atomic import write_bytes_atomically

__all__ = ["cache_dir", "key", "read", "write"]


def cache_dir() -> Path | None:
    """Where parsed files are cached, or None when the cache is off.

    Examples:
        >>> from regmap.io.cache import cache_dir
        >>> cache_dir() is None or cache_dir().name != ""
        True
    """
    if os.environ.get("REGMAP_CACHE", "1") == "0":
        return None
    base = os.environ.get("REGMAP_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "regmap"


def key(raw: bytes, *options: str) -> str:
    """The cache key of a file's bytes read with ``options``: a SHA-256 hex digest.

    Examples:
        >>> from regmap.io.cache import key
        >>> key(b"x") == key(b"x") != key(b"x", "regime_id=a")
        True
    """
    digest = hashlib.sha256(raw)
    if not options:
        return digest.hexdigest()
    # the file's digest has a fixed length and a JSON array is unambiguous: no file's bytes
    # can stand for another file read with options
    tail = json.dumps(list(options)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(digest.digest() + tail).hexdigest()


def _entry_path(folder: Path, kind: str, digest: str) -> Path:
    return folder / f"{kind}-{digest}.json"


def read(kind: str, digest: str, stamp: str) -> Any:
    """The data cached as ``kind`` under ``digest`` with this ``stamp``, or None.

    Examples:
        >>> from regmap.io.cache import read
        >>> read("example", "0" * 64, "v1") is None
        True
    """
    folder = cache_dir()
    if folder is None:
        return None
    try:
        entry = _json.loads(_entry_path(folder, kind, digest).read_bytes())
        if (entry.get("format"), entry.get("sha256"), entry.get("stamp")) != (kind, digest, stamp):
            return None
        return entry["data"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def write(kind: str, digest: str, stamp: str, data: Any) -> None:
    """Cache ``data`` (plain JSON data) as ``kind`` under ``digest``; failures are ignored.

    The entry is written atomically (:mod:`regmap.io.atomic`), so a reader never sees half of it.

    Examples:
        >>> import os, tempfile
        >>> from regmap.io.cache import read, write
        >>> os.environ["REGMAP_CACHE_DIR"] = tempfile.mkdtemp()
        >>> write("example", "ab" * 32, "v1", {"n": 1})
        >>> read("example", "ab" * 32, "v1"), read("example", "ab" * 32, "v2")
        ({'n': 1}, None)
        >>> del os.environ["REGMAP_CACHE_DIR"]
    """
    folder = cache_dir()
    if folder is None:
        return
    entry = {"format": kind, "sha256": digest, "stamp": stamp, "data": data}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # the standard library's encoder, not pydantic-core's (a fifth of the time): that one
        # also writes what is not JSON data (complex numbers, bytes, dates) as strings, which
        # would come back as something else
        payload = json.dumps(entry, separators=(",", ":")).encode("ascii")
        write_bytes_atomically(payload, _entry_path(folder, kind, digest), what="cache entry")
    except (OSError, TypeError, ValueError, RecursionError, ExportError):
        return  # a cache that cannot be written is simply not used
