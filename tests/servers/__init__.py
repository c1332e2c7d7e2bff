"""Real servers on loopback for tests: HTTP, TLS, SMTP, IMAP (Debian dovecot), SIP, DNS
and a telephony queue status API.

Each module starts its server on ``127.0.0.1`` with port 0 (dovecot: a free port found first)
and hands back what a probe config needs. ``tests/conftest.py`` wraps them as fixtures; tests
that need something unusual (a second server, an odd certificate) use the modules directly.
"""
