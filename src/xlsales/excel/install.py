"""Installing ``xlsales.xlam`` into Excel, with xlwings' own add-in installer.

xlwings asks a running (or a hidden) Excel for its XLSTART folder, closes an open add-in
of the same name, copies the file there and opens it (on a Mac it also copies its
``xlwings-<version>.applescript``, which ``RunPython`` needs): this needs desktop Excel on
Windows or macOS.  Then the user config file gets the Python that runs the add-in
(:mod:`xlsales.excel.user_config`).  Elsewhere, build the add-in (``xlsales addin build``)
and install it on a PC with Excel.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from pathlib import Path

from xlsales.excel.user_config import user_home, write_user_config
from xlsales.excel.xlam import build_addin, need
from xlsales.exceptions import AddinError

__all__ = ["install_addin"]


def install_addin(xlam=None, *, lang: str = "ja", global_install: bool = False,
                  interpreter: str | None = None) -> Path:
    """Install the add-in into Excel's XLSTART folder with xlwings' own installer.

    This is ``xlwings addin install --file XLAM [--glob]``: xlwings asks a running (or a
    hidden) Excel for its XLSTART folder, closes an open add-in of the same name, copies
    the file there and opens it (on a Mac, it also installs its RunPython AppleScript).
    It needs desktop Excel on Windows or macOS.  Then the user config file that the
    add-in's VBA reads (:func:`xlsales.excel.user_config.write_user_config`) gets the
    interpreter and the worksheet functions' module.

    Parameters
    ----------
    xlam : str or os.PathLike, optional
        The add-in to install; by default one is built with
        :func:`xlsales.excel.xlam.build_addin`.
    lang : {"ja", "en"}
        The ribbon's language when the add-in is built here.
    global_install : bool
        Install for every user (xlwings' ``--glob``: Windows only, elevated prompt).
    interpreter : str, optional
        The Python that runs the add-in; by default the one running this
        (``sys.executable``).

    Returns
    -------
    pathlib.Path
        The installed add-in's path in XLSTART.

    Raises
    ------
    AddinError
        Not on Windows or macOS, xlwings is missing, the file is not in XLSTART
        afterwards (xlwings reports its failures by printing; its output is in the
        message), or the config file cannot hold the interpreter's path.
    """
    if sys.platform not in ("win32", "darwin"):
        raise AddinError("addin_install_platform", platform=sys.platform)
    if xlam is None:
        with tempfile.TemporaryDirectory(prefix="xlsales-addin-") as tmp:
            return install_addin(build_addin(tmp, lang=lang), global_install=global_install, interpreter=interpreter)
    xlam = Path(xlam).resolve()
    if not xlam.is_file():
        raise AddinError("addin_install_no_file", path=xlam)
    need("xlwings", "xlwings")
    from xlwings import cli

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            cli.addin_install(argparse.Namespace(file=str(xlam), dir=None, glob=global_install))
            target = Path(cli.get_addin_dir(global_install)) / xlam.name
    # xlwings raises XlwingsError without Excel, SystemExit for --glob off Windows, and
    # whatever the Excel automation (COM, AppleScript) raises.
    except (Exception, SystemExit) as e:
        raise AddinError("addin_install_failed", error=e, printed=printed.getvalue()) from e
    if not target.is_file() or target.read_bytes() != xlam.read_bytes():
        raise AddinError("addin_install_missing", folder=target.parent, printed=printed.getvalue())
    write_user_config(user_home(sys.platform), sys.platform, interpreter=interpreter or sys.executable)
    return target
