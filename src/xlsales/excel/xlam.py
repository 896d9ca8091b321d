"""The ``.xlam`` itself: xlwings' ribbon add-in template with our VBA and ribbon put in.

Nothing binary of ours is committed: :func:`build_addin` makes ``xlsales.xlam`` from

- the ribbon's customUI XML (:mod:`xlsales.excel.ribbon_spec`, from ``addin/``);
- ``macros/*.bas``, the VBA modules of the add-in (the ribbon dispatcher), shipped
  inside the installed package as ``xlsales._macros`` (see ``pyproject.toml``);
- the ribbon add-in template that ships inside the installed xlwings package
  (``xlwings/quickstart_addin_ribbon.xlam``, the free open-source part of xlwings),
  whose ``xlwings`` VBA module provides ``RunPython``.

The template's VBA project holds ``ThisWorkbook``, ``Sheet2`` (its config sheet
``_myaddin.conf``, switched off by the leading ``_``), ``Dictionary`` (a class ``xlwings``
uses), ``xlwings`` (the ``RunPython`` runtime) and ``RibbonMyAddin`` (the sample ribbon
callback).  The build follows xlwings' own "Renaming your add-in" steps: the sample module
is replaced by ours (with pyOpenVBA), ``PROJECT_NAME`` of the ``xlwings`` module becomes
``xlsales``, and the VBA project is named ``xlsales``; then the package is copied part by
part with the customUI parts, content types and relationships put in.

The config sheet becomes ``xlsales.conf``, the only name xlwings' ``GetConfig`` reads
(``PROJECT_NAME & ".conf"``), and holds only ``UDF Modules``: ``GetConfigFromSheet`` reads
the keys from A1 down to the first blank cell, and a key present on the sheet wins over
the user's config file even when its value is empty (an empty ``Interpreter_Win`` would
hide the interpreter that ``xlsales addin install`` writes there).

The add-in's ``xlwings`` VBA module calls the xlwings DLL of the same version
(``xlwings64-<version>.dll``), which comes with the xlwings Python package, and on a Mac
the AppleScript ``xlwings-<version>.applescript``: the Python that runs the add-in needs
the xlwings version the add-in was built with, its ``XLWINGS_VERSION`` (the ribbon passes
it to Python, which says to reinstall when they differ; see :func:`check_addin_version`).

Requires the ``addin`` extra: ``pip install "xlsales[addin]"`` (xlwings, pyOpenVBA).
"""

from __future__ import annotations

import importlib
import re
import shutil
import struct
import tempfile
import types
import xml.etree.ElementTree as ET
import zipfile
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from xlsales.excel.ribbon_spec import CUSTOMUI_PARTS, DISPATCHER_MODULE, render_customui
from xlsales.exceptions import AddinError
from xlsales.write.files import atomic_path

__all__ = [
    "ADDIN_FILENAME",
    "ADDIN_MAIN_CONTENT_TYPE",
    "CONFIG_ROWS",
    "CONFIG_SHEET",
    "PROJECT_NAME",
    "UDF_MODULE",
    "addin_xlwings_version",
    "build_addin",
    "check_addin_version",
    "macro_files",
    "macro_sources",
    "need",
]

#: The file name of the built add-in.  xlwings' installer keeps the name in XLSTART.
ADDIN_FILENAME = "xlsales.xlam"
#: The VBA project's name, and the xlwings PROJECT_NAME (config sheet/file ``xlsales.conf``).
PROJECT_NAME = "xlsales"
#: The module of the worksheet functions, named on the add-in's config sheet ("UDF Modules").
UDF_MODULE = "xlsales.excel.udfs"
#: The add-in's config sheet: xlwings' GetConfigFromSheet reads ``PROJECT_NAME & ".conf"``.
CONFIG_SHEET = f"{PROJECT_NAME}.conf"
#: The rows of the config sheet, from A1 down: keys of xlwings' GetConfig, each with a value.
CONFIG_ROWS = (("UDF Modules", UDF_MODULE),)
ADDIN_MAIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"

_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_UI_REL_TYPES = {rel for _, rel in CUSTOMUI_PARTS.values()}
_TEMPLATE = "quickstart_addin_ribbon.xlam"
_TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"  # the template's sample callback: calls <workbook name>.main()
_TEMPLATE_PROJECT_NAME = "myaddin"
_VBA_ENTRY = "xl/vbaProject.bin"
_WORKBOOK_PART = "xl/workbook.xml"
_CONFIG_SHEET_PART = "xl/worksheets/sheet1.xml"  # the template's _myaddin.conf sheet
_SST_PART = "xl/sharedStrings.xml"
_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# The template's config sheet, column A from row 1 (xlwings 0.37): the keys it offers, all
# empty but the three FALSE flags, which are xlwings' defaults too.  Another layout is an
# xlwings this build does not know: it is refused, not guessed.
_TEMPLATE_CONFIG_KEYS = ("Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "Conda Path", "Conda Env",
                         "UDF Modules", "Debug UDFs", "Use UDF Server", "Show Console")
# The zip entries' timestamp: the same sources give the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def macro_files() -> resources.abc.Traversable:
    """The folder ``macros/`` as the installed package holds it (``xlsales._macros``)."""
    return resources.files("xlsales._macros")


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
    for entry in sorted(macro_files().iterdir(), key=lambda e: e.name):
        stem, _, ext = entry.name.rpartition(".")
        if ext not in ("bas", "cls"):
            continue
        text = entry.read_text("utf-8")
        m = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.MULTILINE)
        if not m or m.group(1) != stem:
            raise AddinError("addin_build_vb_name", file=entry.name, stem=stem)
        out.append((stem, text, ext == "cls"))
    if DISPATCHER_MODULE not in {name for name, _, _ in out}:
        raise AddinError("addin_build_no_dispatcher", module=DISPATCHER_MODULE)
    return out


def need(module: str, package: str) -> types.ModuleType:
    """The module ``module`` of the ``addin`` extra, imported.

    Parameters
    ----------
    module : str
        The module to import (``"xlwings"``, ``"pyopenvba"``).
    package : str
        The name of the distribution that brings it, for the message.

    Returns
    -------
    types.ModuleType
        The imported module.

    Raises
    ------
    AddinError
        The module is not installed: the message says ``pip install "xlsales[addin]"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise AddinError("addin_build_needs", package=package) from e


def _template_path() -> Path:
    xlwings = need("xlwings", "xlwings")
    path = Path(xlwings.__file__).parent / _TEMPLATE
    if not path.is_file():
        raise AddinError("addin_build_no_template", version=xlwings.__version__, template=_TEMPLATE)
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
    customui = render_customui(lang)  # first: a bad lang is refused before any work
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
    pyopenvba = need("pyopenvba", "pyOpenVBA")
    import xlwings
    from pyopenvba import VBAModuleKind

    with pyopenvba.ExcelFile(xlam) as wb:
        project = wb.vba_project()
        names = {n.casefold(): n for n in project.module_names()}
        if "xlwings" not in names:
            raise AddinError("addin_build_no_runpython", template=_TEMPLATE)
        xlwings_source = wb.get_module(names["xlwings"])
        _check_xlwings_version(xlwings_source, xlwings.__version__)
        # xlwings finds its settings by PROJECT_NAME: an xlsales.conf sheet or config file.
        wb.set_module(names["xlwings"], _set_project_name_const(xlwings_source, PROJECT_NAME))
        sample = names.pop(_TEMPLATE_RIBBON_MODULE.casefold(), None)
        if sample is not None:
            project.delete_module(sample)
        for name, text, is_class in macros:
            if name.casefold() in names:
                raise AddinError("addin_build_module_taken", name=name, taken=names[name.casefold()])
            kind = VBAModuleKind.other if is_class else VBAModuleKind.standard
            project.add_module(name, _vba_text(name, text, project.code_page), kind=kind)
        wb.save()


def _vba_text(name: str, text: str, code_page: int) -> str:
    # The VBA editor keeps CRLF lines, and stores the text in the project's code page.
    source = "\r\n".join(text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")) + "\r\n"
    try:
        source.encode(f"cp{code_page}")
    except (UnicodeEncodeError, LookupError) as e:
        raise AddinError("addin_build_code_page", name=name, code_page=code_page) from e
    return source


def addin_xlwings_version(source: str) -> str:
    """The xlwings version an add-in's ``xlwings`` VBA module is for (its ``XLWINGS_VERSION``).

    Parameters
    ----------
    source : str
        The text of the ``xlwings`` VBA module.

    Returns
    -------
    str
        The version, e.g. ``"0.37.8"``.

    Raises
    ------
    AddinError
        The module has no single ``XLWINGS_VERSION`` constant, or the DLLs it declares
        (``xlwings64-<version>.dll``, ``xlwings32-<version>.dll``) are of another version.
    """
    found = re.findall(r'^Public Const XLWINGS_VERSION As String = "([^"]*)"', source, re.MULTILINE)
    if len(found) != 1:
        raise AddinError("addin_build_no_version", template=_TEMPLATE)
    dlls = set(re.findall(r'"xlwings(?:32|64)-([^"]*)\.dll"', source))
    if dlls != {found[0]}:
        raise AddinError("addin_build_dll_version", template=_TEMPLATE, version=found[0], dlls=sorted(dlls))
    return found[0]


def check_addin_version(addin_version: str | None, installed: str | None = None) -> None:
    """Refuse to run when the add-in's xlwings VBA is not the installed xlwings' version.

    The add-in's VBA calls the DLL (Windows) or AppleScript (Mac) of its own xlwings
    version; after ``pip install -U xlwings`` those are gone, and the worksheet functions
    fail with Excel's run-time error 53.  Only ``xlsales addin install`` builds a matching
    add-in, and that replaces the imported functions too.

    Parameters
    ----------
    addin_version : str or None
        ``XLWINGS_VERSION`` of the add-in, as its ribbon passes it; ``None`` (an add-in
        older than this check) is not checked.
    installed : str, optional
        The installed xlwings' version; by default ``xlwings.__version__``.

    Raises
    ------
    AddinError
        The versions differ: the message says to run ``xlsales addin install`` again and
        to import the worksheet functions again.
    """
    if addin_version is None:
        return
    if installed is None:
        installed = need("xlwings", "xlwings").__version__
    if addin_version != installed:
        raise AddinError("addin_version_drift", addin=addin_version, installed=installed)


def _check_xlwings_version(source: str, version: str) -> None:
    # The VBA declares xlwings64-<version>.dll, which the Python package of that version ships.
    vba_version = addin_xlwings_version(source)
    if vba_version != version:
        raise AddinError("addin_build_xlwings_version", template=_TEMPLATE, vba_version=vba_version, version=version)


def _set_project_name_const(source: str, name: str) -> str:
    pattern = re.compile(r'^(Public Const PROJECT_NAME As String = ")[^"]*(")', re.MULTILINE)
    new, n = pattern.subn(lambda m: m.group(1) + name + m.group(2), source)
    if n != 1:
        raise AddinError("addin_build_no_project_name", template=_TEMPLATE)
    return new


def _rename_vba_project(vba_bin: bytes, name: str) -> bytes:
    """``vba_bin`` with its VBA project named ``name`` ([MS-OVBA] dir and PROJECT streams).

    pyOpenVBA renames modules but not the project: the name lives in the PROJECTNAME
    record of the compressed ``VBA/dir`` stream and in the ``Name=`` line of ``PROJECT``.
    """
    need("pyopenvba", "pyOpenVBA")
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
            raise AddinError("addin_build_vba_dir")
        if rid == 0x0003:
            (code_page,) = struct.unpack_from("<H", dir_raw, pos + 6)
        pos += 6 + size
    encoded = name.encode(f"cp{code_page}")
    dir_raw = dir_raw[:pos] + struct.pack("<HI", 0x0004, len(encoded)) + encoded + dir_raw[pos + 6 + size :]
    cfb.write_stream_in_storage("VBA", "dir", compress(dir_raw))

    text = cfb.get_stream("PROJECT").decode(f"cp{code_page}")
    text, n = re.subn(r'^Name="[^"\r\n]*"', f'Name="{name}"', text, count=1, flags=re.MULTILINE)
    if n != 1:
        raise AddinError("addin_build_vba_name")
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
            raise AddinError("addin_build_no_part", template=_TEMPLATE, part=required)
    for required in (_CONFIG_SHEET_PART, _SST_PART):
        if required not in names:
            raise AddinError("addin_build_no_part", template=_TEMPLATE, part=required)
    replaced = {
        "[Content_Types].xml": _content_types(src.read("[Content_Types].xml")),
        "_rels/.rels": _root_rels(src.read("_rels/.rels")),
        _VBA_ENTRY: vba,
        _WORKBOOK_PART: _rename_config_sheet(src.read(_WORKBOOK_PART)),
        _CONFIG_SHEET_PART: _set_udf_modules(src.read(_CONFIG_SHEET_PART), src.read(_SST_PART)),
        **{part: xml.encode("utf-8") for part, xml in customui.items()},
    }
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
            raise AddinError("addin_build_package_xml", tag=child.tag)
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
        raise AddinError("addin_build_not_xlam", template=_TEMPLATE, part=_WORKBOOK_PART,
                         content_type=ADDIN_MAIN_CONTENT_TYPE)
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


def _set_udf_modules(raw: bytes, shared_strings: bytes) -> bytes:
    # The config sheet with only CONFIG_ROWS from A1 down: xlwings reads "UDF Modules" there,
    # so Excel's one-time ImportPythonUDFsToAddin brings in the XS_ functions (xlwings can
    # only generate their VBA wrappers on Windows, inside Excel).  Every other key of the
    # template goes: present, even empty, it would hide the user's config file.
    _check_config_layout(raw, shared_strings)
    text = raw.decode("utf-8")
    cells = "".join(
        f'<row r="{n}" spans="1:2"><c r="A{n}" t="inlineStr"><is><t>{escape(key)}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>{escape(value)}</t></is></c></row>'
        for n, (key, value) in enumerate(CONFIG_ROWS, start=1)
    )
    # String edits: ElementTree would rename the prefixes that mc:Ignorable lists.
    text, n_data = re.subn(r"<sheetData>.*?</sheetData>|<sheetData\s*/>", f"<sheetData>{cells}</sheetData>", text,
                           count=1, flags=re.DOTALL)
    text, n_dim = re.subn(r'<dimension ref="[^"]*"', f'<dimension ref="A1:B{len(CONFIG_ROWS)}"', text, count=1)
    if n_data != 1 or n_dim != 1:
        raise AddinError("addin_build_config_sheet", template=_TEMPLATE, detail="no sheetData or dimension")
    return text.encode("utf-8")


def _check_config_layout(raw: bytes, shared_strings: bytes) -> None:
    # The template's keys, read as Excel would (shared or inline strings), must be the ones
    # this build knows, in their rows, with "UDF Modules" empty: else the template moved.
    strings = ["".join(t.text or "" for t in si.iter(f"{{{_SHEET_NS}}}t"))
               for si in ET.fromstring(shared_strings).iter(f"{{{_SHEET_NS}}}si")]
    values = {}
    for c in ET.fromstring(raw).iter(f"{{{_SHEET_NS}}}c"):
        v = c.find(f"{{{_SHEET_NS}}}v")
        if c.get("t") == "s" and v is not None and v.text and v.text.isdigit() and int(v.text) < len(strings):
            values[c.get("r")] = strings[int(v.text)]
        elif c.get("t") == "inlineStr":
            values[c.get("r")] = "".join(t.text or "" for t in c.iter(f"{{{_SHEET_NS}}}t"))
        elif v is not None:
            values[c.get("r")] = v.text
    keys = tuple(values.get(f"A{n}") for n in range(1, len(_TEMPLATE_CONFIG_KEYS) + 1))
    if keys != _TEMPLATE_CONFIG_KEYS:
        raise AddinError("addin_build_config_sheet", template=_TEMPLATE,
                         detail=f"column A is {keys}, expected {_TEMPLATE_CONFIG_KEYS}")
    udf_row = _TEMPLATE_CONFIG_KEYS.index("UDF Modules") + 1
    if values.get(f"B{udf_row}") not in (None, ""):
        raise AddinError("addin_build_config_sheet", template=_TEMPLATE,
                         detail=f"B{udf_row} already holds {values[f'B{udf_row}']!r}")


def _rename_config_sheet(raw: bytes) -> bytes:
    # xlwings reads the add-in's config sheet only under the name PROJECT_NAME & ".conf";
    # the template's leading _ switches it off.  A string edit: ElementTree would rename the
    # namespace prefixes that mc:Ignorable lists.
    old = f'name="_{_TEMPLATE_PROJECT_NAME}.conf"'.encode()
    if raw.count(old) != 1:
        raise AddinError("addin_build_config_sheet", template=_TEMPLATE, detail=f"no sheet {old.decode()}")
    return raw.replace(old, f'name="{CONFIG_SHEET}"'.encode(), 1)
