"""Product declarations: read from YAML or JSON, and checked against a knowledge base."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from regmap.catalog import KnowledgeBase
from regmap.errors import DataError, LimitError, ProductError, RegmapError, UnknownIdError
from regmap.io._json import first_problem
from regmap.io._json import line_of as json_line_of
from regmap.io.yaml import LineDict, decode_utf8, load_yaml, node_line, read_limited
from regmap.model import FactDef, Product

__all__ = ["PRODUCT_READERS", "check_product", "load_product", "parse_product"]

#: Readers for other product file types, resolved when such a file is read (a plug-in
#: point: the spreadsheet reader lives in regmap.io.excel, the only openpyxl user).
PRODUCT_READERS: dict[str, str] = {".xlsx": "regmap.io.excel.read:read_product_xlsx"}
_YAML = (".yaml", ".yml")


def _line_of(data: Any, loc: tuple[Any, ...], path: str | None = None) -> int | None:
    """The line of the item ``loc`` leads to.

    Its key's own line when the data was read from the YAML or JSON file ``path``; else the
    line where the nearest enclosing mapping starts.
    """
    suffix = Path(path).suffix.lower() if path is not None else ""
    if path is not None and isinstance(data, LineDict) and suffix in _YAML:
        line = node_line(path, loc)
        if line is not None:
            return line
    if path is not None and suffix == ".json":
        return _json_line(path, loc)
    line = data.line if isinstance(data, LineDict) else None
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        line = node.line if isinstance(node, LineDict) else line
    return line


def parse_product(data: Any, *, path: str = "<product>") -> Product:
    """Build a :class:`~regmap.model.Product` from parsed data.

    Raises:
        ProductError: Naming the file, the line and the field that is wrong.

    Examples:
        >>> from regmap.products import parse_product
        >>> parse_product({"name": "Cam", "features": [{"capability": "cap:x"}]}).name
        'Cam'
    """
    if not isinstance(data, dict):
        raise ProductError("a product declaration is a mapping with at least a name", path=path)
    try:
        return Product.model_validate(data)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        more = len(e.errors()) - 1
        suffix = f" (and {more} more)" if more else ""
        raise ProductError(
            f"{where}: {msg}{suffix}" if where else msg + suffix,
            path=path,
            line=_line_of(data, loc, path),
            id=str(data.get("name")) if isinstance(data.get("name"), str) else None,
        ) from None


def load_product(path: str | os.PathLike[str], kb: KnowledgeBase | None = None) -> Product:
    """Read a product declaration from YAML or JSON and check it against the knowledge base.

    Raises:
        ProductError: If the declaration is invalid or names unknown ids or facts.
        DataError: If the file cannot be read or parsed.

    Examples:
        >>> import pathlib
        >>> path = pathlib.Path(regmap.data_dir()) / "examples" / "products" / "smart-camera.yaml"
        >>> regmap.load_product(path).name if path.exists() else "Acme SmartCam 2"
        'Acme SmartCam 2'
    """
    name = str(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        data = _load_json(path)
    elif suffix in _YAML:
        data = load_yaml(path)
    elif suffix in PRODUCT_READERS:
        module, _, function = PRODUCT_READERS[suffix].partition(":")
        reader = getattr(importlib.import_module(module), function)
        loaded: Product = reader(path, kb)
        return loaded
    else:
        raise ProductError(
            f"unsupported product file type {suffix!r} (use .yaml, .yml, .json or .xlsx)",
            path=name,
        )
    product = parse_product(data, path=name)
    if kb is not None:
        check_product(product, kb, path=name, data=data)
    return product


def _json_line(path: str, loc: tuple[Any, ...]) -> int | None:
    """The line of ``loc`` in the JSON file ``path``, read again (this is for errors)."""
    try:
        text = decode_utf8(read_limited(path), path)
    except RegmapError:
        return None
    return json_line_of(text, loc)


def _load_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file under the same size and encoding rules as YAML files."""
    name = str(path)
    text = decode_utf8(read_limited(path), name)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as e:
        raise DataError(
            f"invalid JSON: {e.msg}", code="wrong-type", path=name, line=e.lineno
        ) from e
    except RecursionError as e:
        raise LimitError("document nested too deeply to read", code="yaml-depth", path=name) from e
    except ValueError as e:  # a duplicate key, or an integer too long to read
        message, line = first_problem(text) or (" ".join(str(e).split()), None)
        raise DataError(message, code="wrong-type", path=name, line=line) from e


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def check_product(
    product: Product, kb: KnowledgeBase, *, path: str | None = None, data: Any = None
) -> None:
    """Check every id, fact and value of a product against the knowledge base.

    Raises:
        ProductError: ``unknown-id``, ``unknown-fact`` or ``invalid-product``, naming the item.

    Examples:
        >>> from regmap.products import check_product
        >>> p = regmap.Product(name="X", facts={"has_wifi": True})
        >>> check_product(p, regmap.load())
        Traceback (most recent call last):
        ...
        regmap.errors.ProductError: X: facts: undefined fact 'has_wifi'...
    """

    def fail(message: str, code: str, loc: tuple[Any, ...]) -> ProductError:
        line = _line_of(data, loc, path) if data is not None else None
        return ProductError(message, code=code, path=path, line=line, id=product.name)

    for i, feature in enumerate(product.features):
        try:
            if feature.capability:
                kb.capability(feature.capability)
            elif feature.control:
                kb.control(feature.control)
        except UnknownIdError as e:
            err = _unknown_regime(kb, feature.control) or e
            raise fail(
                f"features[{i}]: {err.id}: {err.message}", err.code, ("features", i)
            ) from None
    facts = kb._facts  # the fact definitions, by id
    values = product.fact_values()
    for fact, value in values.items():
        spec = facts.get(fact)
        if spec is None:
            hint = kb._suggest(fact, facts)
            more = f"; did you mean {hint[0]!r}?" if hint else ""
            raise fail(f"facts: undefined fact {fact!r}{more}", "unknown-fact", ("facts", fact))
        problem = _value_problem(spec, value)
        if problem:
            raise fail(f"facts: {fact}: {problem}", "invalid-product", ("facts", fact))


def _unknown_regime(kb: KnowledgeBase, ident: str | None) -> UnknownIdError | None:
    """The error for a control id whose regime is not loaded, if that is the case."""
    if ident and ":" in ident:
        try:
            kb.regime(ident.split(":", 1)[0])
        except UnknownIdError as e:
            return e
    return None


def _value_problem(spec: FactDef, value: object) -> str | None:
    if spec.type == "bool" and not isinstance(value, bool):
        return f"expected true or false, found {value!r}"
    if spec.type == "enum" and value not in spec.values:
        return f"{value!r} is not one of {', '.join(spec.values)}"
    if spec.type == "list":
        items = value if isinstance(value, list | tuple) else None
        if items is None:
            return f"expected a list of {', '.join(spec.values)}"
        bad = [v for v in items if v not in spec.values]
        if bad:
            return f"{bad[0]!r} is not one of {', '.join(spec.values)}"
    if spec.type == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, found {value!r}"
    return None
