"""Debian's dovecot on loopback with a private configuration, started and stopped by a test.

Nothing of the system installation is used but the binaries: the configuration, the
passwd-file, the runtime directory (``base_dir``), the log and the mail live in one temporary
directory, ``instance_name`` is unique, and the listeners are on 127.0.0.1 at free ports, so
it runs next to a system dovecot and next to other test sessions.

Run as root, dovecot insists on unprivileged users for its processes: login processes run as
``dovenull``, internal ones as ``dovecot`` (both made by the Debian package) and the mail
processes as ``nobody``, who owns the maildirs. Run as another user, every process runs as
that user. The temporary directory is world-traversable (0755) because the login processes
reach their sockets under it; it is short because UNIX socket paths are limited to 108 bytes.

With ``oauth2_introspection_url`` the server also takes OAuth2 access tokens
(``AUTHENTICATE XOAUTH2``/``OAUTHBEARER``, as Microsoft 365 and Google do): an ``oauth2``
passdb asks that URL (RFC 7662 introspection, ``POST token=...``) whether a token is active
and whose it is; passwords keep working through the passwd-file for PLAIN and LOGIN.

Mail for tests goes in through IMAP ``APPEND`` (which also sets INTERNALDATE) or as files
written into ``maildir`` and then chowned to ``mail_uid``/``mail_gid``. Folders: ``INBOX``
(the maildir root) and ``Sent`` (``.Sent``, created automatically, special-use ``\\Sent``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.servers.tls import CertificateSet

__all__ = ["DEFAULT_ACCOUNTS", "DovecotServer", "OAuth2Passdb", "dovecot_problem", "run_dovecot"]

DEFAULT_ACCOUNTS: Mapping[str, str] = {
    # Quote and backslash: sent as an IMAP quoted string with escapes.
    "desk@example.test": 'Pa55 "w0rd" \\ desk',
    # Non-ASCII: sent as an IMAP literal.
    "ekv@example.test": "wachtwoörd-€",
}


@dataclass(frozen=True)
class DovecotServer:
    host: str
    port: int
    """IMAP; STARTTLS is offered when the server has a certificate."""
    imaps_port: int | None
    """IMAP over TLS from the first byte; ``None`` without a certificate."""
    user: str
    password: str
    password_file: Path
    """A file holding ``password``, for probe configs with ``password_file``."""
    accounts: Mapping[str, str]
    """Every user and password, ``user`` included."""
    mail_root: Path
    """Parent of the users' maildirs (``mail_root / user``)."""
    maildir: Path
    """``user``'s maildir, which is its INBOX."""
    ca_file: Path | None
    mail_uid: int
    mail_gid: int
    log_file: Path
    directory: Path


def dovecot_problem() -> str | None:
    """Why dovecot cannot be started here, or ``None`` if it can."""
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (Debian package dovecot-imapd)"
    if os.geteuid() == 0:
        for user in ("dovenull", "dovecot", "nobody"):
            try:
                pwd.getpwnam(user)
            except KeyError:
                return f"user {user} is missing (the dovecot-core package creates it)"
    return None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class OAuth2Passdb:
    """Dovecot's ``oauth2`` passdb, checking tokens at a loopback introspection endpoint."""

    introspection_url: str
    mechanisms: tuple[str, ...] = ("xoauth2", "oauthbearer")


def _oauth2_settings(directory: Path, oauth2: OAuth2Passdb | None) -> tuple[str, str]:
    """The ``auth_mechanisms`` and the passdb blocks; the oauth2 one is written to a file."""
    passwd_file = f"""passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {directory}/passwd
}}"""
    if oauth2 is None:
        return "plain login", passwd_file
    settings = directory / "oauth2.conf.ext"
    # No tokeninfo_url: every token is introspected, so a revoked one is refused at once.
    settings.write_text(
        f"""introspection_url = {oauth2.introspection_url}
introspection_mode = post
force_introspection = yes
username_attribute = username
username_format = %u
active_attribute = active
active_value = true
timeout_msecs = 10000
""",
        encoding="utf-8",
    )
    settings.chmod(0o644)
    mechanisms = " ".join(oauth2.mechanisms)
    oauth2_passdb = f"""passdb {{
  driver = oauth2
  mechanisms = {mechanisms}
  args = {settings}
}}"""
    return f"plain login {mechanisms}", f"{passwd_file}\n{oauth2_passdb}"


def _config(
    directory: Path,
    host: str,
    port: int,
    imaps_port: int | None,
    cert_pair: tuple[Path, Path] | None,
    oauth2: OAuth2Passdb | None = None,
) -> str:
    if os.geteuid() == 0:
        internal_user, login_user = "dovecot", "dovenull"
        mail_user = pwd.getpwnam("nobody")
        mail_group = str(mail_user.pw_gid)
    else:
        mail_user = pwd.getpwuid(os.geteuid())
        internal_user = login_user = mail_user.pw_name
        mail_group = str(mail_user.pw_gid)
    ssl_settings = "ssl = no"
    imaps_listener = "  inet_listener imaps {\n    port = 0\n  }"
    if cert_pair is not None and imaps_port is not None:
        ssl_settings = f"ssl = yes\nssl_cert = <{cert_pair[0]}\nssl_key = <{cert_pair[1]}"
        imaps_listener = (
            f"  inet_listener imaps {{\n    address = {host}\n    port = {imaps_port}\n"
            "    ssl = yes\n  }"
        )
    mechanisms, passdbs = _oauth2_settings(directory, oauth2)
    return f"""\
# Written by tests/servers/dovecot.py for one test session; not a production config.
instance_name = sla-test-{directory.name}
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {directory}/dovecot.log
protocols = imap
listen = {host}
default_internal_user = {internal_user}
default_internal_group = {internal_user}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
{ssl_settings}
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
auth_failure_delay = 0
mail_max_userip_connections = 200
mail_location = maildir:{directory}/mail/%u
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    auto = create
    special_use = \\Sent
  }}
}}
{passdbs}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_group} home={directory}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
{imaps_listener}
}}
service auth-worker {{
  user = $default_internal_user
}}
# No growing delay for an IP after failed logins: tests fail logins on purpose.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def _wait_ready(process: subprocess.Popen[bytes], host: str, port: int, log: Path) -> None:
    """Until the greeting says ``ready`` (the first one may still wait for the auth process)."""
    deadline = time.monotonic() + 20
    last_error = "no connection yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection((host, port), timeout=2) as connection:
                connection.settimeout(2)
                received = b""
                while b"ready" not in received and len(received) < 4096:
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    received += chunk
                if b"ready" in received:
                    connection.sendall(b"x LOGOUT\r\n")
                    return
                last_error = f"greeting {received[:200]!r}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.05)
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    raise RuntimeError(f"dovecot did not become ready ({last_error}); log:\n{text[-3000:]}")


@contextlib.contextmanager
def run_dovecot(
    certificates: CertificateSet | None = None,
    *,
    accounts: Mapping[str, str] = DEFAULT_ACCOUNTS,
    host: str = "127.0.0.1",
    oauth2: OAuth2Passdb | None = None,
) -> Iterator[DovecotServer]:
    """Start ``dovecot -F`` with a private config; stop it and remove everything at the end.

    With ``certificates``, dovecot serves ``certificates.valid`` on STARTTLS and on an
    implicit-TLS port; with ``oauth2`` it also takes OAuth2 tokens.
    """
    problem = dovecot_problem()
    if problem is not None:
        raise RuntimeError(problem)
    directory = Path(tempfile.mkdtemp(prefix="sla-dovecot-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        directory.chmod(0o755)
        mail_root = directory / "mail"
        for sub in ("run", "state", "mail"):
            (directory / sub).mkdir(mode=0o755)
        if any(":" in user + password for user, password in accounts.items()):
            raise ValueError("passwd-file entries cannot contain ':'")
        (directory / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in accounts.items()),
            encoding="utf-8",
        )
        (directory / "passwd").chmod(0o644)
        cert_pair = None
        if certificates is not None:
            cert_pair = certificates.write_pair(certificates.valid, directory, "imap")
        port = _free_port(host)
        imaps_port = _free_port(host) if cert_pair is not None else None
        config = directory / "dovecot.conf"
        config.write_text(_config(directory, host, port, imaps_port, cert_pair, oauth2), "utf-8")

        mail_uid, mail_gid = os.getuid(), os.getgid()
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            mail_uid, mail_gid = mail_user.pw_uid, mail_user.pw_gid
            os.chown(mail_root, mail_uid, mail_gid)
        user, password = next(iter(accounts.items()))
        password_file = directory / "password"
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)

        log = directory / "dovecot.log"
        process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_ready(process, host, port, log)
        yield DovecotServer(
            host=host,
            port=port,
            imaps_port=imaps_port,
            user=user,
            password=password,
            password_file=password_file,
            accounts=dict(accounts),
            mail_root=mail_root,
            maildir=mail_root / user,
            ca_file=certificates.ca_file if certificates is not None else None,
            mail_uid=mail_uid,
            mail_gid=mail_gid,
            log_file=log,
            directory=directory,
        )
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(directory, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the master (it stops its children); SIGKILL to its session if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        # Still running, so the group id is still ours: dovecot's processes only.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
