"""A real Dovecot IMAP server on loopback, for tests.

``DovecotServer`` runs ``/usr/sbin/dovecot -F -c <temp>/dovecot.conf`` with a
configuration written from scratch in a temporary directory (``/etc/dovecot``
is never read), listening on 127.0.0.1 only:

* ``port``      plain IMAP, STARTTLS advertised, plaintext login allowed;
* ``tls_port``  implicit TLS (imaps);
* a throw-away CA plus a server certificate for ``localhost`` / 127.0.0.1
  (``ca_file`` is the CA to verify it with);
* users in a passwd-file (default ``courrier`` / ``secret``), Maildir++
  storage under the temp dir, namespace separator ``/``;
* base_dir, state_dir and the log file inside the temp dir, no syslog.

Dovecot quirk worth knowing (2.3.19, Maildir++ with the default
mailbox-list index): an IMAP session that has SELECTed a mailbox may keep
LISTing a stale folder list and not see folders created by *another* session
(a fresh session sees them). Create folders before the code under test
connects, or from its own connection; ``extra_config="mailbox_list_index = no"``
makes Dovecot re-scan the directory instead.

When the tests run as root, mail is owned by an unprivileged account
(``nobody``/``nogroup`` by default) because Dovecot refuses UID 0 for mail
access; otherwise everything runs as the current user.

Fixtures ``dovecot`` (fresh server per test) and ``dovecot_session`` (one server
for the whole session) are defined at the bottom; import them from a conftest
with ``from tests.imap_server import dovecot, dovecot_session  # noqa: F401``
(or ``pytest_plugins = ["tests.imap_server"]``).
"""

from __future__ import annotations

import atexit
import os
import pwd
import grp
import re
import shutil
import signal
import socket
import ssl as _ssl
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from typing import Iterable, Sequence

import pytest
from imapclient import IMAPClient, imap_utf7
from imapclient.exceptions import LoginError

DOVECOT_BIN = os.environ.get("TRIAGE_TEST_DOVECOT", "/usr/sbin/dovecot")
DOVEADM_BIN = os.environ.get("TRIAGE_TEST_DOVEADM", "/usr/bin/doveadm")
OPENSSL_BIN = shutil.which("openssl") or "/usr/bin/openssl"

DEFAULT_USER = "courrier"
DEFAULT_PASSWORD = "secret"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
# Dovecot 2.3's master takes ~1 s (sometimes 6 s: a 5 s internal timeout) to
# exit on SIGTERM; after this grace the process group is SIGKILLed.
STOP_GRACE = 2.0

_APPENDUID_RE = re.compile(rb"\[APPENDUID (\d+) ([0-9:,]+)\]")

# Every live server, so that an interpreter exit (Ctrl-C, crash in a fixture)
# still kills the dovecot processes and removes the temp dirs.
_LIVE: "weakref.WeakSet[DovecotServer]" = weakref.WeakSet()


@atexit.register
def _kill_leftovers() -> None:  # pragma: no cover - safety net
    for server in list(_LIVE):
        try:
            server.cleanup()
        except Exception:
            pass


# Dovecot 2.3 delays every login from an IP (2, 4, 8, 15 s) once a login from
# it has failed, tracked by the anvil process; login_trusted_networks no longer
# exempts anyone. Making anvil's penalty socket unconnectable for the auth
# process (which runs as the internal user) disables the penalty.
_NO_AUTH_PENALTY = """\
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
"""


class DovecotError(RuntimeError):
    """Dovecot failed to start/stop; the message carries the log tail."""


def dovecot_available() -> bool:
    return os.access(DOVECOT_BIN, os.X_OK) and os.access(OPENSSL_BIN, os.X_OK)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _imap_greeting(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when the plain port answers with an IMAP ``* OK`` greeting."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            data = b""
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    return False
                data += chunk
            return data.startswith(b"* OK")
    except OSError:
        return False


def _run(cmd: Sequence[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """Create a throw-away CA and a server cert for localhost/127.0.0.1.

    Returns (ca_cert, server_cert, server_key). EC P-256 keys: fast to make.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = directory / "ca.key", directory / "ca.crt"
    key, csr, crt = directory / "server.key", directory / "server.csr", directory / "server.crt"
    ext = directory / "server.ext"
    _run([OPENSSL_BIN, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes", "-keyout", str(ca_key), "-out", str(ca_crt), "-days", "3650",
          "-subj", "/CN=triage test CA",
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    _run([OPENSSL_BIN, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost"])
    ext.write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    _run([OPENSSL_BIN, "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
          "-CAcreateserial", "-out", str(crt), "-days", "3650", "-extfile", str(ext)])
    for p in (ca_key, key):
        p.chmod(0o600)
    ca_key.unlink()  # nothing else should ever be signed by it
    csr.unlink()
    return ca_crt, crt, key


class DovecotServer:
    """One private Dovecot instance (see module docstring).

    Typical use::

        with DovecotServer() as srv:
            srv.append("INBOX", b"Subject: hi\\r\\n\\r\\nbody\\r\\n")
            with srv.client() as c: ...
    """

    host = "127.0.0.1"

    # mail_user: account owning the mail when running as root (default
    #   nobody/nogroup; Dovecot refuses UID 0 for mail access).
    # auth_penalty: keep Dovecot's per-IP delay after failed logins.
    # extra_config: appended verbatim to dovecot.conf (later keys win).
    def __init__(self, *, user: str = DEFAULT_USER, password: str = DEFAULT_PASSWORD,
                 mail_user: str | None = None, auth_failure_delay: int = 0,
                 auth_penalty: bool = False, extra_config: str = "") -> None:
        if not dovecot_available():
            raise DovecotError(f"{DOVECOT_BIN} or openssl not available")
        self._root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
        # Mail processes run unprivileged and must traverse the temp dir.
        self._root.chmod(0o755)
        self._conf = self._root / "dovecot.conf"
        self._passwd = self._root / "etc" / "passwd"
        self._mail_root = self._root / "mail"
        self._base_dir = self._root / "run"
        self._state_dir = self._root / "state"
        self._log = self._root / "dovecot.log"
        self._stdout = self._root / "dovecot.stdout"
        self._proc: subprocess.Popen | None = None
        self._users: dict[str, str] = {}
        self._admin_clients: dict[str, IMAPClient] = {}
        self._clients: list[IMAPClient] = []
        self._auth_failure_delay = auth_failure_delay
        self._auth_penalty = auth_penalty
        self._extra_config = extra_config
        self._cleaned = False
        try:
            self._setup(user, password, mail_user)
        except BaseException:
            shutil.rmtree(self._root, ignore_errors=True)
            raise
        _LIVE.add(self)

    def _setup(self, user: str, password: str, mail_user: str | None) -> None:
        if os.geteuid() == 0:
            pw = pwd.getpwnam(mail_user or "nobody")
            self.mail_uid = pw.pw_uid
            gname = "nogroup" if mail_user is None and _group_exists("nogroup") else None
            self.mail_gid = grp.getgrnam(gname).gr_gid if gname else pw.pw_gid
            self._internal_user = "dovecot" if _user_exists("dovecot") else pw.pw_name
            self._login_user = "dovenull" if _user_exists("dovenull") else pw.pw_name
        else:  # rootless Dovecot: everything runs as us
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(self.mail_uid).pw_name
            self._internal_user = self._login_user = me

        for d in (self._root / "etc", self._mail_root, self._base_dir, self._state_dir):
            d.mkdir(mode=0o755, exist_ok=True)
        self._chown(self._mail_root)
        self._ca_file, self._cert, self._key = make_certificates(self._root / "tls")
        self._port = _free_port()
        self._tls_port = _free_port()
        while self._tls_port == self._port:
            self._tls_port = _free_port()
        self.add_user(user, password)
        self._write_config()

    # -- properties --------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def tls_port(self) -> int:
        return self._tls_port

    @property
    def ca_file(self) -> str:
        return str(self._ca_file)

    @property
    def root(self) -> Path:
        return self._root

    @property
    def config_path(self) -> str:
        return str(self._conf)

    @property
    def log_path(self) -> Path:
        return self._log

    @property
    def users(self) -> dict[str, str]:
        return dict(self._users)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- configuration -----------------------------------------------------
    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            os.chown(path, self.mail_uid, self.mail_gid)

    def home(self, user: str = DEFAULT_USER) -> Path:
        return self._mail_root / user

    def maildir(self, user: str = DEFAULT_USER) -> Path:
        return self.home(user) / "Maildir"

    def folder_path(self, folder: str, user: str = DEFAULT_USER) -> Path:
        """On-disk Maildir++ directory of ``folder`` (namespace separator ``/``)."""
        if folder.upper() == "INBOX":
            return self.maildir(user)
        encoded = imap_utf7.encode(folder).decode("ascii")
        return self.maildir(user) / ("." + encoded.replace("/", "."))

    def add_user(self, name: str, password: str, timeout: float = 5.0) -> None:
        """Add a mail account. Normally called before start(); when the server
        is running, waits until Dovecot has re-read its passwd-file (it
        checks for changes at most once a second)."""
        if not name or any(c in name for c in ":/\n") or ":" in password or "\n" in password:
            raise ValueError(f"unsupported user/password: {name!r}")
        self._users[name] = password
        home = self.home(name)
        home.mkdir(mode=0o700, exist_ok=True)
        self._chown(home)
        lines = [f"{u}:{{PLAIN}}{p}:{self.mail_uid}:{self.mail_gid}::{self.home(u)}::\n"
                 for u, p in self._users.items()]
        tmp = self._passwd.with_suffix(".tmp")
        tmp.write_text("".join(lines))
        tmp.chmod(0o644)  # read by the auth process (runs as the dovecot user)
        os.replace(tmp, self._passwd)
        if self.running:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with IMAPClient(self.host, port=self._port, ssl=False, timeout=10) as c:
                        c.login(name, password)
                    return
                except LoginError:
                    if time.monotonic() > deadline:
                        raise DovecotError(f"Dovecot did not pick up user {name!r}")
                    time.sleep(0.1)

    def _write_config(self) -> None:
        self._conf.write_text(f"""\
# Generated by tests/imap_server.py - private test instance.
protocols = imap
listen = 127.0.0.1
base_dir = {self._base_dir}
state_dir = {self._state_dir}
instance_name = dovecot-test-{self._port}
log_path = {self._log}
info_log_path = {self._log}
debug_log_path = {self._log}
default_internal_user = {self._internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(self._internal_user).pw_gid).gr_name}
default_login_user = {self._login_user}

ssl = yes
ssl_cert = <{self._cert}
ssl_key = <{self._key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = {self._auth_failure_delay} secs
{"" if self._auth_penalty else _NO_AUTH_PENALTY}
first_valid_uid = {min(self.mail_uid, 500)}
last_valid_uid = 0
first_valid_gid = {min(self.mail_gid, 1)}

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self._passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self._passwd}
}}

mail_location = maildir:~/Maildir
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Junk {{
    special_use = \\Junk
  }}
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
}}

protocol imap {{
  mail_max_userip_connections = 200
}}

service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self._port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self._tls_port}
    ssl = yes
  }}
}}
{self._extra_config}
""")

    # -- lifecycle ---------------------------------------------------------
    def log_tail(self, lines: int = 40) -> str:
        out = []
        for p in (self._stdout, self._log):
            if p.exists():
                text = p.read_text(errors="replace").splitlines()[-lines:]
                if text:
                    out.append(f"--- {p.name} ---")
                    out.extend(text)
        return "\n".join(out) or "(no dovecot output)"

    def start(self, timeout: float = START_TIMEOUT) -> "DovecotServer":
        if self._cleaned:
            raise DovecotError("server already cleaned up")
        if self.running:
            return self
        for attempt in range(3):
            try:
                self._start_once(timeout)
                return self
            except DovecotError as exc:
                # Another process grabbed one of our ephemeral ports: pick new ones.
                if attempt < 2 and "Address already in use" in str(exc):
                    self._port, self._tls_port = _free_port(), _free_port()
                    self._write_config()
                    continue
                raise
        raise AssertionError("unreachable")

    def _start_once(self, timeout: float) -> None:
        with open(self._stdout, "ab") as out:
            self._proc = subprocess.Popen(
                [DOVECOT_BIN, "-F", "-c", str(self._conf)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in pytest doesn't hit it directly
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                rc = self._proc.returncode
                self._proc = None
                raise DovecotError(f"dovecot exited with status {rc}\n{self.log_tail()}")
            if _imap_greeting(self.host, self._port) and _port_open(self.host, self._tls_port):
                return
            time.sleep(0.05)
        self._kill(graceful=False)
        raise DovecotError(f"dovecot did not answer within {timeout}s\n{self.log_tail()}")

    def _drop_admin_clients(self) -> None:
        for c in self._admin_clients.values():
            _close_quietly(c)
        self._admin_clients.clear()

    def _kill(self, graceful: bool = True, grace: float = STOP_TIMEOUT) -> None:
        """Stop the master and every child (they share its process group).

        Graceful: SIGTERM to the master, which stops its children and exits;
        Dovecot 2.3 takes 1-6 s for that (it waits for its children), after
        which (after ``grace``) stragglers are SIGKILLed. Not graceful: SIGKILL the whole
        group at once (like a crash; Maildir + Dovecot indexes cope)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if graceful and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(10)
        # Wait until the children are dead too (zombies are fine: they hold
        # no sockets; whoever is PID 1 reaps them in its own time).
        deadline = time.monotonic() + 5
        while _live_group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self, timeout: float = STOP_TIMEOUT, *, graceful: bool = True) -> None:
        """Shut dovecot down and wait until both ports refuse connections.

        ``graceful=False`` kills it outright (fast; simulates a crash)."""
        self._drop_admin_clients()
        was_running = self._proc is not None
        self._kill(graceful, min(timeout, STOP_GRACE))
        if not was_running:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not (_port_open(self.host, self._port, 0.2) or _port_open(self.host, self._tls_port, 0.2)):
                return
            time.sleep(0.05)
        raise DovecotError(f"ports still open {timeout}s after stop\n{self.log_tail()}")

    def restart(self) -> "DovecotServer":
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        """Stop the server, close every client handed out, remove the temp dir."""
        if self._cleaned:
            return
        for c in self._clients:
            _close_quietly(c)
        self._clients.clear()
        try:
            self.stop(graceful=False)  # nothing to preserve: be quick
        finally:
            self._cleaned = True
            _LIVE.discard(self)
            shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> "DovecotServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    # -- clients -----------------------------------------------------------
    def ssl_context(self) -> _ssl.SSLContext:
        """A verifying client context trusting only this server's CA."""
        return _ssl.create_default_context(cafile=self.ca_file)

    def connect(self, *, ssl: bool = False, starttls: bool = False, timeout: float = 10.0) -> IMAPClient:
        """An IMAPClient connected but NOT logged in (closed at cleanup)."""
        if ssl:
            c = IMAPClient(self.host, port=self._tls_port, ssl=True,
                           ssl_context=self.ssl_context(), timeout=timeout)
        else:
            c = IMAPClient(self.host, port=self._port, ssl=False, timeout=timeout)
            if starttls:
                c.starttls(self.ssl_context())
        self._clients.append(c)
        return c

    def client(self, user: str = DEFAULT_USER, password: str | None = None, *,
               ssl: bool = False, starttls: bool = False, timeout: float = 10.0) -> IMAPClient:
        """A logged-in IMAPClient; ``password`` defaults to the user's own."""
        if password is None:
            password = self._users.get(user, DEFAULT_PASSWORD)
        c = self.connect(ssl=ssl, starttls=starttls, timeout=timeout)
        c.login(user, password)
        return c

    def _admin(self, user: str) -> IMAPClient:
        """Cached connection used by the helpers below (dropped on stop)."""
        c = self._admin_clients.get(user)
        if c is not None:
            try:
                c.noop()
                return c
            except Exception:
                _close_quietly(c)
        if user not in self._users:
            raise KeyError(f"unknown user {user!r}")
        c = IMAPClient(self.host, port=self._port, ssl=False, timeout=30)
        c.login(user, self._users[user])
        self._admin_clients[user] = c
        return c

    # -- mailbox helpers ---------------------------------------------------
    def append(self, folder: str, raw: bytes, flags: Iterable = (), *, user: str = DEFAULT_USER,
               msg_time=None) -> int | None:
        """IMAP APPEND ``raw`` to ``folder``; returns the new UID (APPENDUID)."""
        resp = self._admin(user).append(folder, raw, flags=tuple(flags), msg_time=msg_time)
        m = _APPENDUID_RE.search(resp or b"")
        return int(m.group(2)) if m and m.group(2).isdigit() else None

    def append_many(self, folder: str, messages: Iterable[bytes], *, user: str = DEFAULT_USER) -> None:
        """MULTIAPPEND: many messages in one command (fast bulk seeding)."""
        self._admin(user).multiappend(folder, list(messages))

    def create_folder(self, name: str, *, user: str = DEFAULT_USER, subscribe: bool = True) -> None:
        c = self._admin(user)
        c.create_folder(name)
        if subscribe:
            c.subscribe_folder(name)

    def uidvalidity(self, folder: str = "INBOX", *, user: str = DEFAULT_USER) -> int:
        c = self._admin(user)
        info = c.select_folder(folder, readonly=True)
        if c.has_capability("UNSELECT"):
            c.unselect_folder()
        else:
            c.close_folder()
        return int(info[b"UIDVALIDITY"])

    def reset_uidvalidity(self, folder: str = "INBOX", *, user: str = DEFAULT_USER) -> int:
        """Make Dovecot present a NEW UIDVALIDITY for ``folder``, keeping its
        messages (they get renumbered from UID 1), like a server whose index
        was rebuilt. Restarts the server. Returns the new UIDVALIDITY."""
        old = self.uidvalidity(folder, user=user)
        path = self.folder_path(folder, user)
        if not (path / "cur").is_dir():
            raise DovecotError(f"no Maildir for {folder!r} at {path}")
        self.stop()
        doomed = [path / "dovecot-uidlist", *path.glob("dovecot.index*")]
        # The mailbox-list index caches UIDVALIDITY too; it is rebuilt on demand.
        doomed += list(self.maildir(user).glob("dovecot.list.index*"))
        for p in doomed:
            if p.exists():
                p.unlink()
        self.start()
        new = self.uidvalidity(folder, user=user)
        if new == old:
            raise DovecotError(f"UIDVALIDITY of {folder!r} did not change ({old})")
        return new

    def doveadm(self, *args: str) -> str:
        """Run ``doveadm -c CONF args...`` against this instance (must be running)."""
        return _run([DOVEADM_BIN, "-c", str(self._conf), *args]).stdout


def _close_quietly(c: IMAPClient) -> None:
    try:
        c.shutdown()
    except Exception:
        pass


def _live_group_members(pgid: int) -> list[int]:
    """PIDs of the non-zombie processes of process group ``pgid`` (Linux)."""
    live = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return live
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ..." - comm may contain spaces/parens.
        fields = stat[stat.rindex(b")") + 2:].split()
        if fields[0] != b"Z" and int(fields[2]) == pgid:
            live.append(int(entry))
    return live


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


# -- pytest fixtures -------------------------------------------------------
def _new_server() -> DovecotServer:
    if not dovecot_available():
        pytest.skip(f"dovecot not installed ({DOVECOT_BIN})")
    return DovecotServer()


@pytest.fixture
def dovecot():
    """A fresh, started Dovecot for one test (user courrier/secret)."""
    server = _new_server()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def dovecot_session():
    """One Dovecot shared by the whole session; tests must not assume an
    empty mailbox (use unique folder names)."""
    server = _new_server()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()
