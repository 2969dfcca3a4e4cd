from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regmap.errors import LimitError, YamlError
from regmap.io.yaml import LineDict, dump_yaml, load_yaml, node_line, parse_yaml

from . import strategies as st_


def test_mappings_remember_their_line() -> None:
    data = parse_yaml("a: 1\nitems:\n  - id: x\n    v: 1\n  - id: y\n")
    assert isinstance(data, LineDict)
    assert data.line == 1
    assert [item.line for item in data["items"]] == [3, 5]


def test_syntax_error_names_path_and_line() -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n", path="bad.yaml")
    err = info.value
    assert err.code == "yaml-syntax"
    assert err.path == "bad.yaml" and err.line is not None and err.line >= 2
    assert str(err).startswith(f"bad.yaml:{err.line}: ")


def test_duplicate_keys_are_rejected() -> None:
    with pytest.raises(YamlError, match="duplicate key 'id'") as info:
        parse_yaml("x:\n  id: a\n  id: b\n", path="d.yaml")
    assert (info.value.code, info.value.line) == ("yaml-duplicate-key", 3)


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(LimitError, match="REGMAP_MAX_NODES") as info:
        parse_yaml("\n".join(lines) + "\n", path="bomb.yaml")
    assert info.value.code == "limit-exceeded"


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError, match="recursive alias"):
        parse_yaml("a: &x [1, *x]\n")


def test_deep_nesting_is_refused() -> None:
    text = "[" * 200 + "]" * 200
    with pytest.raises(LimitError, match="max_depth") as info:
        parse_yaml(text, path="deep.yaml")
    assert info.value.code == "yaml-depth"


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(YamlError, match="not UTF-8") as info:
        load_yaml(path)
    assert (info.value.code, info.value.line) == ("file-encoding", 2)


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from regmap.io import yaml as ryaml

    monkeypatch.setitem(ryaml.LIMITS, "max_file_bytes", 10)
    path = tmp_path / "big.yaml"
    path.write_text("a: 12345678901234567890\n")
    with pytest.raises(LimitError, match="REGMAP_MAX_FILE_BYTES") as info:
        load_yaml(path)
    assert info.value.code == "file-too-large"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(YamlError) as info:
        load_yaml(tmp_path / "nope.yaml")
    assert info.value.code == "file-unreadable"


def test_python_tags_are_not_constructed() -> None:
    with pytest.raises(YamlError):
        parse_yaml("a: !!python/object/apply:os.system ['true']\n")


@given(st_.yaml_data)
def test_dump_then_parse_round_trips(data: object) -> None:
    assert parse_yaml(dump_yaml(data)) == data


def test_parsed_files_are_cached_as_json_and_revalidated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regmap.io import yaml as ryaml

    monkeypatch.setenv("REGMAP_CACHE_DIR", str(tmp_path / "cache"))
    src = tmp_path / "a.yaml"
    src.write_text("x:\n  - id: a\n    when: 2026-09-11\n", encoding="utf-8")
    first = load_yaml(src)
    (entry,) = (tmp_path / "cache").glob("*.json")
    assert b"pickle" not in entry.read_bytes()
    second = load_yaml(src)
    assert second == first and second["x"][0].line == 2
    assert second["x"][0]["when"].isoformat() == "2026-09-11"
    # a tampered entry (digest mismatch) is ignored, and so is one parsed under other limits
    entry.write_text(entry.read_text().replace('"sha256": "', '"sha256": "0'), encoding="utf-8")
    assert load_yaml(src) == first
    monkeypatch.setitem(ryaml.LIMITS, "max_depth", 2)
    with pytest.raises(LimitError):
        load_yaml(src)


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("REGMAP_CACHE", "0")
    src = tmp_path / "a.yaml"
    src.write_text("k: v\n", encoding="utf-8")
    load_yaml(src)
    assert not (tmp_path / "cache").exists()


# -- node_line: the line of one item, for error messages -------------------------------------


def test_node_line_finds_keys_and_items(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "# a comment\n"
        "name: Cam\n"
        "facts:\n"
        "  is_networked: true\n"
        '  "has wifi": true\n'
        "features:\n"
        "  - capability: cap:a\n"
        "  -\n"
        "    capability: cap:b\n"
        "    evidence: x\n"
        "flow: {a: 1, b: [x, y]}\n"
        "1: numeric key\n"
    )
    assert node_line(path, ()) == 2  # the document starts with its first node
    assert node_line(path, ("facts", "has wifi")) == 5
    assert node_line(path, ("features", 0, "capability")) == 7
    assert node_line(path, ("features", 1)) == 9
    assert node_line(path, ("features", 1, "evidence")) == 10
    assert node_line(path, ("flow", "b", 1)) == 11
    assert node_line(path, (1,)) == 12
    # where the path leads nowhere, the last item reached
    assert node_line(path, ("facts", "missing")) == 3
    assert node_line(path, ("features", 5, "capability")) == 6
    assert node_line(path, ("name", "x")) == 2
    # unreadable, unparsable or over the limits: no line rather than an error
    assert node_line(tmp_path / "absent.yaml", ("a",)) is None
    (tmp_path / "bad.yaml").write_text("a: [1, 2\n")
    assert node_line(tmp_path / "bad.yaml", ("a",)) is None
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 200 + "]" * 200 + "\n")
    assert node_line(tmp_path / "deep.yaml", ("a",)) is None
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    assert node_line(tmp_path / "empty.yaml", ("a",)) is None


_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda k: k not in {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
)
_TREE = st.recursive(
    st.integers(-5, 5) | st.from_regex(r"[a-z]{1,5}", fullmatch=True),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.dictionaries(_KEY, inner, min_size=1, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(_KEY, _TREE, min_size=1, max_size=4))
def test_node_line_points_at_the_key_or_the_item(data: dict[str, object]) -> None:
    """In any block-style document, the line of a mapping entry starts with its key, and the
    line of a list item holds the dash that opens it."""
    text = dump_yaml(data)
    lines = text.splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.yaml"
        path.write_text(text)
        for loc in st_.item_paths(data):
            line = node_line(path, loc)  # type: ignore[arg-type]
            assert line is not None and 1 <= line <= len(lines), (loc, text)
            shown = lines[line - 1].lstrip(" -")
            if isinstance(loc[-1], str):
                assert shown.startswith(f"{loc[-1]}:"), (loc, line, text)
            else:
                assert "-" in lines[line - 1] or "[" in lines[line - 1], (loc, line, text)
