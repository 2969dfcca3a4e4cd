from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given

from regmap.applicability import parse_expression
from regmap.errors import ExpressionError
from regmap.model import FactDef

from . import strategies as st_

SPECS = {
    f.id: f
    for f in [
        FactDef(id="uses_passwords", type="bool", question="?"),
        FactDef(id="constrained", type="bool", question="?"),
        FactDef(id="updatable", type="bool", question="?"),
        FactDef(id="is_networked", type="bool", question="?"),
        FactDef(
            id="cra_class",
            type="enum",
            question="?",
            values=("default", "important-class-i", "important-class-ii", "critical"),
        ),
        FactDef(id="markets", type="list", question="?", values=("eu", "us")),
        FactDef(id="staff", type="number", question="?"),
    ]
}


@pytest.mark.parametrize(
    ("text", "facts", "expected"),
    [
        (
            "uses_passwords and not constrained",
            {"uses_passwords": True, "constrained": False},
            True,
        ),
        (
            "uses_passwords and not constrained",
            {"uses_passwords": True, "constrained": True},
            False,
        ),
        (
            "cra_class in [important-class-i, important-class-ii]",
            {"cra_class": "important-class-ii"},
            True,
        ),
        ("cra_class in [important-class-i, important-class-ii]", {"cra_class": "default"}, False),
        ("cra_class == critical", {"cra_class": "critical"}, True),
        ("cra_class != critical", {"cra_class": "critical"}, False),
        ("markets contains eu", {"markets": ("us", "eu")}, True),
        ("markets contains eu", {"markets": ("us",)}, False),
        ("staff >= 250", {"staff": 300}, True),
        ("staff < 50", {"staff": 300}, False),
        (
            "(uses_passwords or updatable) and is_networked",
            {"uses_passwords": False, "updatable": True, "is_networked": True},
            True,
        ),
    ],
)
def test_evaluation(text: str, facts: dict[str, object], expected: bool) -> None:
    expr = parse_expression(text)
    expr.check(SPECS)
    result = expr.evaluate(facts)  # type: ignore[arg-type]
    assert result.applies is expected
    assert result.assumed == ()


def test_dates_use_the_analysis_date() -> None:
    expr = parse_expression("on_or_after 2026-09-11")
    assert not expr.evaluate({}, as_of=dt.date(2026, 9, 10)).applies
    assert expr.evaluate({}, as_of=dt.date(2026, 9, 11)).applies
    assert parse_expression("before 2026-09-11").evaluate({}, as_of=dt.date(2026, 9, 10)).applies


def test_missing_fact_counts_as_applicable_and_is_reported() -> None:
    result = parse_expression("uses_passwords and not constrained").evaluate({})
    assert result.applies
    assert result.assumed == ("constrained", "uses_passwords")
    # a known false fact decides "and" regardless of the unknown one
    result = parse_expression("uses_passwords and not constrained").evaluate(
        {"uses_passwords": False}
    )
    assert not result.applies


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("uses_passwords and", "unexpected end"),
        ("and uses_passwords", "expected a fact name"),
        ("(uses_passwords", "unexpected end"),
        ("uses_passwords or or constrained", "expected a fact name"),
        ("cra_class in critical", "expected '\\['"),
        ("on_or_after tomorrow", "needs a date"),
        ("on_or_after 2026-02-30", "not a valid date"),
        ("uses_passwords; import os", "cannot read"),
        ("", "empty"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message) as info:
        parse_expression(text)
    assert info.value.code == "expression-syntax"


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("uses_passwrds", "unknown-fact", "undefined fact 'uses_passwrds'"),
        ("cra_class in [class-iii]", "expression-type", "'class-iii' is not a value"),
        ("markets == eu", "expression-type", "cannot be tested with '=='"),
        ("staff > big", "expression-type", "is a number"),
        ("uses_passwords == 3", "expression-type", "is a bool"),
    ],
)
def test_check_names_the_fact(text: str, code: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message) as info:
        parse_expression(text).check(SPECS)
    assert info.value.code == code


@given(st_.bool_exprs, st_.fact_values)
def test_three_valued_evaluation_is_conservative(text: str, facts: dict[str, bool]) -> None:
    """With all facts known the answer is plain boolean logic; with some unknown, the control
    applies whenever some completion of the unknown facts would make it apply."""
    expr = parse_expression(text)
    names = expr.facts
    unknown = [n for n in names if n not in facts]
    completions = []
    for bits in range(2 ** len(unknown)):
        full = dict(facts) | {n: bool(bits >> i & 1) for i, n in enumerate(unknown)}
        py = text
        for n in sorted(names, key=len, reverse=True):
            py = py.replace(n, repr(full[n]))
        completions.append(eval(py))  # the test's oracle only; regmap never evals
    result = expr.evaluate(facts)
    if not unknown:
        assert result.applies is completions[0]
        assert result.assumed == ()
    else:
        # never hidden: if some completion applies, the control applies
        assert result.applies or not any(completions)
        # never assumed: when every completion applies, nothing had to be assumed to show it
        if result.applies and not all(completions):
            assert result.assumed
        assert set(result.assumed) <= set(unknown)
