from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import regmap

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ASSETS = Path(__file__).parent / "assets"


@pytest.fixture
def asset() -> Callable[[str], Path]:
    """Path of a file under tests/assets."""

    def get(name: str) -> Path:
        path = ASSETS / name
        assert path.exists(), path
        return path

    return get


@pytest.fixture(scope="session")
def kb() -> regmap.KnowledgeBase:
    return regmap.load()


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a file under tmp_path and return its path."""

    def put(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return put
