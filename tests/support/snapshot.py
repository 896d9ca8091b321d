"""A workbook file as normalised, deterministic JSON: the reference files' dumper.

``dump_workbook(path)`` reads an ``.xlsx`` twice with openpyxl (formulas, then the cached
values as written) and its chart parts straight from the zip (openpyxl does not load
charts), and returns plain dicts, lists, strings, numbers and booleans:

- ``workbook``: sheet order and state, defined names, document properties (without the
  created/modified/printed timestamps, which change on every build);
- ``sheets``: per sheet the view (freeze panes, gridlines, zoom), column widths and row
  heights, merges, print setup, protection, data validations, conditional formats, tables,
  charts and cells. A cell holds its value (or formula and cached value) and its style:
  font, fill, number format, alignment, borders, protection.

What the file format leaves volatile (XML attribute order, zip member order, timestamps)
cannot show through: everything is read through parsers, sets are sorted, and keys come
in a fixed order (cells row by row).

With ``table_head_rows``, a sheet holding a table (the activity log) keeps its table
definition, its first rows in full and a SHA-256 digest of the cells below them, so that a
reference of a long log stays small enough to review.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}
VOLATILE_PROPERTIES = ("created", "modified", "lastPrinted")


def dump_workbook(path: str | Path, *, table_head_rows: int | None = None) -> dict:
    """Describe a workbook file as normalised JSON-ready data.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.
    table_head_rows : int, optional
        On a sheet holding a table, keep the cells of this many rows (header included)
        in full and replace the cells below by their count and a SHA-256 digest of their
        dump. ``None`` (the default) keeps every cell of every sheet.

    Returns
    -------
    dict
        ``{"workbook": {...}, "sheets": {name: {...}}}``, identical for identical builds.
    """
    path = Path(path)
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    charts = _charts_by_sheet(path)
    return {
        "workbook": _workbook(formulas),
        "sheets": {ws.title: _sheet(ws, values[ws.title], charts.get(ws.title, []),
                                   table_head_rows if ws.tables else None)
                   for ws in formulas.worksheets},
    }


def to_json(dump: dict, *, width: int = 120) -> str:
    """The canonical text of a dump: one line per value that fits, UTF-8 kept readable.

    Keys keep the dump's order (cells row by row, as a reader scans a sheet); a dict or
    list whose one-line form fits in ``width`` columns stays on one line, so a cell and its
    style read as one line of a reviewed diff.

    Parameters
    ----------
    dump : dict
        What ``dump_workbook`` returned.
    width : int, default 120
        The widest line a nested value may take before it is broken over several lines.

    Returns
    -------
    str
        The JSON text, ending with a newline; ``json.loads`` gives ``dump`` back.
    """
    return _render(dump, 0, width) + "\n"


# Private API.


def _render(value, level: int, width: int) -> str:
    # Pretty-printing that stays compact: json.dumps(indent=...) puts every scalar on its
    # own line, which made a process sheet's reference five times longer than this.
    line = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or len(line) + level + 1 <= width:
        return line
    pad = " " * (level + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_render(v, level + 1, width)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}"
    items = [pad + _render(v, level + 1, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * level + "]"


def _compact(d: dict) -> dict:
    # Unset attributes (None, False, empty) are noise in a reviewed diff: only what is set stays.
    return {k: v for k, v in d.items() if v not in (None, False, "", [], {})}


def _json_value(v):
    # JSON has no dates; openpyxl gives datetimes for date-formatted numbers, kept as ISO text.
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def _workbook(wb) -> dict:
    props = {k: _json_value(v) for k, v in vars(wb.properties).items()
             if not k.startswith("_") and k not in VOLATILE_PROPERTIES}
    return _compact({
        "sheets": [{"name": ws.title, "state": ws.sheet_state} for ws in wb.worksheets],
        "active": wb.active.title if wb.active is not None else None,
        "defined_names": {name: _defined_name(d) for name, d in sorted(wb.defined_names.items())},
        "properties": _compact(props),
        "custom_properties": {p.name: _json_value(p.value) for p in wb.custom_doc_props.props},
        "protection": _compact({"lock_structure": wb.security.lockStructure,
                                "lock_windows": wb.security.lockWindows}) if wb.security else None,
        "calculation": _compact({"full_calc_on_load": wb.calculation.fullCalcOnLoad,
                                 "calc_mode": wb.calculation.calcMode}),
    })


def _defined_name(d) -> dict:
    return _compact({"value": d.attr_text, "hidden": d.hidden, "comment": d.comment})


def _sheet(ws, cached, charts: list[dict], head_rows: int | None) -> dict:
    view = ws.sheet_view
    out = {
        "state": ws.sheet_state,
        "dimensions": ws.dimensions,
        "view": _compact({
            "freeze_panes": ws.freeze_panes,
            "show_gridlines": view.showGridLines,
            "show_zeros": view.showZeros,
            "zoom": view.zoomScale,
            "right_to_left": view.rightToLeft,
            "tab_selected": view.tabSelected,
            "tab_color": _color(ws.sheet_properties.tabColor),
        }),
        "default_sizes": _compact({"row_height": ws.sheet_format.defaultRowHeight,
                                   "column_width": ws.sheet_format.defaultColWidth,
                                   "base_column_width": ws.sheet_format.baseColWidth}),
        "columns": _columns(ws),
        "rows": _rows(ws),
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "autofilter": ws.auto_filter.ref,
        "print": _print(ws),
        "protection": _sheet_protection(ws),
        "data_validations": sorted((_validation(v) for v in ws.data_validations.dataValidation),
                                   key=lambda v: (v["ranges"], v.get("formula1", ""))),
        "conditional_formats": _conditional_formats(ws),
        "tables": {t.name: _table(t, ws.parent) for t in sorted(ws.tables.values(), key=lambda t: t.name)},
        "charts": charts,
        "defined_names": {name: _defined_name(d) for name, d in sorted(ws.defined_names.items())},
    }
    out.update(_cells(ws, cached, head_rows))
    return _compact(out)


def _columns(ws) -> dict:
    out = {}
    for d in ws.column_dimensions.values():
        entry = _compact({"width": d.width if d.customWidth else None, "hidden": d.hidden,
                          "outline_level": d.outlineLevel or None, "style": _style(d) if d.has_style else None})
        if entry and d.min and d.max:
            key = get_column_letter(d.min) + ("" if d.min == d.max else ":" + get_column_letter(d.max))
            out[key] = entry
    return out


def _rows(ws) -> dict:
    out = {}
    for index, d in ws.row_dimensions.items():
        entry = _compact({"height": d.ht, "hidden": d.hidden,
                          "outline_level": d.outlineLevel or None})
        if entry:
            out[str(index)] = entry
    return out


def _print(ws) -> dict:
    setup, margins, options = ws.page_setup, ws.page_margins, ws.print_options
    fit = ws.sheet_properties.pageSetUpPr
    return _compact({
        "orientation": setup.orientation,
        "paper_size": setup.paperSize,
        "scale": setup.scale,
        "fit_to_page": fit.fitToPage if fit is not None else None,
        "fit_to_width": setup.fitToWidth,
        "fit_to_height": setup.fitToHeight,
        "first_page_number": setup.firstPageNumber,
        "page_order": setup.pageOrder,
        "margins": _compact({k: getattr(margins, k) for k in ("left", "right", "top", "bottom", "header", "footer")}),
        "print_title_rows": ws.print_title_rows,
        "print_title_cols": ws.print_title_cols,
        "print_area": ws.print_area,
        "gridlines": options.gridLines,
        "headings": options.headings,
        "center_horizontally": options.horizontalCentered,
        "center_vertically": options.verticalCentered,
        "header_footer": _header_footer(ws.HeaderFooter),
        "row_breaks": sorted(b.id for b in ws.row_breaks.brk),
        "column_breaks": sorted(b.id for b in ws.col_breaks.brk),
    })


def _header_footer(hf) -> dict:
    out = _compact({"different_first": hf.differentFirst, "different_odd_even": hf.differentOddEven,
                    "scale_with_doc": hf.scaleWithDoc, "align_with_margins": hf.alignWithMargins})
    for item in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader", "firstFooter"):
        parts = {}
        for side in ("left", "center", "right"):
            part = getattr(getattr(hf, item), side)
            parts[side] = _compact({"text": part.text, "font": part.font, "size": part.size, "color": part.color})
        if _compact(parts):
            out[item] = _compact(parts)
    return out


def _sheet_protection(ws) -> dict:
    p = ws.protection
    if not p.sheet:
        return {}
    # Which actions stay allowed under protection: openpyxl's flags, True meaning "locked".
    flags = ("objects", "scenarios", "formatCells", "formatColumns", "formatRows", "insertColumns", "insertRows",
             "insertHyperlinks", "deleteColumns", "deleteRows", "selectLockedCells", "selectUnlockedCells",
             "sort", "autoFilter", "pivotTables")
    return {"sheet": True, "password_set": bool(p.password), **{f: bool(getattr(p, f)) for f in flags}}


def _validation(v) -> dict:
    return _compact({
        "ranges": str(v.sqref), "type": v.type, "operator": v.operator, "formula1": v.formula1,
        "formula2": v.formula2, "allow_blank": v.allow_blank, "show_dropdown_hidden": v.showDropDown,
        "show_input_message": v.showInputMessage, "show_error_message": v.showErrorMessage,
        "error_style": v.errorStyle, "error_title": v.errorTitle, "error": v.error,
        "prompt_title": v.promptTitle, "prompt": v.prompt, "ime_mode": v.imeMode,
    })


def _conditional_formats(ws) -> list[dict]:
    out = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            out.append(_compact({
                "ranges": str(cf.sqref), "type": rule.type, "operator": rule.operator,
                "formula": list(rule.formula or []), "priority": rule.priority, "stop_if_true": rule.stopIfTrue,
                "text": rule.text, "time_period": rule.timePeriod, "rank": rule.rank, "percent": rule.percent,
                "bottom": rule.bottom, "above_average": rule.aboveAverage, "std_dev": rule.stdDev,
                "format": _dxf(rule.dxf),
                "color_scale": _xml(rule.colorScale.to_tree()) if rule.colorScale is not None else None,
                "data_bar": _xml(rule.dataBar.to_tree()) if rule.dataBar is not None else None,
                "icon_set": _xml(rule.iconSet.to_tree()) if rule.iconSet is not None else None,
            }))
    # Priority then range: the order Excel applies them, independent of how they were parsed.
    return sorted(out, key=lambda r: (r.get("priority", 0), r["ranges"], json.dumps(r, sort_keys=True)))


def _dxf(dxf) -> dict | None:
    if dxf is None:
        return None
    return _compact({
        "font": _font(dxf.font) if dxf.font is not None else None,
        "fill": _fill(dxf.fill) if dxf.fill is not None else None,
        "border": _border(dxf.border) if dxf.border is not None else None,
        "number_format": dxf.numFmt.formatCode if dxf.numFmt is not None else None,
        "alignment": _alignment(dxf.alignment) if dxf.alignment is not None else None,
    })


def _table(t, wb) -> dict:
    style = t.tableStyleInfo
    dxfs = wb._differential_styles.dxf  # openpyxl keeps the table's column formats (dxf ids) here
    return _compact({
        "display_name": t.displayName, "ref": t.ref, "header_rows": t.headerRowCount,
        "totals_row_shown": t.totalsRowShown, "totals_rows": t.totalsRowCount,
        "autofilter": t.autoFilter.ref if t.autoFilter is not None else None,
        "style": _compact({"name": style.name, "row_stripes": style.showRowStripes,
                           "column_stripes": style.showColumnStripes, "first_column": style.showFirstColumn,
                           "last_column": style.showLastColumn}) if style is not None else None,
        "columns": [_compact({
            "name": c.name,
            "formula": c.calculatedColumnFormula.attr_text if c.calculatedColumnFormula is not None else None,
            "totals_function": c.totalsRowFunction, "totals_label": c.totalsRowLabel,
            "data_format": _dxf(dxfs[c.dataDxfId]) if c.dataDxfId is not None and c.dataDxfId < len(dxfs) else None,
        }) for c in t.tableColumns],
    })


def _cells(ws, cached, head_rows: int | None) -> dict:
    cells, rest = {}, []
    for row in ws.iter_rows():
        for c in row:
            entry = _cell(c, cached[c.coordinate])
            if entry is None:
                continue
            if head_rows is None or c.row <= head_rows:
                cells[c.coordinate] = entry
            else:
                rest.append([c.coordinate, entry])
    out = {"cells": cells}
    if rest:
        text = json.dumps(rest, ensure_ascii=False, sort_keys=True)
        out["cells_below_head"] = {"head_rows": head_rows, "count": len(rest),
                                   "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return out


def _cell(c, cached) -> dict | None:
    if c.value is None and not c.has_style:
        return None
    entry = {}
    if c.data_type == "f":
        # Plain formulas are text; array and data-table formulas are objects with their range.
        text = getattr(c.value, "text", c.value)
        ref = getattr(c.value, "ref", None)
        entry["formula"] = str(text)
        if ref:
            entry["formula_ref"] = str(ref)
        _put_value(entry, cached)
    elif c.value is not None:
        _put_value(entry, c)
    if c.hyperlink is not None:
        entry["hyperlink"] = _compact({"target": c.hyperlink.target, "location": c.hyperlink.location})
    if c.comment is not None:
        entry["comment"] = c.comment.text
    if c.has_style:
        entry["style"] = _style(c)
    return entry


def _put_value(entry: dict, c) -> None:
    entry["value"] = _json_value(c.value)
    # JSON tells numbers, text and booleans apart; dates ("d") and errors ("e") say so.
    if c.data_type in ("d", "e"):
        entry["type"] = c.data_type


def _style(c) -> dict:
    protection = c.protection
    return _compact({
        "font": _font(c.font),
        "fill": _fill(c.fill),
        "number_format": c.number_format if c.number_format != "General" else None,
        "alignment": _alignment(c.alignment),
        "border": _border(c.border),
        # Locked and visible is Excel's default; only a departure from it is shown.
        "protection": " ".join(w for w in ("unlocked" if protection.locked is False else None,
                                           "hidden" if protection.hidden else None) if w),
    })


def _font(f) -> str:
    # Styles are flattened to short phrases ("Meiryo UI 11 bold color=FF1F3864") so that a
    # cell and its look fit in a line or two of a reviewed diff.
    size = f"{f.sz:g}" if f.sz is not None else None
    underline = f"underline={f.u}" if f.u else None
    color = f"color={_color(f.color)}" if _color(f.color) else None
    vert = f"vert_align={f.vertAlign}" if f.vertAlign else None
    words = [f.name, size, "bold" if f.b else None, "italic" if f.i else None, underline,
             "strike" if f.strike else None, color, vert]
    return " ".join(w for w in words if w)


def _fill(f) -> str:
    # A dxf fill (conditional formats) often has no pattern but a background colour.
    pattern = getattr(f, "patternType", None)
    fg, bg = _color(getattr(f, "fgColor", None)), _color(getattr(f, "bgColor", None))
    words = [pattern, f"fg={fg}" if fg and fg != "00000000" else None, f"bg={bg}" if bg and bg != "00000000" else None]
    return " ".join(w for w in words if w)


def _alignment(a) -> str:
    words = [f"horizontal={a.horizontal}" if a.horizontal else None,
             f"vertical={a.vertical}" if a.vertical else None,
             "wrap" if a.wrap_text else None, "shrink" if a.shrink_to_fit else None,
             f"indent={a.indent:g}" if a.indent else None, f"rotation={a.text_rotation}" if a.text_rotation else None]
    return " ".join(w for w in words if w)


def _border(b) -> str:
    sides = {}
    for side in ("left", "right", "top", "bottom", "diagonal"):
        s = getattr(b, side)
        if s is not None and s.style is not None:
            sides[side] = " ".join(w for w in (s.style, _color(s.color)) if w)
    if len(sides) == 4 and "diagonal" not in sides and len(set(sides.values())) == 1:
        return next(iter(sides.values()))  # the usual box: four equal sides, said once
    return "; ".join(f"{side}={text}" for side, text in sides.items())


def _color(c) -> str | None:
    if c is None:
        return None
    if c.type == "rgb":
        text = str(c.rgb)
    elif c.type == "theme":
        text = f"theme:{c.theme}"
    elif c.type == "indexed":
        text = f"indexed:{c.indexed}"
    else:
        text = f"{c.type}:{c.value}"
    return text + (f"{c.tint:+g}" if c.tint else "")


def _xml(el: ET.Element | None) -> str | None:
    # An XML element's content as one phrase, tag[attr=value](children) with namespaces
    # dropped and attributes sorted: "ln[w=28575](solidFill(srgbClr[val=C00000]))".
    if el is None:
        return None
    return " ".join(_xml_node(child) for child in el) or _xml_node(el)


def _xml_node(el: ET.Element) -> str:
    text = el.tag.rsplit("}", 1)[-1]
    if el.attrib:
        text += "[" + ",".join(f"{k.rsplit('}', 1)[-1]}={v}" for k, v in sorted(el.attrib.items())) + "]"
    if el.text and el.text.strip():
        text += f"={el.text.strip()!r}"
    children = [_xml_node(child) for child in el]
    return text + (f"({' '.join(children)})" if children else "")


# Charts, read from the package: workbook -> sheet -> drawing -> chart parts.


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    # A part's relationships (id -> resolved part name); a missing .rels file means none.
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in z.namelist():
        return {}
    out = {}
    for rel in ET.fromstring(z.read(rels_name)).findall("rel:Relationship", NS):
        target = rel.get("Target")
        if rel.get("TargetMode") == "External":
            continue
        out[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(folder, target))
    return out


def _charts_by_sheet(path: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with zipfile.ZipFile(path) as z:
        book = "xl/workbook.xml"
        book_rels = _rels(z, book)
        for sheet in ET.fromstring(z.read(book)).findall("main:sheets/main:sheet", NS):
            sheet_part = book_rels[sheet.get(f"{{{NS['r']}}}id")]
            sheet_rels = _rels(z, sheet_part)
            charts = []
            for drawing in ET.fromstring(z.read(sheet_part)).findall("main:drawing", NS):
                drawing_part = sheet_rels[drawing.get(f"{{{NS['r']}}}id")]
                charts.extend(_drawing_charts(z, drawing_part))
            if charts:
                out[sheet.get("name")] = charts
    return out


def _drawing_charts(z: zipfile.ZipFile, drawing_part: str) -> list[dict]:
    rels = _rels(z, drawing_part)
    charts = []
    for anchor in ET.fromstring(z.read(drawing_part)):
        chart_ref = anchor.find(".//c:chart", NS)
        if chart_ref is None:
            continue
        chart = _chart(ET.fromstring(z.read(rels[chart_ref.get(f"{{{NS['r']}}}id")])))
        chart["anchor"] = _anchor(anchor)
        charts.append(chart)
    return sorted(charts, key=lambda c: json.dumps(c["anchor"], sort_keys=True))


def _anchor(anchor: ET.Element) -> dict:
    out = {"kind": anchor.tag.rsplit("}", 1)[-1]}
    for end in ("from", "to"):
        el = anchor.find(f"xdr:{end}", NS)
        if el is not None:
            col, row = (int(el.findtext(f"xdr:{k}", "0", NS)) for k in ("col", "row"))
            out[end] = {"cell": f"{get_column_letter(col + 1)}{row + 1}",
                        "col_offset": int(el.findtext("xdr:colOff", "0", NS)),
                        "row_offset": int(el.findtext("xdr:rowOff", "0", NS))}
    ext = anchor.find("xdr:ext", NS)
    if ext is not None:
        out["size"] = {"cx": int(ext.get("cx")), "cy": int(ext.get("cy"))}
    return out


def _val(el: ET.Element | None, path: str):
    found = el.find(path, NS) if el is not None else None
    return found.get("val") if found is not None else None


def _rich_text(el: ET.Element | None) -> str | None:
    if el is None:
        return None
    texts = [t.text or "" for t in el.iter(f"{{{NS['a']}}}t")]
    if texts:
        return "".join(texts)
    ref = el.find(".//c:f", NS)
    return f"={ref.text}" if ref is not None else None


def _chart(space: ET.Element) -> dict:
    chart = space.find("c:chart", NS)
    plot = chart.find("c:plotArea", NS)
    plots, axes = [], []
    for el in plot:
        tag = el.tag.rsplit("}", 1)[-1]
        if tag.endswith("Chart"):
            plots.append(_compact({
                "type": tag, "bar_direction": _val(el, "c:barDir"), "grouping": _val(el, "c:grouping"),
                "overlap": _val(el, "c:overlap"), "gap_width": _val(el, "c:gapWidth"),
                "varied_colors": _val(el, "c:varyColors"), "markers": _val(el, "c:marker"),
                "axis_ids": [a.get("val") for a in el.findall("c:axId", NS)],
                "series": [_series(s) for s in el.findall("c:ser", NS)],
            }))
        elif tag.endswith("Ax"):
            axes.append(_compact({
                "type": tag, "id": _val(el, "c:axId"), "position": _val(el, "c:axPos"),
                "deleted": _val(el, "c:delete"), "crosses_axis": _val(el, "c:crossAx"),
                "number_format": _compact({"code": el.find("c:numFmt", NS).get("formatCode"),
                                           "source_linked": el.find("c:numFmt", NS).get("sourceLinked")})
                if el.find("c:numFmt", NS) is not None else None,
                "title": _rich_text(el.find("c:title", NS)),
                "major_gridlines": _xml(el.find("c:majorGridlines", NS)),
                "minor_gridlines": _xml(el.find("c:minorGridlines", NS)),
                "scaling": _compact({k: _val(el, f"c:scaling/c:{k}") for k in ("orientation", "min", "max")}),
                "major_unit": _val(el, "c:majorUnit"), "tick_labels": _val(el, "c:tickLblPos"),
                "text": _xml(el.find("c:txPr", NS)),
            }))
    legend = chart.find("c:legend", NS)
    return _compact({
        "title": _rich_text(chart.find("c:title", NS)),
        "title_format": _xml(chart.find("c:title/c:tx/c:rich/a:p/a:pPr", NS)),
        "auto_title_deleted": _val(chart, "c:autoTitleDeleted"),
        "plots": plots,
        "axes": sorted(axes, key=lambda a: a.get("id", "")),
        "legend": _compact({"position": _val(legend, "c:legendPos"), "overlay": _val(legend, "c:overlay"),
                            "deleted_entries": [_val(e, "c:idx") for e in legend.findall("c:legendEntry", NS)]})
        if legend is not None else None,
        "plot_visible_only": _val(chart, "c:plotVisOnly"),
        "blanks_as": _val(chart, "c:dispBlanksAs"),
        "style": _val(space, "c:style"),
        "chart_area": _xml(space.find("c:spPr", NS)),
        "plot_area": _xml(plot.find("c:spPr", NS)),
    })


def _series(ser: ET.Element) -> dict:
    return _compact({
        "index": _val(ser, "c:idx"), "order": _val(ser, "c:order"),
        "name": _reference(ser.find("c:tx", NS)),
        "categories": _reference(ser.find("c:cat", NS)),
        "values": _reference(ser.find("c:val", NS)),
        "format": _xml(ser.find("c:spPr", NS)),
        "marker": _xml(ser.find("c:marker", NS)),
        "labels": _xml(ser.find("c:dLbls", NS)),
        "smooth": _val(ser, "c:smooth"),
    })


def _reference(el: ET.Element | None) -> dict | None:
    # A series part: its formula (the reference), and the cache written beside it.
    if el is None:
        return None
    literal = el.find("c:v", NS)
    if literal is not None:
        return {"literal": literal.text}
    ref = el.find(".//c:f", NS)
    cache = next((c for c in el.iter() if c.tag.rsplit("}", 1)[-1] in ("strCache", "numCache", "strLit", "numLit")),
                 None)
    points = {}
    if cache is not None:
        for pt in cache.findall("c:pt", NS):
            points[int(pt.get("idx"))] = pt.findtext("c:v", None, NS)
    return _compact({
        "ref": ref.text if ref is not None else None,
        "format": cache.findtext("c:formatCode", None, NS) if cache is not None else None,
        "cache": [points.get(i) for i in range(max(points) + 1)] if points else None,
    })
