"""The add-in's settings: the user config file the install writes, the template layout the
build accepts, and the version check a button press makes (xlsales.excel: user_config, xlam, ribbon).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

xlwings = pytest.importorskip("xlwings")
pytest.importorskip("pyopenvba")

from support.masterfactory import write_master  # noqa: E402

from xlsales.excel import ribbon, user_config, xlam  # noqa: E402
from xlsales.excel.books import FileBook  # noqa: E402
from xlsales.exceptions import AddinError  # noqa: E402

TEMPLATE = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


# --- the user config file -------------------------------------------------------------------


def test_the_writer_keeps_the_users_other_settings(tmp_path):
    path = user_config.config_file_path(tmp_path, "win32")
    path.parent.mkdir(parents=True)
    # A file xlwings' VBA Write # (or a person) wrote: other keys, a blank line, ours in
    # another case, a line in the ANSI code page of a Japanese Windows.
    path.write_bytes(b'"LICENSE_KEY","abc"\r\n\r\n"interpreter_win","C:\\old\\python.exe"\r\n'
                     + '"PYTHONPATH","C:\\\\作業"\r\n'.encode("cp932"))
    written = user_config.write_user_config(tmp_path, "win32", interpreter="C:\\new\\python.exe", encoding="cp932")
    assert written == path
    assert path.read_bytes() == (b'"LICENSE_KEY","abc"\r\n' + '"PYTHONPATH","C:\\\\作業"\r\n'.encode("cp932")
                                 + b'"INTERPRETER_WIN","C:\\new\\python.exe"\r\n"UDF MODULES","xlsales.excel.udfs"\r\n')
    # Again: the same file (ours replaced, not repeated).
    before = path.read_bytes()
    user_config.write_user_config(tmp_path, "win32", interpreter="C:\\new\\python.exe", encoding="cp932")
    assert path.read_bytes() == before
    assert user_config.parse_config(path.read_bytes().decode("cp932"))[-2:] == [
        ("INTERPRETER_WIN", "C:\\new\\python.exe"), ("UDF MODULES", "xlsales.excel.udfs")]


def test_the_mac_file_is_utf8_with_the_mac_key(tmp_path):
    path = user_config.write_user_config(tmp_path, "darwin", interpreter="/Users/たなか/venv/bin/python")
    assert path == tmp_path / "Library/Containers/com.microsoft.Excel/Data/xlsales.conf"
    assert path.read_text("utf-8") == ('"INTERPRETER_MAC","/Users/たなか/venv/bin/python"\n'
                                       '"UDF MODULES","xlsales.excel.udfs"\n')


@pytest.mark.parametrize("interpreter, key", [('C:\\a"b\\python.exe', "addin_config_value"),
                                              ("C:\\a\nb\\python.exe", "addin_config_value"),
                                              ("C:\\Users\\田中\\python.exe", "addin_config_encoding")])
def test_a_value_vba_cannot_read_is_refused(tmp_path, interpreter, key):
    with pytest.raises(AddinError) as err:
        user_config.write_user_config(tmp_path, "win32", interpreter=interpreter, encoding="cp1252")
    assert err.value.key == key
    assert not (tmp_path / ".xlsales").exists() or not any((tmp_path / ".xlsales").iterdir())


def test_the_home_is_userprofile_on_windows(tmp_path):
    assert user_config.user_home("win32", {"USERPROFILE": str(tmp_path)}) == tmp_path
    assert user_config.interpreter_key("win32") == "INTERPRETER_WIN"
    assert user_config.interpreter_key("darwin") == "INTERPRETER_MAC"
    with pytest.raises(AddinError):
        user_config.config_file_path(tmp_path, "linux")


# --- the template's layout --------------------------------------------------------------------


def _template_with(tmp_path, monkeypatch, edit) -> None:
    """xlwings' template with ``edit(sheet1.xml text) -> text``, where the build looks for it."""
    fake = tmp_path / "xlwings"
    fake.mkdir()
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(fake / TEMPLATE.name, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)
    shutil.copy(Path(xlwings.__file__), fake / "__init__.py")
    monkeypatch.setattr(xlwings, "__file__", str(fake / "__init__.py"))


def test_the_unchanged_template_builds(tmp_path, monkeypatch):
    _template_with(tmp_path, monkeypatch, lambda text: text)
    assert xlam.build_addin(tmp_path / "out").is_file()


@pytest.mark.parametrize("edit, detail", [
    # "UDF Modules" moved one row down (rows 6 and 5 swapped).
    (lambda t: t.replace("<v>1</v>", "<v>X</v>").replace("<v>4</v>", "<v>1</v>").replace("<v>X</v>", "<v>4</v>"),
     "column A"),
    # The template already names a module.
    (lambda t: t.replace('<c r="A6" s="1" t="s"><v>1</v></c>',
                         '<c r="A6" s="1" t="s"><v>1</v></c><c r="B6" t="inlineStr"><is><t>x</t></is></c>'),
     "B6"),
])
def test_an_unknown_config_sheet_is_refused(tmp_path, monkeypatch, edit, detail):
    _template_with(tmp_path, monkeypatch, edit)
    with pytest.raises(AddinError) as err:
        xlam.build_addin(tmp_path / "out")
    assert err.value.key == "addin_build_config_sheet" and detail in err.value.message("en")
    assert not (tmp_path / "out" / "xlsales.xlam").exists()


def test_the_xlwings_version_must_be_declared_once():
    source = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text("utf-8")
    assert xlam.addin_xlwings_version(source) == xlwings.__version__
    with pytest.raises(AddinError, match="XLWINGS_VERSION"):
        xlam.addin_xlwings_version(re.sub(r"Public Const XLWINGS_VERSION.*", "", source))
    with pytest.raises(AddinError, match="DLLs"):
        xlam.addin_xlwings_version(source.replace(f'xlwings32-{xlwings.__version__}.dll', "xlwings32-0.1.0.dll"))


# --- the version check of a button press -------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_drifted_addin_says_to_reinstall_and_import_again(lang):
    with pytest.raises(AddinError) as err:
        xlam.check_addin_version("0.37.3", installed="0.37.8")
    text = err.value.message(lang)
    assert "0.37.3" in text and "0.37.8" in text
    assert "xlsales addin install" in text and "ImportPythonUDFsToAddin" in text
    xlam.check_addin_version("0.37.8", installed="0.37.8")
    xlam.check_addin_version(None, installed="0.37.8")  # an older add-in passes no version


class _Book(FileBook):
    alerts: list[str] = []

    def alert(self, text, lang):
        _Book.alerts.append(text)


def test_on_ribbon_refuses_to_run_a_drifted_addin(tmp_path, monkeypatch):
    master = write_master(tmp_path / "m.xlsx", log_rows=[
        {"date": "7/1", "rep": "山田 太郎", "activity": "訪問", "customer": "A社"}])
    ran = []
    monkeypatch.setenv("XLSALES_LANG", "en")
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: master))
    monkeypatch.setattr(ribbon, "XlwingsBook", _Book)
    monkeypatch.setitem(ribbon.HANDLERS, "xsValidate", lambda *a, **k: ran.append(1))
    _Book.alerts = []
    ribbon.on_ribbon("xsValidate", "0.1.0")
    assert ran == [] and len(_Book.alerts) == 1
    assert f"xlwings 0.1.0, but xlwings {xlwings.__version__} is installed" in _Book.alerts[0]
    monkeypatch.undo()
    # The matching version runs the button (its handler is the real one again).
    monkeypatch.setenv("XLSALES_LANG", "en")
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: master))
    monkeypatch.setattr(ribbon, "XlwingsBook", _Book)
    _Book.alerts = []
    ribbon.on_ribbon("xsValidate", xlwings.__version__)
    assert len(_Book.alerts) == 1 and "Marked" in _Book.alerts[0]
