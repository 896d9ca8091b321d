"""The command line: help everywhere, documented commands, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsales import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


@pytest.mark.parametrize("name", sorted(cli.cli.commands))
def test_every_command_has_help_and_is_documented(name):
    command = cli.cli.commands[name]
    assert command.help and "Example:" in command.help
    result = CliRunner().invoke(cli.cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert f"xlsales {name}" in README


def test_top_level_help():
    result = CliRunner().invoke(cli.cli, ["--help"])
    assert result.exit_code == 0
    for name in ("new", "demo", "build", "validate"):
        assert name in result.output


def test_build_rejects_a_bad_as_of_date(tmp_path):
    result = CliRunner().invoke(cli.cli, ["build", str(tmp_path / "m.xlsx"), "--out", str(tmp_path),
                                          "--as-of", "2026/13/01"])
    assert result.exit_code == 2


@pytest.mark.parametrize("name", ["build", "install", "run"])
def test_addin_commands_have_help_and_are_documented(name):
    command = cli.cli.commands["addin"].commands[name]
    assert command.help and "Example:" in command.help
    assert CliRunner().invoke(cli.cli, ["addin", name, "--help"]).exit_code == 0
    assert f"xlsales addin {name}" in README


def test_addin_build_and_install_from_the_command_line(tmp_path):
    pytest.importorskip("xlwings")
    result = CliRunner().invoke(cli.cli, ["addin", "build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xlsales.xlam").exists()
    import sys

    if sys.platform not in ("win32", "darwin"):
        result = CliRunner().invoke(cli.cli, ["addin", "install", "--lang", "en"])
        assert result.exit_code == 1 and "Windows" in result.output


def test_addin_run_validate_from_the_command_line(tmp_path):
    import datetime as dt

    from support.masterfactory import write_master

    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": "7/1", "rep": "山田 太郎", "activity": "訪問", "customer": "A社"},
        {"date": dt.date(2026, 7, 2), "rep": "山田 太郎", "activity": "訪問", "customer": "B社"}])
    result = CliRunner().invoke(cli.cli, ["addin", "run", "validate", str(master)])
    assert result.exit_code == 1 and "2行目" in result.output
    assert (tmp_path / "m_xlsales.xlsx").exists()


def test_addin_run_checkin_from_the_command_line(tmp_path):
    import datetime as dt

    import openpyxl

    from xlsales import demo_master, write_master

    master = write_master(tmp_path / "m.xlsx", demo_master(), lang="ja")
    result = CliRunner().invoke(cli.cli, ["addin", "run", "checkin", str(master), "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "m_xlsales.xlsx")
    assert wb.sheetnames[0] == "チェックイン"
    as_of = wb["チェックイン"]["B2"].value  # a past month: its last working day (10/30 is a Friday)
    assert "2026年10月" in wb["チェックイン"]["A1"].value and as_of.date() == dt.date(2026, 10, 30)


def test_addin_run_plan_from_the_command_line(tmp_path):
    import openpyxl

    from xlsales import demo_master, write_master

    master = write_master(tmp_path / "m.xlsx", demo_master(), lang="ja")
    result = CliRunner().invoke(cli.cli, ["addin", "run", "plan", str(master)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "m_xlsales.xlsx")
    assert wb.sheetnames[0] == "年間計画" and "年度" in wb["年間計画"]["A1"].value


@pytest.mark.parametrize("command", [["mail", "m.xlsx", "--out", "o"], ["addin", "run", "monthly", "m.xlsx"]])
def test_a_month_option_reads_the_ribbons_forms_and_refuses_others_with_the_reason(tmp_path, command):
    cmd = [*command[:-1], str(tmp_path / command[-1])] if command[0] == "addin" else \
        [command[0], str(tmp_path / command[1]), *command[2:]]
    refused = CliRunner().invoke(cli.cli, [*cmd, "--month", "7月", "--lang", "en"])
    assert refused.exit_code == 2 and "'7月'" in refused.output and "2026-07" in refused.output
    for month in ("2026/7", "2026年7月", "R8.7"):  # read as a month: the command goes on to the missing file
        result = CliRunner().invoke(cli.cli, [*cmd, "--month", month, "--lang", "en"])
        assert result.exit_code == 1 and "--month" not in result.output, (month, result.output)
