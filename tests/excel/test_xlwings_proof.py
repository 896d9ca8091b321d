"""The add-in against xlwings' own VBA: what Excel will do is read from xlwings' source.

Excel cannot run here, so every fact about how the add-in's ``xlwings`` VBA module finds
its settings, its DLL and its AppleScript is parsed from the VBA of the installed xlwings
(``xlwings_custom_addin.bas``) and from the ``xlwings`` module inside the BUILT
``xlsales.xlam`` (read back with olevba), never restated by hand.
"""

from __future__ import annotations

import ast
import csv
import importlib
import inspect
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

xlwings = pytest.importorskip("xlwings")
pytest.importorskip("pyopenvba")
olevba = pytest.importorskip("oletools.olevba")

from xlsales.excel import ribbon_spec, user_config, xlam  # noqa: E402
from xlsales.texts import message_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"
XLWINGS_DIR = Path(xlwings.__file__).parent
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return xlam.build_addin(tmp_path_factory.mktemp("addin"), lang="ja")


@pytest.fixture(scope="module")
def vba_sources(built):
    """{"installed": the .bas xlwings ships, "built": the xlwings module inside xlsales.xlam}."""
    parser = olevba.VBA_Parser(str(built))
    try:
        modules = {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    return {"installed": (XLWINGS_DIR / "xlwings_custom_addin.bas").read_text("utf-8"), "built": modules["xlwings"]}


@pytest.fixture(scope="module")
def built_modules(built):
    parser = olevba.VBA_Parser(str(built))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


# --- reading VBA ------------------------------------------------------------------------


def _function(source: str, name: str) -> str:
    """The body of the VBA Function/Sub ``name``."""
    m = re.search(rf"^(?:Public |Private )?(?:Function|Sub) {name}\b.*?^End (?:Function|Sub)", source, re.M | re.S)
    assert m, f"{name} is not in the VBA"
    return m.group(0)


def _branches(body: str) -> dict[str, str]:
    """The ``#If Mac Then`` / ``#Else`` halves of a body: {"darwin": ..., "win32": ...}."""
    m = re.search(r"#If Mac Then(.*?)#Else(.*?)#End If", body, re.S)
    assert m, body
    return {"darwin": m.group(1), "win32": m.group(2)}


def _split_concat(expr: str) -> list[str]:
    """The operands of a VBA ``&`` chain, string literals kept quoted."""
    parts, current, quoted, depth = [], "", False, 0
    for ch in expr.strip():
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
        if ch == "&" and not quoted and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def _eval_concat(expr: str, names: dict[str, str]) -> str:
    """A VBA string expression of literals, and operands given in ``names``, evaluated."""
    out = ""
    for part in _split_concat(expr):
        if part.startswith('"') and part.endswith('"'):
            out += part[1:-1].replace('""', '"')
        else:
            assert part in names, f"unknown operand {part!r} in {expr!r}"
            out += names[part]
    return out


def _const(source: str, name: str) -> str:
    found = re.findall(rf'^Public Const {name} As String = "([^"]*)"', source, re.M)
    assert len(found) == 1, name
    return found[0]


def _config_keys(source: str) -> set[str]:
    """Every key xlwings' VBA asks ``GetConfig`` for."""
    return set(re.findall(r'GetConfig\("([^"]+)"', source))


def _config_sheet(built: Path) -> tuple[str, dict[str, str]]:
    """(name, {cell: text}) of the add-in's one sheet, as Excel reads it."""
    with zipfile.ZipFile(built) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        strings = ["".join(t.text or "" for t in si.iter(f"{MAIN_NS}t"))
                   for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(f"{MAIN_NS}si")]
    (name,) = [s.get("name") for s in workbook.iter(f"{MAIN_NS}sheet")]
    cells = {}
    for c in sheet.iter(f"{MAIN_NS}c"):
        v = c.find(f"{MAIN_NS}v")
        if c.get("t") == "inlineStr":
            cells[c.get("r")] = "".join(t.text or "" for t in c.iter(f"{MAIN_NS}t"))
        elif c.get("t") == "s":
            cells[c.get("r")] = strings[int(v.text)]
        elif v is not None:
            cells[c.get("r")] = v.text
    return name, {ref: text for ref, text in cells.items() if text not in (None, "")}


def _read_like_get_config_from_sheet(cells: dict[str, str], source: str) -> dict[str, str]:
    """``GetConfigFromSheet``: A1 down to the last cell before a blank (End(xlDown)), keys in UCase."""
    body = _function(source, "GetConfigFromSheet")
    # The reading this imitates: from A1, End(xlDown) (only A1 when A2 is blank), UCase keys,
    # the value one column to the right.
    assert 'If sht.Range("A2") = "" Then' in body and 'sht.Range("A1").End(xlDown)' in body
    assert "d.Add UCase(cell.Value), cell.Offset(0, 1).Value" in body
    out, row = {}, 1
    while cells.get(f"A{row}"):
        out[cells[f"A{row}"].upper()] = cells.get(f"B{row}", "")
        row += 1
    return out


# --- the config sheet -------------------------------------------------------------------


@pytest.mark.parametrize("which", ["installed", "built"])
def test_the_config_sheet_has_the_name_get_config_reads(built, vba_sources, which):
    source = vba_sources[which]
    project = "xlsales" if which == "built" else _const(source, "PROJECT_NAME")
    m = re.search(r"Set sht = wb\.Sheets\((.+?)\)\s*$", _function(source, "GetConfigFromSheet"), re.M)
    read_name = _eval_concat(m.group(1), {"PROJECT_NAME": project})
    # GetConfig looks the sheet up by the same expression in the add-in (ThisWorkbook).
    assert 'SheetExists(ThisWorkbook, PROJECT_NAME & ".conf")' in _function(source, "GetConfig")
    if which == "built":
        assert _const(source, "PROJECT_NAME") == xlam.PROJECT_NAME
        name, _ = _config_sheet(built)
        assert name == read_name == xlam.CONFIG_SHEET == "xlsales.conf"
    else:
        assert read_name == f"{project}.conf"


@pytest.mark.parametrize("which", ["installed", "built"])
def test_every_key_on_the_sheet_is_asked_for_and_has_a_value(built, vba_sources, which):
    source = vba_sources[which]
    _, cells = _config_sheet(built)
    read = _read_like_get_config_from_sheet(cells, source)
    # Every filled cell is inside what GetConfigFromSheet reads (no row after a blank).
    assert {f"A{n}" for n in range(1, len(read) + 1)} | {f"B{n}" for n in range(1, len(read) + 1)} >= cells.keys()
    assert read == {key.upper(): value for key, value in xlam.CONFIG_ROWS}
    asked = _config_keys(source)
    for key, value in read.items():
        # The dictionary's Exists is case-sensitive: the key GetConfig asks for is the UCase one.
        assert key in asked, f"{key} is on the sheet but xlwings never asks GetConfig for it"
        assert value.strip(), f"{key} is empty: it would hide the user's config file"
    assert read["UDF MODULES"] == xlam.UDF_MODULE
    assert 'GetUdfModules = GetConfig("UDF MODULES")' in _function(source, "GetUdfModules")


def test_the_interpreter_is_not_on_the_sheet(built, vba_sources):
    # The interpreter comes from the user's file: the sheet is read first and would win.
    _, cells = _config_sheet(built)
    read = _read_like_get_config_from_sheet(cells, vba_sources["built"])
    body = _function(vba_sources["built"], "RunPython")
    for key in re.findall(r'interpreter = GetConfig\("([^"]+)"', body):
        assert key not in read


# --- the user config file -----------------------------------------------------------------


def _mac_container(source: str) -> str:
    # GetMacDir(..., Normalize:=True) removes Excel's sandbox container from the home folder.
    m = re.search(r'GetMacDir = Replace\(GetMacDir, "([^"]+)", ""\)', _function(source, "GetMacDir"))
    return m.group(1)


def _vba_config_path(source: str, platform: str, home: str) -> str:
    """The path ``GetConfigFilePath`` computes for the user at ``home`` on ``platform``."""
    body = _branches(_function(source, "GetConfigFilePath"))[platform]
    (expr,) = re.findall(r"^\s*GetConfigFilePath = (.+?)\s*$", body, re.M)
    names = {
        "PROJECT_NAME": _const(source, "PROJECT_NAME"),
        'Environ("USERPROFILE")': home,
        # AppleScript's POSIX path of (path to home folder) inside Excel's sandbox: the
        # container, as a folder path (with its trailing /).
        'GetMacDir("$HOME", False)': home + _mac_container(source) + "/",
    }
    return _eval_concat(expr, names)


@pytest.mark.parametrize("platform, home", [("win32", "C:\\Users\\田中"), ("darwin", "/Users/tanaka")])
def test_the_user_config_path_is_the_one_get_config_file_path_computes(vba_sources, platform, home):
    vba = _vba_config_path(vba_sources["built"], platform, home)
    ours = user_config.config_file_path(home, platform)
    if platform == "win32":
        assert vba == "C:\\Users\\田中\\.xlsales\\xlsales.conf"
        assert PureWindowsPath(str(ours)) == PureWindowsPath(vba)
    else:
        assert posixpath.normpath(vba) == "/Users/tanaka/Library/Containers/com.microsoft.Excel/Data/xlsales.conf"
        assert PurePosixPath(ours) == PurePosixPath(posixpath.normpath(vba))
    # xlwings' own Python names the same Mac container for its xlwings.conf.
    assert re.search(r'"Library",\s*"Containers",\s*"com\.microsoft\.Excel",\s*"Data",\s*"xlwings\.conf"',
                     Path(inspect.getsourcefile(xlwings)).read_text("utf-8"))


def _read_like_input(path: Path, encoding: str) -> list[tuple[str, str]]:
    # VBA's Input #: comma-separated, quoted strings without escapes.
    rows = csv.reader(path.read_bytes().decode(encoding).splitlines(), doublequote=False, strict=True)
    return [tuple(row) for row in rows if row]


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_the_writer_writes_where_and_what_get_config_reads(vba_sources, tmp_path, platform):
    source = vba_sources["built"]
    home = tmp_path / "home"
    written = user_config.write_user_config(home, platform, interpreter="/opt/py/bin/python3", encoding="utf-8")
    vba = _vba_config_path(source, platform, str(home))
    expected = Path(posixpath.normpath(vba.replace("\\", "/")))
    assert written == expected and written.is_file()
    # The keys are those RunPython and GetUdfModules ask for, on this OS's branch.
    run_python = _branches(_function(source, "RunPython"))[platform]
    (interpreter_key,) = re.findall(r'interpreter = GetConfig\("([^"]+)"', run_python)
    settings = dict(_read_like_input(written, "utf-8"))
    assert settings == {interpreter_key: "/opt/py/bin/python3", "UDF MODULES": xlam.UDF_MODULE}
    # GetConfigFromFile compares keys in LCase; its reading is Input # of two values a line.
    body = _function(source, "GetConfigFromFile")
    assert "Input #iFileNum, sVarName, sVarValue" in body and "LCase(sVarName) = LCase(sName)" in body


def test_install_writes_the_config_file_after_xlwings_installs(tmp_path, monkeypatch):
    import sys

    import xlwings.cli

    from xlsales.excel import install

    xlam_file = tmp_path / "xlsales.xlam"
    xlam_file.write_bytes(b"an add-in")
    startup = tmp_path / "XLSTART"
    startup.mkdir()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "profile"))
    monkeypatch.setattr(xlwings.cli, "addin_install", lambda args: (startup / "xlsales.xlam").write_bytes(
        Path(args.file).read_bytes()))
    monkeypatch.setattr(xlwings.cli, "get_addin_dir", lambda glob: str(startup))
    assert install.install_addin(xlam_file, interpreter="C:\\Py\\python.exe") == startup / "xlsales.xlam"
    conf = tmp_path / "profile" / ".xlsales" / "xlsales.conf"
    assert _read_like_input(conf, "utf-8") == [("INTERPRETER_WIN", "C:\\Py\\python.exe"),
                                               ("UDF MODULES", xlam.UDF_MODULE)]
    assert conf.read_bytes().endswith(b"\r\n")
    install.install_addin(xlam_file)  # without --interpreter: the Python running it
    assert dict(_read_like_input(conf, "utf-8"))["INTERPRETER_WIN"] == sys.executable


# --- the version ----------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["installed", "built"])
def test_the_dlls_the_vba_declares_are_the_recorded_version(vba_sources, which):
    source = vba_sources[which]
    recorded = _const(source, "XLWINGS_VERSION")
    declared = set(re.findall(r'Lib "xlwings(?:32|64)-([^"]+)\.dll"', source))
    assert declared == {recorded} == {xlwings.__version__}
    assert re.search(rf'XLPyDLLName As String = "xlwings64-{re.escape(recorded)}\.dll"', source)
    assert xlam.addin_xlwings_version(source) == recorded


def test_the_mac_script_the_vba_runs_is_the_one_xlwings_installs(vba_sources):
    source = vba_sources["built"]
    version = _const(source, "XLWINGS_VERSION")
    m = re.search(r'AppleScriptTask\((.+?), "VbaHandler"', _function(source, "ExecuteMac"))
    script = _eval_concat(m.group(1), {"XLWINGS_VERSION": version})
    assert (XLWINGS_DIR / script).is_file()  # what `xlwings runpython install` copies
    install_source = inspect.getsource(xlwings.cli.runpython_install)
    assert '"/Library/Application Scripts/com.microsoft.Excel"' in install_source
    assert 'f"xlwings-{xw.__version__}.applescript"' in install_source
    # Our dispatcher looks for exactly that file in exactly that folder.
    ribbon = (MACROS / "XlsalesRibbon.bas").read_text("utf-8")
    check = _function(ribbon, "MacScriptInstalled")
    assert '"Library/Application Scripts/com.microsoft.Excel/"' in check
    assert 'Dir(folder & "xlwings-" & XLWINGS_VERSION & ".applescript")' in check
    assert 'GetMacDir("$HOME", True)' in check
    assert re.search(r"^Function GetMacDir\(Name As String, Normalize As Boolean\) As String", source, re.M)
    # The dispatcher checks before RunPython, on a Mac only.
    on_button = _function(ribbon, "OnButton")
    assert on_button.index("#If Mac Then") < on_button.index("MacScriptInstalled()") < on_button.index("RunPython")


def test_the_mac_message_is_the_one_of_messages_json():
    ribbon = (MACROS / "XlsalesRibbon.bas").read_text("utf-8")
    consts = {}
    for name in ("MAC_SCRIPT_MISSING_EN", "MAC_SCRIPT_MISSING_JA"):
        m = re.search(rf"^Private Const {name} As String = _\n(.*?)\n(?=\S)", ribbon + "\n.", re.M | re.S)
        consts[name] = "".join(re.findall(r'"([^"]*)"', m.group(1)))
    ja_hex = consts["MAC_SCRIPT_MISSING_JA"]
    assert len(ja_hex) % 4 == 0 and re.fullmatch(r"[0-9A-F]*", ja_hex)
    ja = "".join(chr(int(ja_hex[i:i + 4], 16)) for i in range(0, len(ja_hex), 4))
    placeholder = {"version": "{version}"}
    wanted_ja = message_text("addin_mac_script_missing", "ja", **placeholder)
    hint = "".join(f"{ord(c):04X}" for c in wanted_ja)
    assert ja == wanted_ja, f"paste this hex into MAC_SCRIPT_MISSING_JA: {hint}"
    assert consts["MAC_SCRIPT_MISSING_EN"] == message_text("addin_mac_script_missing", "en", **placeholder)
    assert 'Replace(MAC_SCRIPT_MISSING_EN & vbLf & vbLf & ja, "{version}", XLWINGS_VERSION)' in ribbon
    assert "xlsales addin install" in ja and "xlsales addin install" in consts["MAC_SCRIPT_MISSING_EN"]


# --- the dispatcher's calls -------------------------------------------------------------------


def _run_python_calls() -> list[tuple[str, str]]:
    """(module, the expression after RunPython) of every RunPython call in macros/."""
    found = []
    for path in sorted(MACROS.glob("*.bas")):
        for line in path.read_text("utf-8").splitlines():
            m = re.match(r"\s*RunPython\s+(.+?)\s*$", line)
            if m and not line.lstrip().startswith("'"):
                found.append((path.stem, m.group(1)))
    return found


def test_every_run_python_string_calls_a_function_that_exists_with_that_signature(built_modules):
    calls = _run_python_calls()
    assert calls, "no RunPython in macros/"
    version = _const(built_modules["xlwings"], "XLWINGS_VERSION")
    # XLWINGS_VERSION is a Public Const of the add-in's xlwings module: the dispatcher sees it.
    assert "Option Private Module" not in built_modules["xlwings"]
    for module_name, expr in calls:
        for button in ribbon_spec.buttons("ja"):
            command = _eval_concat(expr, {"control.Id": button["id"], "XLWINGS_VERSION": version})
            statements = ast.parse(command).body
            imported = [alias.name for s in statements if isinstance(s, ast.Import) for alias in s.names]
            calls_made = [s.value for s in statements if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)]
            assert imported and len(calls_made) == 1, f"{module_name}: {command}"
            call = calls_made[0]
            target = ast.unparse(call.func)
            owner, _, attr = target.rpartition(".")
            assert owner in imported, command
            function = getattr(importlib.import_module(owner), attr)
            args = [ast.literal_eval(a) for a in call.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            inspect.signature(function).bind(*args, **kwargs)  # raises TypeError if it does not fit
            assert args == [button["id"], version]


def test_every_on_action_names_a_public_ribbon_sub_of_macros():
    subs = {}
    for path in MACROS.glob("*.bas"):
        for m in re.finditer(r"^(Public\s+|Private\s+)?Sub\s+(\w+)\s*\(([^)]*)\)", path.read_text("utf-8"), re.M):
            subs[f"{path.stem}.{m.group(2)}"] = (m.group(1) or "").strip(), re.sub(r"\s+", " ", m.group(3).strip())
    actions = set()
    for lang in ribbon_spec.LANGUAGES:
        for xml in ribbon_spec.render_customui(lang).values():
            actions |= {e.get("onAction") for e in ET.fromstring(xml).iter() if e.get("onAction")}
    assert actions
    for action in actions:
        assert action in subs, f"{action} is not a Sub of macros/"
        scope, params = subs[action]
        assert scope != "Private" and params == "control As IRibbonControl", action
