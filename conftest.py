"""Root pytest configuration: make ``regmap`` available to every doctest."""

from __future__ import annotations

import pytest

import regmap


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict[str, object]) -> None:
    doctest_namespace["regmap"] = regmap
