"""The report as one self-contained HTML file, laid out by the Jinja2 templates in
``templates/`` from the view of :mod:`monitor.report.html_view`.

The page (what it shows and why) is described at the top of ``templates/report.html.j2``;
the stylesheet is ``templates/report.css``, inlined into the page so the file needs nothing
else. Labels come from the message catalogue of the report's language (``t("key")``, see
:mod:`monitor.report.catalogue`). Autoescaping is on and an undefined name is an error, so
a template can neither let text from configuration or evidence through as markup nor print
a blank where a figure belongs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import jinja2

from monitor.report.catalogue import words_for
from monitor.report.html_view import report_view
from monitor.report.model import Report
from monitor.report.year import YearReport
from monitor.report.year_view import year_view

__all__ = ["render_html", "render_page", "render_year_html", "template_environment"]


def render_html(report: Report) -> str:
    """The whole document as a string."""
    return render_page("report.html.j2", report_view(report), report.language)


def render_year_html(year: YearReport) -> str:
    """The year view (3.2.4) as one document, laid out like the monthly report."""
    return render_page("year.html.j2", year_view(year), year.language)


def render_page(template: str, view: object, language: str) -> str:
    """Lay out ``view`` with ``template``, the stylesheet inlined and the labels of
    ``language``: the one path every report page takes to HTML (and from there to any other
    rendering of the same page, such as the PDF)."""
    page = _page()
    words = words_for(language)
    # Every escaped value is a Markup, a str subclass that the garbage collector tracks; a
    # large month's page has half a million of them, and held until the final join they set
    # off full collections of the whole heap (a third of the rendering time). As plain str
    # copies they are freed at once and the collector never runs.
    chosen = page.template.environment.get_template(template)
    text = "".join(map(str, chosen.generate(report=view, css=page.css, t=words.text)))
    # MarkupSafe spells an escaped quote &#34; and an apostrophe &#39;; the report has always
    # written &quot; and &#x27; (as html.escape does), and readers search for those. Both
    # spellings can only come from escaping: data's own "&" is escaped to "&amp;".
    return text.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")


@dataclass(frozen=True, slots=True)
class _Page:
    template: jinja2.Template
    css: str


@functools.cache
def template_environment() -> jinja2.Environment:
    """The Jinja2 environment the report is laid out with (autoescape on, undefined names
    are errors), for a template author to try a fragment against."""
    return _page().template.environment


def _page() -> _Page:
    """The compiled template and the stylesheet, read once per process: compiling is the
    expensive part, and both only change with the installed package."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("monitor.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    css = resources.files("monitor.report").joinpath("templates/report.css")
    return _Page(environment.get_template("report.html.j2"), css.read_text(encoding="utf-8"))
