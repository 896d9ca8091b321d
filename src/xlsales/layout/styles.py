"""The named cell styles of ``workbook_templates/styles.json``, in a model of our own.

A sheet model gives each cell a style *name*; this module says what the name looks
like, in terms no engine owns (as pandas' ``io/formats/excel.py`` does for its writers).
Each backend converts a :class:`Style` itself: XlsxWriter formats
(``write.xlsxwriter_backend``), openpyxl styles (``write.openpyxl_backend``) and
xlwings range settings (``excel.xlwings_book``).

styles.json holds ``base`` (what every style starts from: the font) and ``styles``
(name -> description).  A description has any of::

    font:          {name, size, bold, italic, color}
    fill:          "#RRGGBB" (a solid fill)
    number_format: an Excel number format
    align:         {horizontal: left|center|right, vertical: top|center, wrap,
                    indent (with horizontal left or right)}
    border:        {style: thin|medium, color, left|right|top|bottom: {style, color}}

A border's ``style`` and ``color`` apply to all four sides; a side given by name takes
them as its defaults, and only named sides are drawn when no ``style`` is given for all.
A key not in this list is an error, so a key no backend knows cannot slip in.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from xlsales.texts import template_text

__all__ = ["Font", "Align", "Side", "Border", "Style", "StyleError", "base_style", "named_styles", "parse_styles",
           "HORIZONTAL", "VERTICAL", "BORDER_STYLES", "SIDES"]

HORIZONTAL = ("left", "center", "right")
VERTICAL = ("top", "center")
BORDER_STYLES = ("thin", "medium")
SIDES = ("left", "right", "top", "bottom")


class StyleError(ValueError):
    """styles.json describes a style with a key or value the style model does not have."""


@dataclass(frozen=True)
class Font:
    """The font of a cell; ``None`` leaves the engine's default."""

    name: str | None = None
    size: float | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None  # "#RRGGBB"


@dataclass(frozen=True)
class Align:
    """Alignment within a cell; ``None`` leaves Excel's default (by type, bottom)."""

    horizontal: str | None = None  # one of HORIZONTAL
    vertical: str | None = None  # one of VERTICAL
    wrap: bool = False
    indent: int = 0


@dataclass(frozen=True)
class Side:
    """One drawn edge of a cell."""

    style: str  # one of BORDER_STYLES
    color: str | None = None  # "#RRGGBB"; None is the engine's automatic colour


@dataclass(frozen=True)
class Border:
    """The four edges of a cell; ``None`` is an edge not drawn."""

    left: Side | None = None
    right: Side | None = None
    top: Side | None = None
    bottom: Side | None = None


@dataclass(frozen=True)
class Style:
    """Everything a named style sets on a cell."""

    font: Font = field(default_factory=Font)
    fill: str | None = None  # "#RRGGBB", a solid fill
    number_format: str | None = None
    align: Align = field(default_factory=Align)
    border: Border = field(default_factory=Border)


@functools.lru_cache(maxsize=None)
def _document() -> tuple[Style, dict[str, Style]]:
    return parse_styles(json.loads(template_text("styles.json")))


def base_style() -> Style:
    """The style every named style starts from (the workbook's font).

    Returns
    -------
    Style
        ``base`` of styles.json; writers give it to Excel's Normal style, so cells a user
        types into look like ours.
    """
    return _document()[0]


def named_styles() -> dict[str, Style]:
    """The named styles of ``workbook_templates/styles.json``, each on top of :func:`base_style`.

    Returns
    -------
    dict of str to Style
        Style name (as a sheet model's ``Cell.style`` gives it) -> its description.

    Examples
    --------
    >>> named_styles()["head"].fill
    '#1F3864'
    """
    return dict(_document()[1])


def parse_styles(document: Mapping[str, Any]) -> tuple[Style, dict[str, Style]]:
    """Read a styles.json document: its base style and its named styles.

    Parameters
    ----------
    document : mapping
        ``{"base": {...}, "styles": {name: {...}}}`` as described in this module's docstring.

    Returns
    -------
    (Style, dict of str to Style)
        The base style, and every named style with the base's values as its defaults.

    Raises
    ------
    StyleError
        A key the model does not have, or a value it does not allow (the message names
        the style and the key).
    """
    _keys(document, {"base", "styles"}, "styles.json")
    base_raw = document.get("base", {})
    base = _style(base_raw, "base")
    out = {}
    for name, raw in document.get("styles", {}).items():
        out[name] = _style(_merge(base_raw, raw), name)
    return base, out


# ----------------------------------------------------------------------------------
# Private API.
# ----------------------------------------------------------------------------------

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def _keys(raw: object, allowed: set[str], where: str) -> None:
    # Every unknown key is an error: a key the converters do not know would be dropped
    # silently by one backend or another.
    if not isinstance(raw, Mapping):
        raise StyleError(f"{where}: expected an object, got {raw!r}")
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise StyleError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    # Objects merge key by key (a style's font.bold keeps the base's font.name).
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _color(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _COLOR.fullmatch(value):
        raise StyleError(f"{where}: a colour is written #RRGGBB, got {value!r}")
    return value.upper()


def _choice(value: object, allowed: tuple[str, ...], where: str) -> str | None:
    if value is not None and value not in allowed:
        raise StyleError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return value  # type: ignore[return-value]


def _typed(value: object, kind: type | tuple[type, ...], where: str) -> Any:
    # bool is an int in Python: a size of true is no size.
    if isinstance(value, bool) and kind is not bool:
        raise StyleError(f"{where}: expected {kind}, got {value!r}")
    if not isinstance(value, kind):
        raise StyleError(f"{where}: expected {kind}, got {value!r}")
    return value


def _style(raw: Mapping[str, Any], name: str) -> Style:
    _keys(raw, _names(Style), f"style {name!r}")
    font = raw.get("font", {})
    _keys(font, _names(Font), f"style {name!r}, font")
    align = raw.get("align", {})
    _keys(align, _names(Align), f"style {name!r}, align")
    where = f"style {name!r}"
    style = Style(
        font=Font(
            name=_typed(font["name"], str, f"{where}, font.name") if "name" in font else None,
            size=_typed(font["size"], (int, float), f"{where}, font.size") if "size" in font else None,
            bold=_typed(font.get("bold", False), bool, f"{where}, font.bold"),
            italic=_typed(font.get("italic", False), bool, f"{where}, font.italic"),
            color=_color(font.get("color"), f"{where}, font.color"),
        ),
        fill=_color(raw.get("fill"), f"{where}, fill"),
        number_format=_typed(raw["number_format"], str, f"{where}, number_format") if "number_format" in raw else None,
        align=Align(
            horizontal=_choice(align.get("horizontal"), HORIZONTAL, f"{where}, align.horizontal"),
            vertical=_choice(align.get("vertical"), VERTICAL, f"{where}, align.vertical"),
            wrap=_typed(align.get("wrap", False), bool, f"{where}, align.wrap"),
            indent=_typed(align.get("indent", 0), int, f"{where}, align.indent"),
        ),
        border=_border(raw.get("border", {}), where),
    )
    if style.align.indent and style.align.horizontal not in ("left", "right"):
        # Excel indents only text aligned left or right; XlsxWriter would add "left" silently.
        raise StyleError(f"{where}, align.indent: needs align.horizontal left or right")
    return style


def _border(raw: Mapping[str, Any], where: str) -> Border:
    _keys(raw, {"style", "color", *SIDES}, f"{where}, border")
    every = {k: raw[k] for k in ("style", "color") if k in raw}
    sides = {}
    for side in SIDES:
        if side not in raw and "style" not in every:
            continue
        spec = _merge(every, raw.get(side, {}))
        _keys(spec, _names(Side), f"{where}, border.{side}")
        if "style" not in spec:
            raise StyleError(f"{where}, border.{side}: no style (one of {', '.join(BORDER_STYLES)})")
        sides[side] = Side(style=_choice(spec["style"], BORDER_STYLES, f"{where}, border.{side}.style"),  # type: ignore[arg-type]
                           color=_color(spec.get("color"), f"{where}, border.{side}.color"))
    return Border(**sides)
