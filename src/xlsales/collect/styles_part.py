"""Cell formats appended to a package's ``xl/styles.xml``, every existing index left as it is.

A sheet that ``collect`` adds to the master at the package level (the 回収ログ) needs cell
formats the master may not have.  Each named style of ``styles.json`` becomes a font, a
fill, a border, a number format and a ``cellXfs`` entry, each *appended* to its list (and
its ``count`` raised): the cells of the master's sheets point at indices that keep their
meaning, and every byte of ``styles.xml`` outside the inserted elements stays as it was.
The XML of each element is openpyxl's own (``to_tree``), from the style model's openpyxl
attributes (``write.openpyxl_backend.style_kwargs``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.etree import ElementTree

from openpyxl.styles import Alignment
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

from xlsales.layout.styles import Style
from xlsales.write.openpyxl_backend import style_kwargs

STYLES_PART = "xl/styles.xml"
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in number formats


class StylesPartError(ValueError):
    """styles.xml is not laid out as this module can append to (a prefixed root, a missing list)."""


def add_cell_formats(xml: bytes, styles: Sequence[Style]) -> tuple[bytes, list[int]]:
    """``styles.xml`` with a cell format appended for each of ``styles``, and their ``cellXfs`` indices.

    Parameters
    ----------
    xml : bytes
        The package's ``xl/styles.xml``.
    styles : sequence of Style
        The styles to add (one new format each, even for equal styles).

    Returns
    -------
    (bytes, list of int)
        The new ``styles.xml``, and per style the ``s`` attribute a cell takes to wear it.

    Raises
    ------
    StylesPartError
        The part's root has a namespace prefix, or it lacks fonts, fills, borders or cellXfs.
    """
    root = ElementTree.fromstring(xml)
    if re.search(rb"<[\w.\-]+:styleSheet\b", xml):
        raise StylesPartError("styles.xml with a namespace prefix")

    def children(tag: str) -> list[ElementTree.Element]:
        el = root.find(f"{{{_NS_MAIN}}}{tag}")
        if el is None:
            raise StylesPartError(f"styles.xml has no {tag}")
        return list(el)

    sizes = {tag: len(children(tag)) for tag in ("fonts", "fills", "borders", "cellXfs")}
    numfmts = root.find(f"{{{_NS_MAIN}}}numFmts")
    known = {el.get("formatCode"): int(el.get("numFmtId")) for el in (numfmts if numfmts is not None else [])}
    next_fmt = max([_FIRST_CUSTOM_FORMAT - 1, *known.values()]) + 1
    added: dict[str, list[bytes]] = {"fonts": [], "fills": [], "borders": [], "cellXfs": [], "numFmts": []}
    indices = []
    for style in styles:
        kw = style_kwargs(style)
        font = sizes["fonts"] + len(added["fonts"])
        added["fonts"].append(_xml(kw["font"].to_tree()))
        fill = 0
        if "fill" in kw:
            fill = sizes["fills"] + len(added["fills"])
            added["fills"].append(_xml(kw["fill"].to_tree()))
        border = 0
        if "border" in kw:
            border = sizes["borders"] + len(added["borders"])
            added["borders"].append(_xml(kw["border"].to_tree()))
        code = kw.get("number_format", "General")
        fmt = BUILTIN_FORMATS_REVERSE.get(code, known.get(code))
        if fmt is None:
            fmt = known[code] = next_fmt
            next_fmt += 1
            added["numFmts"].append(_xml(ElementTree.Element("numFmt", numFmtId=str(fmt), formatCode=code)))
        align: Alignment | None = kw.get("alignment")
        xf = ElementTree.Element("xf", numFmtId=str(fmt), fontId=str(font), fillId=str(fill), borderId=str(border),
                                 xfId="0", applyNumberFormat="1", applyFont="1", applyFill="1", applyBorder="1")
        if align is not None:
            xf.set("applyAlignment", "1")
            xf.append(align.to_tree())
        indices.append(sizes["cellXfs"] + len(added["cellXfs"]))
        added["cellXfs"].append(_xml(xf))
    sizes["numFmts"] = len(numfmts) if numfmts is not None else 0
    for tag, elements in added.items():
        if elements:
            xml = _append(xml, tag, b"".join(elements), sizes[tag] + len(elements))
    return xml, indices


def _xml(el: ElementTree.Element) -> bytes:
    # Elements without a namespace: inserted into the part's default (main) namespace.
    return ElementTree.tostring(el, encoding="unicode").encode("utf-8")


def _append(xml: bytes, tag: str, inner: bytes, count: int) -> bytes:
    """``inner`` appended as the last children of ``<tag>``, its ``count`` attribute set to ``count``."""
    start = re.search(rb"<" + tag.encode() + rb"\b[^>]*?(/?)>", xml)
    if start is None:
        if tag != "numFmts":
            raise StylesPartError(f"styles.xml has no {tag}")
        # numFmts is the first child of styleSheet when present: created right after its start tag.
        root = re.search(rb"<styleSheet\b[^>]*>", xml)
        return xml[:root.end()] + b'<numFmts count="%d">' % count + inner + b"</numFmts>" + xml[root.end():]
    head = re.sub(rb"""\scount\s*=\s*["'][^"']*["']""", b"", start.group(0)).rstrip(b"/>").rstrip()
    head += b' count="%d">' % count
    if start.group(1):  # <numFmts count="0"/>: opened and closed around the new children
        return xml[:start.start()] + head + inner + b"</" + tag.encode() + b">" + xml[start.end():]
    end = xml.index(b"</" + tag.encode() + b">", start.end())
    return xml[:start.start()] + head + xml[start.end():end] + inner + xml[end:]
