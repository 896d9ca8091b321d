"""xlwings' user config file of the add-in (``xlsales.conf``): its place per OS, and writing it.

The add-in's ``xlwings`` VBA module reads its settings with ``GetConfig``: the add-in's
config sheet first, then the user config file at ``GetConfigFilePath()``:

- Windows: ``Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"``,
  i.e. ``%USERPROFILE%\\.xlsales\\xlsales.conf``;
- Mac: ``GetMacDir("$HOME", False) & "/" & PROJECT_NAME & ".conf"``, the home folder as
  sandboxed Excel sees it, i.e. ``~/Library/Containers/com.microsoft.Excel/Data/xlsales.conf``
  (the same container xlwings' own ``USER_CONFIG_FILE`` names for ``xlwings.conf``).

``GetConfigFromFile`` reads it with VBA's ``Input #``: one ``"KEY","VALUE"`` line per
setting, keys compared case-insensitively, the first match wins.  :func:`write_user_config`
writes the interpreter (``INTERPRETER_WIN`` or ``INTERPRETER_MAC``, the keys ``RunPython``
asks for) and ``UDF MODULES`` in that format, and keeps every other line of the file.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Mapping
from pathlib import Path

from xlsales.excel.xlam import PROJECT_NAME, UDF_MODULE
from xlsales.exceptions import AddinError
from xlsales.write.files import atomic_path

__all__ = ["PLATFORMS", "config_file_path", "interpreter_key", "parse_config", "user_home", "write_user_config"]

#: The platforms with desktop Excel, as ``sys.platform`` names them.
PLATFORMS = ("win32", "darwin")
# Where sandboxed Excel's home folder is, below the user's home (xlwings' GetMacDir
# normalizes it away with the same string).
_MAC_CONTAINER = ("Library", "Containers", "com.microsoft.Excel", "Data")
# One setting of a file VBA's Write # wrote: "KEY","VALUE".
_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')


def _check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise AddinError("addin_install_platform", platform=platform)


def user_home(platform: str, environ: Mapping[str, str] | None = None) -> Path:
    """The folder the add-in's VBA starts the config file's path from, as Python sees it.

    Parameters
    ----------
    platform : {"win32", "darwin"}
        The OS, as ``sys.platform`` names it.
    environ : mapping, optional
        The environment; by default ``os.environ``.

    Returns
    -------
    pathlib.Path
        Windows: ``%USERPROFILE%`` (what VBA's ``Environ("USERPROFILE")`` gives); Mac: the
        user's home folder (Python runs outside Excel's sandbox).
    """
    _check_platform(platform)
    environ = os.environ if environ is None else environ
    if platform == "win32" and environ.get("USERPROFILE"):
        return Path(environ["USERPROFILE"])
    return Path.home()


def config_file_path(home: str | os.PathLike, platform: str) -> Path:
    """The path xlwings' ``GetConfigFilePath`` computes for the add-in, for the user at ``home``.

    Parameters
    ----------
    home : str or os.PathLike
        The user's home folder (Windows: ``%USERPROFILE%``).
    platform : {"win32", "darwin"}
        The OS, as ``sys.platform`` names it.

    Returns
    -------
    pathlib.Path
        Windows ``home\\.xlsales\\xlsales.conf``; Mac
        ``home/Library/Containers/com.microsoft.Excel/Data/xlsales.conf``.
    """
    _check_platform(platform)
    conf = f"{PROJECT_NAME}.conf"
    if platform == "win32":
        return Path(home, f".{PROJECT_NAME}", conf)
    return Path(home, *_MAC_CONTAINER, conf)


def interpreter_key(platform: str) -> str:
    """The key ``RunPython`` reads the interpreter from: ``INTERPRETER_WIN`` or ``INTERPRETER_MAC``."""
    _check_platform(platform)
    return "INTERPRETER_WIN" if platform == "win32" else "INTERPRETER_MAC"


def parse_config(text: str) -> list[tuple[str, str]]:
    """The settings of a config file, in file order, as ``GetConfigFromFile`` reads them.

    Parameters
    ----------
    text : str
        The file's text: ``"KEY","VALUE"`` lines.

    Returns
    -------
    list of (str, str)
        (key, value) per setting line; lines of another form are left out.
    """
    return [(m.group(1), m.group(2)) for m in map(_LINE.match, text.splitlines()) if m]


def _encoding(platform: str) -> str:
    # VBA's Input # reads the file in the system's ANSI code page on Windows ("mbcs" in
    # Python, cp932 on a Japanese Windows), as xlwings' own config_create writes it; Mac
    # Excel reads UTF-8.  Off Windows the ANSI code page is unknown: keep to ASCII.
    if platform == "darwin":
        return "utf-8"
    try:
        return codecs.lookup("mbcs").name
    except LookupError:
        return "ascii"


def write_user_config(home: str | os.PathLike, platform: str, *, interpreter: str,
                      udf_modules: str = UDF_MODULE, encoding: str | None = None) -> Path:
    """Write the interpreter and the UDF module into the add-in's user config file.

    The file is the one xlwings' ``GetConfigFilePath`` names (:func:`config_file_path`), in
    the ``"KEY","VALUE"`` lines ``GetConfigFromFile`` reads.  Every other setting already
    in the file stays; an earlier line of ours (any case of the key) is replaced.  The file
    is written atomically.

    Parameters
    ----------
    home : str or os.PathLike
        The user's home folder (:func:`user_home`).
    platform : {"win32", "darwin"}
        The OS whose Excel reads the file.
    interpreter : str
        The Python that runs the add-in (``sys.executable`` of ``xlsales addin install``).
    udf_modules : str
        The module of the worksheet functions (``UDF MODULES``).
    encoding : str, optional
        The file's encoding; by default the one Excel's VBA reads on ``platform``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    AddinError
        ``platform`` has no desktop Excel, a value holds ``"`` or a line break (``Input #``
        cannot read it), or a character the file's encoding cannot hold.
    """
    path = config_file_path(home, platform)
    encoding = encoding or _encoding(platform)
    ours = {interpreter_key(platform): str(interpreter), "UDF MODULES": udf_modules}
    for key, value in ours.items():
        if any(ch in value for ch in '"\r\n'):
            raise AddinError("addin_config_value", path=path, setting=key, value=value)
        try:
            value.encode(encoding)
        except UnicodeEncodeError as e:
            raise AddinError("addin_config_encoding", path=path, setting=key, value=value, encoding=encoding) from e
    # Each OS's text files: Write # ends lines with CRLF on Windows.
    newline = b"\r\n" if platform == "win32" else b"\n"
    taken = {key.casefold() for key in ours}
    # The other lines stay byte for byte (whatever their encoding); blank lines go, as
    # xlwings' own update_user_config drops them.
    kept = [line.rstrip(b"\r") for line in (path.read_bytes().split(b"\n") if path.is_file() else [])]
    kept = [line for line in kept if line.strip() and _key(line, encoding) not in taken]
    lines = kept + [f'"{key}","{value}"'.encode(encoding) for key, value in ours.items()]
    with atomic_path(path) as tmp:
        tmp.write_bytes(newline.join(lines) + newline)
    return path


def _key(line: bytes, encoding: str) -> str | None:
    m = _LINE.match(line.decode(encoding, errors="replace"))
    return m.group(1).casefold() if m else None
