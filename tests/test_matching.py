"""The free-text matcher: accuracy on the phrase sets, and unit behaviour.

Two labelled phrase sets live in tests/assets/matching (docs/matching.md):

* ``dev-phrases.yaml``, the development set the matcher and its thresholds were tuned on;
* ``phrases.yaml``, the held-out evaluation set, consulted only for aggregate figures.

The targets (issue 6) are a top-1 accuracy of at least 0.85 over the labelled phrases and a
precision of at least 0.95 over the matches :func:`regmap.matching.decide` would accept (an
accepted match on a phrase labelled ``none`` counts as wrong).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import regmap
from regmap.errors import CatalogError
from regmap.matching import (
    ACCEPT_MARGIN,
    ACCEPT_SCORE,
    Match,
    Matcher,
    decide,
    match_many,
    normalise,
)

PHRASES = Path(__file__).parent / "assets" / "matching"
TOP1_TARGET = 0.85
PRECISION_TARGET = 0.95


def _load_kb() -> regmap.KnowledgeBase:
    """The shipped knowledge base; tolerant of a decomposition file being edited meanwhile."""
    for _ in range(3):
        try:
            return regmap.load()
        except CatalogError:
            time.sleep(0.5)
    return regmap.load(strict=False)


@pytest.fixture(scope="module")
def kb() -> regmap.KnowledgeBase:
    return _load_kb()


@pytest.fixture(scope="module")
def matcher(kb: regmap.KnowledgeBase) -> Matcher:
    return Matcher(kb)


@dataclass(frozen=True)
class Figures:
    phrases: int
    top1: float
    precision: float
    acceptance: float

    def __str__(self) -> str:
        return (
            f"{self.phrases} phrases: top-1 {self.top1:.3f}, accepted precision "
            f"{self.precision:.3f}, acceptance {self.acceptance:.3f} "
            f"(ACCEPT_SCORE {ACCEPT_SCORE:g}, ACCEPT_MARGIN {ACCEPT_MARGIN:g})"
        )


def _accepted(candidates: list[Match]) -> Match | None:
    """What :func:`decide` accepts, computed from already ranked candidates."""
    if not candidates:
        return None
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    top = candidates[0]
    ok = top.score >= ACCEPT_SCORE and top.score - runner_up >= ACCEPT_MARGIN
    return top if ok else None


def _figures(matcher: Matcher, name: str) -> Figures:
    rows = yaml.safe_load((PHRASES / name).read_text(encoding="utf-8"))["phrases"]
    labels = [row["capability"] for row in rows]
    ranked = matcher.match_many([row["text"] for row in rows], limit=2)
    labelled = [(r, label) for r, label in zip(ranked, labels, strict=True) if label != "none"]
    top1 = sum(bool(r) and r[0].id == label for r, label in labelled) / len(labelled)
    accepted = [(_accepted(r), label) for r, label in zip(ranked, labels, strict=True)]
    decided = [(m.id, label) for m, label in accepted if m is not None]
    precision = sum(got == label for got, label in decided) / max(len(decided), 1)
    return Figures(len(rows), top1, precision, len(decided) / len(rows))


def test_held_out_set_meets_the_targets(matcher: Matcher) -> None:
    figures = _figures(matcher, "phrases.yaml")
    print(f"\nheld-out set: {figures}")
    assert figures.top1 >= TOP1_TARGET, figures
    assert figures.precision >= PRECISION_TARGET, figures


def test_development_set_figures(matcher: Matcher) -> None:
    figures = _figures(matcher, "dev-phrases.yaml")
    print(f"\ndevelopment set: {figures}")
    assert figures.top1 >= TOP1_TARGET, figures
    assert figures.precision >= PRECISION_TARGET, figures


# ── normalise ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OTA", "ota over the air update"),
        ("2FA", "2fa two factor multi factor authentication"),
        ("SBOM", "sbom software bill of materials"),
        ("TLS!", "tls transport layer security encryption in transit"),
        ("Authorized users", "authorised users"),
        ("We analyze telemetry", "we analyse telemetry"),
        ("Organization, color, center", "organisation colour centre"),
        ("Firmware_update/rollback", "firmware update rollback"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_keeps_british_spelling_and_hyphenated_words() -> None:
    assert normalise("Minimised, anonymised telemetry") == "minimised anonymised telemetry"
    assert normalise("Multi-factor sign-in") == "multi-factor sign-in"


def test_british_and_us_spellings_match_the_same_way(matcher: Matcher) -> None:
    us = matcher.match("Only authorized administrators can change the configuration")
    uk = matcher.match("Only authorised administrators can change the configuration")
    assert [(m.id, m.score) for m in us] == [(m.id, m.score) for m in uk]


# ── typo correction ─────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("typo", "correct"),
    [
        (
            "Firmware imges are cryptographicaly signed",
            "Firmware images are cryptographically signed",
        ),
        ("Private keys are kept in a secure elemnt", "Private keys are kept in a secure element"),
        ("Vulnerabilty disclosure polcy published", "Vulnerability disclosure policy published"),
    ],
)
def test_typos_are_corrected(matcher: Matcher, typo: str, correct: str) -> None:
    assert matcher.match(typo)[0].id == matcher.match(correct)[0].id


def test_corrected_words_are_reported_as_matched(matcher: Matcher) -> None:
    best = matcher.match("Secure boot verfies the bootloader signature")[0]
    assert best.id == "cap:secure-boot"
    assert "verifies" in best.words


def test_unknown_words_are_not_forced_onto_the_vocabulary(matcher: Matcher) -> None:
    assert matcher.match("Zigbee Thread Matter") == [] or all(
        m.score < ACCEPT_SCORE for m in matcher.match("Zigbee Thread Matter")
    )


# ── batch and single ────────────────────────────────────────────────────────────────────

TEXTS = [
    "JTAG fused off in production units",
    "SBOM in SPDX format",
    "Admins must use 2FA to sign in",
    "Encrypted with AES-256 at rest",
    "battery lasts two weeks",
    "",
    "Securty patches are free of charge",
]


def test_batch_equals_single(matcher: Matcher) -> None:
    batch = matcher.match_many(TEXTS, limit=4, workers=2)
    assert batch == [matcher.match(t, limit=4) for t in TEXTS]
    assert match_many(TEXTS, limit=4) == batch


def test_batches_larger_than_one_chunk_are_consistent(matcher: Matcher) -> None:
    texts = TEXTS * 100
    batch = matcher.match_many(texts, limit=2)
    assert len(batch) == len(texts)
    assert batch[: len(TEXTS)] == batch[-len(TEXTS) :]


def test_results_are_ranked_and_limited(matcher: Matcher) -> None:
    ranked = matcher.match("Firmware updates are signed and verified before installation", limit=3)
    assert len(ranked) == 3
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert all(0 < m.score <= 100 and m.kind == "capability" for m in ranked)


def test_controls_can_be_matched(matcher: Matcher) -> None:
    controls = matcher.match("no universal default passwords", kind="control")
    assert controls and all(m.kind == "control" for m in controls)
    mixed = matcher.match("no universal default passwords", kind="any", limit=10)
    assert {m.kind for m in mixed} == {"capability", "control"}


# ── decide and regmap.match ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "fluff",
    [
        "battery lasts two weeks",
        "Available in three stylish colours",
        "We take your security seriously",
        "Works with Alexa and Google Home",
    ],
)
def test_decide_rejects_fluff(kb: regmap.KnowledgeBase, fluff: str) -> None:
    accepted, _ = decide(fluff, kb)
    assert accepted is None


@pytest.mark.parametrize(
    ("text", "capability"),
    [
        ("JTAG fused off in production units", "cap:hardware-debug-ports-locked"),
        ("SBOM in SPDX format", "cap:sbom"),
        (
            "Firmware images are signed and the signature is verified before installation",
            "cap:signed-updates",
        ),
        ("Security updates are provided free of charge", "cap:free-security-updates"),
        ("Every unit ships with its own unique password", "cap:unique-device-credentials"),
        (
            "Staff must use MFA for remote access to company systems",
            "cap:multi-factor-authentication",
        ),
        (
            "Users can turn on two-factor authentication for their app account",
            "cap:multi-factor-authentication-support",
        ),
    ],
)
def test_clear_cases(kb: regmap.KnowledgeBase, text: str, capability: str) -> None:
    assert regmap.match(text, kb)[0].id == capability
    accepted, candidates = decide(text, kb)
    assert accepted is not None and accepted.id == capability
    assert candidates[0] == accepted
