"""Rendering OSCAL control prose: parameter insertions and labelled statement items.

A catalog's parameters are read once each: :class:`Prose` keeps every parameter's reading, so
a parameter inserted in many places costs one rendering (the SP 800-53 Rev. 5 catalog inserts
each of its 1,258 parameters once; its resolved moderate baseline has 1,271 insertions of 643
parameters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["Prose", "param_text", "render_prose", "statement_text"]

_INSERT = re.compile(r"\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}")
_MAX_DEPTH = 5
_ITEM_NAMES = ("item", None, "statement")  # a tuple: a name that is not hashable is no error


def _label(param: Mapping[str, Any]) -> str:
    label: Any = None
    alt = odp = False  # whether an SP 800-53 alt-label, an SP 800-53A "_ODP" label was seen
    for p in param.get("props") or ():
        if not isinstance(p, dict):
            continue
        name = p.get("name")
        if name == "alt-label" and not alt and p.get("class") == "sp800-53":
            alt, label = True, p.get("value")
        elif name == "label" and "_ODP" in str(p.get("value", "")):
            odp = True
    if not alt:
        label = param.get("label")
    if not isinstance(label, str) or not label.strip():
        guidelines = param.get("guidelines") or []
        prose = guidelines[0].get("prose") if guidelines and isinstance(guidelines[0], dict) else ""
        label = prose if isinstance(prose, str) and prose.strip() else str(param.get("id", "?"))
    text = " ".join(label.split())
    # SP 800-53A names its parameters "ODP" (organization-defined parameter) and drops the
    # "organization-defined" that SP 800-53's own text shows; put it back.
    if odp and not text.lower().startswith("organization-defined"):
        text = f"organization-defined {text}"
    return text


class Prose:
    """Renders the prose of one catalog, reading each parameter once.

    Examples:
        >>> from regmap.io.oscal._prose import Prose
        >>> prose = Prose({"p": {"id": "p", "label": "frequency"}})
        >>> prose.render("Review {{ insert: param, p }}; again {{ insert: param, p }}.")
        'Review [Assignment: frequency]; again [Assignment: frequency].'
    """

    __slots__ = ("_params", "_readings")

    def __init__(self, params: Mapping[str, Mapping[str, Any]]) -> None:
        self._params = params
        self._readings: dict[str, str] = {}

    def param(self, param_id: str, depth: int = 0) -> str:
        """How the parameter ``param_id`` reads in a statement; see :func:`param_text`."""
        if depth:
            return param_text(self._params.get(param_id), self._params, depth=depth)
        reading = self._readings.get(param_id)
        if reading is None:
            reading = param_text(self._params.get(param_id), self._params)
            self._readings[param_id] = reading
        return reading

    def _insertion(self, match: re.Match[str]) -> str:
        return self.param(match.group(1))

    def render(self, text: str) -> str:
        """``text`` with every parameter insertion replaced by its reading."""
        if "{{" not in text:
            return text
        return _INSERT.sub(self._insertion, text)

    def statement(self, parts: Any, name: str = "statement") -> str | None:
        """The readable text of a control's ``name`` part; see :func:`statement_text`."""
        for part in parts or ():
            if not isinstance(part, dict) or part.get("name") != name:
                continue
            subparts = part.get("parts")
            if not subparts:
                prose = part.get("prose")
                text = self.render(prose).strip() if isinstance(prose, str) else ""
                return text or None
            lines: list[str] = []
            self._lines(part, "", lines, top=True)
            return "\n".join(lines) or None
        return None

    def _lines(
        self, part: Mapping[str, Any], indent: str, out: list[str], top: bool = False
    ) -> None:
        """Append the line of ``part`` (its label, then its prose on one line) and its items'.

        The statement itself (``top``) and its own parts are at the left margin, whatever their
        names; deeper items (``item``, or unnamed) are indented two spaces a level.
        """
        prose = part.get("prose")
        if isinstance(prose, str):
            if "{{" in prose:
                prose = _INSERT.sub(self._insertion, prose)
            text = " ".join(prose.split())
        else:
            text = ""
        for p in part.get("props") or ():
            if isinstance(p, dict) and p.get("name") == "label":
                label = p.get("value")
                if isinstance(label, str):
                    if label:
                        text = f"{label} {text}".strip() if text else label.strip()
                    break
        if text:
            out.append(indent + text)
        subparts = part.get("parts")
        if not subparts:
            return
        if top:
            for sub in subparts:
                if isinstance(sub, dict):
                    self._lines(sub, indent, out)
            return
        deeper = indent + "  "
        for sub in subparts:
            if isinstance(sub, dict) and sub.get("name") in _ITEM_NAMES:
                self._lines(sub, deeper, out)


def param_text(
    param: Mapping[str, Any] | None, params: Mapping[str, Mapping[str, Any]], *, depth: int = 0
) -> str:
    """How a parameter reads in a statement, as SP 800-53 prints it.

    A parameter with ``values`` reads as its values; a ``select`` as
    ``[Selection (one or more): a; b]``; otherwise ``[Assignment: label]`` from the label (or
    SP 800-53's ``alt-label``, or the first guideline).

    Examples:
        >>> from regmap.io.oscal._prose import param_text
        >>> param_text({"id": "p", "label": "organization-defined frequency"}, {})
        '[Assignment: organization-defined frequency]'
        >>> param_text({"id": "p", "select": {"how-many": "one-or-more", "choice": ["a", "b"]}}, {})
        '[Selection (one or more): a; b]'
    """
    if param is None:
        return "[Assignment: unspecified]"
    values = param.get("values")
    if isinstance(values, list) and values:
        return ", ".join(str(v) for v in values)
    select = param.get("select")
    if isinstance(select, dict) and depth < _MAX_DEPTH:
        choices = [
            " ".join(render_prose(str(c), params, depth=depth + 1).split())
            for c in select.get("choice") or ()
        ]
        head = "Selection (one or more)" if select.get("how-many") == "one-or-more" else "Selection"
        return f"[{head}: {'; '.join(choices)}]"
    return f"[Assignment: {_label(param)}]"


def render_prose(text: str, params: Mapping[str, Mapping[str, Any]], *, depth: int = 0) -> str:
    """Replace every ``{{ insert: param, ID }}`` in ``text`` with the parameter's reading.

    Examples:
        >>> from regmap.io.oscal._prose import render_prose
        >>> params = {"p1": {"id": "p1", "label": "organization-defined personnel or roles"}}
        >>> render_prose("Disseminate to {{ insert: param, p1 }}.", params)
        'Disseminate to [Assignment: organization-defined personnel or roles].'
    """
    if "{{" not in text:
        return text
    return _INSERT.sub(lambda m: param_text(params.get(m.group(1)), params, depth=depth), text)


def statement_text(
    parts: Any, params: Mapping[str, Mapping[str, Any]], *, name: str = "statement"
) -> str | None:
    r"""The readable text of a control's statement part, items labelled and indented.

    A statement without items keeps its prose exactly (only parameters are rendered).

    Examples:
        >>> from regmap.io.oscal._prose import statement_text
        >>> item = {"name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Do X;"}
        >>> print(statement_text([{"name": "statement", "parts": [item, item]}], {}))
        a. Do X;
        a. Do X;
    """
    return Prose(params).statement(parts, name)
