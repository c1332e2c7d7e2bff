"""Threads, requests and answers from message facts: docs/rules.md#response-times as a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.servicedesk.classify import FolderRole
from monitor.servicedesk.threading import Message, ThreadRequest, find_requests

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def inbound(
    name: str,
    minutes: float,
    *refs: str,
    automatic: str | None = None,
    ticket: str | None = None,
    key: str | None = None,
    date_header: datetime | None = None,
    untimed: bool = False,
) -> Message:
    return Message(
        key=key or f"fp-{name}",
        message_id=name,
        aliases=(),
        refs=refs,
        ticket=ticket,
        direction="inbound",
        automatic=automatic,
        internaldate=None if untimed else at(minutes),
        date_header=date_header,
        role="inbox",
        category="email",
        sender_hash=None,
    )


def outbound(
    name: str,
    minutes: float,
    *refs: str,
    automatic: str | None = None,
    ticket: str | None = None,
    role: FolderRole = "sent",
) -> Message:
    return Message(
        key=f"fp-{name}",
        message_id=name,
        aliases=(),
        refs=refs,
        ticket=ticket,
        direction="outbound",
        automatic=automatic,
        internaldate=at(minutes),
        date_header=None,
        role=role,
    )


def requests(*messages: Message) -> dict[str, ThreadRequest]:
    return {r.key.removeprefix("fp-"): r for r in find_requests(messages).requests}


def answers(*messages: Message) -> dict[str, datetime | None]:
    return {name: r.answered_at for name, r in requests(*messages).items()}


def test_a_reply_by_in_reply_to_answers_the_request() -> None:
    """The classic thread: question, answer."""
    assert answers(inbound("q", 0), outbound("a", 30, "q")) == {"q": at(30)}


def test_a_request_without_a_reply_stays_unanswered() -> None:
    """No outbound mail in the thread: no answer."""
    assert answers(inbound("q", 0)) == {"q": None}


def test_a_reply_that_carries_only_references_answers_the_request() -> None:
    """Some clients write References but no In-Reply-To; the link is the same."""
    reply = outbound("a", 45, "root-we-never-saw", "q")
    assert answers(inbound("q", 0), reply) == {"q": at(45)}


def test_the_desks_auto_acknowledgement_does_not_stop_the_clock() -> None:
    """The first human outbound message is the answer, not the automatic one before it."""
    found = answers(
        inbound("q", 0),
        outbound("ack", 1, "q", automatic="auto-reply"),
        outbound("a", 90, "ack"),
    )
    assert found == {"q": at(90)}


def test_a_customers_out_of_office_is_neither_a_request_nor_a_follow_up() -> None:
    """Automatic inbound mail never starts a thread's clock, alone or inside a thread."""
    assert requests(inbound("oof", 0, automatic="auto-reply")) == {}
    found = requests(
        inbound("q", 0), outbound("a", 10, "q"), inbound("oof", 11, "a", automatic="auto-reply")
    )
    assert found["q"].follow_ups == 0


def test_a_bounce_is_not_a_request() -> None:
    """A delivery report about the desk's answer does not open a new request."""
    found = requests(
        inbound("q", 0), outbound("a", 10, "q"), inbound("dsn", 11, automatic="bounce")
    )
    assert list(found) == ["q"]


def test_later_inbound_mail_in_a_thread_is_a_follow_up_not_a_new_request() -> None:
    """One request per thread, even after the answer."""
    found = requests(
        inbound("q", 0), inbound("more", 5, "q"), outbound("a", 30, "more"), inbound("thx", 40, "a")
    )
    assert list(found) == ["q"]
    assert (found["q"].follow_ups, found["q"].answered_at) == (2, at(30))


def test_the_ticket_token_links_a_reply_whose_references_were_lost() -> None:
    """The desk's answer that only repeats [SD-1] in its subject still answers."""
    found = answers(
        inbound("q", 0),
        outbound("ack", 1, "q", automatic="auto-reply", ticket="SD-1"),
        outbound("a", 120, ticket="SD-1"),
    )
    assert found == {"q": at(120)}


def test_an_outbound_message_before_the_request_is_no_answer() -> None:
    """A desk-initiated thread: the customer's reply is the request, answered later."""
    found = answers(outbound("notice", 0), inbound("q", 10, "notice"), outbound("a", 20, "q"))
    assert found == {"q": at(20)}


def test_two_copies_of_one_message_are_one_message() -> None:
    """The same mail delivered twice (same fingerprint) is one request at its first copy."""
    found = requests(inbound("q", 0), inbound("q", 3), outbound("a", 30, "q"))
    assert found["q"].received_at == at(0)
    assert found["q"].follow_ups == 0


def test_the_sent_copy_of_an_answer_gives_the_answer_instant() -> None:
    """An answer the desk also received in its inbox counts from its sent copy."""
    inbox_copy = outbound("a", 25, "q", role="inbox")
    sent_copy = outbound("a", 30, "q")
    assert answers(inbound("q", 0), inbox_copy, sent_copy) == {"q": at(30)}


def test_the_date_header_is_used_only_without_internaldate() -> None:
    """The sender's clock is a fallback, not a rival of the server's."""
    skewed = inbound("q", 60, date_header=at(0))
    assert requests(skewed)["q"].received_at == at(60)
    dateless = inbound("q", 0, date_header=at(7), untimed=True)
    assert requests(dateless)["q"].received_at == at(7)


def test_a_message_without_any_date_is_left_out_and_counted() -> None:
    """No INTERNALDATE and no Date header: it cannot be placed in time."""
    result = find_requests([inbound("q", 0, untimed=True)])
    assert (result.requests, result.untimed) == ((), 1)


def test_a_reused_message_id_does_not_merge_two_customers_threads() -> None:
    """Different messages claiming one id stay two requests; replies go to the latest seen."""
    first = inbound("form", 0, key="fp-first")
    second = inbound("form", 60, key="fp-second")
    reply_to_second = outbound("a", 90, "form")

    found = {r.key: r.answered_at for r in find_requests([first, second, reply_to_second]).requests}

    assert found == {"fp-first": None, "fp-second": at(90)}


def test_a_message_found_later_can_turn_a_request_into_a_follow_up() -> None:
    """Threads are computed from all facts: an earlier message joins the thread."""
    later = inbound("q2", 30, "q1")
    assert list(requests(later)) == ["q2"]
    assert list(requests(later, inbound("q1", 0))) == ["q1"]


def test_the_thread_key_is_the_earliest_message_of_the_thread() -> None:
    """Stable while the thread grows, and the same for every request id derived from it."""
    found = requests(outbound("notice", 0), inbound("q", 10, "notice"))
    assert found["q"].thread_key == "fp-notice"


def test_threading_is_independent_of_the_order_of_the_facts() -> None:
    """Facts come back per folder and UID; the result must not depend on that order."""
    messages = [
        inbound("q", 0),
        outbound("ack", 1, "q", automatic="auto-reply", ticket="SD-9"),
        inbound("more", 20, ticket="SD-9"),
        outbound("a", 30, "more"),
        inbound("other", 40),
    ]
    assert find_requests(messages) == find_requests(reversed(messages))
