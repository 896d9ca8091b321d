"""Differences between two JSON documents, by key path: what a failed reference test shows."""

from __future__ import annotations

MISSING = "<missing>"


def json_diffs(expected, got, path: str = "") -> list[tuple[str, object, object]]:
    """Every place where two JSON-like values differ, in document order.

    Parameters
    ----------
    expected, got
        Dicts, lists and scalars, as ``json.loads`` gives them.
    path : str, optional
        The key path of ``expected`` inside a larger document (``sheets/チーム/cells``).

    Returns
    -------
    list of (str, object, object)
        ``(path, expected, got)`` for each difference; a key or list item present on one
        side only has ``MISSING`` on the other. Empty when the values are equal.

    Examples
    --------
    >>> json_diffs({"a": {"b": 1, "c": [1, 2]}}, {"a": {"b": 2, "c": [1]}})
    [('a/b', 1, 2), ('a/c/1', 2, '<missing>')]
    """
    if isinstance(expected, dict) and isinstance(got, dict):
        out = []
        for key in [*expected, *(k for k in got if k not in expected)]:
            out += json_diffs(expected.get(key, MISSING), got.get(key, MISSING), f"{path}/{key}" if path else str(key))
        return out
    if isinstance(expected, list) and isinstance(got, list):
        out = []
        for i in range(max(len(expected), len(got))):
            e = expected[i] if i < len(expected) else MISSING
            g = got[i] if i < len(got) else MISSING
            out += json_diffs(e, g, f"{path}/{i}" if path else str(i))
        return out
    # bool is an int in Python: True == 1 must still count as a difference here.
    if expected == got and type(expected) is type(got):
        return []
    return [(path, expected, got)]


def format_diffs(diffs: list[tuple[str, object, object]], *, limit: int = 20) -> str:
    """The first differences as readable lines, for an assertion message.

    Parameters
    ----------
    diffs : list of (str, object, object)
        What ``json_diffs`` returned.
    limit : int, default 20
        How many differences to show; the rest are counted.

    Returns
    -------
    str
        One line per difference: ``path: expected …, got …``.
    """
    lines = [f"{path}:\n    expected {e!r}\n    got      {g!r}" for path, e, g in diffs[:limit]]
    if len(diffs) > limit:
        lines.append(f"... and {len(diffs) - limit} more differences")
    return "\n".join(lines)
