"""Recalculate a workbook in LibreOffice headless (the spreadsheet engine of the tests).

LibreOffice never recalculates .xlsx on load by default; a private profile whose
``registrymodifications.xcu`` sets ``OOXMLRecalcMode`` to 0 forces it.  ``soffice``
exits 0 even when it failed, so the output file's existence is the only signal.
One profile per process: two runs sharing a profile hand work to each other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
</oor:items>
"""


class RecalcError(RuntimeError):
    """LibreOffice did not produce the converted file."""


def soffice() -> str | None:
    """The path of ``soffice``, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: str | os.PathLike, out_dir: str | os.PathLike, *, to: str = "xlsx:Calc MS Excel 2007 XML",
            recalc: bool = True, timeout: float = 600, infilter: str | None = None) -> Path:
    """Convert ``src`` with LibreOffice into ``out_dir`` (recalculating on load when ``recalc``).

    Returns the path of the converted file; raises RecalcError when there is none.
    """
    exe = soffice()
    if exe is None:
        raise RecalcError("LibreOffice (soffice) is not installed")
    src = Path(src).resolve()
    out_dir = Path(out_dir).resolve()
    if out_dir == src.parent:
        raise RecalcError("the output folder must differ from the input's folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    ext = to.split(":")[0]
    target = out_dir / (src.stem + "." + ext)
    if target.exists():
        target.unlink()
    with tempfile.TemporaryDirectory(prefix="xlsales-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_XCU.format(mode=0 if recalc else 1), "utf-8")
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nologo",
               "--convert-to", to, "--outdir", str(out_dir)]
        if infilter:
            cmd.append(f"--infilter={infilter}")
        cmd.append(str(src))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "HOME": profile})
    if not target.exists():
        raise RecalcError(f"LibreOffice did not convert {src.name}: {proc.stdout} {proc.stderr}".strip())
    return target


def recalculate(src: str | os.PathLike, out_dir: str | os.PathLike, **kwargs) -> Path:
    """``src`` recalculated by LibreOffice and saved as .xlsx in ``out_dir``."""
    return convert(src, out_dir, recalc=True, **kwargs)
