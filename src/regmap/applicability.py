"""Applicability expressions: a small, safe language over product facts.

Expressions are parsed into a tree and evaluated; nothing is ever passed to ``eval``.
The grammar (docs/formats.md)::

    expr    := term ("or" term)*
    term    := factor ("and" factor)*
    factor  := "not" factor | "(" expr ")" | test
    test    := FACT | FACT ("=="|"!=") VALUE | FACT ("<"|"<="|">"|">=") NUMBER
             | FACT "in" "[" VALUE ("," VALUE)* "]" | FACT "contains" VALUE
             | "on_or_after" DATE | "before" DATE

Evaluation is three-valued: a fact the product does not declare is *unknown*, and an
expression that is unknown counts as applicable, with the facts it assumed reported, so an
obligation is never hidden because a fact was left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, Protocol, TypeAlias

from regmap.errors import ExpressionError

__all__ = [
    "Applicability",
    "Expression",
    "FactSpec",
    "FactType",
    "FactValue",
    "parse_expression",
]

FactType: TypeAlias = Literal["bool", "enum", "list", "number", "date"]
FactValue: TypeAlias = bool | int | float | str | dt.date | tuple[str, ...]
_Scalar: TypeAlias = bool | int | float | str | dt.date


class FactSpec(Protocol):
    """What the checker needs to know of a fact definition.

    Examples:
        >>> from regmap.applicability import FactSpec
        >>> spec: FactSpec = regmap.FactDef(id="staff", type="number", question="How many?")
        >>> spec.type
        'number'
    """

    @property
    def id(self) -> str:  # noqa: D102
        ...

    @property
    def type(self) -> FactType:  # noqa: D102
        ...

    @property
    def values(self) -> tuple[str, ...]:  # noqa: D102
        ...


@dataclass(frozen=True, slots=True)
class _Test:
    fact: str | None  # None for date tests
    op: str  # "is", "==", "!=", "<", "<=", ">", ">=", "in", "contains", "on_or_after", "before"
    values: tuple[_Scalar, ...] = ()


@dataclass(frozen=True, slots=True)
class _Not:
    item: _Node


@dataclass(frozen=True, slots=True)
class _Bool:
    op: Literal["and", "or"]
    items: tuple[_Node, ...]


_Node: TypeAlias = _Test | _Not | _Bool


@dataclass(frozen=True, slots=True)
class Applicability:
    """The outcome of evaluating an expression for one product.

    Attributes:
        applies: Whether the control applies (true also when the answer depends on unknown facts).
        assumed: Facts the product did not declare that the answer depended on.

    Examples:
        >>> from regmap.applicability import parse_expression
        >>> parse_expression("constrained").evaluate({})
        Applicability(applies=True, assumed=('constrained',))
    """

    applies: bool
    assumed: tuple[str, ...] = ()


_TOKEN = re.compile(
    r"\s*(?:(?P<date>\d{4}-\d{2}-\d{2}(?![\w-]))|(?P<num>-?\d+(?:\.\d+)?(?![\w-]))"
    r"|(?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)"
    r"|(?P<str>'[^']*'|\"[^\"]*\")|(?P<word>[A-Za-z_][\w\-.]*))"
)
_KEYWORDS = {"and", "or", "not", "in", "contains", "on_or_after", "before", "true", "false"}


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None or m.end() == pos:
            raise ExpressionError(f"cannot read {stripped[pos:]!r} in expression {text!r}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def error(self, what: str) -> ExpressionError:
        return ExpressionError(f"{what} in expression {self.text!r}")

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise self.error("unexpected end")
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        kind, got = self.take()
        if got != value:
            raise self.error(f"expected {value!r} but found {got!r}")

    def parse(self) -> _Node:
        node = self.expr()
        if self.i != len(self.tokens):
            raise self.error(f"unexpected {self.tokens[self.i][1]!r}")
        return node

    def expr(self) -> _Node:
        items = [self.term()]
        while self.peek() == "or":
            self.take()
            items.append(self.term())
        return items[0] if len(items) == 1 else _Bool("or", tuple(items))

    def term(self) -> _Node:
        items = [self.factor()]
        while self.peek() == "and":
            self.take()
            items.append(self.factor())
        return items[0] if len(items) == 1 else _Bool("and", tuple(items))

    def factor(self) -> _Node:
        nxt = self.peek()
        if nxt == "not":
            self.take()
            return _Not(self.factor())
        if nxt == "(":
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        return self.test()

    def test(self) -> _Test:
        kind, word = self.take()
        if word in ("on_or_after", "before"):
            dkind, date = self.take()
            if dkind != "date":
                raise self.error(f"{word} needs a date YYYY-MM-DD, not {date!r}")
            return _Test(None, word, (_to_date(date, self),))
        if kind != "word" or word in _KEYWORDS:
            raise self.error(f"expected a fact name but found {word!r}")
        op = self.peek()
        if op in ("==", "!=", "<", "<=", ">", ">=", "contains"):
            self.take()
            return _Test(word, op, (self.value(),))
        if op == "in":
            self.take()
            self.expect("[")
            values = [self.value()]
            while self.peek() == ",":
                self.take()
                values.append(self.value())
            self.expect("]")
            return _Test(word, "in", tuple(values))
        return _Test(word, "is")

    def value(self) -> _Scalar:
        kind, tok = self.take()
        if kind == "num":
            return float(tok) if "." in tok else int(tok)
        if kind == "date":
            return _to_date(tok, self)
        if kind == "str":
            return tok[1:-1]
        if kind == "word" and tok in ("true", "false"):
            return tok == "true"
        if kind == "word" and tok not in _KEYWORDS:
            return tok
        raise self.error(f"expected a value but found {tok!r}")


def _to_date(text: str, parser: _Parser) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise parser.error(f"{text!r} is not a valid date") from None


def _facts_of(node: _Node) -> set[str]:
    if isinstance(node, _Test):
        return {node.fact} if node.fact else set()
    if isinstance(node, _Not):
        return _facts_of(node.item)
    return set().union(*(_facts_of(i) for i in node.items))


@dataclass(frozen=True)
class Expression:
    """A parsed applicability expression.

    Examples:
        >>> from regmap.applicability import parse_expression
        >>> e = parse_expression("uses_passwords and not constrained")
        >>> e.facts
        ('constrained', 'uses_passwords')
        >>> e.evaluate({"uses_passwords": True, "constrained": False}).applies
        True
        >>> e.evaluate({"uses_passwords": True}).assumed
        ('constrained',)
    """

    source: str
    _tree: _Node

    @property
    def facts(self) -> tuple[str, ...]:
        """The fact names the expression uses, sorted."""
        return tuple(sorted(_facts_of(self._tree)))

    def check(self, specs: Mapping[str, FactSpec]) -> None:
        """Check that every fact is defined and every value fits the fact's type.

        Raises:
            ExpressionError: ``unknown-fact`` or ``expression-type``, naming the fact.
        """
        _check(self._tree, specs, self.source)

    def evaluate(
        self, facts: Mapping[str, FactValue], *, as_of: dt.date | None = None
    ) -> Applicability:
        """Evaluate for a product's facts; unknown facts count as applicable."""
        today = as_of or dt.date.today()
        missing: set[str] = set()
        result = _eval(self._tree, facts, today, missing)
        return Applicability(applies=result is not False, assumed=tuple(sorted(missing)))


@cache
def parse_expression(text: str) -> Expression:
    """Parse an applicability expression.

    Raises:
        ExpressionError: ``expression-syntax`` when the text does not follow the grammar.

    Examples:
        >>> from regmap.applicability import parse_expression
        >>> parse_expression("cra_class in [important-class-i, important-class-ii]").facts
        ('cra_class',)
        >>> import datetime
        >>> early = datetime.date(2026, 1, 1)
        >>> parse_expression("on_or_after 2026-09-11").evaluate({}, as_of=early)
        Applicability(applies=False, assumed=())
    """
    if not text or not text.strip():
        raise ExpressionError("empty applicability expression")
    return Expression(text, _Parser(text).parse())


def _eval(
    node: _Node, facts: Mapping[str, FactValue], today: dt.date, missing: set[str]
) -> bool | None:
    if isinstance(node, _Not):
        inner = _eval(node.item, facts, today, missing)
        return None if inner is None else not inner
    if isinstance(node, _Bool):
        results = [_eval(i, facts, today, missing) for i in node.items]
        decisive = node.op == "or"  # True decides "or", False decides "and"
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    return _eval_test(node, facts, today, missing)


def _eval_test(
    test: _Test, facts: Mapping[str, FactValue], today: dt.date, missing: set[str]
) -> bool | None:
    if test.fact is None:
        (date,) = test.values
        assert isinstance(date, dt.date)
        return today >= date if test.op == "on_or_after" else today < date
    if test.fact not in facts:
        missing.add(test.fact)
        return None
    value = facts[test.fact]
    if test.op == "is":
        return bool(value)
    if test.op == "in":
        return value in test.values
    if test.op == "contains":
        return isinstance(value, tuple | list) and test.values[0] in value
    (other,) = test.values
    return _compare(test.op, value, other)


def _compare(op: str, a: object, b: object) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if not isinstance(a, int | float) or not isinstance(b, int | float):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _check(node: _Node, specs: Mapping[str, FactSpec], source: str) -> None:
    if isinstance(node, _Not):
        _check(node.item, specs, source)
        return
    if isinstance(node, _Bool):
        for item in node.items:
            _check(item, specs, source)
        return
    if node.fact is None:
        return
    spec = specs.get(node.fact)
    if spec is None:
        raise ExpressionError(
            f"undefined fact {node.fact!r} in expression {source!r}", code="unknown-fact"
        )
    problem = _type_problem(spec, node)
    if problem:
        raise ExpressionError(f"{problem} in expression {source!r}", code="expression-type")


def _type_problem(spec: FactSpec, test: _Test) -> str | None:
    kind = spec.type
    allowed: dict[FactType, Sequence[str]] = {
        "bool": ("is", "==", "!="),
        "enum": ("==", "!=", "in"),
        "list": ("contains",),
        "number": ("==", "!=", "<", "<=", ">", ">=", "in"),
        "date": ("==", "!=", "in"),
    }
    if test.op not in allowed[kind]:
        return f"fact {spec.id!r} is a {kind} and cannot be tested with {test.op!r}"
    for value in test.values:
        if kind in ("enum", "list") and value not in spec.values:
            return (
                f"{value!r} is not a value of fact {spec.id!r} (values: {', '.join(spec.values)})"
            )
        if kind == "bool" and not isinstance(value, bool):
            return f"fact {spec.id!r} is a bool, not compared with {value!r}"
        if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"fact {spec.id!r} is a number, not compared with {value!r}"
    return None
