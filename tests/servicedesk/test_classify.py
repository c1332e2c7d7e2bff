"""Which mail is automatic, outbound, which category, which ticket: one header at a time."""

from __future__ import annotations

import re

import pytest

from monitor.servicedesk.classify import (
    DEFAULT_TICKET_PATTERN,
    DeskRules,
    SubjectRule,
    automatic_reason,
    classify,
    ticket_token,
)
from monitor.servicedesk.headers import parse_headers

CATEGORIES = {"email", "complaint", "escalation", "information_request"}
RULES = DeskRules.build(
    desk_addresses=["Servicedesk@Example.nl"],
    default_category="email",
    categories=CATEGORIES,
    recipient_categories={"klachten@example.nl": "complaint"},
)


def headers(*lines: str) -> bytes:
    return ("\r\n".join(("Message-ID: <m@klant.nl>", *lines)) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (["From: klant@example.nl", "Subject: vraag"], None),
        (["Auto-Submitted: no"], None),
        (["Auto-Submitted: auto-replied"], "auto-reply"),
        (["Auto-Submitted: Auto-Generated; owner-email=x@y.nl"], "auto-submitted"),
        (["Precedence: bulk"], "precedence"),
        (["Precedence: LIST"], "precedence"),
        (["Precedence: junk"], "precedence"),
        (["Precedence: auto_reply"], "auto-reply"),
        (["Precedence: first-class"], None),
        (["X-Auto-Response-Suppress: All"], "suppress"),
        (["X-Auto-Response-Suppress: DR, OOF"], "suppress"),
        (["X-Auto-Response-Suppress: None"], None),
        (["X-Autoreply: yes"], "auto-reply"),
        (["X-Autorespond: vacation"], "auto-reply"),
        (["From: MAILER-DAEMON@mx.example.nl"], "bounce"),
        (["From: Mail Delivery System <postmaster@example.nl>"], "bounce"),
        (["X-Failed-Recipients: klant@example.nl"], "bounce"),
        (
            ['Content-Type: multipart/report; report-type=delivery-status; boundary="b"'],
            "bounce",
        ),
        (['Content-Type: multipart/report; report-type="disposition-notification"'], "report"),
        (["Return-Path: <>"], "null-sender"),
        (["Return-Path: <klant@example.nl>"], None),
    ],
)
def test_automatic_mail_is_recognised_by_its_headers(lines: list[str], reason: str | None) -> None:
    """RFC 3834, Precedence, Exchange's suppress header, bounces and reports are automatic."""
    assert automatic_reason(parse_headers(headers(*lines))) == reason


def test_mail_from_a_desk_address_or_in_the_sent_folder_is_outbound() -> None:
    """The desk's own addresses define outbound, case-insensitively; the sent folder too."""
    from_desk = parse_headers(headers("From: Desk <servicedesk@example.NL>"))
    from_agent = parse_headers(headers("From: agent@example.nl"))

    assert classify(from_desk, RULES, "inbox").direction == "outbound"
    assert classify(from_agent, RULES, "sent").direction == "outbound"
    assert classify(from_agent, RULES, "inbox").direction == "inbound"


def test_an_outbound_acknowledgement_without_headers_is_known_by_its_subject() -> None:
    """A plain autoresponder still must not stop the clock; a customer's subject is left alone."""
    ack = parse_headers(headers("From: servicedesk@example.nl", "Subject: Ontvangstbevestiging"))
    customer = parse_headers(headers("From: klant@example.nl", "Subject: Ontvangstbevestiging?"))

    assert classify(ack, RULES, "sent").automatic == "auto-ack"
    assert classify(customer, RULES, "inbox").automatic is None


@pytest.mark.parametrize(
    ("subject", "category"),
    [
        ("Vraag over mijn account", "email"),
        ("Klacht over de afhandeling", "complaint"),
        ("RE: klachten over storing", "complaint"),
        ("Klachtmelding factuur", "complaint"),
        ("Formal complaint", "complaint"),
        ("Aanklacht", "email"),
        ("ESCALATIE: storing portaal", "escalation"),
        ("Escalation of ticket 12", "escalation"),
        ("Escalatie van klacht", "escalation"),
        ("Informatieverzoek over contract", "information_request"),
        ("Verzoek om  informatie", "information_request"),
        ("Information request: SLA", "information_request"),
        ("=?utf-8?q?Klacht_=C3=BCber_factuur?=", "complaint"),
    ],
)
def test_the_subject_words_file_inbound_mail_under_the_contract_categories(
    subject: str, category: str
) -> None:
    """Dutch and English defaults, word-prefix matches, escalation before complaint."""
    parsed = parse_headers(headers("From: klant@example.nl", f"Subject: {subject}"))
    assert classify(parsed, RULES, "inbox").category == category


def test_a_recipient_address_rule_wins_over_subject_words() -> None:
    """Mail to the complaints address is a complaint, whatever its subject says."""
    parsed = parse_headers(
        headers("From: klant@example.nl", "To: Klachten@example.nl", "Subject: Escalatie")
    )
    assert classify(parsed, RULES, "inbox").category == "complaint"


def test_rules_for_categories_that_are_not_configured_are_dropped() -> None:
    """A message is never filed under a category without a norm; the mailbox default stays."""
    rules = DeskRules.build(
        desk_addresses=["desk@example.nl"],
        default_category="email",
        categories={"email"},
        recipient_categories={"klachten@example.nl": "complaint"},
    )
    parsed = parse_headers(headers("To: klachten@example.nl", "Subject: Klacht"))

    assert rules.subject_rules == ()
    assert classify(parsed, rules, "inbox").category == "email"


def test_building_rules_with_an_unconfigured_mailbox_category_fails() -> None:
    """The mailbox's own category must have a norm, or every request would be unjudged."""
    with pytest.raises(ValueError, match="not configured"):
        DeskRules.build(desk_addresses=[], default_category="portal", categories=CATEGORIES)


def test_custom_subject_rules_and_ticket_pattern_replace_the_defaults() -> None:
    """A desk with other words and its own ticket numbering configures both."""
    rules = DeskRules.build(
        desk_addresses=["desk@example.nl"],
        default_category="email",
        categories=CATEGORIES,
        subject_rules=[SubjectRule("bezwaar", "complaint")],
        ticket_pattern=re.compile(r"#(\d{6})"),
    )
    parsed = parse_headers(headers("Subject: Bezwaar #123456 (klacht)"))
    found = classify(parsed, rules, "inbox")
    assert (found.category, found.ticket) == ("complaint", "123456")


@pytest.mark.parametrize(
    ("subject", "token"),
    [
        ("Re: vraag [SD-1234]", "SD-1234"),
        ("RE: [sd-1234] vraag", "SD-1234"),
        ("[Ticket#2026030212345] storing", "TICKET#2026030212345"),
        ("[Ticket # 2026030212345] storing", "TICKET#2026030212345"),
        ("SD-1234 without brackets", None),
        ("[urgent] vraag", None),
    ],
)
def test_the_ticket_token_is_found_and_normalised(subject: str, token: str | None) -> None:
    """Case and spaces do not matter, so the desk's and the customer's spellings link."""
    assert ticket_token(subject, DEFAULT_TICKET_PATTERN) == token


def test_outbound_mail_has_no_category() -> None:
    """Only requests are categorised; an answer belongs to its request's category."""
    parsed = parse_headers(headers("From: servicedesk@example.nl", "Subject: Re: klacht"))
    assert classify(parsed, RULES, "sent").category is None


@pytest.mark.parametrize(
    "subject",
    [
        "Afwezig: uw melding over de printer",
        "AFWEZIG",
        "Afwezigheidsmelding: RE: storing",
        "Out of Office: RE: [SD-12] storing",
        "out of office re: storing",
        "Out-of-office: storing",
        "Automatisch antwoord: RE: storing",
        "Automatic reply: storing",
        "Autoreply: storing",
        "Abwesenheitsnotiz: Störung",
        "Automatische Antwort: Störung",
        "[Extern] Afwezig: storing",
    ],
)
def test_an_out_of_office_reply_without_auto_reply_headers_is_automatic(subject: str) -> None:
    """A server that sets no Auto-Submitted still says "Afwezig" first: not a request."""
    parsed = parse_headers(headers("From: collega@klant.nl", f"Subject: {subject}"), None)
    assert automatic_reason(parsed) == "out-of-office"
    assert classify(parsed, RULES, "inbox").automatic == "out-of-office"


@pytest.mark.parametrize(
    "subject",
    [
        "Vraag over afwezigheid van een medewerker",
        "Medewerker afwezig, account blokkeren",
        "Officeautomatisering",
        "Outlook out of office werkt niet",
        "Afwezigheidsregistratie kapot",
    ],
)
def test_a_request_about_an_absence_is_a_persons_mail(subject: str) -> None:
    """Only the opening of the subject marks an out-of-office reply, not the word anywhere."""
    parsed = parse_headers(headers("From: klant@klant.nl", f"Subject: {subject}"), None)
    assert automatic_reason(parsed) is None
