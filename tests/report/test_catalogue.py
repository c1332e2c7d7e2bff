"""The report's message catalogue: both languages complete, figures in each one's style."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.report.catalogue import LANGUAGES, words_for

ZONE = ZoneInfo("Europe/Amsterdam")


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_every_language_has_every_message_with_the_same_placeholders() -> None:
    """A key or a placeholder missing in Dutch would be an error (or an English gap) in the
    report the client signs; the tables are checked against each other."""
    english = words_for("en").messages
    for language in LANGUAGES:
        messages = words_for(language).messages
        assert set(messages) == set(english), language
        for key, message in messages.items():
            assert _fields(message) == _fields(english[key]), (language, key)


def test_a_language_that_is_not_in_the_catalogue_is_refused() -> None:
    """``report: {language: de}`` never falls back to English silently."""
    with pytest.raises(ValueError, match="unknown report language 'de'; use one of en, nl"):
        words_for("de")


@pytest.mark.parametrize(
    ("language", "ratio", "percent", "norm"),
    [
        ("en", 0.9909274193548387, "99.092 %", "99.5 %"),
        ("nl", 0.9909274193548387, "99,092 %", "99,5 %"),
        # Rounded down in both: 98.9996 % never reads as the 99 % it missed.
        ("nl", 0.989996, "98,999 %", "99,5 %"),
        ("nl", 1.0, "100,000 %", "99,5 %"),
    ],
)
def test_percentages_are_rounded_down_and_spelled_in_the_language(
    language: str, ratio: float, percent: str, norm: str
) -> None:
    """Dutch writes a decimal comma; the rounding rule is the same in both languages."""
    words = words_for(language)
    assert words.percent(ratio) == percent
    assert words.objective(0.995) == norm


def test_dutch_dates_counts_and_durations_are_written_the_dutch_way() -> None:
    """1 november 2026, 12-05-2026 10:00, 12.345 requests, 2 u 05 min (uur)."""
    words = words_for("nl")
    assert words.long_date(date(2026, 11, 1)) == "1 november 2026"
    assert words.month_title(2026, 5) == "mei 2026"
    assert words.instant(datetime(2026, 5, 12, 8, 0, tzinfo=ZoneInfo("UTC")), ZONE) == (
        "12-05-2026 10:00"
    )
    assert words.instant(None, ZONE) == "nog open"
    assert words.integer(12345) == "12.345"
    assert words.duration(timedelta(hours=2, minutes=5)) == "2 u 05 min"
    assert words.weekday(0) == "ma"
    assert words.plural("summary.within", 2, days=2) == "binnen 2 werkdagen"


def test_english_figures_keep_the_report_s_long_standing_style() -> None:
    """The default language changes nothing: 2026-05-12 10:00, 2 h 05 min, 12345."""
    words = words_for("en")
    assert words.long_date(date(2026, 11, 1)) == "1 November 2026"
    assert words.instant(datetime(2026, 5, 12, 8, 0, tzinfo=ZoneInfo("UTC")), ZONE) == (
        "2026-05-12 10:00"
    )
    assert words.integer(12345) == "12345"
    assert words.duration(timedelta(hours=2, minutes=5)) == "2 h 05 min"
    assert words.plural("summary.within", 1, days=1) == "within 1 working day"


@pytest.mark.parametrize(
    ("language", "months"),
    [
        ("en", "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
        ("nl", "jan feb mrt apr mei jun jul aug sep okt nov dec"),
    ],
)
def test_the_year_view_s_month_abbreviations_are_the_language_s_own(
    language: str, months: str
) -> None:
    """The year's column heads: mrt, mei and okt in Dutch, without CLDR's trailing dot."""
    words = words_for(language)
    assert " ".join(words.month_abbreviation(m) for m in range(1, 13)) == months
