"""From the messages of one desk mailbox to its requests and their answers. Pure: no I/O.

docs/rules.md#response-times for requirements 3.2.9 ("binnen één werkdag te beantwoorden"),
3.2.13, 3.2.14 and 3.2.39, applied to threads:

* **Threads.** Messages are linked by Message-ID, In-Reply-To and References, as mail
  clients do (an id nobody in the mailbox has still links the messages that refer to it,
  like a missing parent in JWZ threading), and by the desk's ticket token in the subject,
  for replies whose client dropped the references. Two copies of one message (the inbox
  and the sent copy, or one mail delivered twice) are one message: they share a
  fingerprint.
* **Reused Message-IDs.** When different messages claim the same Message-ID (broken web
  forms and scanners do this), the id cannot tie them together: a reference to it is
  resolved to the most recent of them at or before the referring message (the one its
  writer could have seen), or the earliest if all came later.
* **Request**: the first inbound, human message of a thread. Later inbound human mail in
  the thread is a follow-up, not a new request, even after an answer.
* **Answer**: the first outbound, human message of the thread at or after the receipt of
  the request. The desk's own acknowledgement is outbound but automatic, so the clock
  keeps running through it; an out-of-office or a bounce never starts one.
* **Instants**: the INTERNALDATE of the copy that counts (the inbox copy for inbound mail,
  the sent copy for outbound mail); the Date header, the sender's clock, only when the
  server gave no INTERNALDATE. A message with neither is left out and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from monitor.servicedesk.classify import Direction, FolderRole

__all__ = ["Message", "ThreadRequest", "Threading", "find_requests"]


@dataclass(frozen=True, slots=True)
class Message:
    """One stored copy of a message, as threading needs it (identifiers are opaque keys)."""

    key: str
    """The fingerprint: equal for copies of one message."""
    message_id: str
    aliases: tuple[str, ...]
    refs: tuple[str, ...]
    ticket: str | None
    direction: Direction
    automatic: str | None
    internaldate: datetime | None
    date_header: datetime | None
    role: FolderRole
    category: str | None = None
    sender_hash: str | None = None

    @property
    def at(self) -> datetime | None:
        return self.internaldate if self.internaldate is not None else self.date_header

    @property
    def is_human(self) -> bool:
        return self.automatic is None


@dataclass(frozen=True, slots=True)
class ThreadRequest:
    """A request found in a thread, with its answer if there is one."""

    key: str
    """The request message's fingerprint: stable, the base of the request id."""
    thread_key: str
    """The fingerprint of the thread's earliest message."""
    received_at: datetime
    answered_at: datetime | None
    category: str | None
    sender_hash: str | None
    answer_key: str | None
    follow_ups: int
    messages: int
    """Messages in the thread, automatic ones included: context for an explanation."""


@dataclass(frozen=True, slots=True)
class Threading:
    """The requests of a mailbox, and how many messages could not be placed in time."""

    requests: tuple[ThreadRequest, ...]
    threads: int
    untimed: int
    """Messages with neither INTERNALDATE nor a usable Date header: left out."""


def find_requests(messages: Iterable[Message]) -> Threading:
    """Thread ``messages``; find each thread's request and answer (docs/rules.md#response-times)."""
    nodes, untimed = _distinct(messages)
    claims: dict[str, list[_Node]] = defaultdict(list)
    for node in nodes:
        for claimed in node.claimed:
            claims[claimed].append(node)

    links = _UnionFind()
    for node in nodes:
        links.add(node.key)
        for claimed in node.claimed:
            if len(claims[claimed]) == 1:
                links.union(node.key, "id:" + claimed)
        for ref in node.message.refs:
            owners = claims.get(ref)
            if owners is None:
                links.union(node.key, "id:" + ref)  # a parent we do not have
            else:
                links.union(node.key, _resolve(owners, node).key)
        if node.message.ticket is not None:
            links.union(node.key, "ticket:" + node.message.ticket)

    threads: dict[str, list[_Node]] = defaultdict(list)
    for node in nodes:
        threads[links.find(node.key)].append(node)
    found = [
        request
        for members in threads.values()
        if (request := _request_of(sorted(members, key=_RANK))) is not None
    ]
    found.sort(key=lambda r: (r.received_at, r.key))
    return Threading(requests=tuple(found), threads=len(threads), untimed=untimed)


@dataclass(frozen=True, slots=True)
class _Node:
    """A distinct message with the instant that counts for it; ranked by time, then key."""

    at: datetime
    key: str
    message: Message

    @property
    def rank(self) -> tuple[datetime, str]:
        return (self.at, self.key)

    @property
    def claimed(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.message.message_id, *self.message.aliases)))

    @property
    def inbound_human(self) -> bool:
        return self.message.direction == "inbound" and self.message.is_human

    @property
    def outbound_human(self) -> bool:
        return self.message.direction == "outbound" and self.message.is_human


def _distinct(messages: Iterable[Message]) -> tuple[list[_Node], int]:
    """One node per fingerprint, from the copy whose INTERNALDATE counts."""
    best: dict[str, tuple[tuple[bool, bool, datetime, str], _Node]] = {}
    untimed = 0
    for message in messages:
        at = message.at
        if at is None:
            untimed += 1
            continue
        own_copy = (message.role == "sent") == (message.direction == "outbound")
        preference = (not own_copy, message.internaldate is None, at, message.message_id)
        known = best.get(message.key)
        if known is None or preference < known[0]:
            best[message.key] = (preference, _Node(at, message.key, message))
    return sorted((node for _preference, node in best.values()), key=_RANK), untimed


def _resolve(owners: Sequence[_Node], referrer: _Node) -> _Node:
    if len(owners) == 1:
        return owners[0]
    ordered = sorted(owners, key=_RANK)
    seen = [owner for owner in ordered if owner.rank <= referrer.rank]
    return seen[-1] if seen else ordered[0]


def _request_of(members: Sequence[_Node]) -> ThreadRequest | None:
    """``members`` are in time order."""
    request = next((m for m in members if m.inbound_human), None)
    if request is None:
        return None
    answer = next((m for m in members if m.outbound_human and m.at >= request.at), None)
    follow_ups = sum(1 for m in members if m.inbound_human and m.rank > request.rank)
    return ThreadRequest(
        key=request.key,
        thread_key=members[0].key,
        received_at=request.at,
        answered_at=None if answer is None else answer.at,
        category=request.message.category,
        sender_hash=request.message.sender_hash,
        answer_key=None if answer is None else answer.key,
        follow_ups=follow_ups,
        messages=len(members),
    )


_RANK = attrgetter("at", "key")


class _UnionFind:
    """Disjoint sets with path halving and union by size."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}

    def add(self, item: str) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1

    def find(self, item: str) -> str:
        self.add(item)
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        if self._size[root_a] < self._size[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]
