"""The command line: help everywhere, documented commands, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsales import cli

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


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
