"""The ribbon's specification: ``addin/buttons.json``, checked, and its customUI XML.

``addin/buttons.json`` is the single list of the ribbon's tab, groups and buttons, in
Japanese and English; ``addin/ribbon.xml.j2`` is the jinja2 template of the customUI
XML that Office reads from the add-in (:mod:`xlsales.excel.xlam` puts it in).  Both ship
inside the installed package as ``xlsales._addin_files`` (see ``pyproject.toml``).

The Python handler registry (``xlsales.excel.ribbon.HANDLERS``) is checked against
:func:`buttons`: every control id has a handler, and every handler a button.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from importlib import resources

import jinja2

from xlsales.exceptions import AddinError

__all__ = [
    "CUSTOMUI_PARTS",
    "DISPATCHER_MODULE",
    "LANGUAGES",
    "ON_ACTION",
    "addin_files",
    "buttons",
    "check_spec",
    "load_spec",
    "render_customui",
    "ribbon",
]

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

# Ribbon ids are XML ids, and the dispatcher pastes control.Id into a quoted Python
# string: letters, digits and _ only, so neither can be broken.
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_SIZES = {"large", "normal"}
# Office's limit for label, screentip and supertip attributes (ST_String, ST_LongString).
_MAX_TEXT = 1024


def addin_files() -> resources.abc.Traversable:
    """The folder ``addin/`` as the installed package holds it (``xlsales._addin_files``)."""
    return resources.files("xlsales._addin_files")


@functools.lru_cache(maxsize=None)
def load_spec() -> dict:
    """``addin/buttons.json`` as read, once checked by :func:`check_spec` (cached: do not change it).

    Raises
    ------
    AddinError
        The file breaks a rule of :func:`check_spec`.
    """
    spec = json.loads(addin_files().joinpath("buttons.json").read_text("utf-8"))
    check_spec(spec)
    return spec


def check_spec(spec: dict) -> None:
    """Refuse a buttons.json that would give Excel a ribbon it rejects without a word.

    Parameters
    ----------
    spec : dict
        The parsed ``buttons.json``: ``tab``, ``groups`` and ``buttons``.

    Raises
    ------
    AddinError
        An id is not an XML-safe name or is used twice, a text is missing a language,
        empty or longer than Office allows, a button names no group, has no built-in
        icon or an unknown size, or a group has no button.
    """

    # The details are for whoever edits buttons.json: English, in either language's message.
    def fail(detail: str) -> None:
        raise AddinError("addin_build_spec_invalid", detail=detail)

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
    # Stricter than texts.check_lang: the ribbon has exactly the languages of buttons.json.
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")


def _localize(item: dict, lang: str) -> dict:
    # Fresh values: a caller that changes what it got cannot change the cached spec.
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
    spec = load_spec()
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
    spec = load_spec()
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
    template = env.from_string(addin_files().joinpath("ribbon.xml.j2").read_text("utf-8"))
    model = ribbon(lang)
    return {
        part: template.render(namespace=namespace, on_action=ON_ACTION, **model)
        for part, (namespace, _) in CUSTOMUI_PARTS.items()
    }
