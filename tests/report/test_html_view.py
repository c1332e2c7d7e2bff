"""The HTML report's view model and templates: plain values in, every value escaped out."""

from __future__ import annotations

import dataclasses
import re
from importlib import resources

import jinja2
import pytest

from monitor.report import Report, render
from monitor.report.html_format import render_html, template_environment
from monitor.report.html_view import report_view

TEMPLATES = resources.files("monitor.report").joinpath("templates")


def _plain(value: object, path: str) -> None:
    if value is None or isinstance(value, str | int | float | bool):
        return
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            _plain(item, f"{path}[{i}]")
        return
    assert dataclasses.is_dataclass(value), f"{path} is a {type(value).__name__}"
    assert type(value).__module__ == "monitor.report.html_view", path
    fields = dataclasses.fields(value)
    if fields:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, fields[0].name, getattr(value, fields[0].name))
    for field in fields:
        _plain(getattr(value, field.name), f"{path}.{field.name}")


def test_the_view_of_a_report_holds_only_frozen_plain_values(may_report: Report) -> None:
    """Strings, numbers, booleans and tuples of frozen views: no template reaches the model."""
    _plain(report_view(may_report), "view")


def test_the_stylesheet_file_is_inlined_into_the_page(may_report: Report) -> None:
    """``report.css`` is the page's one style element, inlined: nothing is fetched."""
    css = TEMPLATES.joinpath("report.css").read_text(encoding="utf-8")
    html = render(may_report, "html")
    assert html.count("<style>") == 1
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert style.strip() == css.strip()


def test_only_the_stylesheet_is_marked_safe_in_the_templates() -> None:
    """No template lets a value through unescaped; the stylesheet is the one exception, in
    the monthly page and in the year page."""
    marked = []
    for template in TEMPLATES.iterdir():
        if template.name.endswith(".j2"):
            text = template.read_text(encoding="utf-8")
            marked += [
                (template.name, m.group(0))
                for m in re.finditer(r"[\w.]+\s*\|\s*safe|Markup|autoescape\s+false", text)
            ]
    assert sorted(marked) == [("report.html.j2", "css|safe"), ("year.html.j2", "css|safe")]


def test_a_template_that_names_an_undefined_value_fails() -> None:
    """A misspelt name is an error, never a blank where a figure belongs."""
    environment = template_environment()
    with pytest.raises(jinja2.UndefinedError):
        environment.from_string("{{ report.no_such_figure }}").render(report=object())


def test_quotes_in_text_are_escaped_as_named_entities(may_report: Report) -> None:
    """A quote in a value is written ``&quot;`` (as before the templates), never raw."""
    html = render_html(may_report)
    assert "&#34;" not in html
    assert "&#39;" not in html
    assert "core switch &amp; &quot;uplink&quot;" in html
