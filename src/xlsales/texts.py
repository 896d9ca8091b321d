"""Every text a user reads, in Japanese or English, from ``workbook_templates/``.

Code names texts by keys; the words live in the templates folder (shipped in the wheel
as ``xlsales.workbook_templates``):

- ``labels.json``: what workbooks show (sheet names, headers, row labels, vocabulary),
  by section and key: ``label("activity", "visit", "ja")`` → ``訪問``;
- ``messages.json``: what messages say (errors, the add-in's boxes, the CLI), with
  ``str.format`` fields: ``message_text("n_problems", "en", n=3)``.

``check_lang`` is the one place that decides a language: ``ja`` (the default) or ``en``.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[str, ...] = ("ja", "en")
TEMPLATES = "xlsales.workbook_templates"


def check_lang(lang: str | None) -> str:
    """``lang`` as ``ja`` or ``en`` (None and blank mean ``ja``); ValueError otherwise."""
    lang = (lang or "ja").strip().lower()
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (use ja or en)")
    return lang


def template_text(name: str) -> str:
    """The text of a file of ``workbook_templates/`` (UTF-8)."""
    return resources.files(TEMPLATES).joinpath(name).read_text("utf-8")


@functools.lru_cache(maxsize=None)
def _json(name: str) -> dict:
    return json.loads(template_text(name))


def label(section: str, key: str, lang: str = "ja") -> str:
    """The workbook text of ``key`` in ``section`` (e.g. ``label("activity", "visit")``)."""
    return _json("labels.json")[section][key][check_lang(lang)]


def labels(section: str, lang: str = "ja") -> dict[str, str]:
    """All labels of a section, key -> text, in file order."""
    lang = check_lang(lang)
    return {k: v[lang] for k, v in _json("labels.json")[section].items()}


def message_text(key: str, lang: str = "ja", **params: object) -> str:
    """The message ``key`` of messages.json in ``lang``, formatted with ``params``."""
    texts = _json("messages.json")[key]
    return texts.get(lang, texts["en"]).format(**params)
