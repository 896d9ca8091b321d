"""Shared fixtures: LibreOffice recalculation (required in CI), built workbooks, run modes."""

from __future__ import annotations

import os

import pytest
from support.libreoffice import recalculate, soffice


def pytest_addoption(parser):
    parser.addoption(
        "--update-references", action="store_true", default=False,
        help="rewrite tests/core/references/*.json from the current build instead of comparing with them",
    )


def pytest_collection_modifyitems(config, items):
    # A laptop without LibreOffice skips the engine tests; CI never does.
    if soffice() is not None:
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError("CI=true but LibreOffice (soffice) is not installed")
    skip = pytest.mark.skip(reason="LibreOffice (soffice) not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def update_references(request) -> bool:
    """True under ``pytest --update-references``: reference tests rewrite their files."""
    return request.config.getoption("--update-references")


@pytest.fixture
def recalc(tmp_path):
    """Recalculate a workbook in LibreOffice headless; returns the recalculated copy's path."""
    counter = iter(range(10_000))

    def _recalc(path):
        return recalculate(path, tmp_path / f"recalc-{next(counter)}")

    return _recalc
