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


def test_adopt_plan_is_exported_from_its_room():
    # xlsales plan --apply's function, for scripts: the same object as collect.adopt's
    from xlsales.collect.adopt import adopt_plan

    assert xlsales.adopt_plan is adopt_plan and "adopt_plan" in xlsales.__all__


def test_the_annual_plan_is_public():
    # 年間計画 (issue 15): the plan itself and the workbook writer
    assert {"annual_plan", "AnnualPlan", "write_plan"} <= set(xlsales.__all__)
    assert xlsales.annual_plan.__module__ == "xlsales.compute.annual_plan"
    assert xlsales.write_plan.__module__ == "xlsales.write.plan"
