"""The shared vocabulary (DOMAIN.md §2): its keys, and reading them back leniently.

Code uses keys (``visit``, ``deal_a``); their words are labels (``texts.label``).
Readers accept either language, surrounding spaces, full-width and half-width
variants (NFKC) and both circle characters ◯ (U+25EF) and ○ (U+25CB).
"""

from __future__ import annotations

import functools
import unicodedata

from xlsales.texts import LANGS, labels

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
    for lang in LANGS:
        for key, text in labels(section, lang).items():
            out[_fold(key)] = key
            out[_fold(text)] = key
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
