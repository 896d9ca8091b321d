"""xlsales: the sales process of DOMAIN.md in Excel workbooks.

read -> validate -> compute -> lay out -> write::

    import xlsales
    master = xlsales.read_master("master.xlsx")      # or ValidationError with every bad row
    result = xlsales.build(master, "out", as_of=datetime.date(2026, 11, 30))
    df = xlsales.figures(master, as_of=datetime.date(2026, 11, 30))  # the same figures, as a DataFrame
    hr = xlsales.write_evaluation(master, "hr")     # 人事評価: its own workbook, never in a build
    plan = xlsales.annual_plan(master, datetime.date(2026, 4, 1))  # 年間計画 of fiscal 2026
    xlsales.write_plan(master, "plans", year=plan.year)            # its workbook of live formulas
    xlsales.adopt_plan("master.xlsx", "master_plan_FY2026.xlsx", plan)  # the plan as the 目標 of a new master
"""

from xlsales.collect.adopt import adopt_plan
from xlsales.compute.annual_plan import AnnualPlan, annual_plan
from xlsales.demo import demo_master
from xlsales.exceptions import InputError, Problem, ValidationError, XlsalesError
from xlsales.frames import figures, read_log
from xlsales.model import Event, Master, Member, Settings, Target
from xlsales.validate.master import read_master, validate_master
from xlsales.write.build import BuildResult, build
from xlsales.write.checkin import write_checkins
from xlsales.write.evaluation import EvaluationResult, write_evaluation
from xlsales.write.master import write_master
from xlsales.write.plan import write_plan

__all__ = [
    "AnnualPlan",
    "BuildResult",
    "EvaluationResult",
    "Event",
    "InputError",
    "Master",
    "Member",
    "Problem",
    "Settings",
    "Target",
    "ValidationError",
    "XlsalesError",
    "adopt_plan",
    "annual_plan",
    "build",
    "demo_master",
    "figures",
    "read_log",
    "read_master",
    "validate_master",
    "write_checkins",
    "write_evaluation",
    "write_master",
    "write_plan",
]
