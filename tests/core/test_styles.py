"""One style model, honoured by every backend (issue 11, point 3).

Each named style of ``workbook_templates/styles.json`` is written through the XlsxWriter
and the openpyxl backends and read back with openpyxl; for xlwings, the settings go to a
stand-in that accepts only what ``xlwings.Range`` really offers.  Every leaf of the style
model (``font.bold``, ``border.left.color``, ...) has a reader per backend: a field added
to the model without one fails ``test_every_key_has_a_reader``, and a key added to
styles.json but not to the model fails to load.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any

import openpyxl
import pytest

from xlsales.excel.xlwings_book import XlwingsBook, apply_settings, range_settings
from xlsales.layout import sheetmodel as sm
from xlsales.layout import styles as st
from xlsales.texts import label, template_text
from xlsales.write.master import write_master
from xlsales.write.openpyxl_backend import render_sheet
from xlsales.write.xlsxwriter_backend import format_properties, write_workbook

STYLES = st.named_styles()
NAMES = sorted(STYLES)


# ---------------------------------------------------------------------------------
# The leaves of the model, and what each style says about them.
# ---------------------------------------------------------------------------------


def _dataclass_of(hint: Any) -> type | None:
    # Side | None -> Side; plain types -> None.
    if dataclasses.is_dataclass(hint):
        return hint
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        found = [a for a in typing.get_args(hint) if dataclasses.is_dataclass(a)]
        return found[0] if found else None
    return None


def _leaves(cls: type, prefix: str = "") -> list[str]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        inner = _dataclass_of(hints[f.name])
        out += _leaves(inner, f"{prefix}{f.name}.") if inner else [prefix + f.name]
    return out


LEAVES = _leaves(st.Style)


def _said(style: st.Style, leaf: str) -> Any:
    """What ``style`` says for ``leaf`` (None through an edge that is not drawn)."""
    value: Any = style
    for part in leaf.split("."):
        value = None if value is None else getattr(value, part)
    if leaf == "font.size" and value is not None:
        return float(value)
    return value


def test_the_model_has_the_leaves_the_readers_check():
    sides = [f"border.{s}.{k}" for s in st.SIDES for k in ("style", "color")]
    assert LEAVES == ["font.name", "font.size", "font.bold", "font.italic", "font.color", "fill", "number_format",
                      "align.horizontal", "align.vertical", "align.wrap", "align.indent", *sides]


@pytest.mark.parametrize("leaf", LEAVES)
def test_every_leaf_is_used_by_some_named_style(leaf):
    # "whatever the current styles need, nothing more": an unused key is dead weight,
    # and a key no style sets would not be checked by the round trips below.
    default = _said(st.Style(), leaf)
    assert any(_said(style, leaf) not in (default, None) for style in STYLES.values()), leaf


# ---------------------------------------------------------------------------------
# Reading back from openpyxl, in the model's terms.
# ---------------------------------------------------------------------------------


def _rgb(color: Any) -> str | None:
    if color is None or color.type != "rgb" or color.rgb is None:
        return None
    return "#" + str(color.rgb)[-6:].upper()


def _side(cell: Any, side: str) -> Any:
    edge = getattr(cell.border, side)
    return edge if edge is not None and edge.style else None


OPENPYXL_READ: dict[str, Any] = {
    "font.name": lambda c: c.font.name,
    "font.size": lambda c: float(c.font.sz),
    "font.bold": lambda c: bool(c.font.b),
    "font.italic": lambda c: bool(c.font.i),
    "font.color": lambda c: _rgb(c.font.color),
    "fill": lambda c: _rgb(c.fill.fgColor) if c.fill.fill_type == "solid" else None,
    "number_format": lambda c: None if c.number_format == "General" else c.number_format,
    "align.horizontal": lambda c: c.alignment.horizontal,
    "align.vertical": lambda c: c.alignment.vertical,
    "align.wrap": lambda c: bool(c.alignment.wrap_text),
    "align.indent": lambda c: int(c.alignment.indent),
}
for _s in st.SIDES:
    OPENPYXL_READ[f"border.{_s}.style"] = lambda c, s=_s: _side(c, s).style if _side(c, s) else None
    OPENPYXL_READ[f"border.{_s}.color"] = lambda c, s=_s: _rgb(_side(c, s).color) if _side(c, s) else None


def _every_style_sheet() -> sm.Sheet:
    # One cell per named style, in column A; a number, so number formats apply.
    return sm.Sheet("S", cells={(i, 0): sm.Cell(value=1234.5, style=name) for i, name in enumerate(NAMES)})


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The every-style sheet written by each backend and read back with openpyxl."""
    folder = tmp_path_factory.mktemp("styles")
    by_xlsxwriter = folder / "xlsxwriter.xlsx"
    write_workbook(sm.Workbook(sheets=[_every_style_sheet()]), by_xlsxwriter)
    by_openpyxl = folder / "openpyxl.xlsx"
    wb = openpyxl.Workbook()
    render_sheet(wb.active, _every_style_sheet())
    wb.save(by_openpyxl)
    return {"xlsxwriter": openpyxl.load_workbook(by_xlsxwriter).worksheets[0],
            "openpyxl": openpyxl.load_workbook(by_openpyxl).worksheets[0]}


def test_every_key_has_a_reader():
    assert sorted(OPENPYXL_READ) == sorted(LEAVES)
    assert sorted(XLWINGS_READ) == sorted(LEAVES)


@pytest.mark.parametrize("backend", ["xlsxwriter", "openpyxl"])
@pytest.mark.parametrize("name", NAMES)
def test_each_backend_draws_every_key_of_every_style(written, backend, name):
    cell = written[backend].cell(NAMES.index(name) + 1, 1)
    got = {leaf: OPENPYXL_READ[leaf](cell) for leaf in LEAVES}
    want = {leaf: _said(STYLES[name], leaf) for leaf in LEAVES}
    assert got == want


def test_the_reader_sees_a_difference(written):
    # The round trip can fail: a label cell does not read as a header.
    cell = written["xlsxwriter"].cell(NAMES.index("label") + 1, 1)
    head = STYLES["head"]
    assert [leaf for leaf in LEAVES if OPENPYXL_READ[leaf](cell) != _said(head, leaf)] == [
        "font.bold", "font.color", "fill", "align.horizontal", "align.vertical", "align.wrap", "align.indent"]


def test_xlsxwriter_properties_of_a_style_by_hand():
    # Worked out from styles.json by hand: a medium left edge over a thin grey grid.
    assert format_properties(STYLES["total_count"]) == {
        "font_name": "Meiryo UI", "font_size": 11, "bold": True, "num_format": "#,##0",
        "left": 2, "left_color": "#BFBFBF", "right": 1, "right_color": "#BFBFBF",
        "top": 1, "top_color": "#BFBFBF", "bottom": 1, "bottom_color": "#BFBFBF"}


# ---------------------------------------------------------------------------------
# xlwings: a stand-in that accepts only xlwings' own Range API.
# ---------------------------------------------------------------------------------

xw_main = pytest.importorskip("xlwings.main")


class _Recorder:
    """Stands in for an xlwings object of class ``cls``; records every attribute set.

    Getting an attribute follows the property's annotated return type (Range.font ->
    Font); setting one requires a property with a setter and, where the setter's value
    is a ``Literal``, one of its values.  ``api`` is Excel's own object: anything goes.
    """

    def __init__(self, log: dict[str, Any], cls: type | None, path: str = "") -> None:
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_cls", cls)
        object.__setattr__(self, "_path", path)

    def _at(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    def __getattr__(self, name: str) -> Any:
        if self._cls is None:
            return _Recorder(self._log, None, self._at(name))
        member = getattr(self._cls, name)  # AttributeError: xlwings has no such thing
        if isinstance(member, property):
            returns = typing.get_type_hints(member.fget).get("return")
            return _Recorder(self._log, returns if isinstance(returns, type) and name != "api" else None,
                             self._at(name))
        return lambda *args, **kwargs: self._log.setdefault("calls", []).append((self._at(name), args))

    def __getitem__(self, key: str) -> Any:
        returns = typing.get_type_hints(self._cls.__getitem__)["return"] if self._cls else None
        return _Recorder(self._log, returns, f"{self._path}[{key}]")

    def __setattr__(self, name: str, value: Any) -> None:
        if self._cls is not None:
            member = getattr(self._cls, name)
            assert isinstance(member, property) and member.fset is not None, f"{self._cls.__name__}.{name}"
            hint = typing.get_type_hints(member.fset).get("value")
            for option in (hint, *typing.get_args(hint)):
                if typing.get_origin(option) is typing.Literal:
                    assert value in typing.get_args(option), (self._at(name), value)
        self._log[self._at(name)] = value


def _edge(log: dict[str, Any], side: str, what: str) -> Any:
    key = f"borders[edge_{side}]"
    if log.get(key + ".line_style") != "continuous":
        return None
    return log.get(f"{key}.{'weight' if what == 'style' else 'color'}")


XLWINGS_READ: dict[str, Any] = {
    "font.name": lambda log: log.get("font.name"),
    "font.size": lambda log: float(log["font.size"]) if "font.size" in log else None,
    "font.bold": lambda log: log.get("font.bold", False),
    "font.italic": lambda log: log.get("font.italic", False),
    "font.color": lambda log: log.get("font.color"),
    "fill": lambda log: log.get("color"),
    "number_format": lambda log: log.get("number_format"),
    "align.horizontal": lambda log: log.get("horizontal_alignment"),
    "align.vertical": lambda log: log.get("vertical_alignment"),
    "align.wrap": lambda log: log.get("wrap_text", False),
    "align.indent": lambda log: log.get("api.IndentLevel", 0),
}
for _s in st.SIDES:
    XLWINGS_READ[f"border.{_s}.style"] = lambda log, s=_s: _edge(log, s, "style")
    XLWINGS_READ[f"border.{_s}.color"] = lambda log, s=_s: _edge(log, s, "color")


@pytest.mark.parametrize("name", NAMES)
def test_xlwings_settings_draw_every_key_of_every_style(name):
    log: dict[str, Any] = {}
    apply_settings(_Recorder(log, xw_main.Range), range_settings(STYLES[name]), com=True)
    got = {leaf: XLWINGS_READ[leaf](log) for leaf in LEAVES}
    assert got == {leaf: _said(STYLES[name], leaf) for leaf in LEAVES}


def test_the_stand_in_refuses_what_xlwings_lacks():
    log: dict[str, Any] = {}
    with pytest.raises(AttributeError):
        apply_settings(_Recorder(log, xw_main.Range), [("font.underline_style", True)])
    with pytest.raises(AssertionError):
        apply_settings(_Recorder(log, xw_main.Range), [("horizontal_alignment", "middle")])


def test_api_settings_only_through_com():
    # Off Windows, rng.api is AppleScript's object: the COM indent is left out.
    settings = range_settings(STYLES["label"])
    log: dict[str, Any] = {}
    apply_settings(_Recorder(log, xw_main.Range), settings, com=False)
    assert "api.IndentLevel" not in log and log["font.name"] == "Meiryo UI"
    apply_settings(_Recorder(log, xw_main.Range), settings, com=True)
    assert log["api.IndentLevel"] == 1


def test_put_sheet_styles_each_cell_with_its_settings(monkeypatch):
    # Written block by block (tests/excel/test_xlwings_book.py), replayed cell by cell.
    from support.xlwings_standin import StandinBook, replay

    monkeypatch.setattr("sys.platform", "win32")
    book = StandinBook()
    XlwingsBook(book).put_sheet(_every_style_sheet())
    cells = replay(book.calls)["S"].cells
    for i, name in enumerate(NAMES):
        cell = cells[(i + 1, 1)]
        assert cell.value == 1234.5 and cell.formula is None
        assert cell.settings == dict(range_settings(STYLES[name])), name


# ---------------------------------------------------------------------------------
# The master workbook draws with the named styles.
# ---------------------------------------------------------------------------------


def test_the_master_uses_the_named_styles(tmp_path):
    path = write_master(tmp_path / "m.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    log, howto = wb[label("sheet", "log", "en")], wb[label("sheet", "howto", "en")]
    expect = {(log, "A1"): "head", (log, "B2"): "master_date", (log, "C2"): "master_text",
              (log, "A2"): "master_code", (log, "F2"): "master_amount", (howto, "B1"): "howto_title"}
    for (ws, ref), name in expect.items():
        got = {leaf: OPENPYXL_READ[leaf](ws[ref]) for leaf in LEAVES}
        assert got == {leaf: _said(STYLES[name], leaf) for leaf in LEAVES}, (ws.title, ref, name)
    assert log["Z99"].font.name == st.base_style().font.name  # the Normal style: typed cells match


# ---------------------------------------------------------------------------------
# styles.json is checked when it is read.
# ---------------------------------------------------------------------------------


def test_styles_json_parses_to_the_named_styles():
    document = json.loads(template_text("styles.json"))
    assert set(STYLES) == set(document["styles"])
    assert STYLES["param_text"].border == st.Border(bottom=st.Side("thin", "#8EA9DB"))
    assert STYLES["howto_command"].font == st.Font(name="Consolas", size=11, bold=True, color="#C00000")


@pytest.mark.parametrize("document, words", [
    ({"styles": {"x": {"bg_color": "#FFFFFF"}}}, ["'x'", "bg_color"]),
    ({"styles": {"x": {"font": {"underline": True}}}}, ["'x'", "font", "underline"]),
    ({"styles": {"x": {"border": {"left": {"style": "thin", "width": 2}}}}}, ["border.left", "width"]),
    ({"styles": {"x": {"border": {"diagonal": {"style": "thin"}}}}}, ["border", "diagonal"]),
    ({"styles": {"x": {"align": {"horizontal": "middle"}}}}, ["align.horizontal", "middle"]),
    ({"styles": {"x": {"border": {"style": "double"}}}}, ["border.left.style", "double"]),
    ({"styles": {"x": {"fill": "FFF2CC"}}}, ["fill", "#RRGGBB"]),
    ({"styles": {"x": {"font": {"size": True}}}}, ["font.size"]),
    ({"styles": {}, "defaults": {}}, ["styles.json", "defaults"]),
    ({"styles": {"x": {"align": {"indent": 1}}}}, ["align.indent", "horizontal"]),
])
def test_an_unknown_key_or_value_is_a_clear_error(document, words):
    with pytest.raises(st.StyleError) as caught:
        st.parse_styles(document)
    for word in words:
        assert word in str(caught.value)


def test_a_side_inherits_the_all_sides_border():
    _, styles = st.parse_styles({"styles": {"x": {"border": {"style": "thin", "color": "#000000",
                                                             "left": {"style": "medium"}}}}})
    assert styles["x"].border == st.Border(left=st.Side("medium", "#000000"), right=st.Side("thin", "#000000"),
                                           top=st.Side("thin", "#000000"), bottom=st.Side("thin", "#000000"))
