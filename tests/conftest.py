"""Shared fixtures: LibreOffice recalculation (required in CI) and built workbooks."""

from __future__ import annotations

import os

import pytest
from support.libreoffice import recalculate, soffice


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
def recalc(tmp_path):
    """Recalculate a workbook in LibreOffice headless; returns the recalculated copy's path."""
    counter = iter(range(10_000))

    def _recalc(path):
        return recalculate(path, tmp_path / f"recalc-{next(counter)}")

    return _recalc
