"""Reading headers of real-world desk mail: encoded, broken, duplicated, missing, hostile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.servicedesk.headers import MAX_REFERENCES, SYNTHETIC_DOMAIN, parse_headers

ARRIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def header(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def test_a_plain_header_yields_its_ids_addresses_subject_and_date() -> None:
    """Message-ID, In-Reply-To, References, From, recipients, subject and Date, as written."""
    parsed = parse_headers(
        header(
            "Message-ID: <m2@klant.example.nl>",
            "In-Reply-To: <m1@desk.example.nl>",
            "References: <m0@klant.example.nl> <m1@desk.example.nl>",
            'From: "Jansen, P." <P.Jansen@Klant.Example.NL>',
            "To: Servicedesk <desk@example.nl>, klachten@example.nl",
            "Cc: teamlead@example.nl",
            "Subject: Re: storing",
            "Date: Mon, 02 Mar 2026 10:15:00 +0100",
        )
    )

    assert parsed.message_id == "<m2@klant.example.nl>"
    assert not parsed.synthetic_id
    assert parsed.refs == ("<m1@desk.example.nl>", "<m0@klant.example.nl>")
    assert parsed.from_address == "p.jansen@klant.example.nl"
    assert parsed.recipients == ("desk@example.nl", "klachten@example.nl", "teamlead@example.nl")
    assert parsed.subject == "Re: storing"
    assert parsed.date == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def test_encoded_words_in_the_subject_are_decoded_in_any_charset() -> None:
    """RFC 2047 in quoted-printable and base64, UTF-8 and Latin-1, folded over lines."""
    parsed = parse_headers(
        header(
            "Subject: =?utf-8?q?Klacht_over_factuur_=E2=82=AC_120?=",
            " =?ISO-8859-1?B?IHZvb3IgZGUgbWFhbmQgbeVs?=",  # the space is inside: RFC 2047
        )
    )
    assert parsed.subject == "Klacht over factuur € 120 voor de maand mål"


def test_raw_utf8_and_latin1_bytes_in_a_header_are_read_not_refused() -> None:
    """Unencoded 8-bit headers: UTF-8 when it decodes, Windows-1252 otherwise."""
    utf8 = parse_headers(b"Subject: Klacht \xc3\xbcber caf\xc3\xa9\r\n\r\n")
    latin1 = parse_headers(b"Subject: Klacht caf\xe9\r\n\r\n")
    assert utf8.subject == "Klacht über café"
    assert latin1.subject == "Klacht café"


def test_a_malformed_encoded_word_keeps_its_raw_text() -> None:
    """An unknown charset or broken base64 degrades to readable text, never an error."""
    parsed = parse_headers(header("Subject: =?x-unknown?B?!!!?= =?utf-8?q?ok?="))
    assert "ok" in parsed.subject


def test_a_missing_message_id_gets_a_synthetic_id_that_is_the_same_on_every_read() -> None:
    """Deterministic from the stable headers and INTERNALDATE, so rescans find the same mail."""
    raw = header("From: klant@example.nl", "Subject: vraag", "Date: Mon, 02 Mar 2026 10:00 +0100")

    first = parse_headers(raw, ARRIVED)
    again = parse_headers(raw, ARRIVED)
    later = parse_headers(raw, ARRIVED + timedelta(seconds=1))

    assert first.synthetic_id
    assert first.message_id == again.message_id
    assert first.message_id.endswith(f"@{SYNTHETIC_DOMAIN}>")
    assert later.message_id != first.message_id


def test_two_different_message_ids_make_a_synthetic_id_and_both_stay_aliases() -> None:
    """Which of two ids is true is unknowable; replies quoting either still link."""
    parsed = parse_headers(header("Message-ID: <a@x.nl>", "Message-ID: <b@x.nl>"), ARRIVED)
    assert parsed.synthetic_id
    assert parsed.aliases == ("<a@x.nl>", "<b@x.nl>")


def test_the_same_message_id_twice_is_just_that_id() -> None:
    """A header repeated verbatim (a relay's bug) is not a conflict."""
    parsed = parse_headers(header("Message-ID: <a@x.nl>", "Message-ID:  <a@x.nl>"))
    assert (parsed.message_id, parsed.synthetic_id) == ("<a@x.nl>", False)


def test_ids_without_angle_brackets_are_still_found() -> None:
    """Some mailers write bare ids in In-Reply-To; the @ gives them away."""
    parsed = parse_headers(header("Message-ID: <m2@x.nl>", "In-Reply-To: m1@x.nl"))
    assert parsed.in_reply_to == ("<m1@x.nl>",)


def test_a_very_long_references_header_keeps_the_root_and_the_latest_ids() -> None:
    """The thread's root and the most recent references are what threading needs."""
    ids = " ".join(f"<r{i}@x.nl>" for i in range(500))
    parsed = parse_headers(header("Message-ID: <m@x.nl>", f"References: {ids}"))
    assert len(parsed.references) == MAX_REFERENCES
    assert parsed.references[0] == "<r0@x.nl>"
    assert parsed.references[-1] == "<r499@x.nl>"


def test_a_date_header_without_zone_or_out_of_range_is_read_or_dropped() -> None:
    """-0000 is UTC; nonsense and impossible years give no date rather than a wrong one."""
    assert parse_headers(header("Date: Mon, 2 Mar 2026 10:00:00 -0000")).date == datetime(
        2026, 3, 2, 10, 0, tzinfo=UTC
    )
    assert parse_headers(header("Date: yesterday-ish")).date is None
    assert parse_headers(header("Date: Mon, 2 Mar 9999 10:00:00 +0000")).date is None


def test_copies_of_one_message_share_a_fingerprint_and_a_reused_id_does_not() -> None:
    """Inbox and sent copies are one message; two messages sharing an id are two."""
    one = header("Message-ID: <same@x.nl>", "From: a@x.nl", "Subject: one", "Date: Mon, 2 Mar 2026")
    copy = one.replace(b"\r\n\r\n", b"\r\nReceived: from relay\r\n\r\n")
    other = header(
        "Message-ID: <same@x.nl>", "From: b@x.nl", "Subject: two", "Date: Tue, 3 Mar 2026"
    )
    assert parse_headers(one, ARRIVED).fingerprint == parse_headers(copy, ARRIVED).fingerprint
    assert parse_headers(one).fingerprint != parse_headers(other).fingerprint


def test_an_internaldate_in_another_zone_gives_the_same_synthetic_id() -> None:
    """The instant counts, not how the server wrote its offset."""
    raw = header("From: klant@example.nl")
    local = ARRIVED.astimezone(timezone(timedelta(hours=1)))
    assert parse_headers(raw, ARRIVED).message_id == parse_headers(raw, local).message_id


def test_a_whole_message_is_read_only_up_to_its_header() -> None:
    """The body never becomes a header, whatever it looks like."""
    parsed = parse_headers(b"Subject: vraag\r\n\r\nMessage-ID: <body@x.nl>\r\n")
    assert parsed.synthetic_id


def test_an_empty_or_headerless_input_still_has_an_identity() -> None:
    """Nothing at all, or only a body: a synthetic id, no crash."""
    for raw in (b"", b"\r\n\r\nonly a body", b"\x00\xff\xfe", "Subject: ☃\n\n"):
        parsed = parse_headers(raw)
        assert parsed.synthetic_id
        assert parsed.message_id.startswith("<")


# -- header soup ------------------------------------------------------------------------------

NAMES = st.sampled_from(
    [
        "Message-ID",
        "message-id",
        "In-Reply-To",
        "References",
        "From",
        "To",
        "Cc",
        "Subject",
        "Date",
        "Auto-Submitted",
        "Precedence",
        "Content-Type",
        "X-Auto-Response-Suppress",
        "Return-Path",
        "X-Weird",
        "",
        " Folded",
        "Bad Name",
        "X-\udcff",
    ]
)
PIECES = st.sampled_from(
    [
        "<",
        ">",
        "@",
        "=?",
        "?=",
        "=?utf-8?q?",
        "=?utf-8?b?",
        "=?bogus?x?",
        "\r\n ",
        "\r\n",
        "\n\t",
        ":",
        ";",
        '"',
        "\\",
        "(",
        ")",
        ",",
        "\x00",
        "\udcff",
        "€",
        "mailer-daemon@x",
        "Mon, 2 Mar 2026 10:00 +0100",
    ]
)
VALUES = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=12).map("".join)
SOUP = st.lists(st.tuples(NAMES, VALUES), max_size=25).map(
    lambda items: "".join(f"{name}: {value}\r\n" for name, value in items)
)


@settings(max_examples=250, deadline=None)
@given(soup=SOUP, internaldate=st.none() | st.datetimes(timezones=st.just(UTC)))
def test_random_header_soup_never_raises_and_always_yields_a_message_id(
    soup: str, internaldate: datetime | None
) -> None:
    """Whatever the header, parsing ends in a message id and a fingerprint."""
    parsed = parse_headers(soup.encode("utf-8", "surrogateescape"), internaldate)
    assert parsed.message_id.startswith("<")
    assert parsed.message_id.endswith(">")
    assert len(parsed.fingerprint) == 64


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=2000))
def test_random_bytes_never_raise_and_always_yield_a_message_id(raw: bytes) -> None:
    """Not even a header: still an identity, never an exception."""
    parsed = parse_headers(raw)
    assert parsed.message_id
    assert isinstance(parsed.subject, str)
