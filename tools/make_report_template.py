"""Build the default template of the periodic CCHC report: processes/reports/bao-cao-cchc.docx.

    .venv/bin/python tools/make_report_template.py [OUTPUT]

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I, mẫu báo cáo): the issuing body and Quốc hiệu / tiêu ngữ
side by side, the số/ký hiệu and địa danh, ngày tháng lines, the kind of document and its trích yếu, the body,
nơi nhận and the signature block; Times New Roman, A4, margins 20/15/30/15 mm. The Jinja tags are rendered by
docxtpl (``{%p %}`` repeats a paragraph, ``{%tr %}`` a table row); the variables are listed in docs/exports.md.
An administrator may edit the output in Word and point CCHC_REPORT_TEMPLATE at the edited copy.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

OUTPUT = Path(__file__).resolve().parents[1] / "processes" / "reports" / "bao-cao-cchc.docx"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
HEAD_LEFT, HEAD_RIGHT = 64.0, 106.0  # mm; 170 in all, the header may reach 2.5 mm into each margin
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def para(
    target: object,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 14,
    align: WD_ALIGN_PARAGRAPH | None = JUSTIFY,
    indent: bool = False,
) -> Paragraph:
    paragraph: Paragraph = target.add_paragraph()  # type: ignore[attr-defined]
    run = paragraph.add_run(text)  # one run per tag: docxtpl needs each tag whole inside a run
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(3)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    return paragraph


def heading(document: object, text: str) -> None:
    """A section heading (I., II. …), set off from a table above it."""
    para(document, text, bold=True).paragraph_format.space_before = Pt(6)


def rule_below(target: object, width_mm: float, column_mm: float) -> None:
    """A centred horizontal line ``width_mm`` long under the previous line (NĐ 30/2020: under the tiêu ngữ as long
    as it, under the issuing body a third to a half of it): the bottom border of an empty paragraph indented to
    that width inside a column ``column_mm`` wide."""
    paragraph = para(target, "", size=2, align=CENTER)
    fmt = paragraph.paragraph_format
    side = Mm(max(0.0, (column_mm - width_mm) / 2))
    fmt.left_indent, fmt.right_indent = side, side
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def fixed_widths(table: Table, widths: list[float]) -> None:
    """Fixed column widths that Word and LibreOffice both keep (the grid and every cell; no autofit)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def cell_text(table: Table, row: int, col: int, text: str, *, bold: bool = False, size: int = 12) -> None:
    cell = table.cell(row, col)
    cell.paragraphs[0].text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold, run.font.size = bold, Pt(size)


def grid(document: object, loop: str, headers: list[str], cells: list[str], widths: list[int]) -> None:
    """A bordered table: a header row, then the row of ``cells`` that docxtpl repeats for ``loop``."""
    table: Table = document.add_table(rows=4, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, (header, text) in enumerate(zip(headers, cells, strict=True)):
        cell_text(table, 0, col, header, bold=True, size=11)
        cell_text(table, 2, col, text)
    fixed_widths(table, widths)
    cell_text(table, 1, 0, "{%tr for " + loop + " %}")
    cell_text(table, 3, 0, "{%tr endfor %}")


def build(output: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"  # type: ignore[attr-defined]
    normal.font.size = Pt(14)  # type: ignore[attr-defined]

    # the header: issuing body | Quốc hiệu and tiêu ngữ; the right column holds the Quốc hiệu on one line
    head = document.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    fixed_widths(head, [HEAD_LEFT, HEAD_RIGHT])
    left, right = head.cell(0, 0), head.cell(0, 1)
    left.paragraphs[0].text = "{%p if parent_body %}"
    para(left, "{{ parent_body }}", size=13, align=CENTER).paragraph_format.space_after = Pt(0)
    para(left, "{%p endif %}", size=13, align=CENTER)
    para(left, "{{ issuing_body }}", bold=True, size=13, align=CENTER).paragraph_format.space_after = Pt(0)
    rule_below(left, 22, HEAD_LEFT)
    para(left, "Số:        /{{ symbol }}", size=13, align=CENTER)
    right.paragraphs[0].text = ""
    quoc_hieu = right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    quoc_hieu.bold, quoc_hieu.font.size = True, Pt(13)
    right.paragraphs[0].alignment = CENTER
    right.paragraphs[0].paragraph_format.space_after = Pt(0)
    para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14, align=CENTER).paragraph_format.space_after = Pt(0)
    rule_below(right, 62, HEAD_RIGHT)
    para(right, "{{ place }}, {{ date_text }}", italic=True, size=14, align=CENTER)

    para(document, "")
    para(document, "BÁO CÁO", bold=True, align=CENTER)
    para(document, "{{ subject }}", bold=True, align=CENTER)
    para(document, "")
    para(
        document,
        "Thực hiện Kế hoạch {{ plan_title }}{% if plan_number %} (Kế hoạch số {{ plan_number }}){% endif %}, "
        "{{ issuing_name }} báo cáo kết quả thực hiện công tác cải cách hành chính {{ period }} "
        "(từ ngày {{ period_start }} đến ngày {{ period_end }}) như sau:",
        indent=True,
    )
    heading(document, "I. KẾT QUẢ THỰC HIỆN CHUNG")
    para(
        document,
        "Tính đến ngày {{ today }}, kế hoạch có {{ total }} hoạt động; {{ overall_text }}.",
        indent=True,
    )
    para(
        document,
        "Trong kỳ báo cáo có {{ period_total }} lượt nhiệm vụ của các đơn vị đến hạn; {{ period_counts_text }}.",
        indent=True,
    )
    grid(
        document,
        "a in areas",
        [
            "Lĩnh vực",
            "Tổng số",
            "Trước hạn",
            "Đúng hạn",
            "Quá hạn (đã xong)",
            "Đang thực hiện",
            "Quá hạn",
            "Chưa thực hiện",
        ],
        [
            "{{ a.title }}",
            "{{ a.total }}",
            "{{ a.counts.done_early }}",
            "{{ a.counts.done_on_time }}",
            "{{ a.counts.done_late }}",
            "{{ a.counts.in_progress }}",
            "{{ a.counts.overdue }}",
            "{{ a.counts.not_started }}",
        ],
        [47, 15, 16, 16, 18, 18, 17, 18],  # 165 mm: the text width
    )

    heading(document, "II. KẾT QUẢ THỰC HIỆN THEO LĨNH VỰC")
    para(document, "{%p for a in areas %}")
    para(document, "{{ a.number }}. {{ a.title }}", bold=True)
    para(document, "Tổng số {{ a.total }} hoạt động; {{ a.counts_text }}.", indent=True)
    para(document, "{%p endfor %}")

    heading(document, "III. NHIỆM VỤ CHẬM TIẾN ĐỘ VÀ GIẢI TRÌNH")
    para(document, "{%p if not late %}")
    para(document, "Không có nhiệm vụ quá hạn.", indent=True)
    para(document, "{%p endif %}")
    grid(
        document,
        "o in late",
        ["Mã", "Hoạt động", "Đơn vị chủ trì", "Hạn", "Trạng thái", "Số ngày trễ", "Giải trình"],
        [
            "{{ o.ref }}",
            "{{ o.text }}",
            "{{ o.lead }}",
            "{{ o.due }}",
            "{{ o.status }}",
            "{{ o.late_days }}",
            "{{ o.reason }}",
        ],
        [14, 39, 30, 25, 20, 13, 24],
    )

    heading(document, "IV. BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ")
    para(document, "{%p if not unit_reports %}")
    para(document, "Chưa có báo cáo của đơn vị nào trong kỳ.", indent=True)
    para(document, "{%p endif %}")
    para(document, "{%p for r in unit_reports %}")
    para(document, "{{ r.unit }}", bold=True)
    para(document, "{{ r.text }}", indent=True)
    para(document, "{%p endfor %}")
    para(document, "")

    foot = document.add_table(rows=1, cols=2)
    fixed_widths(foot, [80, 85])
    left, right = foot.cell(0, 0), foot.cell(0, 1)
    left.paragraphs[0].text = ""
    received = left.paragraphs[0].add_run("Nơi nhận:")
    received.bold, received.italic, received.font.size = True, True, Pt(12)
    para(left, "{%p for r in recipients %}", size=11, align=None)
    para(left, "- {{ r }};", size=11, align=None)
    para(left, "{%p endfor %}", size=11, align=None)
    right.paragraphs[0].text = ""
    authority = right.paragraphs[0].add_run("{{ signer_authority }}")
    authority.bold = True
    right.paragraphs[0].alignment = CENTER
    para(right, "{{ signer_title }}", bold=True, align=CENTER)
    for _ in range(4):
        para(right, "", align=CENTER)
    para(right, "{{ signer_name }}", bold=True, align=CENTER)

    output.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(output))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
    print(f"written {sys.argv[1] if len(sys.argv) > 1 else OUTPUT}")
