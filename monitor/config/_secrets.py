"""Whether the secret files a configuration names can be read by this process.

A mailbox whose ``password_file`` (or OAuth2 ``client_secret_file``) is missing validates as
text but never logs in: the daemon would run "green" while no desk mail is measured (3.2.9).
So ``check-config``, start-up and every reload open each named file and refuse the
configuration when one cannot be read.
Only the file's name and the operating system's reason are reported, never its content.
"""

from __future__ import annotations

from pathlib import Path

from monitor.config._errors import ConfigProblem
from monitor.config._model import Config

__all__ = ["secret_file_problems"]


def secret_file_problems(config: Config) -> list[ConfigProblem]:
    """One problem per ``password_file`` (mailboxes and IMAP probes) and per mailbox
    ``client_secret_file`` this process cannot read."""
    named: list[tuple[str, Path]] = []
    for index, mailbox in enumerate(config.servicedesk.mailboxes):
        if mailbox.password_file is not None:
            named.append((f"servicedesk.mailboxes[{index}].password_file", mailbox.password_file))
        if mailbox.oauth2 is not None:
            named.append(
                (
                    f"servicedesk.mailboxes[{index}].auth.client_secret_file",
                    mailbox.oauth2.client_secret_file,
                )
            )
    for index, target in enumerate(config.targets):
        path = getattr(target.probe, "password_file", None)
        if isinstance(path, Path):
            named.append((f"targets[{index}].probe.password_file", path))
    problems = []
    for field, path in named:
        reason = _unreadable(path)
        if reason is not None:
            problems.append(ConfigProblem(None, field, f"cannot read {path}: {reason}"))
    return problems


def _unreadable(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        return error.strerror or type(error).__name__
    return None
