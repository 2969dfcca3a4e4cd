"""Free text to capabilities and controls, with scores a person can review.

Text is normalised (case, punctuation, British and US spelling, common security
abbreviations such as OTA, MFA/2FA, TLS/SSL, SBOM, CVD/VDP), misspelt words are corrected
against the vocabulary with rapidfuzz, and every capability (name, definition, keywords,
aliases) and control (title, statement) is scored by two measures:

* **fuzzy**: rapidfuzz's ``token_set_ratio`` of the text against each of a candidate's
  phrases (name, keywords, aliases, title), computed for many texts at once with
  ``process.cdist``;
* **overlap**: the share of the candidate's best phrase (and of its definition) found in the
  text, each word weighted by how rare it is in the vocabulary.

A match is *accepted* only when its score reaches :data:`ACCEPT_SCORE` and leads the
runner-up by :data:`ACCEPT_MARGIN`; otherwise the feature goes to "needs review" with its
candidates. docs/matching.md gives the evaluation behind these numbers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process

from regmap.catalog import KnowledgeBase, load

__all__ = [
    "ABBREVIATIONS",
    "ACCEPT_MARGIN",
    "ACCEPT_SCORE",
    "Match",
    "Matcher",
    "decide",
    "match",
    "match_many",
    "normalise",
]

ACCEPT_SCORE = 60.0
"""Lowest score at which a match is used without review."""
ACCEPT_MARGIN = 6.0
"""Lead over the runner-up a match needs to be used without review."""

#: Abbreviations expanded before matching (the abbreviation itself is kept too).
ABBREVIATIONS: dict[str, str] = {
    "ota": "over the air update",
    "fota": "firmware over the air update",
    "mfa": "multi factor authentication",
    "2fa": "two factor multi factor authentication",
    "2-factor": "two factor multi factor authentication",
    "tls": "transport layer security encryption in transit",
    "ssl": "transport layer security encryption in transit",
    "mtls": "mutual transport layer security authentication",
    "dtls": "transport layer security encryption in transit",
    "https": "transport layer security encryption in transit",
    "sbom": "software bill of materials",
    "cvd": "coordinated vulnerability disclosure",
    "vdp": "vulnerability disclosure policy",
    "psirt": "product security incident response team vulnerability handling",
    "cve": "vulnerability",
    "cves": "vulnerabilities",
    "hsm": "hardware security module secure storage keys",
    "tpm": "trusted platform module secure storage keys",
    "jtag": "debug interface",
    "uart": "debug interface serial console",
    "swd": "debug interface",
    "aslr": "address space layout randomisation exploit mitigation",
    "dep": "data execution prevention exploit mitigation",
    "e2ee": "end to end encryption",
    "aes": "encryption",
    "ecdsa": "digital signature",
    "rsa": "cryptography",
    "ssh": "secure shell remote access",
    "ntp": "network time synchronisation",
    "rbac": "role based access control",
    "sso": "single sign on authentication",
    "dos": "denial of service",
    "ddos": "distributed denial of service",
    "siem": "security event monitoring",
    "ids": "intrusion detection",
    "ips": "intrusion prevention",
    "pki": "public key infrastructure certificates",
    "fw": "firmware",
    "sw": "software",
    "gdpr": "personal data protection",
    "pen": "penetration",
    "pentest": "penetration test",
    "bcp": "business continuity plan",
    "dr": "disaster recovery",
    "otp": "one time password",
    "eol": "end of life support period",
    "eos": "end of support period",
}

_SPELLING = re.compile(r"\b(\w{3,}?)iz(e|es|ed|ing|ation|ations|er|ers)\b")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_STOP = frozenset(
    "a an and are as at be by can for from has have in into is it its of on or our the their "
    "this to we with will your you all any each every per via than that which when where".split()
)


def normalise(text: str) -> str:
    """Lower-case, unify spelling, expand abbreviations and drop punctuation.

    Examples:
        >>> from regmap.matching import normalise
        >>> normalise("OTA updates, signed & authorized!")
        'ota over the air update updates signed authorised'
    """
    text = _SPELLING.sub(lambda m: f"{m.group(1)}is{m.group(2)}", text.lower())
    words: list[str] = []
    for word in _WORD.findall(text.replace("/", " ").replace("_", " ")):
        words.append(word)
        if word in ABBREVIATIONS:
            words.extend(ABBREVIATIONS[word].split())
    return " ".join(words)


def _tokens(text: str) -> list[str]:
    return [w for w in normalise(text).split() if w not in _STOP]


def _stem(word: str) -> str:
    for suffix in (
        "ations",
        "ation",
        "ings",
        "ing",
        "ions",
        "ion",
        "ers",
        "er",
        "ies",
        "es",
        "ed",
        "s",
        "ly",
    ):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


class Match(BaseModel):
    """One candidate for a piece of free text.

    Examples:
        >>> m = regmap.match("firmware images are signed")[0]
        >>> m.kind, m.score > 0
        ('capability', True)
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
    id: str
    """The capability or control id."""
    kind: Literal["capability", "control"]
    """What was matched."""
    name: str
    """Its name or title."""
    score: float
    """0-100; higher is better."""
    words: tuple[str, ...]
    """The words of the text that matched."""


@dataclass(frozen=True)
class _Doc:
    id: str
    kind: Literal["capability", "control"]
    name: str
    phrases: tuple[str, ...]
    phrase_stems: tuple[frozenset[str], ...]
    definition: frozenset[str]
    vocabulary: frozenset[str]


def _doc(
    ident: str,
    kind: Literal["capability", "control"],
    name: str,
    phrases: Iterable[str],
    definition: str,
) -> _Doc:
    normal = tuple(normalise(p) for p in phrases if p.strip())
    stems = tuple(frozenset(_stem(w) for w in p.split() if w not in _STOP) for p in normal)
    defn = frozenset(_stem(t) for t in _tokens(definition))
    return _Doc(ident, kind, name, normal, stems, defn, frozenset().union(defn, *stems))


class Matcher:
    """A reusable index over a knowledge base's capabilities and controls.

    Examples:
        >>> from regmap.matching import Matcher
        >>> matcher = Matcher(regmap.load())
        >>> matcher.match("2FA for the admin console")[0].score > 0
        True
    """

    def __init__(self, kb: KnowledgeBase, *, controls: bool = True) -> None:
        docs = [
            _doc(c.id, "capability", c.name, (c.name, *c.keywords, *c.aliases), c.definition)
            for c in kb.capabilities
        ]
        if controls:
            docs += [
                _doc(c.id, "control", c.title, (c.title,), c.statement or "")
                for c in kb.controls()
                if not c.is_group
            ]
        self._docs = docs
        self._phrases: list[str] = []
        self._owner: list[int] = []
        for i, doc in enumerate(docs):
            for phrase in doc.phrases:
                self._phrases.append(phrase)
                self._owner.append(i)
        counts: Counter[str] = Counter()
        self._postings: dict[str, list[int]] = {}
        for i, doc in enumerate(docs):
            counts.update(doc.vocabulary)
            for stem in doc.vocabulary:
                self._postings.setdefault(stem, []).append(i)
        n = len(docs)
        self._idf = {w: math.log(1 + n / c) for w, c in counts.items()}
        self._vocabulary = sorted({w for p in self._phrases for w in p.split() if len(w) > 3})
        self._known = set(self._vocabulary)

    def _weight(self, words: Iterable[str]) -> float:
        return sum(self._idf.get(w, math.log(1 + len(self._docs))) for w in words)

    def _correct(self, words: list[str]) -> list[str]:
        out = []
        for w in words:
            if len(w) > 4 and w not in self._known and not w.isdigit():
                best = process.extractOne(w, self._vocabulary, scorer=fuzz.ratio, score_cutoff=85)
                out.append(best[0] if best else w)
            else:
                out.append(w)
        return out

    def _score(self, stems: frozenset[str], doc: _Doc) -> tuple[float, frozenset[str]]:
        """Specificity-weighted agreement of the text with the candidate, 0-100."""
        explained = stems & doc.vocabulary
        if not explained:
            return 0.0, explained
        precision = self._weight(explained) / self._weight(stems)
        recall = 0.0
        for words in (*doc.phrase_stems, doc.definition):
            if words:
                share = self._weight(words & stems) / self._weight(words)
                recall = max(recall, share if words is not doc.definition else 0.8 * share)
        if recall == 0:
            return 0.0, explained
        return 100 * math.sqrt(precision * recall), explained

    def match_many(
        self,
        texts: Sequence[str],
        *,
        limit: int = 5,
        workers: int = 1,
        kind: Literal["capability", "control", "any"] = "capability",
    ) -> list[list[Match]]:
        """Rank candidates for many texts at once (``workers`` threads for rapidfuzz)."""
        cleaned = [" ".join(self._correct(normalise(t).split())) for t in texts]
        fuzzy = process.cdist(
            cleaned, self._phrases, scorer=fuzz.token_set_ratio, workers=workers, score_cutoff=50
        )
        results = []
        for row, text in zip(fuzzy, cleaned, strict=True):
            stems = frozenset(_stem(w) for w in text.split() if w not in _STOP)
            best: dict[int, float] = {}
            for j in row.nonzero()[0]:
                owner = self._owner[int(j)]
                best[owner] = max(best.get(owner, 0.0), float(row[j]))
            results.append(self._rank(stems, best, limit, kind))
        return results

    def _rank(
        self, stems: frozenset[str], fuzzy: dict[int, float], limit: int, kind: str
    ) -> list[Match]:
        candidates = {i for s in stems for i in self._postings.get(s, ())}
        scored: list[tuple[float, int, frozenset[str]]] = []
        for i in candidates:
            doc = self._docs[i]
            if kind != "any" and doc.kind != kind:
                continue
            overlap, hit = self._score(stems, doc)
            if overlap <= 0:
                continue
            score = 0.8 * overlap + 0.2 * fuzzy.get(i, 0.0)
            scored.append((round(score, 2), i, hit))
        scored.sort(key=lambda s: (-s[0], self._docs[s[1]].id))
        return [
            Match(
                id=self._docs[i].id,
                kind=self._docs[i].kind,
                name=self._docs[i].name,
                score=score,
                words=tuple(sorted(hit)),
            )
            for score, i, hit in scored[:limit]
        ]

    def match(
        self,
        text: str,
        *,
        limit: int = 5,
        kind: Literal["capability", "control", "any"] = "capability",
    ) -> list[Match]:
        """Rank candidates for one text."""
        return self.match_many([text], limit=limit, kind=kind)[0]


_MATCHERS: dict[int, Matcher] = {}


def _matcher(kb: KnowledgeBase) -> Matcher:
    key = id(kb)
    if key not in _MATCHERS:
        _MATCHERS.clear()
        _MATCHERS[key] = Matcher(kb)
    return _MATCHERS[key]


def match(
    text: str,
    kb: KnowledgeBase | None = None,
    limit: int = 5,
    *,
    kind: Literal["capability", "control", "any"] = "capability",
) -> list[Match]:
    """Rank the capabilities (or controls) that a piece of free text describes.

    Examples:
        >>> best = regmap.match("JTAG fused off in production units")[0]
        >>> best.id
        'cap:hardware-debug-ports-locked'
    """
    return _matcher(kb or load()).match(text, limit=limit, kind=kind)


def match_many(
    texts: Iterable[str], kb: KnowledgeBase | None = None, limit: int = 5, *, workers: int = 1
) -> list[list[Match]]:
    """Rank capabilities for many texts at once, using rapidfuzz's vectorised ``cdist``.

    Examples:
        >>> from regmap.matching import match_many
        >>> [m[0].id for m in match_many(["SBOM in SPDX format"])]
        ['cap:sbom']
    """
    return _matcher(kb or load()).match_many(list(texts), limit=limit, workers=workers)


def decide(
    text: str, kb: KnowledgeBase | None = None, *, limit: int = 5
) -> tuple[Match | None, list[Match]]:
    """Accept the best capability for a text only when it is clearly best.

    Returns the accepted match (or None) and the ranked candidates. A match is accepted when
    its score is at least :data:`ACCEPT_SCORE` and it leads the runner-up by at least
    :data:`ACCEPT_MARGIN`; nothing is guessed otherwise.

    Examples:
        >>> from regmap.matching import decide
        >>> accepted, candidates = decide("battery lasts two weeks")
        >>> accepted is None
        True
    """
    candidates = match(text, kb, limit=limit)
    if not candidates:
        return None, candidates
    top = candidates[0]
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0
    if top.score >= ACCEPT_SCORE and top.score - runner_up >= ACCEPT_MARGIN:
        return top, candidates
    return None, candidates
