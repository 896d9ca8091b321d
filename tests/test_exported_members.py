"""The public surface is deliberate: everything else is private."""

import xlsales


def test_all_lists_exactly_the_public_names():
    public = sorted(name for name in dir(xlsales) if not name.startswith("_") and name not in {
        "annotations", "cli", "exceptions", "udfs", "addin"})
    assert sorted(xlsales.__all__) == public
