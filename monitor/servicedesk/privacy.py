"""The only forms in which anything taken from a message reaches the store. Pure.

The contract falls under Dutch and EU data-protection law (AVG/GDPR), so
the store keeps only what the figures of 3.2.9, 3.2.13, 3.2.14 and 3.2.39 need: ids,
instants, categories, and digests.

* Identifiers (Message-IDs, the ids a message refers to, the ticket token) become plain
  SHA-256 digests of their exact text. Threading only needs equality, and a person who
  holds a message can still find it: ``printf '%s' '<id@host>' | sha256sum``.
* Sender addresses become HMAC-SHA256 digests under a per-installation key
  (:meth:`monitor.store.Store.sender_hash_key`), of the trimmed, lower-cased address.
  Addresses are guessable, so an unkeyed digest could be reversed by hashing a list of
  them; with the key, a digest that leaves the database (an export, a log) cannot be.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["digest", "sender_hash"]


def digest(text: str) -> str:
    """SHA-256 hex digest of ``text`` as UTF-8 (odd surrogates kept, never an error)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sender_hash(key: bytes, address: str) -> str:
    """The pseudonym of a sender address under this installation's key."""
    if len(key) < 16:
        raise ValueError("the sender hash key must be at least 16 bytes")
    normalised = address.strip().lower().encode("utf-8", "surrogatepass")
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()
