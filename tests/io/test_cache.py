"""The parsed-file cache (io/cache.py) and the JSON bytes parser (io/_json.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regmap.io import _json, cache

from ..strategies import item_paths

# -- the cache --------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REGMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REGMAP_CACHE", raising=False)
    return tmp_path / "cache"


def test_key_depends_on_bytes_and_options() -> None:
    keys = {
        cache.key(b"x"),
        cache.key(b"y"),
        cache.key(b"x", "regime_id=a"),
        cache.key(b"x", "regime_id=b"),
        cache.key(b"x", "regime_id=a", "obligation="),
        cache.key(b"x\x00regime_id=a"),  # options are not just appended bytes ...
    }
    assert len(keys) == 6
    assert cache.key(b"x", "o") == cache.key(b"x", "o")
    assert all(len(k) == 64 for k in keys)


def test_entries_round_trip_only_under_their_kind_digest_and_stamp(folder: Path) -> None:
    digest = cache.key(b"file")
    data = {"a": [1, 2.5, None, "\u00e9\ud800"], "b": {"c": True}}
    cache.write("kind-1", digest, "v1", data)
    assert cache.read("kind-1", digest, "v1") == data
    assert cache.read("kind-1", digest, "v2") is None  # other code version
    assert cache.read("kind-2", digest, "v1") is None  # other reader
    assert cache.read("kind-1", cache.key(b"other"), "v1") is None
    (entry,) = folder.glob("*.json")
    assert entry.name == f"kind-1-{digest}.json"
    assert json.loads(entry.read_text(encoding="utf-8"))["sha256"] == digest
    assert not list(folder.glob(".*"))  # no temporary file left behind


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        '{"format": "kind-1"}',
        '{"format": "kind-1", "sha256": "%s", "stamp": "v1"}',  # no data
        "\x00\x01 not json",
    ],
)
def test_broken_entries_are_ignored(folder: Path, text: str) -> None:
    digest = cache.key(b"file")
    folder.mkdir(parents=True)
    (folder / f"kind-1-{digest}.json").write_text(text.replace("%s", digest), encoding="utf-8")
    assert cache.read("kind-1", digest, "v1") is None


def test_tampered_digest_is_ignored(folder: Path) -> None:
    digest = cache.key(b"file")
    cache.write("kind-1", digest, "v1", [1])
    entry = folder / f"kind-1-{digest}.json"
    entry.write_text(entry.read_text().replace(digest, "0" * 64), encoding="utf-8")
    assert cache.read("kind-1", digest, "v1") is None


def test_cache_off_writes_and_reads_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    digest = cache.key(b"file")
    cache.write("kind-1", digest, "v1", [1])
    monkeypatch.setenv("REGMAP_CACHE", "0")
    assert cache.cache_dir() is None
    assert cache.read("kind-1", digest, "v1") is None
    cache.write("kind-1", cache.key(b"other"), "v1", [2])
    assert len(list(folder.glob("*.json"))) == 1


def test_unwritable_cache_and_unserialisable_data_are_not_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("REGMAP_CACHE_DIR", str(blocker))
    cache.write("kind-1", cache.key(b"f"), "v1", [1])  # mkdir fails: silently not cached
    assert cache.read("kind-1", cache.key(b"f"), "v1") is None
    monkeypatch.setenv("REGMAP_CACHE_DIR", str(tmp_path / "cache"))
    cache.write("kind-1", cache.key(b"f"), "v1", {"x": object()})  # not JSON: not cached
    cache.write("kind-1", cache.key(b"g"), "v1", {1j: 2})
    assert list((tmp_path / "cache").glob("*")) == []


# -- JSON bytes: pydantic-core's parser, with the standard library deciding what it refuses ----

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),  # unpaired surrogates too
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=25,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and floats told from ints."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


@given(_json_values, st.booleans(), st.booleans(), st.sampled_from([None, 2]))
def test_loads_gives_what_the_standard_library_gives(
    value: Any, ascii_only: bool, bom: bool, indent: int | None
) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode("utf-8", "surrogatepass")
    raw = b"\xef\xbb\xbf" + raw if bom else raw
    try:
        expected = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:  # an unpaired surrogate written raw is not UTF-8
        with pytest.raises(UnicodeDecodeError):
            _json.loads(raw)
        return
    assert _same(_json.loads(raw), expected)


@given(st.binary(max_size=40) | st.text(alphabet='{}[]",:0123456789.eE-+ \n\\u', max_size=30))
def test_loads_fails_exactly_as_the_standard_library_fails(data: bytes | str) -> None:
    raw = data.encode() if isinstance(data, str) else data
    try:
        expected: Any = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as e:
        with pytest.raises(type(e)) as got:
            _json.loads(raw)
        assert str(got.value) == str(e)
    else:
        assert _same(_json.loads(raw), expected)


def test_loads_nesting_beyond_either_parser() -> None:
    with pytest.raises(RecursionError):
        _json.loads(b"[" * 100_000 + b"]" * 100_000)
    assert _json.loads(b"[" * 300 + b"]" * 300) is not None  # past pydantic-core's 200 levels


# -- JSON positions, for error messages ---------------------------------------------------------


def _replaced(value: Any, loc: tuple[Any, ...], new: Any) -> Any:
    if not loc:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[loc[0]] = _replaced(value[loc[0]], loc[1:], new)
    return copy


_MARK = "\x00here\x00"  # json.dumps writes it escaped; no generated key or text holds the escape


@given(
    _json_values.filter(lambda v: isinstance(v, dict | list)),
    st.sampled_from([None, 0, 1, "\t"]),
    st.booleans(),
    st.sampled_from([(", ", ": "), (",", ":"), (" ,\r\n", " : ")]),
)
def test_line_of_finds_every_key_and_item(
    value: Any, indent: int | str | None, ascii_only: bool, separators: tuple[str, str]
) -> None:
    """The line json.dumps writes an item on: a key and its value start on one line, so marking
    the value shows the line, and nothing before the mark moves."""
    dump = {"indent": indent, "ensure_ascii": ascii_only, "separators": separators}
    text = json.dumps(value, **dump)  # type: ignore[arg-type]
    expected = {}
    for loc in [(), *item_paths(value)]:
        marked = json.dumps(_replaced(value, loc, _MARK), **dump)  # type: ignore[arg-type]
        mark = json.dumps(_MARK, ensure_ascii=ascii_only)
        expected[loc] = marked[: marked.index(mark)].count("\n") + 1
        assert _json.line_of(text, loc) == expected[loc], (loc, text)
    assert _json.lines_of(text, list(expected)) == expected  # all at once, in one reading


def test_line_of_where_the_path_leads_nowhere() -> None:
    text = '{"a": {"b": [10,\n 20]},\n "c": 1}'
    assert _json.line_of(text, ("a", "b", 1)) == 2
    assert _json.line_of(text, ("a", "b", 2)) == 1  # no third item: the list's own line
    assert _json.line_of(text, ("a", "b", -1)) == 1
    assert _json.line_of(text, ("c", 0)) == 3  # a number has no items: the line of its key
    assert _json.line_of(text, ("a", 0)) == 1  # an index into an object
    assert _json.line_of(text, ("a", "b", True)) == 1  # True is no index
    assert _json.line_of('{"a": 1,\n "a": 2}', ("a",)) == 2  # json.loads keeps the last
    deep = "[" + "[" * 100_000 + "]" * 100_000 + ",\n 1]"
    assert _json.line_of(deep, (0,)) == 1
    assert _json.line_of(deep, (1,)) is None  # the first item is too deep to skip
    assert _json.line_of("", ("a",)) is None
    assert _json.lines_of(deep, [(0,), (1,), (0, 0)]) == {(0,): 1, (1,): None, (0, 0): 1}
    assert _json.line_of("{", ("a",)) is None


@given(_json_values)
def test_first_problem_of_a_document_without_one(value: Any) -> None:
    assert _json.first_problem(json.dumps(value, indent=1)) is None


def test_first_problem_names_the_first_in_document_order() -> None:
    # json.loads with a hook that refuses repeats would name 'b' first: the inner object
    # closes before the outer one
    text = '{"a": 1,\n "a": {"b": 1,\n "b": 2}}'
    assert _json.first_problem(text) == ("duplicate key 'a'", 2)
    assert _json.first_problem('[{"x": 1},\n {"x": 1, "y": [\n{"z": 0, "z": 0}]}]') == (
        "duplicate key 'z'",
        3,
    )
    assert _json.first_problem('{"\\u0061": 1, "a": 2}') == ("duplicate key 'a'", 1)
    long = "9" * 5000
    message, line = _json.first_problem(f'{{"a": [1,\n{long}]}}') or ("", 0)
    assert line == 2 and "4300" in message and "\n" not in message
    assert _json.first_problem("[1,") is None  # not JSON: not its business
    assert _json.first_problem("[" * 100_000) is None
