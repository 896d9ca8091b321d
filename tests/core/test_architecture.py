"""The package's shape holds: private names stay private, rooms point down the flow.

A name (function, class, constant) that starts with ``_`` is never imported from another
module, nor reached as ``module._name``: what another room uses is public in its room.
Private *modules* (``xlsales._collector``) may be imported as modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "xlsales"
SOURCES = sorted([*PACKAGE.rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")])
# read -> validate -> compute -> lay out -> write -> mail (the workbooks out) -> collect (the
# returned workbooks back); the faces (excel, cli) sit on top.
FLOW = ["read", "validate", "compute", "layout", "write", "mail", "collect"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent if PACKAGE in path.parents else ROOT).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__")


def _resolve(node: ast.ImportFrom, path: Path) -> str:
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_module(dotted: str) -> bool:
    return (PACKAGE.parent / Path(*dotted.split("."))).with_suffix(".py").exists() or \
        (PACKAGE.parent / Path(*dotted.split(".")) / "__init__.py").exists()


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = []
    imported_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(node, path)
            if not source.startswith("xlsales"):
                continue
            for alias in node.names:
                if _is_module(f"{source}.{alias.name}"):
                    imported_modules.add(alias.asname or alias.name)
                elif alias.name.startswith("_"):
                    found.append(f"{path.name}:{node.lineno} from {source} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("xlsales"):
                    imported_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            if isinstance(base, ast.Name) and base.id in imported_modules:
                found.append(f"{path.name}:{node.lineno} {base.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_crosses_a_module(path):
    assert _private_imports(path) == []


def test_the_check_sees_a_private_import(tmp_path):
    # The check itself can fail: a module importing a private name is caught.
    fake = PACKAGE / "layout" / "_probe_for_test.py"
    fake.write_text("from xlsales.compute.engine import _order\nfrom xlsales.layout import sheetmodel as sm\n"
                    "x = sm._private\n", "utf-8")
    try:
        assert _private_imports(fake) == ["_probe_for_test.py:1 from xlsales.compute.engine import _order",
                                          "_probe_for_test.py:3 sm._private"]
    finally:
        fake.unlink()


def test_private_modules_have_no_all():
    for path in PACKAGE.rglob("_*.py"):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        names = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        assert "__all__" not in names, path


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_rooms_import_only_up_the_flow(path):
    # A room imports from itself and from the rooms before it, never from a later room
    # or from a face (excel, cli): arrows point down the flow.
    rel = path.relative_to(PACKAGE).parts
    if len(rel) < 2 or rel[0] not in FLOW:
        return
    allowed_rooms = set(FLOW[: FLOW.index(rel[0]) + 1])
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(node, path).split(".")
            if source[0] != "xlsales" or len(source) < 2:
                continue
            room = source[1]
            if room in FLOW or room in ("excel", "cli", "frames", "demo"):
                assert room in allowed_rooms, f"{'/'.join(rel)}:{node.lineno} imports xlsales.{room}"
