from __future__ import annotations

import importlib
import inspect
import pkgutil

import regmap


def test_all_is_sorted_and_exact() -> None:
    assert list(regmap.__all__) == sorted(regmap.__all__)
    public = {n for n in dir(regmap) if not n.startswith("_")} - {"annotations"}
    public |= {"__version__"}
    modules = {n for n in public if inspect.ismodule(getattr(regmap, n))}
    assert set(regmap.__all__) == public - modules


def test_nothing_private_is_exported() -> None:
    for name in regmap.__all__:
        obj = getattr(regmap, name)
        module = getattr(obj, "__module__", "regmap") or "regmap"
        assert not any(part.startswith("_") for part in module.split(".")[1:]), name


def test_every_module_declares_all_and_public_names_have_examples() -> None:
    for info in pkgutil.walk_packages(regmap.__path__, "regmap."):
        module = importlib.import_module(info.name)
        assert hasattr(module, "__all__"), info.name
        if info.name.split(".")[-1].startswith("_"):
            continue
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            doc = inspect.getdoc(obj) or ""
            assert doc, f"{info.name}.{name} has no docstring"
            if not name.startswith("cmd_"):
                assert "Examples:" in doc or ">>>" in doc or issubclass_error(obj), (
                    f"{info.name}.{name} has no example"
                )


def issubclass_error(obj: object) -> bool:
    return inspect.isclass(obj) and issubclass(obj, Exception)
