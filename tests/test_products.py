from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import regmap
from regmap.errors import DataError, ProductError

EXAMPLES = Path(__file__).parents[1] / "examples" / "products"
Write = Callable[[str, str], Path]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_product_loads_and_checks(path: Path, kb: regmap.KnowledgeBase) -> None:
    product = regmap.load_product(path, kb)
    assert product.name and product.features


def test_there_are_four_realistic_examples() -> None:
    names = {p.stem for p in EXAMPLES.glob("*.yaml")}
    assert {"smart-camera", "home-router", "industrial-gateway", "federal-wearable"} <= names


def test_json_product(write: Write, kb: regmap.KnowledgeBase) -> None:
    path = write(
        "p.json",
        json.dumps({"name": "J", "markets": ["eu"], "features": [{"capability": "cap:sbom"}]}),
    )
    assert regmap.load_product(path, kb).features[0].capability == "cap:sbom"


def test_invalid_product_names_file_line_and_field(write: Write) -> None:
    path = write("p.yaml", "name: Cam\nfeatures:\n  - capability: cap:sbom\n    status: done\n")
    with pytest.raises(ProductError) as info:
        regmap.load_product(path)
    err = info.value
    assert (err.path, err.line, err.id) == (str(path), 4, "Cam")  # the line of status:
    assert "features.0.status" in err.message


def test_feature_needs_exactly_one_kind(write: Write) -> None:
    path = write("p.yaml", "name: Cam\nfeatures:\n  - capability: cap:sbom\n    text: x\n")
    with pytest.raises(ProductError, match="exactly one of capability, control or text"):
        regmap.load_product(path)


def test_unknown_capability_in_a_product_file(write: Write, kb: regmap.KnowledgeBase) -> None:
    path = write("p.yaml", "name: Cam\nfeatures:\n  - capability: cap:sbon\n")
    with pytest.raises(ProductError) as info:
        regmap.load_product(path, kb)
    assert (info.value.code, info.value.line) == ("unknown-id", 3)
    assert "did you mean 'cap:sbom'" in str(info.value)


def test_unknown_fact_and_bad_value(write: Write, kb: regmap.KnowledgeBase) -> None:
    path = write("p.yaml", "name: Cam\nfacts:\n  usespasswords: true\n")
    with pytest.raises(ProductError, match="did you mean 'uses_passwords'") as info:
        regmap.load_product(path, kb)
    assert info.value.code == "unknown-fact"
    path = write("q.yaml", "name: Cam\ncra_class: class-iii\n")
    with pytest.raises(ProductError, match="'class-iii' is not one of"):
        regmap.load_product(path, kb)
    path = write("r.yaml", "name: Cam\nmarkets: [mars]\n")
    with pytest.raises(ProductError, match="'mars' is not one of"):
        regmap.load_product(path, kb)


def test_unsupported_and_broken_files(write: Write) -> None:
    with pytest.raises(ProductError, match="unsupported product file type '.txt'"):
        regmap.load_product(write("p.txt", "name: x"))
    with pytest.raises(DataError, match="invalid JSON") as info:
        regmap.load_product(write("p.json", '{"name": "x",\n "features": [}'))
    assert info.value.line == 2
    with pytest.raises(ProductError, match="a mapping"):
        regmap.load_product(write("p.yaml", "- just\n- a list\n"))
