"""The shared vocabulary (DOMAIN.md §2): keys, ja/en labels and lenient parsing.

Every text a workbook shows comes from ``workbook_templates/labels.json``; code uses
the keys.  Readers accept either language, surrounding spaces, full-width and
half-width variants (NFKC) and both circle characters ◯ (U+25EF) and ○ (U+25CB).
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources
from typing import Literal

Lang = Literal["ja", "en"]
LANGS: tuple[str, ...] = ("ja", "en")

# Stage events of an opportunity, in the order of their stage code (1..5).
STAGES: tuple[str, ...] = ("topic", "deal_b", "deal_a", "order", "lost")
OPEN_STAGES: tuple[str, ...] = ("topic", "deal_b", "deal_a")
ACTIVITIES: tuple[str, ...] = (
    "list", "follow", "pre_report", "visit", "post_report",
    "topic", "deal_b", "deal_a", "order", "lost",
)
NEEDS_CUSTOMER = frozenset({"visit", "topic", "deal_b", "deal_a", "order", "lost"})
NEEDS_AMOUNT = frozenset({"topic", "deal_b", "deal_a", "order"})
LOST_REASONS: tuple[str, ...] = ("now", "forever")
GRADES: tuple[str, ...] = ("manager", "leader", "member_senior", "member_junior")


@functools.lru_cache(maxsize=None)
def _labels() -> dict:
    text = resources.files("xlsales").joinpath("workbook_templates/labels.json").read_text("utf-8")
    return json.loads(text)


def label(section: str, key: str, lang: str = "ja") -> str:
    """The workbook text of ``key`` in ``section`` (e.g. ``label("activity", "visit")``)."""
    return _labels()[section][key][check_lang(lang)]


def labels(section: str, lang: str = "ja") -> dict[str, str]:
    """All labels of a section, key -> text, in file order."""
    lang = check_lang(lang)
    return {k: v[lang] for k, v in _labels()[section].items()}


def check_lang(lang: str | None) -> str:
    lang = (lang or "ja").strip().lower()
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (use ja or en)")
    return lang


def normalize(text: object) -> str:
    """NFKC, trimmed, with ○ folded to ◯: the form every comparison uses."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    return s.replace("\u25cb", "\u25ef")


def _fold(text: object) -> str:
    return normalize(text).casefold().replace(" ", "")


@functools.lru_cache(maxsize=None)
def _reverse(section: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, texts in _labels()[section].items():
        out[_fold(key)] = key
        for t in texts.values():
            out[_fold(t)] = key
    return out


def parse_key(section: str, text: object) -> str | None:
    """The key whose ja or en label (or the key itself) matches ``text``, else None."""
    folded = _fold(text)
    if not folded:
        return None
    return _reverse(section).get(folded)


def stage_code(activity: str) -> int:
    """1..5 for topic, deal_b, deal_a, order, lost; 0 for every other activity."""
    return STAGES.index(activity) + 1 if activity in STAGES else 0
