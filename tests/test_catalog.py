from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import regmap
from regmap import CatalogError, UnknownIdError

Write = Callable[[str, str], Path]

REGIME = """\
regime:
  id: acme
  title: ACME internal baseline
  short_title: ACME
  version: "1"
  published: 2025-01-01
  jurisdiction: internal
  kind: standard
  url: https://example.com/acme
  addressee: product teams
  id_pattern: '\\d+(\\.\\d+)*'
controls:
  - id: acme:1
    ref: Section 1
    title: Updates
    controls:
      - id: acme:1.1
        ref: Section 1.1
        title: Signed updates
        statement: Sign every update.
        obligation: mandatory
        url: https://example.com/acme#1.1
"""


def _findings(*paths: Path, shipped: bool = False) -> list[regmap.Finding]:
    return regmap.load(paths, shipped=shipped, strict=False).validate()


def _only(findings: list[regmap.Finding], code: str) -> regmap.Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, findings
    return matching[0]


def test_shipped_data_is_clean(kb: regmap.KnowledgeBase) -> None:
    assert kb.validate() == []


def test_lookups_are_case_insensitive(kb: regmap.KnowledgeBase) -> None:
    assert kb.control("CRA:ANNEX-I.1.2.C").id == "cra:annex-i.1.2.c"
    assert kb.regime("Cra").id == "cra"


def test_unknown_id_suggests_the_closest(kb: regmap.KnowledgeBase) -> None:
    with pytest.raises(UnknownIdError) as info:
        kb.control("cra:anex-i.1.2.c")
    assert "cra:annex-i.1.2.c" in info.value.suggestions
    assert "did you mean 'cra:annex-i.1.2.c'" in str(info.value)
    with pytest.raises(UnknownIdError, match="unknown regime"):
        kb.regime("cyber-resilience")


def test_controls_in_document_order(kb: regmap.KnowledgeBase) -> None:
    ids = [c.id for c in kb.controls("cra") if c.id.startswith("cra:annex-i.1.2.")]
    assert ids == [f"cra:annex-i.1.2.{letter}" for letter in "abcdefghijklm"]
    assert [c.id for c in kb.children("cra:annex-i.2")] == [
        f"cra:annex-i.2.{n}" for n in range(1, 9)
    ]


def test_a_user_directory_adds_a_regime(write: Write) -> None:
    path = write("mine/acme.yaml", REGIME)
    kb = regmap.load([path.parent])
    assert kb.control("acme:1.1").title == "Signed updates"
    assert [c.id for c in kb.children("acme")] == ["acme:1"]
    assert kb.location("acme:1.1") == regmap.SourceLocation(str(path), 17, "acme:1.1")


def test_a_user_file_cannot_override_a_shipped_control(write: Write) -> None:
    text = REGIME.replace("id: acme\n", "id: cra\n", 1).replace("acme:", "cra:")
    path = write("cra-again.yaml", text)
    with pytest.raises(CatalogError) as info:
        regmap.load([path])
    codes = {f.code for f in info.value.findings}
    assert "override" in codes


def test_duplicate_ids_across_files(write: Write) -> None:
    a = write("a.yaml", REGIME)
    b = write(
        "b.yaml",
        REGIME.replace("id: acme\n", "id: acme2\n", 1)
        .replace("id: acme:1\n", "id: acme2:1\n")
        .replace("acme:1.1\n", "acme:1.1\n"),
    )
    finding = [f for f in _findings(a, b) if f.code == "duplicate-id"][0]
    assert finding.location.path == str(b)
    assert finding.location.line == 17
    assert finding.location.id == "acme:1.1"
    assert f"already defined at {a}:17" in finding.message


def test_unknown_parent(write: Write) -> None:
    text = (
        REGIME
        + """\
  - id: acme:2
    parent: acme:9
    ref: Section 2
    title: Orphan
    statement: x
    obligation: mandatory
    url: https://example.com
"""
    )
    path = write("acme.yaml", text)
    f = _only(_findings(path), "unknown-parent")
    assert (f.location.path, f.location.line, f.location.id) == (str(path), 23, "acme:2")


def test_parent_cycle(write: Write) -> None:
    text = (
        REGIME
        + """\
  - id: acme:2
    parent: acme:3
    ref: Section 2
    title: A
    statement: x
    obligation: mandatory
    url: https://example.com
  - id: acme:3
    parent: acme:2
    ref: Section 3
    title: B
    statement: x
    obligation: mandatory
    url: https://example.com
"""
    )
    path = write("acme.yaml", text)
    f = _only(_findings(path), "parent-cycle")
    assert f.location.path == str(path) and f.location.line in (23, 30)
    assert "acme:2 -> acme:3 -> acme:2" in f.message or "acme:3 -> acme:2 -> acme:3" in f.message


def test_id_scheme(write: Write) -> None:
    path = write("acme.yaml", REGIME.replace("acme:1.1\n", "acme:one\n"))
    f = _only(_findings(path), "id-scheme")
    assert (f.location.line, f.location.id) == (17, "acme:one")


def test_incomplete_leaf_and_missing_condition(write: Write) -> None:
    text = REGIME.replace("        statement: Sign every update.\n", "").replace(
        "obligation: mandatory", "obligation: conditional"
    )
    path = write("acme.yaml", text)
    findings = _findings(path)
    f = _only(findings, "incomplete-control")
    assert (f.location.line, "statement" in f.message) == (17, True)
    assert _only(findings, "obligation-condition").location.line == 17


def test_unverified_without_note(write: Write) -> None:
    path = write(
        "acme.yaml",
        REGIME.replace(
            "        obligation: mandatory\n",
            "        obligation: mandatory\n        verified: false\n",
        ),
    )
    assert _only(_findings(path), "verification-note").location.line == 17


def test_unknown_key_and_wrong_type(write: Write) -> None:
    path = write(
        "acme.yaml",
        REGIME.replace(
            "        obligation: mandatory\n",
            "        obligation: sometimes\n        colour: red\n",
        ),
    )
    findings = _findings(path)
    assert _only(findings, "unknown-key").location.line == 17
    f = _only(findings, "invalid-value")
    assert "obligation" in f.message and f.location.id == "acme:1.1"


def test_undefined_fact_in_applicability(write: Write) -> None:
    path = write(
        "acme.yaml",
        REGIME.replace(
            "        obligation: mandatory\n",
            "        obligation: conditional\n        applies_to: has_wifi\n",
        ),
    )
    f = _only(_findings(path), "unknown-fact")
    assert (f.location.line, "'has_wifi'" in f.message) == (17, True)


MAPPINGS = """\
mappings:
  source_regime: acme
  target_regime: cra
  items:
    - source: acme:1.1
      target: cra:annex-i.2.7
      relation: subset_of
      confidence: medium
      rationale: Signing is one part of secure distribution.
      provenance: {kind: authored, by: tester, method: reading}
"""


def test_mapping_checks(write: Write) -> None:
    regime = write("acme.yaml", REGIME)
    ok = write("acme__cra.yaml", MAPPINGS)
    assert _findings(regime, ok, shipped=True) == []
    both = write(
        "x/cra__acme.yaml",
        """\
mappings:
  source_regime: cra
  target_regime: acme
  items:
    - source: cra:annex-i.2.7
      target: acme:1.1
      relation: superset_of
      confidence: medium
      rationale: The inverse again.
      provenance: {kind: authored, by: tester, method: reading}
""",
    )
    f = _only(_findings(regime, ok, both, shipped=True), "mapping-both-directions")
    assert f.location.path == str(both) and f.location.line == 5


def test_mapping_without_rationale_or_provenance(write: Write) -> None:
    regime = write("acme.yaml", REGIME)
    bad = write(
        "acme__cra.yaml",
        MAPPINGS.replace(
            "      rationale: Signing is one part of secure distribution.\n", ""
        ).replace("      provenance: {kind: authored, by: tester, method: reading}\n", ""),
    )
    findings = _findings(regime, bad, shipped=True)
    assert _only(findings, "missing-rationale").location.line == 5
    assert _only(findings, "missing-provenance").location.line == 5


def test_mapping_to_unknown_control(write: Write) -> None:
    regime = write("acme.yaml", REGIME)
    bad = write("acme__cra.yaml", MAPPINGS.replace("cra:annex-i.2.7", "cra:annex-i.2.70"))
    f = _only(_findings(regime, bad, shipped=True), "unknown-reference")
    assert f.location.line == 5 and "cra:annex-i.2.70" in f.message


def test_decomposition_with_unknown_capability(write: Write) -> None:
    regime = write("acme.yaml", REGIME)
    caps = write(
        "caps.yaml",
        """\
capabilities:
  - id: cap:signed-updates
    name: Signed updates
    definition: Updates are signed and verified before installation.
    side: product
""",
    )
    dec = write(
        "dec.yaml",
        """\
decompositions:
  regime: acme
  items:
    - control: acme:1.1
      requires: [cap:signed-updates, cap:signed-update]
      rationale: Signing.
""",
    )
    f = _only(_findings(regime, caps, dec), "unknown-capability")
    assert (f.location.path, f.location.line, f.location.id) == (str(dec), 4, "acme:1.1")
    assert "'cap:signed-update'" in f.message


def test_file_kind_and_yaml_errors_are_findings(write: Write) -> None:
    weird = write("weird.yaml", "something: else\n")
    broken = write("broken.yaml", "regime: [\n")
    findings = _findings(weird, broken)
    assert _only(findings, "file-kind").location.path == str(weird)
    assert _only(findings, "yaml-syntax").location.path == str(broken)


def test_strict_load_raises_with_every_finding(write: Write) -> None:
    path = write(
        "acme.yaml",
        REGIME.replace("acme:1.1\n", "acme:one\n").replace(
            "obligation: mandatory", "obligation: conditional"
        ),
    )
    with pytest.raises(CatalogError) as info:
        regmap.load([path])
    assert {f.code for f in info.value.findings} >= {"id-scheme", "obligation-condition"}
    assert str(info.value).startswith(f"{path}:17: acme:one: ")


def test_missing_extra_path_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(regmap.DataError, match="no such file") as info:
        regmap.load([tmp_path / "nope"])
    assert info.value.code == "file-unreadable"
