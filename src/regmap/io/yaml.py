"""Safe, line-aware YAML: the only module that imports PyYAML.

:func:`parse_yaml` turns text into plain Python data in which every mapping is a
:class:`LineDict` that remembers the line it starts on, so that later errors can say
``path:line``. It uses PyYAML's C parser when it is installed, rejects duplicate keys,
and bounds aliases and nesting so that hostile documents fail fast.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from regmap.errors import DataError, LimitError, RegmapError, YamlError
from regmap.io import cache
from regmap.io.cache import cache_dir
from regmap.io.limits import LIMITS

__all__ = [
    "LIMITS",
    "cache_dir",
    "LineDict",
    "LineList",
    "decode_utf8",
    "dump_yaml",
    "load_yaml",
    "node_line",
    "parse_yaml",
    "read_limited",
]

_LIMIT_ENV = {name: variable for name, (variable, _) in LIMITS.variables.items()}

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[str, Any]):
    r"""A dict that remembers the 1-based line where its mapping starts.

    Examples:
        >>> from regmap.io.yaml import parse_yaml
        >>> parse_yaml("\n\nk: v\n").line
        3
    """

    line: int = 0


class LineList(list[Any]):
    r"""A list that remembers the 1-based line where its sequence starts.

    Examples:
        >>> from regmap.io.yaml import parse_yaml
        >>> parse_yaml("a:\n  - 1\n")["a"].line
        2
    """

    line: int = 0


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader building LineDicts, rejecting duplicate keys, bounding aliases and depth."""


def _compose(loader: _Loader, path: str) -> yaml.Node | None:
    """Build the node graph from the parser's events, enforcing the limits as it goes.

    PyYAML's composer recurses once per level of nesting, and its C version crashes the
    interpreter on a document nested some thousands deep. This loop keeps its own stack and
    stops at the first node beyond ``max_depth``, ``max_aliases`` or ``max_nodes``, before
    the rest of the document is built.
    """
    get = loader.get_event
    get()  # StreamStartEvent
    if isinstance(get(), yaml.StreamEndEvent):
        return None
    anchors: dict[str, yaml.Node] = {}
    stack: list[Any] = []  # open collection nodes
    keys: list[yaml.Node | None] = []  # per open mapping: a key waiting for its value
    root: Any = None
    count = aliases = 0
    event: Any
    while not isinstance(event := get(), yaml.DocumentEndEvent):
        if isinstance(event, yaml.CollectionEndEvent):
            stack.pop().end_mark = event.end_mark
            keys.pop()
            continue
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > LIMITS["max_aliases"]:
                raise _limit("max_aliases", path, event, "more YAML aliases than allowed")
            node = _alias(anchors, event)
        else:
            count += 1
            if count > LIMITS["max_nodes"]:
                raise _limit("max_nodes", path, event, "the document has too many nodes")
            node = _node(loader, anchors, event)
        if not stack:
            root = node
        elif isinstance(stack[-1], yaml.SequenceNode):
            stack[-1].value.append(node)
        elif keys[-1] is None:
            keys[-1] = node
        else:
            stack[-1].value.append((keys[-1], node))
            keys[-1] = None
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append(node)
            keys.append(None)
            if len(stack) > LIMITS["max_depth"]:
                what = f"nesting deeper than {LIMITS['max_depth']}"
                raise _limit("max_depth", path, event, what)
    if not isinstance(event := get(), yaml.StreamEndEvent):
        raise yaml.composer.ComposerError(
            None, None, "expected a single document in the stream", event.start_mark
        )
    if aliases and _expanded_size(root, path) > LIMITS["max_nodes"]:
        what = "aliases expand the document beyond the node limit"
        raise _limit("max_nodes", path, root, what)
    return root  # type: ignore[no-any-return]


#: Nesting depth up to which PyYAML's own (C) composer is safe to use.
_C_COMPOSER_SAFE_DEPTH = 200


def _depth_bound(text: str) -> int:
    """An upper bound of the document's nesting depth, from its text alone.

    A block collection nests deeper only by indenting further or by an indicator (``-``,
    ``:``, ``?``) on the same line, and a flow collection only by an unclosed bracket; quoted
    text can only make the bound larger. When the bound is small, the fast C composer cannot
    recurse too deeply, and the limits are checked on the composed nodes instead.
    """
    flow = 0
    bound = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indicators = stripped.count("-") + stripped.count(":") + stripped.count("?")
        opened = line.count("[") + line.count("{")
        bound = max(bound, len(line) - len(stripped) + indicators + flow + opened)
        flow = max(0, flow + opened - line.count("]") - line.count("}"))
    return bound + 1


_OVER_LIMIT: yaml.Node = yaml.ScalarNode("tag:yaml.org,2002:null", "")


def _compose_fast(loader: _Loader, path: str) -> yaml.Node | None:
    """Compose with PyYAML (C) and check depth, aliases and size on the node graph.

    Returns ``_OVER_LIMIT`` when a limit is exceeded, for the careful composer to report it
    at the exact place.
    """
    node: yaml.Node | None = loader.get_single_node()
    if node is None:
        return None
    seen: set[int] = set()
    count = aliases = 0
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > LIMITS["max_depth"]:
            return _OVER_LIMIT
        if id(current) in seen:
            aliases += 1
            if aliases > LIMITS["max_aliases"]:
                return _OVER_LIMIT
            continue
        seen.add(id(current))
        count += 1
        if count > LIMITS["max_nodes"]:
            return _OVER_LIMIT
        stack.extend((child, depth + 1) for child in _children(current))
    if aliases and _expanded_size(node, path) > LIMITS["max_nodes"]:
        return _OVER_LIMIT
    return node


def _alias(anchors: dict[str, yaml.Node], event: Any) -> yaml.Node:
    if event.anchor not in anchors:
        raise yaml.composer.ComposerError(
            None, None, f"found undefined alias {event.anchor!r}", event.start_mark
        )
    return anchors[event.anchor]


def _node(loader: _Loader, anchors: dict[str, yaml.Node], event: Any) -> yaml.Node:
    """A new scalar, sequence or mapping node for an event, registered under its anchor."""
    if event.anchor in anchors:
        raise yaml.composer.ComposerError(
            None, None, f"found duplicate anchor {event.anchor!r}", event.start_mark
        )
    node: Any
    tag, start, end = event.tag, event.start_mark, event.end_mark
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, start, end, event.style)
    else:
        kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        if tag is None or tag == "!":
            tag = loader.resolve(kind, None, event.implicit)
        node = kind(tag, [], start, None, flow_style=event.flow_style)
    if event.anchor is not None:
        anchors[event.anchor] = node
    return node  # type: ignore[no-any-return]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [v for pair in node.value for v in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expanded_size(root: yaml.Node, path: str) -> int:
    """Count the nodes the document would have with every alias copied out."""
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        if key in sizes:
            continue
        if key in in_progress:
            raise YamlError(
                "recursive alias", code="yaml-alias", path=path, line=node.start_mark.line + 1
            )
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def _limit(name: str, path: str, where: Any, what: str) -> LimitError:
    """The error for an exceeded limit, at the line of ``where`` (a node or an event)."""
    code = {"max_depth": "yaml-depth", "max_aliases": "yaml-alias"}.get(name, "limit-exceeded")
    return LimitError(
        f"{what} (limit {name}={LIMITS[name]}; raise it with the environment variable "
        f"{_LIMIT_ENV[name]})",
        code=code,
        path=path,
        line=where.start_mark.line + 1,
    )


def _line_at(text: str, position: int) -> int:
    """The line of a reader error's position (a byte offset for the C parser)."""
    if _BaseLoader is not yaml.SafeLoader:
        return text.encode("utf-8", "surrogatepass")[:position].count(b"\n") + 1
    return text[:position].count("\n") + 1


_KIND_NAMES = {"bool": "boolean", "int": "integer", "float": "number", "timestamp": "date"}


def _checked(construct: Any) -> Any:
    """Wrap a scalar constructor: a malformed value is a YamlError naming its line.

    PyYAML raises a bare ValueError for ``2025-02-30``, ``!!int x`` and the like.
    """

    def checked(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as e:
            kind = node.tag.rsplit(":", 1)[-1]
            raise YamlError(
                f"invalid {_KIND_NAMES.get(kind, kind)} {str(node.value)[:40]!r}",
                code="wrong-type",
                path=getattr(loader, "regmap_path", None),
                line=node.start_mark.line + 1,
            ) from e

    return checked


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool | dt.date):
            raise YamlError(
                "mapping keys must be scalars",
                path=getattr(loader, "regmap_path", None),
                line=key_node.start_mark.line + 1,
            )
        name = key if isinstance(key, str) else str(key)
        if name in result:  # 1 and "1" are the same key once read
            raise YamlError(
                f"duplicate key {name!r}",
                code="yaml-duplicate-key",
                path=getattr(loader, "regmap_path", None),
                line=key_node.start_mark.line + 1,
            )
        result[name] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
for _kind in ("bool", "int", "float", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    _Loader.add_constructor(_tag, _checked(yaml.SafeLoader.yaml_constructors[_tag]))


def parse_yaml(text: str, *, path: str = "<string>") -> Any:
    r"""Parse one YAML document into plain data with line-aware mappings.

    Raises:
        YamlError: On a syntax error or a duplicate key, naming the line.
        LimitError: When the document exceeds the alias or depth limit.

    Examples:
        >>> from regmap.io.yaml import parse_yaml
        >>> data = parse_yaml("a: 1\nb:\n  c: 2\n")
        >>> data["b"]["c"], data["b"].line  # the inner mapping starts on line 3
        (2, 3)
    """
    loader = _Loader(text)
    loader.regmap_path = path
    try:
        node = _compose_fast(loader, path) if _depth_bound(text) <= _C_COMPOSER_SAFE_DEPTH else None
        if node is _OVER_LIMIT or _depth_bound(text) > _C_COMPOSER_SAFE_DEPTH:
            # the event-by-event composer stops at the first node beyond a limit and names it
            loader.dispose()
            loader = _Loader(text)
            loader.regmap_path = path
            node = _compose(loader, path)
        return None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (e.context, e.problem) if p) or "invalid YAML"
        raise YamlError(what, path=path, line=line) from e
    except yaml.reader.ReaderError as e:
        what = str(e).split("\n", 1)[0]  # the rest names "<unicode string>" and an offset
        raise YamlError(what, path=path, line=_line_at(text, e.position)) from e
    except yaml.YAMLError as e:
        raise YamlError("invalid YAML: " + " ".join(str(e).split()), path=path) from e
    except RecursionError as e:
        raise LimitError("document nested too deeply to read", code="yaml-depth", path=path) from e
    finally:
        loader.dispose()


def load_yaml(path: str | os.PathLike[str]) -> Any:
    r"""Read and parse a YAML file, enforcing the file-size limit and UTF-8.

    Raises:
        YamlError: On unreadable, non-UTF-8 or malformed files.
        LimitError: When the file is larger than ``LIMITS["max_file_bytes"]``.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.yaml import load_yaml
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
        >>> _ = p.write_text("k: [1, 2]\n")
        >>> load_yaml(p)
        {'k': [1, 2]}
    """
    name = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > LIMITS["max_file_bytes"]:
            raise LimitError(
                f"file is {size} bytes, more than the limit max_file_bytes="
                f"{LIMITS['max_file_bytes']} (raise it with REGMAP_MAX_FILE_BYTES)",
                code="file-too-large",
                path=name,
            )
        raw = p.read_bytes()
    except OSError as e:
        raise YamlError(f"cannot read file: {e.strerror}", code="file-unreadable", path=name) from e
    digest = cache.key(raw)
    cached = _cache_read(digest)
    if cached is not None:
        return cached
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise YamlError(
            f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})",
            code="file-encoding",
            path=name,
            line=line,
        ) from e
    data = parse_yaml(text, path=name)
    _cache_write(digest, data)
    return data


def node_line(path: str | os.PathLike[str], loc: Sequence[str | int]) -> int | None:
    r"""The line in the YAML file ``path`` of the item that ``loc`` leads to.

    ``loc`` is a path of keys and list indices, as in a pydantic error (``("facts", "x")``).
    An entry of a mapping is on the line of its key, an item of a list on its own line; where
    ``loc`` leads nowhere (a missing key), the line of the last item it reached. The file is
    read again, so this is for error messages: parsed data keeps only the line where each
    mapping starts. None if the file cannot be read or parsed under the limits.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.yaml import node_line
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "p.yaml"
        >>> _ = p.write_text("name: Cam\nfacts:\n  a: 1\n  b: 2\nfeatures:\n  - x\n  - y\n")
        >>> (
        ...     node_line(p, ("facts", "b")),
        ...     node_line(p, ("features", 1)),
        ...     node_line(p, ("facts", "c")),
        ... )
        (4, 7, 2)
    """
    name = str(path)
    try:
        text = decode_utf8(read_limited(path), name)
        loader = _Loader(text)
        loader.regmap_path = name
        try:
            node = _compose(loader, name)
        finally:
            loader.dispose()
    except (RegmapError, yaml.YAMLError, RecursionError):
        return None
    if node is None:
        return None
    line: int = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            key = str(part)
            found = next((kv for kv in node.value if getattr(kv[0], "value", None) == key), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def read_limited(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a data file (YAML, JSON, CSV), after checking the file-size limit.

    The size is checked before anything is read, so an oversized file costs nothing.

    Raises:
        LimitError: ``file-too-large`` when the file is larger than ``max_file_bytes``.
        DataError: ``file-unreadable`` when the file cannot be read.

    Examples:
        >>> import tempfile, pathlib
        >>> from regmap.io.yaml import read_limited
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.json"
        >>> _ = p.write_text("{}")
        >>> read_limited(p)
        b'{}'
    """
    name = str(path)
    try:
        size = os.stat(path).st_size
        if size > LIMITS["max_file_bytes"]:
            raise LimitError(
                f"file is {size} bytes, more than the limit max_file_bytes="
                f"{LIMITS['max_file_bytes']} (raise it with REGMAP_MAX_FILE_BYTES)",
                code="file-too-large",
                path=name,
            )
        return Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"cannot read file: {e.strerror}", code="file-unreadable", path=name) from e


def decode_utf8(raw: bytes, path: str) -> str:
    r"""Decode a data file's bytes as UTF-8 (a byte-order mark is dropped).

    Raises:
        DataError: ``file-encoding``, naming the line of the first bad byte.

    Examples:
        >>> from regmap.io.yaml import decode_utf8
        >>> decode_utf8(b"a\ncaf\xe9", "x.csv")
        Traceback (most recent call last):
        ...
        regmap.errors.DataError: x.csv:2: not UTF-8 text (byte 0xe9 at offset 5)
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(
            f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})",
            code="file-encoding",
            path=path,
            line=raw[: e.start].count(b"\n") + 1,
        ) from e


# -- compiled-form cache ------------------------------------------------------------------
#
# Parsing YAML is most of the cost of loading the knowledge base. A successfully parsed file
# is cached through regmap.io.cache under the SHA-256 of its bytes, with its line numbers,
# stamped with the limits it was parsed under; anything else is ignored and the file is
# parsed again.

_CACHE_FORMAT = "regmap-yaml-cache-2"


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return ["m", getattr(value, "line", 0), [[k, _encode(v)] for k, v in value.items()]]
    if isinstance(value, list):
        return ["l", getattr(value, "line", 0), [_encode(v) for v in value]]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    tag = value[0]
    if tag == "m":
        out = LineDict((k, _decode(v)) for k, v in value[2])
        out.line = value[1]
        return out
    if tag == "l":
        seq = LineList(_decode(v) for v in value[2])
        seq.line = value[1]
        return seq
    if tag == "t":
        return dt.datetime.fromisoformat(value[1])
    return dt.date.fromisoformat(value[1])


def _cache_read(digest: str) -> Any:
    data = cache.read(_CACHE_FORMAT, digest, _limits_key())
    try:
        return None if data is None else _decode(data)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _cache_write(digest: str, data: Any) -> None:
    cache.write(_CACHE_FORMAT, digest, _limits_key(), _encode(data))


def _limits_key() -> str:
    """The limits in force: an entry parsed under other limits is not reused."""
    return ",".join(f"{k}={v}" for k, v in sorted(LIMITS.items()))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dump_yaml(data: Any) -> str:
    """Dump plain data as block-style YAML that :func:`parse_yaml` reads back.

    Examples:
        >>> from regmap.io.yaml import dump_yaml, parse_yaml
        >>> parse_yaml(dump_yaml({"a": [1, {"b": "x"}]}))
        {'a': [1, {'b': 'x'}]}
    """
    dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(_plain(data), Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
