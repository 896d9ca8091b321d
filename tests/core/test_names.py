"""Names from input used for files and sheets are made safe and unique."""

from __future__ import annotations

import datetime as dt

import pytest

from xlsales.layout.names import safe_filename, safe_sheet_name
from xlsales.layout.workbook import output_names


@pytest.mark.parametrize("name, expected", [
    ("佐藤 健太", "佐藤 健太"),
    ("../../etc/passwd", "_.._etc_passwd"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("a:b*c?d", "a_b_c_d"),
    ("...", "_"),
    ("", "_"),
    ("ｻﾄｳ", "サトウ"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name, expected", [
    ("佐藤 健太", "佐藤 健太"),
    ("a/b\\c?d*e[f]g:h", "a_b_c_d_e_f_g_h"),
    ("全角：／？＊［］", "全角______"),
    ("'quoted'", "quoted"),
    ("x" * 40, "x" * 31),
    ("History", "History_"),
    ("営業" + "😀" * 20, "営業" + "😀" * 14),  # Excel counts UTF-16 units: an emoji is two
])
def test_safe_sheet_name(name, expected):
    assert safe_sheet_name(name, set()) == expected


def test_sheet_names_stay_unique_after_truncation():
    taken: set[str] = set()
    a = safe_sheet_name("営業部第一課" * 6, taken)
    b = safe_sheet_name("営業部第一課" * 6, taken)
    c = safe_sheet_name(("営業部第一課" * 6).upper(), taken)
    assert len({a.casefold(), b.casefold(), c.casefold()}) == 3
    assert all(len(n) <= 31 for n in (a, b, c))
    taken = set()
    emoji = [safe_sheet_name("😀" * 20, taken) for _ in range(3)]
    assert len(set(emoji)) == 3 and all(len(n.encode("utf-16-le")) // 2 <= 31 for n in emoji)


def test_output_file_names_are_safe_and_unique():
    team, people = output_names(["a/b", "a_b", "CON"], dt.date(2026, 11, 24), "ja")
    assert "チーム" in team and team.endswith("2026-11.xlsx")
    assert team == "目標プロセス_チーム_2026-11.xlsx"
    names = list(people.values())
    assert len(set(n.casefold() for n in names)) == 3
    assert all("/" not in n and "\\" not in n for n in names)
    team_en, _ = output_names([], dt.date(2026, 11, 24), "en")
    assert "Team" in team_en
    assert team_en == "targets-process_Team_2026-11.xlsx"


def test_atomic_writes_leave_no_temp_file_and_normal_permissions(tmp_path):
    import os

    from xlsales.write.files import atomic_path

    target = tmp_path / "out.xlsx"
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"complete")
    assert target.read_bytes() == b"complete"
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~_current_umask()
    try:
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    except RuntimeError:
        pass
    assert target.read_bytes() == b"complete"  # the old file stays until a complete one replaces it
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def _current_umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
