"""Type cells into a workbook in LibreOffice Calc through UNO, and save it as .xlsx.

A rep who uses LibreOffice opens the mailed workbook, types a few cells and saves it:
this script does the same, headless.  It runs under the system Python that Debian's
``python3-uno`` belongs to (``/usr/bin/python3``), never the project's virtualenv, so the
tests call it as a subprocess (``edit_in_libreoffice``)::

    /usr/bin/python3 tests/support/lo_edit.py EDITS.json

``EDITS.json``: ``{"src": PATH, "out": PATH, "sheet": NAME, "cells": [[row, col, kind,
text], ...]}`` with 1-based rows and columns; ``kind`` is ``"typed"`` (the text entered as
a user types it, so Calc parses ``2026-07-20`` into a date cell) or ``"text"`` (kept as
text).  It prints a JSON list of what each cell holds afterwards (its type, value, text).

soffice is started with a private profile and a private pipe, connected to with a retry
loop, and killed at the end whatever happened.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path


def uno_python() -> str | None:
    """The system Python with ``uno`` importable (Debian's python3-uno), or None."""
    exe = "/usr/bin/python3"
    if not Path(exe).exists():
        return None
    try:
        proc = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if proc.returncode == 0 else None


def edit_in_libreoffice(src: str | os.PathLike, out: str | os.PathLike, sheet: str,
                        cells: list[tuple[int, int, str, str]], *, timeout: float = 300) -> list[dict]:
    """Type ``cells`` into ``sheet`` of ``src`` in LibreOffice; save the result as ``out`` (.xlsx).

    Parameters
    ----------
    src, out : path
        The workbook to open, and where LibreOffice stores it ("Calc MS Excel 2007 XML").
    sheet : str
        The sheet typed into.
    cells : list of (row, col, kind, text)
        1-based positions; ``kind`` ``"typed"`` (parsed as a user's typing) or ``"text"``.

    Returns
    -------
    list of dict
        Per cell, what Calc holds after typing: ``type`` (VALUE, TEXT, ...), ``value``, ``text``.
    """
    exe = uno_python()
    if exe is None:
        raise RuntimeError("python3-uno is not installed (/usr/bin/python3 -c 'import uno' fails)")
    with tempfile.TemporaryDirectory(prefix="xlsales-uno-") as work:
        spec = Path(work) / "edits.json"
        spec.write_text(json.dumps({"src": str(Path(src).resolve()), "out": str(Path(out).resolve()),
                                    "sheet": sheet, "cells": [list(c) for c in cells]}), "utf-8")
        # Only the system Python's own paths: the virtualenv's PYTHONPATH/PYTHONHOME would break it.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        proc = subprocess.run([exe, __file__, str(spec)], capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0 or not Path(out).exists():
        raise RuntimeError(f"LibreOffice edit failed ({proc.returncode}): {proc.stdout} {proc.stderr}".strip())
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _connect(pipe: str, soffice: subprocess.Popen, deadline: float):
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            # soffice takes a few seconds to open its pipe; a dead soffice never will.
            if soffice.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _props(**values):
    from com.sun.star.beans import PropertyValue

    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _date_format(doc, cell, text: str) -> None:
    # Typing a date in Calc's window also gives a General cell a date format; setFormula
    # through the API parses the date into a serial but leaves the format alone.
    from com.sun.star.lang import Locale
    from com.sun.star.util.NumberFormat import DATE

    if cell.getType().value != "VALUE" or text.replace(".", "", 1).lstrip("-").isdigit():
        return
    formats = doc.NumberFormats
    if not formats.getByKey(cell.NumberFormat).Type & DATE:
        cell.NumberFormat = formats.getStandardFormat(DATE, Locale())


def _run(spec: dict) -> list[dict]:
    import uno

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    pipe = f"xlsales_{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory(prefix="xlsales-uno-profile-") as profile:
        soffice = subprocess.Popen(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--invisible", "--norestore",
             "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;StarOffice.ServiceManager"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "HOME": profile},
            start_new_session=True)  # its own process group: soffice.bin is a child of the launcher
        try:
            ctx = _connect(pipe, soffice, time.monotonic() + 120)
            desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(spec["src"]), "_blank", 0,
                                               _props(Hidden=True))
            try:
                ws = doc.Sheets.getByName(spec["sheet"])
                seen = []
                for row, col, kind, text in spec["cells"]:
                    cell = ws.getCellByPosition(col - 1, row - 1)
                    if kind == "typed":
                        cell.setFormula(text)  # what typing into the cell does: dates and numbers parsed
                        _date_format(doc, cell, text)
                    else:
                        cell.setString(text)
                    seen.append({"row": row, "col": col, "type": cell.getType().value,  # CellContentType: VALUE, TEXT
                                 "value": cell.getValue(), "text": cell.getString()})
                doc.storeToURL(uno.systemPathToFileUrl(spec["out"]),
                               _props(FilterName="Calc MS Excel 2007 XML", Overwrite=True))
            finally:
                doc.close(True)
            return seen
        finally:
            # The whole group (launcher and soffice.bin); no graceful exit: the profile is thrown away.
            try:
                os.killpg(soffice.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            soffice.wait(timeout=60)


if __name__ == "__main__":
    print(json.dumps(_run(json.loads(Path(sys.argv[1]).read_text("utf-8"))), ensure_ascii=False))
