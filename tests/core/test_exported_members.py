"""The public surface is deliberate: everything else is private."""

import types

import xlsales


def test_all_lists_exactly_the_public_names():
    # Subpackages (read, validate, compute, layout, write, excel) and modules are the
    # package's rooms, not names of its API.
    public = sorted(name for name in dir(xlsales) if not name.startswith("_") and name != "annotations"
                    and not isinstance(getattr(xlsales, name), types.ModuleType))
    assert sorted(xlsales.__all__) == public


def test_the_evaluation_is_public():
    # 人事評価 (issue 15): the workbook writer and what it returns, beside build
    assert {"write_evaluation", "EvaluationResult"} <= set(xlsales.__all__)
    assert xlsales.write_evaluation.__module__ == "xlsales.write.evaluation"
