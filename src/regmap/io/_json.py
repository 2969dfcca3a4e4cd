r"""Parsing JSON bytes with pydantic-core's parser, the standard library's where it refuses.

pydantic-core (installed with pydantic) parses JSON bytes in Rust about a quarter faster than
:func:`json.loads`, and builds the same Python values for every valid document. Where it
refuses a document, :func:`loads` hands the bytes to the standard library, which decides:
it accepts what pydantic-core is stricter about (an unpaired surrogate escape such as
``"\ud800"``) and raises its usual, precisely located errors for the rest. The result and
the errors are therefore exactly those of ``json.loads(raw.decode("utf-8-sig"))``.

Parsed JSON keeps no positions; :func:`line_of` and :func:`first_problem` find the line of an
item, a repeated key or an unreadable number in the text again, for error messages.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic_core import from_json

__all__ = ["first_problem", "line_of", "lines_of", "loads"]

_BOM = b"\xef\xbb\xbf"


def loads(raw: bytes) -> Any:
    r"""Parse UTF-8 JSON bytes (a byte-order mark is allowed), as ``json.loads`` would.

    Raises:
        UnicodeDecodeError: If the bytes are not UTF-8.
        json.JSONDecodeError: If they are not JSON, with the line and column.
        RecursionError: If the document is nested too deeply for the standard library.

    Examples:
        >>> from regmap.io._json import loads
        >>> loads(b'\xef\xbb\xbf{"a": [1, 2.5, "\\ud800"]}')
        {'a': [1, 2.5, '\ud800']}
        >>> loads(b'{"a": }')
        Traceback (most recent call last):
        ...
        json.decoder.JSONDecodeError: Expecting value: line 1 column 7 (char 6)
    """
    try:
        return from_json(raw[3:] if raw.startswith(_BOM) else raw)
    except ValueError:
        pass  # the standard library decides, and names the problem as it always has
    return json.loads(raw.decode("utf-8-sig"))


# -- where an item is, for error messages ------------------------------------------------
#
# json.loads keeps no positions. These walk a document that is known to parse, reading each
# key and skipping each value with the standard library's own decoder (raw_decode), and
# handle only the structure between them. They are for error messages, so they rebuild the
# values they skip; None where the text is not what they expect.

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _space(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]  # matches even nothing


class _Wanted:
    """A tree of the paths asked for: where each was reached, and what is wanted below."""

    __slots__ = ("below", "offset")

    def __init__(self) -> None:
        self.offset: int | None = None
        self.below: dict[str | int, _Wanted] = {}


def _visit(text: str, pos: int, wanted: _Wanted) -> int:
    """Record where the items ``wanted`` below the value at ``pos`` are; return its end.

    Only values on a wanted path are walked into; every other value is skipped by the
    standard library's decoder, so one call reads the document once, however many paths.
    """
    opener = text[pos]
    if not wanted.below or opener not in "{[":
        end: int = _DECODER.raw_decode(text, pos)[1]
        return end
    closer = "}" if opener == "{" else "]"
    pos = _space(text, pos + 1)
    index = 0
    while text[pos] != closer:
        here = pos
        part: str | int = index
        if opener == "{":
            part, end = _DECODER.raw_decode(text, pos)
            pos = _space(text, _space(text, end) + 1)  # past the colon
        node = wanted.below.get(part)
        if node is not None:
            node.offset = here  # an entry is where its key is; repeated, the last one counts
            pos = _visit(text, pos, node)
        else:
            pos = _DECODER.raw_decode(text, pos)[1]
        pos = _space(text, pos)
        if text[pos] == ",":
            pos = _space(text, pos + 1)
        index += 1
    return pos + 1


def lines_of(text: str, locs: Iterable[Sequence[object]]) -> dict[tuple[object, ...], int | None]:
    r"""The line of the item each of ``locs`` (keys and list indices) leads to in JSON ``text``.

    As :func:`regmap.io.yaml.node_line` does for YAML: an entry of an object is on the line
    of its key, an item of an array on the line where it starts; where a path leads nowhere
    (a missing key), the line of the last item it reached. The text is read once for all the
    paths. None for every path if ``text`` is not JSON.

    Examples:
        >>> from regmap.io._json import lines_of
        >>> text = '{"name": "Cam",\n "facts": {"a": 1,\n  "b": 2},\n "features": [\n  1,\n  2]}'
        >>> lines_of(text, [("facts", "b"), ("features", 1), ("x",)])
        {('facts', 'b'): 3, ('features', 1): 6, ('x',): 1}
    """
    paths = [tuple(loc) for loc in locs]
    root = _Wanted()
    for path in paths:
        node = root
        for part in path:
            if isinstance(part, bool) or not isinstance(part, str | int):
                break  # no JSON key or index: the path leads nowhere from here
            node = node.below.setdefault(part, _Wanted())
    complete = True
    try:
        root.offset = _space(text, 0)
        _visit(text, root.offset, root)
    except (ValueError, RecursionError, IndexError):
        complete = False  # what was reached stands; a path that was not reached is unknown
    breaks = [i for i, c in enumerate(text) if c == "\n"] if len(paths) > 8 else None
    out: dict[tuple[object, ...], int | None] = {}
    for path in paths:
        node, found, reached = root, root.offset, True
        for part in path:
            child = node.below.get(part) if isinstance(part, str | int) else None
            if child is None or child.offset is None or isinstance(part, bool):
                reached = False
                break
            node, found = child, child.offset
        if found is None or not (reached or complete):
            out[path] = None
        elif breaks is None:
            out[path] = text.count("\n", 0, found) + 1
        else:
            out[path] = bisect.bisect_left(breaks, found) + 1
    return out


def line_of(text: str, loc: Sequence[object]) -> int | None:
    r"""The line of the item that ``loc`` leads to in JSON ``text``; see :func:`lines_of`.

    Examples:
        >>> from regmap.io._json import line_of
        >>> line_of('{"a": 1,\n "b": [0,\n 1]}', ("b", 1))
        3
    """
    return lines_of(text, [loc])[tuple(loc)]


def first_problem(text: str) -> tuple[str, int] | None:
    r"""The first repeated key, or value Python cannot hold, in JSON ``text``, and its line.

    Document order, so that the line and the message agree (``json.loads`` with a hook that
    refuses repeated keys reports the innermost object first). None if there is neither.

    Examples:
        >>> from regmap.io._json import first_problem
        >>> first_problem('{"a": 1,\n "b": {"c": 1, "c": 2},\n "a": 3}')
        ("duplicate key 'c'", 2)
        >>> first_problem("[1, 2]") is None
        True
    """
    try:
        _check(text, _space(text, 0))
    except _Problem as e:
        return e.message, text.count("\n", 0, e.offset) + 1
    except (ValueError, RecursionError, IndexError):
        return None
    return None


class _Problem(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _check(text: str, pos: int) -> int:
    """Check the value at ``pos`` and return where it ends; raise :class:`_Problem`."""
    opener = text[pos]
    if opener not in "{[":
        try:
            end: int = _DECODER.raw_decode(text, pos)[1]
        except json.JSONDecodeError:
            raise  # not JSON after all: first_problem gives up
        except ValueError as e:  # an integer too long to convert
            raise _Problem(" ".join(str(e).split()), pos) from None
        return end
    closer = "}" if opener == "{" else "]"
    seen: set[str] = set()
    pos = _space(text, pos + 1)
    while text[pos] != closer:
        if opener == "{":
            key, end = _DECODER.raw_decode(text, pos)
            if key in seen:
                raise _Problem(f"duplicate key {key!r}", pos)
            seen.add(key)
            pos = _space(text, _space(text, end) + 1)  # past the colon
        pos = _space(text, _check(text, pos))
        if text[pos] == ",":
            pos = _space(text, pos + 1)
    return pos + 1
