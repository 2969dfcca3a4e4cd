"""Free text to capabilities and controls, with scores a person can review.

The matcher is a small, explainable retrieval model; docs/matching.md gives its method and
evaluation.

1. **Normalise** the text: case, punctuation, British and US spelling, common security
   abbreviations (OTA, MFA/2FA, TLS/SSL, SBOM, CVD/VDP and others) expanded in place.
2. **Correct typos**: a word that is neither a vocabulary word nor a form of one is replaced
   by the closest vocabulary word within one edit (two for long words); the unknown words of
   a whole batch are corrected in one vectorised rapidfuzz ``process.cdist`` call.
3. **Analyse** the words into weighted terms: Porter stems; security-domain synonyms folded
   onto one term (passcode/PIN/password, wipe/erase, sign in/log in, two-step/2FA/MFA, ...);
   implied terms (a firmware patch is also a software update); and pairs of adjacent words.
   Words that come from an abbreviation's expansion, and implied terms, weigh less.
4. **Score** every candidate. A capability's terms come from its name, aliases and keywords,
   its definition and, more weakly, the titles and statements of the controls decomposed into
   it; each field has its own weight and each term an inverse-document-frequency weight. Two
   measures are combined into a 0-100 score:

   * **explained**: the weighted share of the text's terms that the candidate contains.
     Words the vocabulary has never seen count against it, which keeps product features and
     marketing fluff low;
   * **covered**: the weighted share of the candidate's best phrase (its name, an alias, a
     keyword or, discounted, its definition) that the text contains.

   The score is ``100 * explained ** 0.8 * covered ** 0.2``, computed with numpy over sparse
   postings for a whole batch at once.

A match is *accepted* only when its score reaches :data:`ACCEPT_SCORE` and leads the
runner-up by :data:`ACCEPT_MARGIN`; otherwise the feature goes to "needs review" with its
candidates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict
from rapidfuzz import process
from rapidfuzz.distance import OSA

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

ACCEPT_SCORE = 40.0
"""Lowest score at which a match is used without review."""
ACCEPT_MARGIN = 12.0
"""Lead over the runner-up a match needs to be used without review."""

#: Abbreviations expanded before matching (the abbreviation itself is kept too); the words of
#: an expansion count half as much as the text's own words.
ABBREVIATIONS: dict[str, str] = {
    "ota": "over the air update",
    "fota": "firmware over the air update",
    "sota": "software over the air update",
    "mfa": "multi factor authentication",
    "2fa": "two factor multi factor authentication",
    "2-factor": "two factor multi factor authentication",
    "2sv": "two step verification multi factor authentication",
    "tfa": "two factor multi factor authentication",
    "totp": "time based one time password multi factor authentication",
    "tls": "transport layer security encryption in transit",
    "ssl": "transport layer security encryption in transit",
    "mtls": "mutual transport layer security authentication",
    "dtls": "transport layer security encryption in transit",
    "https": "transport layer security encryption in transit",
    "mqtts": "transport layer security encryption in transit",
    "wpa2": "wifi encryption",
    "wpa3": "wifi encryption",
    "ipsec": "encryption in transit",
    "vpn": "virtual private network encryption",
    "sbom": "software bill of materials",
    "hbom": "hardware bill of materials",
    "spdx": "software bill of materials",
    "cyclonedx": "software bill of materials",
    "cvd": "coordinated vulnerability disclosure",
    "vdp": "vulnerability disclosure policy",
    "psirt": "product security incident response team vulnerability handling",
    "csirt": "computer security incident response team",
    "cve": "vulnerability",
    "cves": "vulnerabilities",
    "cvss": "vulnerability severity score",
    "hsm": "hardware security module secure storage keys",
    "tpm": "trusted platform module secure storage keys",
    "tee": "trusted execution environment",
    "jtag": "debug interface",
    "uart": "debug interface serial console",
    "swd": "debug interface",
    "aslr": "address space layout randomisation exploit mitigation",
    "dep": "data execution prevention exploit mitigation",
    "cfi": "control flow integrity exploit mitigation",
    "e2ee": "end to end encryption",
    "aes": "encryption",
    "ecdsa": "digital signature",
    "eddsa": "digital signature",
    "ed25519": "digital signature",
    "rsa": "cryptography",
    "ecc": "cryptography",
    "ecdh": "key exchange cryptography",
    "sha": "hash",
    "sha256": "hash",
    "hmac": "message authentication code integrity",
    "ssh": "secure shell remote access",
    "ntp": "network time synchronisation",
    "nts": "network time security authenticated time synchronisation",
    "ptp": "precision time synchronisation",
    "rbac": "role based access control",
    "abac": "attribute based access control",
    "acl": "access control list",
    "sso": "single sign on authentication",
    "iam": "identity and access management",
    "idp": "identity provider",
    "pam": "privileged access management",
    "dos": "denial of service",
    "ddos": "distributed denial of service",
    "siem": "security information event monitoring log",
    "soc": "security operations centre monitoring",
    "edr": "endpoint detection response monitoring",
    "xdr": "extended detection response monitoring",
    "ids": "intrusion detection",
    "ips": "intrusion prevention",
    "pki": "public key infrastructure certificates",
    "fw": "firmware",
    "sw": "software",
    "os": "operating system",
    "gdpr": "personal data protection",
    "pii": "personal data",
    "dpia": "data protection impact assessment",
    "pen": "penetration",
    "pentest": "penetration test",
    "pentests": "penetration tests",
    "sast": "static code analysis",
    "dast": "dynamic security testing",
    "sca": "software composition analysis",
    "sdl": "secure development lifecycle",
    "sdlc": "secure development lifecycle",
    "ssdf": "secure development framework",
    "bcp": "business continuity plan",
    "drp": "disaster recovery plan",
    "dr": "disaster recovery",
    "bia": "business impact analysis",
    "rto": "recovery time objective",
    "rpo": "recovery point objective",
    "otp": "one time password",
    "eol": "end of life support period",
    "eos": "end of support period",
    "doc": "declaration of conformity",
    "ciso": "chief information security officer",
    "kpi": "metrics",
    "kpis": "metrics",
    "kri": "risk metrics",
    "isac": "information sharing analysis centre",
    "cti": "cyber threat intelligence",
    "ioc": "indicator of compromise",
    "iocs": "indicators of compromise",
    "rca": "root cause analysis",
    "raci": "roles responsibilities",
    "nda": "non disclosure agreement",
    "dpa": "data processing agreement",
    "kms": "key management system",
    "mdm": "mobile device management",
    "dlp": "data loss prevention",
    "isms": "information security management system",
    "ble": "bluetooth",
    "rtos": "operating system",
    "cmdb": "configuration management database inventory",
    "ueba": "user behaviour analytics",
    "ztna": "zero trust network access",
    "vlan": "network segmentation",
    "vlans": "network segmentation",
    "waf": "web application firewall",
    "upnp": "universal plug and play service",
    "mdns": "multicast dns service",
    "snmp": "network management protocol service",
}

_SPELLING = re.compile(r"\b(\w{3,}?)iz(e|es|ed|ing|ation|ations|er|ers|able)\b")
_YSE = re.compile(r"\b(\w{2,}?)yz(e|es|ed|ing|er|ers)\b")
_WORD = re.compile(r"[a-z0-9]+(?:[-'.][a-z0-9]+)*")
_PARTS = re.compile(r"[-.']|(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")


def _pairs(table: str) -> dict[str, str]:
    """``"a: x y; b: z"`` as ``{"a": "x y", "b": "z"}``."""
    items = (item.split(":") for item in table.split(";") if item.strip())
    return {k.strip(): v.strip() for k, v in items}


#: US spellings replaced by the British ones the vocabulary uses.
_US_UK = _pairs(
    """color: colour; colors: colours; behavior: behaviour; behaviors: behaviours;
    behavioral: behavioural; center: centre; centers: centres; catalog: catalogue;
    catalogs: catalogues; defense: defence; license: licence; licenses: licences;
    program: programme; programs: programmes; artifact: artefact; artifacts: artefacts;
    enroll: enrol; enrollment: enrolment; fulfill: fulfil; modeling: modelling;
    labeling: labelling; labeled: labelled; canceled: cancelled; judgment: judgement;
    acknowledgment: acknowledgement; gray: grey; meter: metre; meters: metres;
    harbor: harbour; favor: favour; honor: honour; offense: offence"""
)
#: Number words and unit abbreviations, as digits and words.
_NUMBERS = _pairs(
    """one: 1; two: 2; three: 3; four: 4; five: 5; six: 6; seven: 7; eight: 8; nine: 9;
    ten: 10; twelve: 12; fourteen: 14; fifteen: 15; twenty: 20; thirty: 30; ninety: 90;
    h: hour; hr: hour; hrs: hours; yr: year; yrs: years; mins: minutes"""
)
_STOP = frozenset(
    """a an and are as at be been being by can could do does did for from has have had in
    into is it its of on or our ours the their theirs this these those to we with will would
    your yours you all any each every per via than that which when where while who whom whose
    what how why so such then there they them us my me i he she his her was were also just
    should shall may might must if else e g eg ie etc yes let lets here about over under up
    out off very more most much many some other another same both either neither nor not no
    only own too again further once am because before after above below between through during
    until against among within without upon onto around along whether ll ve re s t d m don
    doesn isn aren won can't""".split()
)
#: Words that never count against a text although the vocabulary has not seen them.
_NEUTRAL = _STOP | frozenset("now simply easily".split())

#: Synonyms folded onto the first of their group ("|"-separated; members may be phrases).
_SYNONYMS = (
    "password | passcode | passphrase | passwd | pwd | =pin | =pins | pin code | access code"
    " | access codes | user code | user codes",
    "login | log in | log on | logon | sign in | signin | sign on"
    " | signing in | signed in | logging in | logs in to | logs into | sign into | log into"
    " | logins | sign ins",
    "mfa | multi factor | multifactor | two factor | twofactor | 2 factor | second factor"
    " | two step | 2 step | multi step | additional factor",
    "username | user name | user id | userid",
    "administrator | admin | admins | administrators | sysadmin",
    "erase | wipe | wiped | wipes | wiping | purge | zeroise | zeroisation | =zeroing | =zeroed"
    " | scrub | shred | shredded",
    "encrypt | encipher | ciphertext | encrypted | encryption | encrypting",
    "signature | sign | signed | signing | signatures",
    "vulnerability | vuln | vulns | security flaw | security flaws | security hole"
    " | security holes | security issue | security issues | security bug | security bugs"
    " | security weakness | security weaknesses | =weakness | =weaknesses",
    "disable | turn off | turns off | turned off | switch off | switches off | switched off"
    " | deactivate | deactivated | toggle off | shut off | disabled | off by default",
    "enable | turn on | turns on | turned on | switch on | switched on | =activate | =activated"
    " | toggle on",
    "default | out of the box | out of box | factory settings | as shipped | shipped state",
    "setup | set up | sets up | setting up",
    "optin | opt in | opts in | opted in",
    "optout | opt out | opts out | opted out",
    "backup | back up | backs up | backing up | backed up",
    "offline | no internet | without internet | internet goes down | internet is down"
    " | internet outage | internet connection drops | loses connectivity | no connectivity"
    " | without connectivity | no network | without a network | without network"
    " | connection is lost | no wifi | without wifi | no cloud | without the cloud"
    " | cloud outage | network outage",
    "outage | power cut | blackout | power failure | power outage | power loss | brownout",
    "restart | reboot | reboots | rebooted | power cycle",
    "wifi | wi fi | wlan | wireless lan",
    "email | e mail | mail",
    "staff | employee | employees | personnel | workforce | colleague | colleagues | staffer"
    " | staffers | worker | workers | new hires | hires | team members",
    "supplier | vendor | vendors | subcontractor | subcontractors | sub processor",
    "laptop | laptops | workstation | workstations | desktop | desktops | notebook | notebooks"
    " | pcs",
    "certificate | cert | certs | x509 | x 509",
    "timestamp | time stamp | timestamps | time stamped | timestamped",
    "modify | alter | altered | alteration | manipulate | manipulated | manipulation"
    " | modification | modifications | modified",
    "notify | notification | notifications | notified | push notification | push message"
    " | let you know | lets you know",
    "tell | =inform | =informs | =informed | tells | told | explain | explains",
    "remove | removal | delete | deleted | deletes | deletion | removed | removes",
    "throttle | rate limit | rate limited | rate limiting | throttled | throttling",
    "lockout | lock out | locked out | locks out | locked for | is locked | are locked"
    " | account lock | temporarily locked",
    "attempt | try | tries | attempts",
    "fail | wrong | incorrect | invalid | unsuccessful | failed | bad",
    "regulator | =authority | =authorities | regulators | competent authority"
    " | supervisory authority",
    "board | management body | board of directors | directors | executive board"
    " | executive team | leadership team | senior management | top management | c suite",
    "privacy notice | privacy policy | privacy statement | data protection notice"
    " | privacy information",
    "penetration | pen test | pentest | ethical hacker | ethical hackers | ethical hacking"
    " | red team",
    "=continuous | =continuously | 24 7 | round the clock | around the clock | always on",
    "recall | product recall | recalls | recalled",
    "bluetooth | bt | bluetooth le",
    "phone | smartphone | mobile | iphone | android",
    "tamper | tampering | tampered | tamper proof | tamperproof",
    "revoke | revocation | revoked | revokes",
    "rollback | roll back | rolled back | revert | reverted | downgrade",
    "postpone | defer | deferral | snooze | delay the update",
    "=customer | =customers | =buyer | =buyers | =purchaser",
    "=container | =containers | =containerised | =containerized | =docker",
    "automatic | automatically | automated | automation | auto | unattended",
    "=certification | =certifications | =certified | =certify | =certifying",
    "=integrity",
    "=designation | =designations",
    "=designate | =designated | =designates",
    "=responsibility | =responsibilities | =responsible",
    "=executive | =executives",
    "=general | =generic | =generally",
    "=operator | =operators",
    "=activity | =activities",
    "=continuity",
    "=removable",
    "=uuid | =uuids | =guid | =guids",
    "factory reset | reset to factory | restore defaults | restore factory | reset to defaults"
    " | reset to default",
)
#: Terms that imply others (one way, at reduced weight): a firmware patch is a software update.
_IMPLIES = _pairs(
    """firmware: software; patch: update security; hotfix: update security; upgrade: update;
    app: software application; ciphertext: encrypt; erase: delete; breach: incident;
    compromise: incident; mfa: authentication; login: authentication; lockout: brute force;
    throttle: brute force; tamper: modify; ecdsa: signature; checksum: integrity;
    hash: integrity; syslog: log; journal: log; laptop: endpoint; server: system;
    corporate: organisation; company: organisation; enterprise: organisation;
    internal: organisation; camera: video; doorbell: video"""
)

# Constants of the score, chosen on the development set (docs/matching.md).
_FIELD_WEIGHTS = {"name": 1.0, "alias": 0.9, "keyword": 0.85, "definition": 0.8, "control": 0.3}
_EXPANSION_WEIGHT = 0.5
_IMPLIED_WEIGHT = 0.5
_BIGRAM_WEIGHT = 0.25
_WEAK_WEIGHT = 0.3
_UNKNOWN_MASS = 1.0
_CORRECT_MIN = 5
_EXPLAINED_EXPONENT = 0.8
_DEFINITION_COVERAGE = 0.8
_CONTROL_FANOUT = 3
_CHUNK = 512

_Token = tuple[str, float]


def _raw_tokens(text: str) -> list[_Token]:
    """Normalised words, each with its weight (abbreviation expansions weigh less)."""
    text = _SPELLING.sub(lambda m: f"{m.group(1)}is{m.group(2)}", text.lower())
    text = _YSE.sub(lambda m: f"{m.group(1)}ys{m.group(2)}", text)
    out: list[_Token] = []
    for raw in _WORD.findall(text.replace("/", " ").replace("_", " ")):
        parts = [_US_UK.get(p, p) for p in raw.strip(".'").split("-")]
        word = "-".join(parts)
        out.append((word, 1.0))
        for part in [word] if word in ABBREVIATIONS else parts:
            expansion = ABBREVIATIONS.get(part, "")
            out.extend((w, _EXPANSION_WEIGHT) for w in expansion.split())
    return out


def normalise(text: str) -> str:
    """Lower-case, unify spelling, expand abbreviations and drop punctuation.

    Examples:
        >>> from regmap.matching import normalise
        >>> normalise("OTA updates, signed & authorized!")
        'ota over the air update updates signed authorised'
        >>> normalise("Color-coded 2FA")
        'colour-coded 2fa two factor multi factor authentication'
    """
    return " ".join(w for w, _ in _raw_tokens(text))


# ── Porter stemmer ──────────────────────────────────────────────────────────────────────


def _cons(w: str, i: int) -> bool:
    c = w[i]
    if c in "aeiou":
        return False
    if c == "y":
        return i == 0 or not _cons(w, i - 1)
    return True


def _measure(w: str) -> int:
    n, vowel = 0, False
    for i in range(len(w)):
        cons = _cons(w, i)
        if vowel and cons:
            n += 1
        vowel = not cons
    return n


def _has_vowel(w: str) -> bool:
    return any(not _cons(w, i) for i in range(len(w)))


def _double(w: str) -> bool:
    return len(w) > 1 and w[-1] == w[-2] and _cons(w, len(w) - 1)


def _cvc(w: str) -> bool:
    n = len(w)
    return (
        n > 2 and _cons(w, n - 3) and not _cons(w, n - 2) and _cons(w, n - 1) and w[-1] not in "wxy"
    )


_STEP2 = (
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
)
_STEP3 = (
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
)
_STEP4 = (
    "ement",
    "ment",
    "ance",
    "ence",
    "able",
    "ible",
    "ant",
    "ent",
    "ism",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
    "ion",
    "al",
    "er",
    "ic",
    "ou",
)
_TO_IZE = re.compile(r"(\w{2,}?)is(e|es|ed|ing|ation|ations|er|ers|able)$")


def _step1(w: str) -> str:
    if w.endswith(("sses", "ies")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    again = False
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]
    elif w.endswith("ed") and _has_vowel(w[:-2]):
        w, again = w[:-2], True
    elif w.endswith("ing") and _has_vowel(w[:-3]):
        w, again = w[:-3], True
    if again:
        if w.endswith(("at", "bl", "iz")):
            w += "e"
        elif _double(w) and w[-1] not in "lsz":
            w = w[:-1]
        elif _measure(w) == 1 and _cvc(w):
            w += "e"
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    return w


def _step234(w: str) -> str:
    for suffix, repl in _STEP2:
        if w.endswith(suffix):
            if _measure(w[: -len(suffix)]) > 0:
                w = w[: -len(suffix)] + repl
            break
    for suffix, repl in _STEP3:
        if w.endswith(suffix):
            if _measure(w[: -len(suffix)]) > 0:
                w = w[: -len(suffix)] + repl
            break
    for suffix in _STEP4:
        if w.endswith(suffix):
            stem = w[: -len(suffix)]
            if _measure(stem) > 1 and (suffix != "ion" or stem.endswith(("s", "t"))):
                w = stem
            break
    return w


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Porter's stemmer, with British ``-ise`` folded onto ``-ize`` first."""
    if len(word) <= 2 or not word.isalpha():
        return word
    w = _TO_IZE.sub(r"\1iz\2", word)
    w = _step234(_step1(w))
    if w.endswith("e"):
        m = _measure(w[:-1])
        if m > 1 or (m == 1 and not _cvc(w[:-1])):
            w = w[:-1]
    if _measure(w) > 1 and _double(w) and w.endswith("l"):
        w = w[:-1]
    return w


# ── Analysis: words to weighted terms ──────────────────────────────────────────────────


def _build_synonyms() -> tuple[
    dict[str, list[tuple[tuple[str, ...], str]]], dict[str, str], dict[str, str]
]:
    """Multi-word members by first word; single words by stem, or as written with "="."""
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    stems: dict[str, str] = {}
    exact: dict[str, str] = {}
    for group in _SYNONYMS:
        members = [m.strip() for m in group.split("|")]
        head = members[0].lstrip("=").replace(" ", "_")
        for member in members:
            words = tuple(member.lstrip("=").split())
            if len(words) > 1:
                phrases.setdefault(words[0], []).append((words, head))
            elif member.startswith("="):
                exact[words[0]] = head
            else:
                stems[_stem(words[0])] = head
    for options in phrases.values():
        options.sort(key=lambda o: -len(o[0]))
    return phrases, stems, exact


def _split(tokens: Iterable[_Token]) -> list[_Token]:
    """Split hyphenated words and digits from letters ("24h" -> "24 hour", "five" -> "5")."""
    out: list[_Token] = []
    for word, weight in tokens:
        out.extend((_NUMBERS.get(p, p), weight) for p in _PARTS.split(word) if p)
    return out


def _fold(tokens: Sequence[_Token]) -> list[_Token]:
    """Replace multi-word synonyms by their head and drop stop words."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        for words, head in _PHRASES.get(tokens[i][0], ()):
            n = len(words)
            if tuple(w for w, _ in tokens[i : i + n]) == words:
                out.append((head, min(wt for _, wt in tokens[i : i + n])))
                i += n
                break
        else:
            if tokens[i][0] not in _STOP:
                out.append(tokens[i])
            i += 1
    return out


@lru_cache(maxsize=1 << 16)
def _terms_of(word: str) -> tuple[_Token, ...]:
    """The terms one word contributes: its canonical stem, then implied terms (weighted)."""
    stem = _stem(word)
    head = _WORD_MAP.get(word) or _STEM_MAP.get(stem, stem)
    implied = _IMPLIED.get(head, "")
    extra = tuple((_STEM_MAP.get(_stem(w), _stem(w)), _IMPLIED_WEIGHT) for w in implied.split())
    return ((head, 1.0), *extra)


@dataclass(frozen=True)
class _Analysis:
    words: tuple[str, ...]
    """Content words, after spelling correction."""
    terms: dict[str, float]
    """Unigram terms and their weights."""
    bigrams: tuple[str, ...]
    """Adjacent pairs of the text's own (not expanded) words."""


def _analyse(tokens: Sequence[_Token]) -> _Analysis:
    terms: dict[str, float] = {}
    heads: list[str] = []
    for word, weight in tokens:
        found = _terms_of(word)
        for term, w in found:
            terms[term] = max(terms.get(term, 0.0), w * weight)
        if weight >= 1.0:
            heads.append(found[0][0])
    bigrams = tuple(f"{a} {b}" for a, b in zip(heads, heads[1:], strict=False) if a != b)
    return _Analysis(tuple(w for w, _ in tokens), terms, bigrams)


@lru_cache(maxsize=1 << 14)
def _words_of(text: str) -> tuple[_Token, ...]:
    """The split words of a vocabulary text."""
    return tuple(_split(_raw_tokens(text)))


@lru_cache(maxsize=1 << 14)
def _content(text: str) -> _Analysis:
    """The analysis of a vocabulary text (no spelling correction)."""
    return _analyse(_fold(_words_of(text)))


_PHRASES, _STEM_MAP, _WORD_MAP = _build_synonyms()
_IMPLIED = {_WORD_MAP.get(k) or _STEM_MAP.get(_stem(k), _stem(k)): v for k, v in _IMPLIES.items()}
_UNITS = frozenset(_stem(w) for w in "hour day week month year minute".split())


def _weak(term: str) -> float:
    """Numbers and time units say little on their own ("24 hour" as a pair says more)."""
    return _WEAK_WEIGHT if term.isdigit() or term in _UNITS else 1.0


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
class _Entry:
    id: str
    kind: Literal["capability", "control"]
    name: str
    fields: tuple[tuple[str, float, str], ...]
    """(field, weight, text); name, alias, keyword and definition texts are also phrases."""


def _csr(rows: list[list[tuple[int, float]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    ids = np.array([i for r in rows for i, _ in r], dtype=np.int64)
    ws = np.array([w for r in rows for _, w in r], dtype=np.float64)
    return ptr, ids, ws


def _gather(
    rows: np.ndarray,
    terms: np.ndarray,
    qw: np.ndarray,
    csr: tuple[np.ndarray, np.ndarray, np.ndarray],
    shape: tuple[int, int],
) -> np.ndarray:
    """Per (row, column): the sum over the row's terms of query weight x posting weight."""
    ptr, ids, ws = csr
    counts = ptr[terms + 1] - ptr[terms]
    starts = np.repeat(ptr[terms] - (np.cumsum(counts) - counts), counts)
    pos = starts + np.arange(int(counts.sum()))
    flat = np.repeat(rows, counts) * shape[1] + ids[pos]
    weights = ws[pos] * np.repeat(qw, counts)
    sums = np.bincount(flat, weights=weights, minlength=shape[0] * shape[1])
    return sums.astype(np.float64, copy=False).reshape(shape)


class _Index:
    """Sparse postings over one kind of candidate, scored for many texts at once."""

    def __init__(self, entries: Sequence[_Entry]) -> None:
        self.entries = list(entries)
        n = len(self.entries)
        docs: list[dict[str, float]] = []
        phrases: list[tuple[int, float, dict[str, float]]] = []
        for i, entry in enumerate(self.entries):
            doc: dict[str, float] = {}
            for field, weight, text in entry.fields:
                a = _content(text)
                for t, w in a.terms.items():
                    doc[t] = max(doc.get(t, 0.0), weight * w)
                for t in a.bigrams:
                    doc[t] = max(doc.get(t, 0.0), weight)
                if field != "control" and a.terms:
                    share = _DEFINITION_COVERAGE if field == "definition" else 1.0
                    phrases.append((i, share, {**a.terms, **dict.fromkeys(a.bigrams, 1.0)}))
            docs.append(doc)
        df: dict[str, float] = {}
        for doc in docs:
            for t, w in doc.items():
                df[t] = df.get(t, 0.0) + w
        self.terms = {t: k for k, t in enumerate(df)}
        idf = [math.log(1 + n / f) for f in df.values()]
        self.idf = np.array(idf)
        self.max_idf = math.log(1 + n)
        self.doc_terms = [frozenset(self.terms[t] for t in doc) for doc in docs]
        postings: list[list[tuple[int, float]]] = [[] for _ in idf]
        for i, doc in enumerate(docs):
            for t, w in doc.items():
                postings[self.terms[t]].append((i, w))
        self.postings = _csr(postings)
        phrases.sort(key=lambda p: p[0])
        owners = np.array([p[0] for p in phrases], dtype=np.int64)
        covers: list[list[tuple[int, float]]] = [[] for _ in idf]
        for j, (_, share, terms) in enumerate(phrases):
            ks = [(self.terms[t], w) for t, w in terms.items()]
            total = sum(idf[k] * w for k, w in ks)
            for k, w in ks:
                covers[k].append((j, share * idf[k] * w / total))
        self.covers = _csr(covers)
        self.n_phrases = len(phrases)
        self.owners = np.flatnonzero(np.bincount(owners, minlength=n) > 0)
        self.starts = np.searchsorted(owners, self.owners)

    def score(self, texts: Sequence[_Analysis]) -> np.ndarray:
        """Scores (texts x entries), 0-100."""
        n, d = len(texts), len(self.entries)
        rows: list[int] = []
        cols: list[int] = []
        weights: list[float] = []
        denom = np.zeros(n)
        for r, a in enumerate(texts):
            q: dict[int, float] = {}
            unknown = 0.0
            for t, w in a.terms.items():
                k = self.terms.get(t)
                if k is None:
                    if t not in _NEUTRAL:
                        unknown += _UNKNOWN_MASS * self.max_idf * _weak(t) * w
                else:
                    q[k] = self.idf[k] * _weak(t) * w
            for t in a.bigrams:
                k = self.terms.get(t)
                if k is not None and k not in q:
                    q[k] = self.idf[k] * _BIGRAM_WEIGHT
            rows.extend([r] * len(q))
            cols.extend(q)
            weights.extend(q.values())
            denom[r] = unknown + sum(q.values())
        row = np.array(rows, dtype=np.int64)
        col = np.array(cols, dtype=np.int64)
        qw = np.array(weights)
        explained = _gather(row, col, qw, self.postings, (n, d))
        explained /= np.where(denom > 0, denom, 1.0)[:, None]
        per_phrase = _gather(row, col, np.ones_like(qw), self.covers, (n, self.n_phrases))
        covered = np.zeros((n, d))
        covered[:, self.owners] = np.maximum.reduceat(per_phrase, self.starts, axis=1)
        e = _EXPLAINED_EXPONENT
        score: np.ndarray = np.clip(explained, 0, 1) ** e * np.clip(covered, 0, 1) ** (1 - e)
        return 100.0 * score


class Matcher:
    """A reusable index over a knowledge base's capabilities and controls.

    Examples:
        >>> from regmap.matching import Matcher
        >>> matcher = Matcher(regmap.load())
        >>> matcher.match("2FA for the admin console")[0].score > 0
        True
    """

    def __init__(self, kb: KnowledgeBase, *, controls: bool = True) -> None:
        titles = {c.id: c for c in kb.controls()}
        extra: dict[str, list[tuple[str, float]]] = {}
        for dec in kb.decompositions:
            caps = {r.capability for r in dec.requires}
            control = titles.get(dec.control)
            if control is None or not caps or len(caps) > _CONTROL_FANOUT:
                continue
            for cap in caps:
                text = f"{control.title}. {control.statement or ''}"
                extra.setdefault(cap, []).append((text, 1.0 / len(caps)))
        weight = _FIELD_WEIGHTS
        entries = []
        for c in kb.capabilities:
            fields = [("name", weight["name"], c.name)]
            fields += [("alias", weight["alias"], a) for a in c.aliases]
            fields += [("keyword", weight["keyword"], k) for k in c.keywords]
            fields.append(("definition", weight["definition"], c.definition))
            fields += [("control", weight["control"] * s, t) for t, s in extra.get(c.id, ())]
            entries.append(_Entry(c.id, "capability", c.name, tuple(fields)))
        self._indexes = {"capability": _Index(entries)}
        if controls:
            self._indexes["control"] = _Index(
                [
                    _Entry(
                        c.id,
                        "control",
                        c.title,
                        (
                            ("name", weight["name"], c.title),
                            ("definition", weight["definition"], c.statement or ""),
                        ),
                    )
                    for c in titles.values()
                    if not c.is_group
                ]
            )
        vocabulary = {
            w
            for index in self._indexes.values()
            for entry in index.entries
            for _, _, text in entry.fields
            for w, _ in _words_of(text)
        }
        self._known = frozenset(_stem(w) for w in vocabulary) | _NEUTRAL
        self._vocabulary = sorted(w for w in vocabulary if len(w) > 3 and w.isalpha())
        self._corrections: dict[str, str] = {}

    def _correct(self, words: Iterable[str], workers: int) -> None:
        """Learn corrections for the batch's unknown words with one ``process.cdist`` call."""
        unknown = sorted(
            {
                w
                for w in words
                if len(w) >= _CORRECT_MIN
                and w.isalpha()
                and w not in self._corrections
                and _stem(w) not in self._known
            }
        )
        if not unknown:
            return
        distances = process.cdist(
            unknown,
            self._vocabulary,
            scorer=OSA.distance,
            score_cutoff=2,
            dtype=np.int32,
            workers=workers,
        )
        for word, row in zip(unknown, distances, strict=True):
            best = int(row.argmin())
            fixed = self._vocabulary[best]
            limit = 1 if len(word) < 11 else 2
            # a five-letter word is only corrected for a dropped letter ("acces", "polcy")
            short = len(word) < 6 and len(fixed) != len(word) + 1
            self._corrections[word] = word if row[best] > limit or short else fixed

    def _prepare(self, texts: Sequence[str], workers: int) -> list[_Analysis]:
        tokens = [_split(_raw_tokens(t)) for t in texts]
        self._correct((w for ts in tokens for w, _ in ts), workers)
        fixed = (_fold([(self._corrections.get(w, w), wt) for w, wt in ts]) for ts in tokens)
        return [_analyse(ts) for ts in fixed]

    def match_many(
        self,
        texts: Sequence[str],
        *,
        limit: int = 5,
        workers: int = 1,
        kind: Literal["capability", "control", "any"] = "capability",
    ) -> list[list[Match]]:
        """Rank candidates for many texts at once (``workers`` threads for rapidfuzz).

        Examples:
            >>> from regmap.matching import Matcher
            >>> ranked = Matcher(regmap.load()).match_many(["signed firmware", "SBOM"])
            >>> [r[0].id for r in ranked]
            ['cap:signed-updates', 'cap:sbom']
        """
        kinds = list(self._indexes) if kind == "any" else [kind]
        results: list[list[Match]] = []
        for start in range(0, len(texts), _CHUNK):
            analysed = self._prepare(texts[start : start + _CHUNK], workers)
            ranked: list[list[tuple[float, str, _Index, int]]] = [[] for _ in analysed]
            for k in kinds:
                index = self._indexes[k]
                scores = np.round(index.score(analysed), 2)
                top = min(limit, scores.shape[1])
                if top <= 0:
                    continue
                # every candidate tied with the limit-th best, so that ties break by id alone
                floor = -np.partition(-scores, top - 1, axis=1)[:, top - 1 : top]
                rows, cols = np.nonzero((scores >= floor) & (scores > 0))
                for r, j in zip(rows.tolist(), cols.tolist(), strict=True):
                    ranked[r].append((float(scores[r, j]), index.entries[j].id, index, j))
            for a, candidates in zip(analysed, ranked, strict=True):
                candidates.sort(key=lambda c: (-c[0], c[1]))
                results.append(_as_matches(candidates[:limit], a))
        return results

    def match(
        self,
        text: str,
        *,
        limit: int = 5,
        kind: Literal["capability", "control", "any"] = "capability",
    ) -> list[Match]:
        """Rank candidates for one text."""
        return self.match_many([text], limit=limit, kind=kind)[0]


def _as_matches(candidates: list[tuple[float, str, _Index, int]], text: _Analysis) -> list[Match]:
    """Matches for ranked candidates, each with the words of the text found in it."""
    out = []
    words: dict[int, list[tuple[str, set[int]]]] = {}
    for score, _, index, j in candidates:
        if id(index) not in words:
            words[id(index)] = [
                (w, {index.terms[t] for t, _ in _terms_of(w) if t in index.terms})
                for w in dict.fromkeys(text.words)
            ]
        vocabulary = index.doc_terms[j]
        hit = sorted(w for w, terms in words[id(index)] if not terms.isdisjoint(vocabulary))
        entry = index.entries[j]
        # the fields are valid by construction, so skip pydantic's validation
        match = Match.model_construct(
            id=entry.id, kind=entry.kind, name=entry.name, score=score, words=tuple(hit)
        )
        out.append(match)
    return out


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
