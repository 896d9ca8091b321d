"""The Excel add-in xlsales.xlam, built from addin/ and macros/ (xlsales.excel: ribbon_spec, xlam, install).

Desktop Excel is not here: the package is checked part by part (OOXML structure,
customUI, relationships), the VBA is read back with oletools and pyOpenVBA, and
LibreOffice opens the add-in and imports its VBA project.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path

import pytest

xlwings = pytest.importorskip("xlwings")
pytest.importorskip("pyopenvba")
olevba = pytest.importorskip("oletools.olevba")
olefile = pytest.importorskip("olefile")

from support.libreoffice import convert  # noqa: E402

from xlsales.excel import install, ribbon_spec, xlam  # noqa: E402
from xlsales.exceptions import AddinError  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_2007 = "http://schemas.microsoft.com/office/2006/01/customui"
NS_2010 = "http://schemas.microsoft.com/office/2009/07/customui"
REL_2007 = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
REL_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
CUSTOMUI = {"customUI/customUI.xml": (NS_2007, REL_2007), "customUI/customUI14.xml": (NS_2010, REL_2010)}
ADDIN_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
EXPECTED = {  # id: (group id, ja label, en label)
    "xsValidate": ("xsGroupCheck", "検証", "Validate"),
    "xsRefresh": ("xsGroupRefresh", "更新", "Refresh"),
    "xsCheckin": ("xsGroupRefresh", "チェックイン", "Check-in"),
    "xsPlan": ("xsGroupRefresh", "年間計画", "Annual plan"),
    "xsMonthly": ("xsGroupDistribute", "月次ブック作成", "Monthly workbooks"),
    "xsMail": ("xsGroupDistribute", "メール作成", "Mail drafts"),
    # -- 回収 (collect)
    "xsCollect": ("xsGroupCollect", "回収", "Collect"),
    # -- end 回収
    "xsEvaluate": ("xsGroupHr", "評価", "Evaluate"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """{lang: path of xlsales.xlam built in that language}."""
    return {lang: xlam.build_addin(tmp_path_factory.mktemp(f"addin-{lang}"), lang=lang) for lang in ("ja", "en")}


def _normalized(vba: str) -> list[str]:
    lines = [line.rstrip() for line in vba.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if not line.startswith("Attribute ")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _vba_modules(path: Path) -> dict[str, str]:
    parser = olevba.VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _customui(path: Path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(path) as z:
        return {part: ET.fromstring(z.read(part)) for part in CUSTOMUI}


def _buttons(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if e.tag.endswith("}button")]


# --- the sources ------------------------------------------------------------------------


def test_buttons_json_is_the_ribbon():
    for lang, column in (("ja", 1), ("en", 2)):
        got = ribbon_spec.buttons(lang)
        assert [b["id"] for b in got] == list(EXPECTED)
        for b in got:
            assert b["group"] == EXPECTED[b["id"]][0]
            assert b["label"] == EXPECTED[b["id"]][column]
            assert b["size"] in ("large", "normal") and b["imageMso"] and b["screentip"] and b["supertip"]
    assert [b["group_label"] for b in ribbon_spec.buttons("ja")] == ["チェック", "更新", "更新", "更新", "配布", "配布",
                                                                     "回収", "人事"]
    assert [b["group_label"] for b in ribbon_spec.buttons("en")] == ["Check", "Refresh", "Refresh", "Refresh",
                                                                     "Distribute", "Distribute", "Collect", "HR"]
    assert ribbon_spec.ribbon("ja")["tab"] == {"id": "xlsalesTab", "label": "営業プロセス"}
    assert ribbon_spec.ribbon("en")["tab"] == {"id": "xlsalesTab", "label": "Sales process"}
    # Every call gives fresh dicts: a caller cannot change the ribbon.
    ribbon_spec.buttons("ja")[0]["id"] = "changed"
    assert ribbon_spec.buttons("ja")[0]["id"] == "xsValidate"
    with pytest.raises(ValueError):
        ribbon_spec.buttons("fr")


def test_the_text_sources_ship_inside_the_package():
    # addin/, macros/ and workbook_templates/ are package data of xlsales._addin_files,
    # xlsales._macros and xlsales.workbook_templates;
    # what the installed package holds is what the repository holds.
    for package, folder in (("xlsales._addin_files", "addin"), ("xlsales._macros", "macros"),
                            ("xlsales.workbook_templates", "workbook_templates")):
        shipped = {e.name: e.read_bytes() for e in resources.files(package).iterdir() if e.is_file()}
        in_git = {p.name: p.read_bytes() for p in (ROOT / folder).iterdir() if p.is_file()}
        assert shipped == in_git


def test_every_subpackage_is_in_the_explicit_package_list():
    # pyproject lists the packages by hand (for the addin/ and macros/ mapping): a new
    # subpackage of src/xlsales must be added there, or wheels leave it out.
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    src = ROOT / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in (src / "xlsales").rglob("__init__.py")}
    found.discard("")
    assert found <= set(config["packages"]), f"add {sorted(found - set(config['packages']))} to pyproject"
    assert config["package-dir"] == {"": "src", "xlsales.workbook_templates": "workbook_templates",
                                     "xlsales._addin_files": "addin", "xlsales._macros": "macros"}


def test_macros_are_ascii_for_the_vba_code_page():
    for path in MACROS.glob("*.bas"):
        path.read_text("utf-8").encode("ascii")


@pytest.mark.parametrize(
    "change, complaint",
    [
        (lambda s: s["buttons"][1].update(id="xsValidate"), "used twice"),
        (lambda s: s["buttons"][0].update(id="xs'); import os; ('"), "must match"),
        (lambda s: s["buttons"][0].update(group="nope"), "not one of the groups"),
        (lambda s: s["buttons"][0]["label"].pop("en"), "languages"),
        (lambda s: s["buttons"][0].update(size="huge"), "size"),
        (lambda s: s["buttons"][0]["supertip"].update(ja=""), "non-empty"),
    ],
)
def test_a_bad_buttons_json_is_refused(change, complaint):
    import copy

    spec = copy.deepcopy(ribbon_spec.load_spec())
    change(spec)
    with pytest.raises(AddinError, match=re.escape(complaint)):
        ribbon_spec.check_spec(spec)


def test_labels_are_xml_escaped(monkeypatch):
    import copy

    spec = copy.deepcopy(ribbon_spec.load_spec())
    tricky = 'R&D <"受注"> \'x\''
    spec["buttons"][0]["label"]["ja"] = tricky
    spec["buttons"][0]["supertip"]["ja"] = tricky + " & more"
    monkeypatch.setattr(ribbon_spec, "load_spec", lambda: spec)
    for xml in ribbon_spec.render_customui("ja").values():
        button = _buttons(ET.fromstring(xml))[0]
        assert button.get("label") == tricky
        assert button.get("supertip") == tricky + " & more"


# --- the package ------------------------------------------------------------------------


def test_the_addin_is_an_ooxml_addin_package(built):
    for path in built.values():
        assert path.name == "xlsales.xlam"
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            names = set(z.namelist())
            types = ET.fromstring(z.read("[Content_Types].xml"))
            overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{{{CT_NS}}}Override")}
            defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{{{CT_NS}}}Default")}
            assert overrides["/xl/workbook.xml"] == ADDIN_MAIN
            assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
            assert defaults["xml"] == "application/xml" and "rels" in defaults
            assert {p.lstrip("/") for p in overrides} <= names
            for name in names:  # every other part keeps a content type
                ext = name.rsplit(".", 1)[-1]
                assert "/" + name in overrides or ext in defaults, name
                if ext in ("xml", "rels"):
                    ET.fromstring(z.read(name))  # well-formed
            # The template's config sheet follows the project's name (xlwings' renaming steps),
            # switched on: xlwings reads only the sheet named PROJECT_NAME & ".conf".
            assert b'<sheet name="xlsales.conf"' in z.read("xl/workbook.xml")
            assert b"_xlsales.conf" not in z.read("xl/workbook.xml")


def test_customui_parts_namespaces_relationships(built):
    for path in built.values():
        with zipfile.ZipFile(path) as z:
            rels = ET.fromstring(z.read("_rels/.rels"))
            names = set(z.namelist())
        ui_rels = [r for r in rels if r.get("Type") in (REL_2007, REL_2010)]
        assert sorted((r.get("Target"), r.get("Type")) for r in ui_rels) == sorted(
            (part, rel) for part, (_, rel) in CUSTOMUI.items()
        )
        ids = [r.get("Id") for r in rels]
        assert len(ids) == len(set(ids))
        assert {r.get("Target") for r in rels} <= names
        for part, root in _customui(path).items():
            assert root.tag == f"{{{CUSTOMUI[part][0]}}}customUI"
            assert all(e.tag.startswith(f"{{{CUSTOMUI[part][0]}}}") for e in root.iter())


def test_every_id_once_and_every_button_calls_the_dispatcher(built):
    ids = ["xlsalesTab", "xsGroupCheck", "xsGroupRefresh", "xsGroupDistribute", "xsGroupCollect", "xsGroupHr",
           *EXPECTED]
    for path in built.values():
        for root in _customui(path).values():
            all_ids = [e.get("id") for e in root.iter() if e.get("id") is not None]
            assert sorted(all_ids) == sorted(ids)
            buttons = _buttons(root)
            assert [b.get("id") for b in buttons] == list(EXPECTED)
            assert {b.get("onAction") for b in buttons} == {ribbon_spec.ON_ACTION}
            for b in buttons:
                parent = next(g for g in root.iter() if b in list(g))
                assert parent.get("id") == EXPECTED[b.get("id")][0]
    # The dispatcher is a Sub of the module its onAction names, taking the ribbon control,
    # and hands the control's id to Python.
    module, _, sub = ribbon_spec.ON_ACTION.partition(".")
    code = _vba_modules(built["ja"])[module]
    assert re.search(rf"^\s*(Public\s+)?Sub\s+{sub}\s*\(\s*control\s+As\s+IRibbonControl\s*\)", code, re.M | re.I)
    assert ("""RunPython "import xlsales.excel.ribbon; xlsales.excel.ribbon.on_ribbon('" & control.Id & "', '" """
            """& XLWINGS_VERSION & "')\"""") in code


def test_labels_follow_the_language(built):
    for lang, column in (("ja", 1), ("en", 2)):
        wanted = {b["id"]: b for b in ribbon_spec.buttons(lang)}
        for root in _customui(built[lang]).values():
            tab = next(e for e in root.iter() if e.tag.endswith("}tab"))
            assert tab.get("label") == ribbon_spec.ribbon(lang)["tab"]["label"]
            for b in _buttons(root):
                want = wanted[b.get("id")]
                assert b.get("label") == EXPECTED[b.get("id")][column]
                for key in ("label", "screentip", "supertip", "imageMso", "size"):
                    assert b.get(key) == want[key]
    ja = {b.get("id"): b.get("label") for b in _buttons(_customui(built["ja"])["customUI/customUI14.xml"])}
    en = {b.get("id"): b.get("label") for b in _buttons(_customui(built["en"])["customUI/customUI14.xml"])}
    assert ja.keys() == en.keys() and all(ja[k] != en[k] for k in ja)


# --- the VBA ----------------------------------------------------------------------------


def test_vba_modules_are_the_macros_sources(built):
    modules = _vba_modules(built["ja"])
    sources = {p.stem: p.read_text("utf-8") for p in MACROS.glob("*.bas")}
    assert sources and sources == xlam.macro_sources()
    for name, text in sources.items():
        assert _normalized(modules[name]) == _normalized(text), name
    # The template's sample ribbon module is gone; xlwings' RunPython runtime stays,
    # configured under the add-in's name.
    assert "RibbonMyAddin" not in modules
    assert {"ThisWorkbook", "Dictionary", "xlwings"} <= modules.keys()
    assert "Public Function RunPython(" in modules["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "xlsales"' in modules["xlwings"]
    assert f'Public Const XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings"]


def test_vba_project_is_named_xlsales(built):
    import pyopenvba

    with zipfile.ZipFile(built["en"]) as z:
        ole = olefile.OleFileIO(z.read("xl/vbaProject.bin"))
    try:
        project = olevba.VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
        assert project.projectname == "xlsales"
        text = ole.openstream("PROJECT").read().decode("cp1252")
        assert re.search(r'^Name="xlsales"\r$', text, re.M)
        assert "Module=XlsalesRibbon" in text and "RibbonMyAddin" not in text
        workspace = text.partition("[Workspace]\r\n")[2]
        assert "XlsalesRibbon=" in workspace and "\r\n\r\n" not in workspace.rstrip("\r\n")
    finally:
        ole.close()
    with pyopenvba.ExcelFile(built["en"]) as wb:
        assert wb.vba_project().name == "xlsales"
        assert wb.validate() == []
    assert pyopenvba.check_file(built["en"]).issues == ()


def test_the_build_is_reproducible_and_atomic(built, tmp_path):
    again = xlam.build_addin(tmp_path, lang="ja")
    assert again.read_bytes() == built["ja"].read_bytes()
    (tmp_path / "xlsales.xlam").write_bytes(b"an old add-in")
    xlam.build_addin(tmp_path, lang="ja")
    assert (tmp_path / "xlsales.xlam").read_bytes() == built["ja"].read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["xlsales.xlam"]  # no temporary file left


# --- installing -------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="would install into a real Excel")
def test_install_needs_desktop_excel(built, monkeypatch):
    with pytest.raises(AddinError) as err:
        install.install_addin(built["ja"])
    assert "Windows or macOS" in err.value.message("en") and "Windows" in err.value.message("ja")
    # Past the platform check, it is xlwings' own installer that runs (and, with no
    # Excel here, fails): its error comes back as an AddinError.
    import xlwings.cli  # noqa: F401  (imported before the platform is faked)

    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(AddinError, match="xlwings could not install") as err:
        install.install_addin(built["ja"])
    assert isinstance(err.value.__cause__, xlwings.XlwingsError)


# --- LibreOffice ------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_opens_the_addin_and_reads_its_vba(built, tmp_path):
    # soffice exits 0 even when it fails: convert() checks that the output exists.
    xlsx = convert(built["ja"], tmp_path / "xlsx", to="xlsx:Calc MS Excel 2007 XML", recalc=False,
                   infilter="Calc MS Excel 2007 XML")
    with zipfile.ZipFile(xlsx) as z:
        assert b'name="xlsales.conf"' in z.read("xl/workbook.xml")
    # Saved as ODF, LibreOffice's own VBA importer shows the project: a Basic library
    # named after the VBA project, one module per VBA module.
    ods = convert(built["en"], tmp_path / "ods", to="ods", recalc=False, infilter="Calc MS Excel 2007 XML")
    with zipfile.ZipFile(ods) as z:
        basic = {n for n in z.namelist() if n.startswith("Basic/")}
        assert "Basic/xlsales/XlsalesRibbon.xml" in basic, sorted(basic)
        assert "Basic/xlsales/xlwings.xml" in basic
        assert not any("RibbonMyAddin" in n for n in basic)
        module = ET.fromstring(z.read("Basic/xlsales/XlsalesRibbon.xml")).text
    assert "Public Sub OnButton(control As IRibbonControl)" in module
    assert "xlsales.excel.ribbon.on_ribbon" in module


def test_the_config_sheet_names_the_udf_module(tmp_path):
    import re
    import zipfile

    from xlsales.excel.xlam import UDF_MODULE, build_addin

    path = build_addin(tmp_path)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    # One row from A1, the only key with a value: every key present overrides the user's file.
    assert re.findall(r'<c r="([A-Z]+\d+)"', sheet) == ["A1", "B1"]
    assert re.search(rf'<c r="A1" t="inlineStr"><is><t>UDF Modules</t></is></c>'
                     rf'<c r="B1" t="inlineStr"><is><t>{UDF_MODULE}</t>', sheet)
    assert '<dimension ref="A1:B1"' in sheet
    import xlsales.excel.udfs  # the module named there exists

    assert UDF_MODULE == xlsales.excel.udfs.__name__
