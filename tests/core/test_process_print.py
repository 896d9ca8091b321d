"""The target/process sheet on paper and in its chart (issue 14 §5).

- Each target/process sheet and the check-in sheet print on one A4 landscape page: LibreOffice converts the
  demo's team workbook to PDF and the pages are counted.
- The chart's category axis carries its own month format (not linked to the header
  cells, whose date serials LibreOffice showed as 46113, 46143, ...).
"""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from support.libreoffice import convert

from xlsales import build
from xlsales.demo import DEMO_AS_OF, demo_master


@pytest.fixture(scope="module")
def demo_team(tmp_path_factory):
    m = demo_master()
    out = tmp_path_factory.mktemp("demo")
    return m, build(m, out, as_of=DEMO_AS_OF, lang="ja").team


def _pages(pdf: bytes) -> int:
    # LibreOffice writes each page object's dictionary uncompressed: /Type /Page (not /Pages).
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def test_the_page_counter_counts_pages():
    pdf = b"<< /Type /Pages /Count 2 >> << /Type /Page /Parent 1 0 R >> <</Type/Page/Parent 1 0 R>>"
    assert _pages(pdf) == 2


def _print_only(src, dst, keep: set[str]) -> None:
    # A copy in which every sheet but ``keep`` is hidden and has no print area (LibreOffice
    # prints a hidden sheet that has one): printed whole, the demo's log is ~630 pages and
    # takes minutes.  The kept sheets are left exactly as built (a zip edit of workbook.xml).
    def hide(m: re.Match) -> str:
        attrs = m.group(1)
        name = re.search(r'name="([^"]+)"', attrs).group(1)
        if name in keep or 'state="' in attrs:
            return m.group(0)
        return f'<sheet {attrs} state="hidden"/>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                names = re.findall(r'<sheet [^>]*?name="([^"]+)"', text)
                for index, name in enumerate(names):
                    if name not in keep:
                        text = re.sub(rf'<definedName name="_xlnm.Print_Area" localSheetId="{index}"[^>]*>'
                                      r"[^<]*</definedName>", "", text)
                data = re.sub(r"<sheet ([^>]*?)\s*/>", hide, text).encode("utf-8")
            zout.writestr(item, data)


@pytest.mark.libreoffice
def test_each_target_process_sheet_of_the_demo_prints_on_one_a4_landscape_page(demo_team, tmp_path):
    m, team = demo_team
    ws = openpyxl.load_workbook(team)["チーム"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight in (None, 1)
    copy = tmp_path / "team.xlsx"
    keep = {"チーム", "チェックイン", *(r.rep for r in m.members)}
    assert keep <= set(openpyxl.load_workbook(team, read_only=True).sheetnames)
    _print_only(team, copy, keep)
    pdf = convert(copy, tmp_path / "pdf", to="pdf", recalc=False)
    # The team's sheet, the eight reps' sheets and the check-in sheet, one page each: a
    # sheet spilling onto a second page (its last row, its right column) adds a page.
    assert _pages(pdf.read_bytes()) == 1 + len(m.members) + 1


def test_the_chart_category_axis_shows_months_not_serials(demo_team):
    _, team = demo_team
    with zipfile.ZipFile(team) as z:
        charts = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 9
    for xml in charts:
        axis = re.search(r"<c:catAx>.*?</c:catAx>", xml, re.S).group(0)
        assert '<c:numFmt formatCode="m&quot;月&quot;" sourceLinked="0"/>' in axis
