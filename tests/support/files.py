"""Helpers of the fault tests: the CLI as a subprocess, a file's digest, a complete workbook."""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import openpyxl


def xlsales_cmd() -> list[str]:
    """The console script's entry point, with this interpreter (no PATH lookup needed)."""
    return [sys.executable, "-c", "from xlsales.cli import main; main()"]


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes: "byte for byte unchanged" in one comparison."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def complete(path: Path) -> bool:
    """A whole, readable workbook: every zip member's CRC checks and openpyxl opens it."""
    try:
        with zipfile.ZipFile(path) as z:
            if z.testzip() is not None:
                return False
        wb = openpyxl.load_workbook(path, read_only=True)
        ok = len(wb.sheetnames) >= 2
        wb.close()
        return ok
    except Exception:  # noqa: BLE001 - any failure to read is "incomplete"
        return False
