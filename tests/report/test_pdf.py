"""The PDF report: rendered from the HTML by WeasyPrint and read back with poppler."""

from __future__ import annotations

from pathlib import Path

from monitor.config import Config
from monitor.report import Report, export_format_problems, load_report
from monitor.report.formats import render_bytes
from monitor.report.html_view import report_view
from monitor.report.pdf_format import pdf_problem
from tests.report import seed
from tests.report.conftest import MAY
from tests.report.pdf import flat, page_count, page_images, page_texts
from tests.report.seed import Seeded

PNG = b"\x89PNG\r\n\x1a\n"


def _figures(report: Report) -> list[str]:
    """Every figure the report prints: summary, each target's figures and outages, the
    response counts and ratios, as the view writes them."""
    view = report_view(report)
    figures = [text for row in view.summary for text in (row.result, row.norm, row.requirement)]
    for target in view.targets:
        for figure in target.figures:
            figures += [
                figure.window_time,
                figure.downtime,
                figure.maintenance,
                figure.unmonitored,
                figure.coverage,
                figure.availability,
                figure.norm,
                figure.budget,
            ]
        for outage in target.outages:
            figures += [outage.start, outage.end, *outage.counted]
    for row in view.response:
        figures += [row.received, row.met, row.breached, row.pending, row.ratio]
    return [text for text in figures if text is not None]


def test_the_dutch_pdf_holds_every_figure_and_is_stamped_on_every_page(
    dutch_may_report: Report, tmp_path: Path
) -> None:
    """A4 pages numbered "Pagina n van m", NIET DEFINITIEF at the head of each, every figure
    of the report found in the extracted text, and one image per page from pdftoppm."""
    pdf = tmp_path / "sla-report-2026-05.pdf"
    pdf.write_bytes(render_bytes(dutch_may_report, "pdf"))
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = page_texts(pdf)
    count = page_count(pdf)
    assert count >= 3  # several pages: the stamp must repeat, not just open the report
    assert len(pages) == count
    for number, text in enumerate(pages, start=1):
        assert "NIET DEFINITIEF" in text, f"page {number} carries no stamp"
        assert f"Pagina {number} van {count}" in flat(text)
        assert "Service Level Rapportage mei 2026" in text
    whole = flat(" ".join(pages))
    missing = [figure for figure in _figures(dutch_may_report) if figure not in whole]
    assert missing == []
    for words in (
        "Dienstverlener B.V.",
        "Stichting Opdrachtgever",
        "OVK-2026-017",
        "1 mei 2026 – 31 mei 2026",
        "niet definitief; definitief na 2 juni 2026 18:00",
        "Beschikbaarheid per doel",
        "Meetfrequentie",
    ):
        assert words in whole
    images = page_images(pdf, tmp_path / "pages")
    assert len(images) == count
    assert all(image.read_bytes().startswith(PNG) for image in images)


async def test_a_final_english_pdf_carries_no_stamp(seeded: Seeded, tmp_path: Path) -> None:
    """Once final, no page says NOT FINAL; the page numbers are English."""
    report = await load_report(seeded.store, seeded.config, MAY, seed.FINAL_NOW)
    pdf = tmp_path / "final.pdf"
    pdf.write_bytes(render_bytes(report, "pdf"))
    pages = page_texts(pdf)
    count = page_count(pdf)
    assert len(pages) == count
    assert not any("NOT FINAL" in text for text in pages)
    assert all(f"Page {n} of {count}" in flat(t) for n, t in enumerate(pages, start=1))
    assert "99.092 %" in flat(" ".join(pages))


def test_this_host_can_render_a_pdf_so_a_pdf_export_is_accepted(dutch_config: Config) -> None:
    """WeasyPrint and Pango are installed here: no problem to report, none for the config."""
    assert pdf_problem() is None
    assert export_format_problems(dutch_config) == []
