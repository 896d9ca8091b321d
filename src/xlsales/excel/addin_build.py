"""Build the xlsales Excel add-in (``xlsales.xlam``) from the text sources in git.

Nothing binary of ours is committed: the add-in is made at build time from

- ``addin/buttons.json``, the single list of the ribbon's tab, groups and buttons;
- ``addin/ribbon.xml.j2``, the jinja2 template of the ribbon's customUI XML;
- ``macros/*.bas``, the VBA modules of the add-in (the ribbon dispatcher);
- the ribbon add-in template that ships inside the installed xlwings package
  (``xlwings/quickstart_addin_ribbon.xlam``, the free open-source part of xlwings),
  whose ``xlwings`` VBA module provides ``RunPython``.

``addin/`` and ``macros/`` ship inside the installed package as ``xlsales._addin_files``
and ``xlsales._macros`` (see ``pyproject.toml``), so a wheel can build the add-in too.

The template's VBA project holds ``ThisWorkbook``, ``Sheet2`` (its hidden config sheet
``_myaddin.conf``), ``Dictionary`` (a class ``xlwings`` uses), ``xlwings`` (the
``RunPython`` runtime) and ``RibbonMyAddin`` (the sample ribbon callback).  The build
follows xlwings' own "Renaming your add-in" steps: the sample module is replaced by ours,
``PROJECT_NAME`` of the ``xlwings`` module and the config sheet become ``xlsales``, and
the VBA project is named ``xlsales``; then the customUI parts are rendered in.

The add-in's ``xlwings`` VBA module calls the xlwings DLL of the same version
(``xlwings64-<version>.dll``), which comes with the xlwings Python package: the Python
that runs the add-in needs the xlwings version the add-in was built with.

Requires the ``addin`` extra: ``pip install "xlsales[addin]"`` (xlwings, pyOpenVBA).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import importlib
import io
import json
import re
import shutil
import struct
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import quoteattr

import jinja2

from xlsales.exceptions import XlsalesError
from xlsales.write.files import atomic_path

__all__ = [
    "ADDIN_FILENAME",
    "AddinError",
    "CUSTOMUI_PARTS",
    "DISPATCHER_MODULE",
    "LANGUAGES",
    "ON_ACTION",
    "PROJECT_NAME",
    "build_addin",
    "buttons",
    "install_addin",
    "macro_sources",
    "render_customui",
    "ribbon",
]

#: The file name of the built add-in.  xlwings' installer keeps the name in XLSTART.
ADDIN_FILENAME = "xlsales.xlam"
#: The VBA project's name, and the xlwings PROJECT_NAME (config sheet/file ``xlsales.conf``).
PROJECT_NAME = "xlsales"
#: The VBA module (macros/XlsalesRibbon.bas) that holds the dispatcher.
DISPATCHER_MODULE = "XlsalesRibbon"
#: The one onAction of every button.  Module-qualified, as xlwings' own template does:
#: another open add-in may have a macro of the same name.
ON_ACTION = f"{DISPATCHER_MODULE}.OnButton"
LANGUAGES = ("ja", "en")

#: Package part -> (customUI namespace, package relationship type).  Office 2007 reads
#: customUI.xml; Office 2010 and later read customUI14.xml and ignore the other.
CUSTOMUI_PARTS = {
    "customUI/customUI.xml": (
        "http://schemas.microsoft.com/office/2006/01/customui",
        "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
    ),
    "customUI/customUI14.xml": (
        "http://schemas.microsoft.com/office/2009/07/customui",
        "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
    ),
}
ADDIN_MAIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"

_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_UI_REL_TYPES = {rel for _, rel in CUSTOMUI_PARTS.values()}
_TEMPLATE = "quickstart_addin_ribbon.xlam"
_TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"  # the template's sample callback: calls <workbook name>.main()
_TEMPLATE_PROJECT_NAME = "myaddin"
_VBA_ENTRY = "xl/vbaProject.bin"
_WORKBOOK_PART = "xl/workbook.xml"
# The zip entries' timestamp: the same sources give the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Ribbon ids are XML ids, and the dispatcher pastes control.Id into a quoted Python
# string: letters, digits and _ only, so neither can be broken.
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_SIZES = {"large", "normal"}
# Office's limit for label, screentip and supertip attributes (ST_String, ST_LongString).
_MAX_TEXT = 1024


class AddinError(XlsalesError):
    """The add-in cannot be built or installed; the message says why, in ja and en."""

    def __init__(self, ja: str, en: str) -> None:
        self.texts = {"ja": ja, "en": en}
        super().__init__(en)

    def message(self, lang: str = "ja") -> str:
        return self.texts.get(lang, self.texts["en"])


# ---------------------------------------------------------------------------
# The text sources
# ---------------------------------------------------------------------------


def _addin_files() -> resources.abc.Traversable:
    return resources.files("xlsales._addin_files")


def _macro_files() -> resources.abc.Traversable:
    return resources.files("xlsales._macros")


@functools.lru_cache(maxsize=None)
def _ribbon_spec() -> dict:
    spec = json.loads(_addin_files().joinpath("buttons.json").read_text("utf-8"))
    _check_spec(spec)
    return spec


def _check_spec(spec: dict) -> None:
    """Refuse a buttons.json that would give Excel a ribbon it rejects without a word."""

    def fail(en: str) -> None:
        raise AddinError(
            f"addin/buttons.json が正しくありません: {en}", f"addin/buttons.json is invalid: {en}"
        )

    def texts(item: dict, key: str) -> None:
        value = item.get(key)
        if not isinstance(value, dict) or set(value) != set(LANGUAGES):
            fail(f"{item.get('id')!r}: {key} needs exactly the languages {LANGUAGES}")
        for lang, text in value.items():
            if not isinstance(text, str) or not text.strip() or len(text) > _MAX_TEXT:
                fail(
                    f"{item.get('id')!r}: {key}[{lang}] must be a non-empty text of at most {_MAX_TEXT} characters"
                )

    tab, groups, items = spec.get("tab"), spec.get("groups"), spec.get("buttons")
    if not isinstance(tab, dict) or not isinstance(groups, list) or not isinstance(items, list) or not items:
        fail("it needs a tab, a list of groups and a non-empty list of buttons")
    seen: set[str] = set()
    for item in [tab, *groups, *items]:
        ident = item.get("id")
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            fail(f"id {ident!r} must match {_ID.pattern}")
        if ident.casefold() in seen:
            fail(f"id {ident!r} is used twice")
        seen.add(ident.casefold())
        texts(item, "label")
    group_ids = {g["id"] for g in groups}
    for item in items:
        if item.get("group") not in group_ids:
            fail(f"{item['id']!r}: group {item.get('group')!r} is not one of the groups")
        texts(item, "screentip")
        texts(item, "supertip")
        if not isinstance(item.get("imageMso"), str) or not _ID.fullmatch(item["imageMso"]):
            fail(f"{item['id']!r}: imageMso must be the name of a built-in Office icon")
        if item.get("size") not in _SIZES:
            fail(f"{item['id']!r}: size must be one of {sorted(_SIZES)}")
    empty = group_ids - {item["group"] for item in items}
    if empty:
        fail(f"groups without buttons: {sorted(empty)}")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")


def _localize(item: dict, lang: str) -> dict:
    return {k: (v[lang] if isinstance(v, dict) and lang in v else copy.deepcopy(v)) for k, v in item.items()}


def ribbon(lang: str = "ja") -> dict:
    """The ribbon of ``addin/buttons.json`` in one language.

    Parameters
    ----------
    lang : {"ja", "en"}
        The language of labels, screentips and supertips.

    Returns
    -------
    dict
        ``{"tab": {"id", "label"}, "groups": [{"id", "label", "buttons": [...]}]}``,
        each button as :func:`buttons` gives it, groups and buttons in file order.
    """
    _check_lang(lang)
    spec = _ribbon_spec()
    all_buttons = buttons(lang)
    groups = []
    for group in spec["groups"]:
        g = _localize(group, lang)
        g["buttons"] = [b for b in all_buttons if b["group"] == group["id"]]
        groups.append(g)
    return {"tab": _localize(spec["tab"], lang), "groups": groups}


def buttons(lang: str = "ja") -> list[dict]:
    """The ribbon buttons of ``addin/buttons.json``, in file order.

    The Python handler registry checks against this list that every control id has a
    handler; the id is what the VBA dispatcher passes to ``xlsales.excel.ribbon.on_ribbon``.

    Parameters
    ----------
    lang : {"ja", "en"}
        The language of the texts.

    Returns
    -------
    list of dict
        One fresh dict per button: ``id``, ``group`` (the group's id), ``group_label``,
        ``label``, ``screentip``, ``supertip`` (texts in ``lang``), ``imageMso`` and
        ``size``.
    """
    _check_lang(lang)
    spec = _ribbon_spec()
    group_labels = {g["id"]: g["label"][lang] for g in spec["groups"]}
    out = []
    for item in spec["buttons"]:
        b = _localize(item, lang)
        b["group_label"] = group_labels[item["group"]]
        out.append(b)
    return out


def render_customui(lang: str = "ja") -> dict[str, str]:
    """The customUI XML of the ribbon, one text per package part.

    Parameters
    ----------
    lang : {"ja", "en"}
        The language of the ribbon's texts.

    Returns
    -------
    dict of str to str
        ``{"customUI/customUI.xml": ..., "customUI/customUI14.xml": ...}``: the same
        ribbon in the Office 2007 and the Office 2010 namespace, every button's
        ``onAction`` the dispatcher :data:`ON_ACTION`.
    """
    env = jinja2.Environment(
        # Autoescape, whatever the template's name: labels go into XML attributes.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    template = env.from_string(_addin_files().joinpath("ribbon.xml.j2").read_text("utf-8"))
    model = ribbon(lang)
    return {
        part: template.render(namespace=namespace, on_action=ON_ACTION, **model)
        for part, (namespace, _) in CUSTOMUI_PARTS.items()
    }


def macro_sources() -> dict[str, str]:
    """The VBA modules of ``macros/``, by module name, as the files hold them.

    Returns
    -------
    dict of str to str
        Module name (the file's stem, which must equal its ``Attribute VB_Name``) to
        source text; ``.bas`` files are standard modules and ``.cls`` files classes.
    """
    return {name: text for name, text, _ in _macros()}


def _macros() -> list[tuple[str, str, bool]]:
    """(module name, source, is a class module) of every file of ``macros/``."""
    out = []
    for entry in sorted(_macro_files().iterdir(), key=lambda e: e.name):
        stem, _, ext = entry.name.rpartition(".")
        if ext not in ("bas", "cls"):
            continue
        text = entry.read_text("utf-8")
        m = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.MULTILINE)
        if not m or m.group(1) != stem:
            raise AddinError(
                f"macros/{entry.name}: Attribute VB_Name がファイル名 {stem} と一致しません",
                f'macros/{entry.name}: needs Attribute VB_Name = "{stem}", the file\'s name',
            )
        out.append((stem, text, ext == "cls"))
    if DISPATCHER_MODULE not in {name for name, _, _ in out}:
        raise AddinError(
            f"macros/{DISPATCHER_MODULE}.bas がありません", f"macros/{DISPATCHER_MODULE}.bas is missing"
        )
    return out


# ---------------------------------------------------------------------------
# Building the .xlam
# ---------------------------------------------------------------------------


def _need(module: str, package: str):
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise AddinError(
            f'アドインの作成には {package} が必要です: pip install "xlsales[addin]"',
            f'building the add-in needs {package}: pip install "xlsales[addin]"',
        ) from e


def _template_path() -> Path:
    xlwings = _need("xlwings", "xlwings")
    path = Path(xlwings.__file__).parent / _TEMPLATE
    if not path.is_file():
        raise AddinError(
            f"xlwings {xlwings.__version__} に {_TEMPLATE} がありません",
            f"xlwings {xlwings.__version__} ships no {_TEMPLATE}",
        )
    return path


def build_addin(out_dir, *, lang: str = "ja") -> Path:
    """Write ``xlsales.xlam``, the xlsales ribbon add-in, into ``out_dir``.

    The add-in is xlwings' ribbon add-in template with the VBA of ``macros/`` in place
    of its sample ribbon module, its VBA project named ``xlsales``, and the customUI of
    ``addin/`` in ``lang``.  The file is written atomically (a temporary file beside
    it, then renamed), and the same sources and xlwings give the same bytes.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The folder to write into; made when missing.
    lang : {"ja", "en"}
        The language of the ribbon's labels and tips.

    Returns
    -------
    pathlib.Path
        The path of ``xlsales.xlam``.

    Raises
    ------
    AddinError
        xlwings or pyOpenVBA is missing, the template is not what this build expects,
        or ``addin/`` or ``macros/`` is invalid.
    """
    _check_lang(lang)
    customui = render_customui(lang)
    macros = _macros()
    template = _template_path()
    final = Path(out_dir) / ADDIN_FILENAME
    with tempfile.TemporaryDirectory(prefix="xlsales-addin-") as work:
        # pyOpenVBA edits a file in place; it works on a copy of the template.
        staged = Path(work) / ADDIN_FILENAME
        shutil.copyfile(template, staged)
        _put_vba(staged, macros)
        with zipfile.ZipFile(staged) as src:
            vba = _rename_vba_project(src.read(_VBA_ENTRY), PROJECT_NAME)
            with atomic_path(final) as tmp:
                _write_package(src, tmp, vba=vba, customui=customui)
    return final


def _put_vba(xlam: Path, macros: list[tuple[str, str, bool]]) -> None:
    """Replace the template's sample ribbon module with ``macros``; rename xlwings' PROJECT_NAME."""
    pyopenvba = _need("pyopenvba", "pyOpenVBA")
    import xlwings
    from pyopenvba import VBAModuleKind

    with pyopenvba.ExcelFile(xlam) as wb:
        project = wb.vba_project()
        names = {n.casefold(): n for n in project.module_names()}
        if "xlwings" not in names:
            raise AddinError(
                f"{_TEMPLATE} に VBA モジュール xlwings (RunPython) がありません",
                f"{_TEMPLATE} has no xlwings VBA module (RunPython)",
            )
        xlwings_source = wb.get_module(names["xlwings"])
        _check_xlwings_version(xlwings_source, xlwings.__version__)
        # xlwings finds its settings by PROJECT_NAME: an xlsales.conf sheet or config file.
        wb.set_module(names["xlwings"], _set_project_name_const(xlwings_source, PROJECT_NAME))
        sample = names.pop(_TEMPLATE_RIBBON_MODULE.casefold(), None)
        if sample is not None:
            project.delete_module(sample)
        for name, text, is_class in macros:
            if name.casefold() in names:
                raise AddinError(
                    f"macros/{name} は xlwings のテンプレートのモジュール {names[name.casefold()]} と同じ名前です",
                    f"macros/{name} has the name of the xlwings template's module {names[name.casefold()]}",
                )
            kind = VBAModuleKind.other if is_class else VBAModuleKind.standard
            project.add_module(name, _vba_text(name, text, project.code_page), kind=kind)
        wb.save()


def _vba_text(name: str, text: str, code_page: int) -> str:
    # The VBA editor keeps CRLF lines, and stores the text in the project's code page.
    source = "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")) + "\r\n"
    try:
        source.encode(f"cp{code_page}")
    except (UnicodeEncodeError, LookupError) as e:
        raise AddinError(
            f"macros/{name}: VBA プロジェクトのコードページ {code_page} で表せない文字があります"
            " (ASCII で書いてください)",
            f"macros/{name}: has characters that code page {code_page} of the VBA project cannot hold"
            " (keep it ASCII)",
        ) from e
    return source


def _check_xlwings_version(source: str, version: str) -> None:
    # The VBA declares xlwings64-<version>.dll, which the Python package of that version ships.
    m = re.search(r'^Public Const XLWINGS_VERSION As String = "([^"]*)"', source, re.MULTILINE)
    if m and m.group(1) != version:
        raise AddinError(
            f"{_TEMPLATE} の xlwings VBA ({m.group(1)}) と xlwings {version} の版が違います",
            f"the xlwings VBA of {_TEMPLATE} ({m.group(1)}) is not xlwings {version}",
        )


def _set_project_name_const(source: str, name: str) -> str:
    pattern = re.compile(r'^(Public Const PROJECT_NAME As String = ")[^"]*(")', re.MULTILINE)
    new, n = pattern.subn(lambda m: m.group(1) + name + m.group(2), source)
    if n != 1:
        raise AddinError(
            f"{_TEMPLATE} の xlwings モジュールに PROJECT_NAME がありません",
            f"the xlwings module of {_TEMPLATE} has no single PROJECT_NAME constant",
        )
    return new


def _rename_vba_project(vba_bin: bytes, name: str) -> bytes:
    """``vba_bin`` with its VBA project named ``name`` ([MS-OVBA] dir and PROJECT streams).

    pyOpenVBA renames modules but not the project: the name lives in the PROJECTNAME
    record of the compressed ``VBA/dir`` stream and in the ``Name=`` line of ``PROJECT``.
    """
    _need("pyopenvba", "pyOpenVBA")
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress, invalidate_vba_project_cache

    cfb = CFB.from_bytes(vba_bin)
    dir_raw = decompress(cfb.get_stream_in_storage("VBA", "dir"), stream_name="dir")
    # PROJECTNAME follows SYSKIND, [COMPATVERSION], LCID, LCIDINVOKE and CODEPAGE,
    # every one a plain (id, size, data) record ([MS-OVBA] 2.3.4.2.1).
    pos, code_page = 0, 1252
    while True:
        rid, size = struct.unpack_from("<HI", dir_raw, pos)
        if rid == 0x0004:
            break
        if rid not in (0x0001, 0x004A, 0x0002, 0x0014, 0x0003) or pos + 6 + size > len(dir_raw):
            raise AddinError(
                "VBA プロジェクトの dir ストリームを読めません", "cannot read the VBA project's dir stream"
            )
        if rid == 0x0003:
            (code_page,) = struct.unpack_from("<H", dir_raw, pos + 6)
        pos += 6 + size
    encoded = name.encode(f"cp{code_page}")
    dir_raw = dir_raw[:pos] + struct.pack("<HI", 0x0004, len(encoded)) + encoded + dir_raw[pos + 6 + size :]
    cfb.write_stream_in_storage("VBA", "dir", compress(dir_raw))

    text = cfb.get_stream("PROJECT").decode(f"cp{code_page}")
    text, n = re.subn(r'^Name="[^"\r\n]*"', f'Name="{name}"', text, count=1, flags=re.MULTILINE)
    if n != 1:
        raise AddinError(
            "VBA プロジェクトの PROJECT ストリームに Name がありません", "the PROJECT stream has no Name line"
        )
    # pyOpenVBA appends a new module's window entry after the blank line that ends the
    # template's [Workspace] section: keep the entries together, the blank line last.
    head, sep, workspace = text.partition("[Workspace]\r\n")
    if sep:
        entries = "".join(line + "\r\n" for line in workspace.split("\r\n") if line.strip())
        text = head + sep + entries + ("\r\n" if "\r\n\r\n" in workspace else "")
    cfb.write_stream("PROJECT", text.encode(f"cp{code_page}"))
    # The performance cache names the project too: Office rebuilds it from source.
    invalidate_vba_project_cache(cfb)
    return cfb.to_bytes()


def _write_package(src: zipfile.ZipFile, dest: Path, *, vba: bytes, customui: dict[str, str]) -> None:
    """Copy the package ``src`` into ``dest`` part by part, with our parts put in or replaced.

    A new zip written entry by entry: every part we do not own keeps its bytes (openpyxl
    cannot open an .xlam, and a load/save round trip would lose parts).
    """
    names = src.namelist()
    for required in ("[Content_Types].xml", "_rels/.rels", _VBA_ENTRY, _WORKBOOK_PART):
        if required not in names:
            raise AddinError(f"{_TEMPLATE} に {required} がありません", f"{_TEMPLATE} has no {required}")
    replaced = {
        "[Content_Types].xml": _content_types(src.read("[Content_Types].xml")),
        "_rels/.rels": _root_rels(src.read("_rels/.rels")),
        _VBA_ENTRY: vba,
        _WORKBOOK_PART: _rename_config_sheet(src.read(_WORKBOOK_PART)),
        **{part: xml.encode("utf-8") for part, xml in customui.items()},
    }
    if _CONFIG_SHEET_PART in names:
        replaced[_CONFIG_SHEET_PART] = _set_udf_modules(src.read(_CONFIG_SHEET_PART))
    # [Content_Types].xml first, as Office writes it; then the template's order; new parts last.
    order = ["[Content_Types].xml", *(n for n in names if n != "[Content_Types].xml")]
    order += [part for part in customui if part not in names]
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, replaced[name] if name in replaced else src.read(name))


def _flat_xml(root: ET.Element, namespace: str) -> bytes:
    """Serialize a one-level part ([Content_Types].xml, a .rels) in its default namespace.

    Written by hand: ElementTree would either prefix every element (ns0:) or need the
    process-wide ``register_namespace``.
    """
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f"<{_local(root.tag)} xmlns={quoteattr(namespace)}>",
    ]
    for child in root:
        if (child.tag.startswith("{") and not child.tag.startswith(f"{{{namespace}}}")) or len(child):
            raise AddinError(
                "パッケージの XML を書き直せません", f"cannot rewrite the package part with {child.tag}"
            )
        attrs = "".join(f" {name}={quoteattr(value)}" for name, value in child.attrib.items())
        lines.append(f"<{_local(child.tag)}{attrs}/>")
    lines.append(f"</{_local(root.tag)}>")
    return "".join(lines).encode("utf-8")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _content_types(raw: bytes) -> bytes:
    root = ET.fromstring(raw)
    overrides = {o.get("PartName"): o.get("ContentType") for o in root.iter(f"{{{_CT_NS}}}Override")}
    if overrides.get("/" + _WORKBOOK_PART) != ADDIN_MAIN_CONTENT_TYPE:
        raise AddinError(
            f"{_TEMPLATE} はアドイン (.xlam) ではありません",
            f"{_TEMPLATE} is not an add-in: /{_WORKBOOK_PART} is not {ADDIN_MAIN_CONTENT_TYPE}",
        )
    for part in CUSTOMUI_PARTS:
        for o in list(root.iter(f"{{{_CT_NS}}}Override")):
            if o.get("PartName") == "/" + part:
                root.remove(o)
    # The customUI parts are plain XML: the Default for .xml covers them.
    defaults = {d.get("Extension", "").lower(): d for d in root.iter(f"{{{_CT_NS}}}Default")}
    if "xml" not in defaults:
        d = ET.Element(f"{{{_CT_NS}}}Default", {"Extension": "xml", "ContentType": "application/xml"})
        root.insert(len(defaults), d)
    return _flat_xml(root, _CT_NS)


def _root_rels(raw: bytes) -> bytes:
    root = ET.fromstring(raw)
    # The template relates its Office 2006 customUI.xml with the 2007 (Office 2010)
    # type; every ui/extensibility relationship is dropped and ours put in.
    for rel in list(root):
        if rel.get("Type") in _UI_REL_TYPES:
            root.remove(rel)
    used = {rel.get("Id") for rel in root}
    n = 1
    for part, (_, rel_type) in CUSTOMUI_PARTS.items():
        while f"rId{n}" in used:
            n += 1
        used.add(f"rId{n}")
        ET.SubElement(root, f"{{{_REL_NS}}}Relationship", {"Id": f"rId{n}", "Type": rel_type, "Target": part})
    return _flat_xml(root, _REL_NS)


_CONFIG_SHEET_PART = "xl/worksheets/sheet1.xml"  # the template's _myaddin.conf sheet
UDF_MODULE = "xlsales.excel.udfs"
_UDF_ROW = 6  # the template's "UDF Modules" row: its value goes in column B


def _set_udf_modules(raw: bytes) -> bytes:
    # xlwings reads "UDF Modules" from the add-in's config sheet; with it set, Excel's
    # one-time ImportPythonUDFsToAddin brings in the XS_ functions (xlwings can only
    # generate their VBA wrappers on Windows, inside Excel).
    text = raw.decode("utf-8")
    row_open = f'<row r="{_UDF_ROW}" '
    start = text.find(row_open)
    end = text.find("</row>", start)
    if start < 0 or end < 0 or f'r="B{_UDF_ROW}"' in text[start:end]:
        return raw
    cell = f'<c r="B{_UDF_ROW}" t="inlineStr"><is><t>{UDF_MODULE}</t></is></c>'
    text = text[:end] + cell + text[end:]
    text = text.replace(f'<row r="{_UDF_ROW}" spans="1:1"', f'<row r="{_UDF_ROW}" spans="1:2"', 1)
    return text.encode("utf-8")


def _rename_config_sheet(raw: bytes) -> bytes:
    # xlwings' config sheet of the add-in, named after PROJECT_NAME; the leading _ keeps
    # it switched off, as in the template.  A string edit: ElementTree would rename the
    # namespace prefixes that mc:Ignorable lists.
    old = f'name="_{_TEMPLATE_PROJECT_NAME}.conf"'.encode()
    return raw.replace(old, f'name="_{PROJECT_NAME}.conf"'.encode(), 1)


# ---------------------------------------------------------------------------
# Installing
# ---------------------------------------------------------------------------


def install_addin(xlam=None, *, lang: str = "ja", global_install: bool = False) -> Path:
    """Install the add-in into Excel's XLSTART folder with xlwings' own installer.

    This is ``xlwings addin install --file XLAM [--glob]``: xlwings asks a running (or a
    hidden) Excel for its XLSTART folder, closes an open add-in of the same name, copies
    the file there and opens it.  It needs desktop Excel on Windows or macOS.

    Parameters
    ----------
    xlam : str or os.PathLike, optional
        The add-in to install; by default one is built with :func:`build_addin`.
    lang : {"ja", "en"}
        The ribbon's language when the add-in is built here.
    global_install : bool
        Install for every user (xlwings' ``--glob``: Windows only, elevated prompt).

    Returns
    -------
    pathlib.Path
        The installed add-in's path in XLSTART.

    Raises
    ------
    AddinError
        Not on Windows or macOS, xlwings is missing, or the file is not in XLSTART
        afterwards (xlwings reports its failures by printing; its output is in the
        message).
    """
    if sys.platform not in ("win32", "darwin"):
        raise AddinError(
            "アドインのインストールには Windows または macOS のデスクトップ版 Excel が必要です。"
            f"この環境 ({sys.platform}) では build_addin で xlsales.xlam を作り、Excel のある PC で"
            " `xlwings addin install --file xlsales.xlam` を実行してください。",
            "Installing the add-in needs desktop Excel on Windows or macOS; xlwings cannot reach"
            f" Excel on {sys.platform}. Build xlsales.xlam with build_addin here, then run"
            " `xlwings addin install --file xlsales.xlam` on a PC with Excel.",
        )
    if xlam is None:
        with tempfile.TemporaryDirectory(prefix="xlsales-addin-") as tmp:
            return install_addin(build_addin(tmp, lang=lang), global_install=global_install)
    xlam = Path(xlam).resolve()
    if not xlam.is_file():
        raise AddinError(f"{xlam} がありません", f"{xlam} does not exist")
    _need("xlwings", "xlwings")
    from xlwings import cli

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            cli.addin_install(argparse.Namespace(file=str(xlam), dir=None, glob=global_install))
            target = Path(cli.get_addin_dir(global_install)) / xlam.name
    # xlwings raises XlwingsError without Excel, SystemExit for --glob off Windows, and
    # whatever the Excel automation (COM, AppleScript) raises.
    except (Exception, SystemExit) as e:
        raise AddinError(
            f"xlwings がアドインをインストールできませんでした: {e} {printed.getvalue()}".strip(),
            f"xlwings could not install the add-in: {e} {printed.getvalue()}".strip(),
        ) from e
    if not target.is_file() or target.read_bytes() != xlam.read_bytes():
        raise AddinError(
            f"xlwings がアドインをインストールできませんでした: {printed.getvalue()}".strip(),
            f"xlwings did not install the add-in into {target.parent}: {printed.getvalue()}".strip(),
        )
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m xlsales._addin_build OUT_DIR [--lang en]``: build the add-in."""
    parser = argparse.ArgumentParser(prog="python -m xlsales._addin_build", description=main.__doc__)
    parser.add_argument("out_dir")
    parser.add_argument("--lang", choices=LANGUAGES, default="ja")
    args = parser.parse_args(argv)
    try:
        print(build_addin(args.out_dir, lang=args.lang))
    except AddinError as e:
        print(e.message(args.lang), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
