"""The exception tree of ``xlsales.exceptions``' docstring is the tree that exists."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import xlsales
from xlsales import exceptions
from xlsales.exceptions import XlsalesError

# A line of the tree: box-drawing characters, then the class name and its description.
_ENTRY = re.compile(r"^(?P<lead>[ │├└─]*)(?P<name>[A-Z][A-Za-z]*Error)\b")


def _import_every_module() -> None:
    # A subclass exists only once its module is imported.
    for info in pkgutil.walk_packages(xlsales.__path__, prefix="xlsales."):
        importlib.import_module(info.name)


def _documented_tree() -> dict[str, str | None]:
    """Class name -> the name it hangs under in the docstring (None for the root)."""
    tree: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []  # (column of the name, name), outermost first
    for line in exceptions.__doc__.splitlines():
        m = _ENTRY.match(line)
        if not m:
            continue
        column = m.start("name")
        while stack and stack[-1][0] >= column:
            stack.pop()
        tree[m["name"]] = stack[-1][1] if stack else None
        stack.append((column, m["name"]))
    return tree


def _existing_tree(root: type, *, only_module_prefix: str = "") -> dict[str, str | None]:
    """Class name -> the name of its base within ``root``'s family (None for ``root``)."""
    tree: dict[str, str | None] = {root.__name__: None}
    todo = [root]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if not sub.__module__.startswith(only_module_prefix):
                continue
            family = [b for b in sub.__bases__ if issubclass(b, root)]
            assert len(family) == 1, f"{sub.__name__} has {len(family)} bases in the family"
            tree[sub.__name__] = family[0].__name__
            todo.append(sub)
    return tree


def test_the_docstring_names_exactly_the_exceptions_that_exist():
    _import_every_module()
    existing = _existing_tree(XlsalesError, only_module_prefix="xlsales")
    assert len(existing) == 8  # the root and seven subclasses, as of issue 13 (CollectError)
    assert _documented_tree() == existing


def test_every_exception_is_defined_in_exceptions_py():
    _import_every_module()
    family = _existing_tree(XlsalesError, only_module_prefix="xlsales")
    assert {name: getattr(exceptions, name).__module__ for name in family} == dict.fromkeys(
        family, "xlsales.exceptions")


def test_the_check_sees_an_undocumented_exception():
    # The comparison can fail: a subclass the docstring does not list makes the trees differ.
    class ProbeError(exceptions.InputError):
        pass

    existing = _existing_tree(XlsalesError)
    assert existing["ProbeError"] == "InputError"
    assert existing != _documented_tree()


@pytest.mark.parametrize(("home", "name"), [
    ("xlsales", "XlsalesError"), ("xlsales", "InputError"), ("xlsales", "ValidationError"),
    ("xlsales.compute.formulas", "CellError"), ("xlsales.compute.formulas", "LogTableError"),
    ("xlsales.compute.plan", "PlanError"),
])
def test_re_exports_are_the_same_classes(home, name):
    # The rooms that raise them re-export them where they used to live (and list them in __all__).
    module = importlib.import_module(home)
    assert name in module.__all__
    assert getattr(module, name) is getattr(exceptions, name)
