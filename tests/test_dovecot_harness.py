"""Proves tests/imap_server.py drives a real Dovecot correctly."""

from __future__ import annotations

import os
import socket
import ssl
import time
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from tests.imap_server import (  # noqa: F401  (fixtures)
    DovecotError,
    DovecotServer,
    _live_group_members,
    dovecot,
    dovecot_session,
)


def make_message(i: int, subject: str | None = None, body: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Jeanne Administrée <jeanne@example.org>"
    msg["To"] = "courrier@mairie.example.fr"
    msg["Subject"] = subject or f"Demande n°{i}"
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content(body or f"Bonjour,\nceci est le message {i}, accentué : éàç.\n")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _fetch_all(c: IMAPClient, folder: str) -> dict[int, dict]:
    c.select_folder(folder, readonly=True)
    uids = c.search("ALL")
    return c.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}


def test_append_three_and_fetch_them_back_unseen(dovecot):
    raws = [make_message(i) for i in range(3)]
    uids = [dovecot.append("INBOX", raw) for raw in raws]
    assert uids == [1, 2, 3]

    c = dovecot.client()
    c.select_folder("INBOX")  # read-write: a plain BODY[] would set \Seen here
    data = c.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
    assert [data[u][b"BODY[]"] for u in uids] == raws
    assert all(b"\\Seen" not in data[u][b"FLAGS"] for u in uids)
    assert sorted(c.search("UNSEEN")) == uids

    # Still unseen for a later, independent session.
    c2 = dovecot.client()
    c2.select_folder("INBOX", readonly=True)
    assert sorted(c2.search("UNSEEN")) == uids


def test_implicit_tls_with_certificate_verification(dovecot):
    ctx = ssl.create_default_context(cafile=dovecot.ca_file)
    c = IMAPClient(dovecot.host, port=dovecot.tls_port, ssl=True, ssl_context=ctx, timeout=10)
    c.login("courrier", "secret")
    sock = c.socket()
    assert isinstance(sock, ssl.SSLSocket)
    peer = sock.getpeercert()  # only populated when the chain was verified
    assert ("DNS", "localhost") in peer["subjectAltName"]
    assert ("IP Address", "127.0.0.1") in peer["subjectAltName"]
    assert c.select_folder("INBOX")[b"EXISTS"] == 0
    c.logout()

    # The helper does the same; and "localhost" verifies as well as 127.0.0.1.
    assert dovecot.client(ssl=True).noop()
    c3 = IMAPClient("localhost", port=dovecot.tls_port, ssl=True, ssl_context=ctx, timeout=10)
    c3.login("courrier", "secret")
    c3.logout()

    # Without our CA the certificate is rejected.
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, port=dovecot.tls_port, ssl=True,
                   ssl_context=ssl.create_default_context(), timeout=10)


def test_starttls_on_plain_port(dovecot):
    c = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    assert not isinstance(c.socket(), ssl.SSLSocket)
    assert c.has_capability("STARTTLS")
    c.starttls(ssl.create_default_context(cafile=dovecot.ca_file))
    assert isinstance(c.socket(), ssl.SSLSocket)
    c.login("courrier", "secret")
    assert c.noop()
    c.logout()

    c2 = dovecot.client(starttls=True)
    assert isinstance(c2.socket(), ssl.SSLSocket)


def test_plain_login_without_tls_is_allowed(dovecot):
    c = dovecot.client()
    assert not isinstance(c.socket(), ssl.SSLSocket)
    assert c.noop()


def test_bad_password_is_refused(dovecot):
    t0 = time.perf_counter()
    with pytest.raises(LoginError):
        dovecot.client(password="wrong")
    with pytest.raises(LoginError):
        dovecot.client(user="nobody-here", password="secret")
    with pytest.raises(LoginError):
        dovecot.client(password="wrong", ssl=True)
    assert dovecot.client().noop()  # the right one still works
    # The harness disables Dovecot's per-IP auth penalty (2, 4, 8.. s).
    assert time.perf_counter() - t0 < 5


def test_folder_with_accent_create_and_move(dovecot):
    dovecot.create_folder("Traité")
    raw = make_message(1, subject="À classer")
    uid = dovecot.append("INBOX", raw)

    c = dovecot.client()
    names = [name for _flags, _sep, name in c.list_folders()]
    assert "Traité" in names
    assert "Traité" in [name for _f, _s, name in c.list_sub_folders()]
    # Stored in modified UTF-7 on disk (Maildir++ layout).
    assert (dovecot.maildir() / ".Trait&AOk-" / "cur").is_dir()
    assert dovecot.folder_path("Traité").name == ".Trait&AOk-"

    c.select_folder("INBOX")
    c.move([uid], "Traité")
    assert c.search("ALL") == []
    moved = _fetch_all(c, "Traité")
    assert [m[b"BODY[]"] for m in moved.values()] == [raw]
    assert c.folder_status("Traité", ["MESSAGES", "UNSEEN"]) == {b"MESSAGES": 1, b"UNSEEN": 1}

    # Nested accented folders use the "/" separator. Created from the same
    # session: with Dovecot 2.3's mailbox-list index, a session that has
    # SELECTed a mailbox may not LIST folders created by another session.
    c.create_folder("Traité/Urbanisme été")
    assert c.folder_exists("Traité/Urbanisme été")
    assert (dovecot.maildir() / ".Trait&AOk-.Urbanisme &AOk-t&AOk-").is_dir()
    dovecot.append("Traité/Urbanisme été", make_message(2))
    assert c.folder_status("Traité/Urbanisme été", ["MESSAGES"])[b"MESSAGES"] == 1


@pytest.mark.parametrize("folder", ["INBOX", "Traité"])
def test_reset_uidvalidity_changes_it_and_keeps_messages(dovecot, folder):
    if folder != "INBOX":
        dovecot.create_folder(folder)
    raws = [make_message(i) for i in range(3)]
    for raw in raws[:2]:
        dovecot.append(folder, raw)
    dovecot.append(folder, raws[2], flags=[b"\\Seen"])
    old = dovecot.uidvalidity(folder)

    new = dovecot.reset_uidvalidity(folder)

    assert new != old
    assert dovecot.uidvalidity(folder) == new
    c = dovecot.client()
    info = c.select_folder(folder, readonly=True)
    assert info[b"UIDVALIDITY"] == new
    assert info[b"EXISTS"] == 3
    data = c.fetch(c.search("ALL"), ["BODY.PEEK[]", "FLAGS"])
    assert sorted(m[b"BODY[]"] for m in data.values()) == sorted(raws)
    seen = [m[b"BODY[]"] for m in data.values() if b"\\Seen" in m[b"FLAGS"]]
    assert seen == [raws[2]]  # Maildir flags survive the index loss
    # A second reset changes it again.
    assert dovecot.reset_uidvalidity(folder) not in (old, new)


def test_stop_makes_connections_fail_and_restart_recovers(dovecot):
    dovecot.append("INBOX", make_message(1))
    c = dovecot.client()
    c.select_folder("INBOX")

    dovecot.stop()
    assert not dovecot.running
    for port in (dovecot.port, dovecot.tls_port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((dovecot.host, port), timeout=2).close()
    with pytest.raises(OSError):
        dovecot.client()
    with pytest.raises((IMAPClientError, OSError)):
        c.noop()

    dovecot.start()
    c2 = dovecot.client()
    assert c2.select_folder("INBOX")[b"EXISTS"] == 1

    dovecot.restart()
    assert dovecot.client(ssl=True).select_folder("INBOX")[b"EXISTS"] == 1


def test_append_1000_messages(dovecot, capsys):
    n = 1000
    raws = [make_message(i, body=f"petit message {i}\n") for i in range(n)]
    t0 = time.perf_counter()
    for raw in raws:
        dovecot.append("INBOX", raw)
    one_by_one = time.perf_counter() - t0

    dovecot.create_folder("Bulk")
    t0 = time.perf_counter()
    dovecot.append_many("Bulk", raws)
    multi = time.perf_counter() - t0

    c = dovecot.client()
    assert c.folder_status("INBOX", ["MESSAGES", "UNSEEN"]) == {b"MESSAGES": n, b"UNSEEN": n}
    assert c.folder_status("Bulk", ["MESSAGES"])[b"MESSAGES"] == n
    with capsys.disabled():
        print(f"\n[dovecot] APPEND x{n}: {one_by_one:.2f}s ({n / one_by_one:.0f} msg/s); "
              f"MULTIAPPEND x{n}: {multi:.2f}s ({n / multi:.0f} msg/s)")
    assert one_by_one < 60 and multi < 60


def test_second_user_is_isolated():
    srv = DovecotServer()
    srv.add_user("greffe", "motdepasse")
    with srv:
        srv.append("INBOX", make_message(1), user="greffe")
        assert srv.client("greffe", "motdepasse").select_folder("INBOX")[b"EXISTS"] == 1
        assert srv.client().select_folder("INBOX")[b"EXISTS"] == 0
        assert srv.client("greffe").noop()  # password defaults to the registered one
        # Dovecot re-reads the passwd-file, so a user added while running works too.
        srv.add_user("accueil", "bienvenue")
        assert srv.client("accueil", "bienvenue").noop()


def test_cleanup_kills_processes_and_removes_tmpdir_even_on_error():
    srv = DovecotServer()
    with pytest.raises(RuntimeError, match="boom"):
        with srv:
            pid = srv._proc.pid
            root = srv.root
            assert root.is_dir()
            raise RuntimeError("boom")
    assert not root.exists()
    assert not srv.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert _live_group_members(pid) == []  # no dovecot child left either
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((srv.host, srv.port), timeout=2).close()
    with pytest.raises(DovecotError):
        srv.start()  # a cleaned-up server cannot be reused


def test_start_failure_reports_log_tail():
    srv = DovecotServer(extra_config="this_is_not_a_setting = 1\n")
    try:
        with pytest.raises(DovecotError, match="this_is_not_a_setting"):
            srv.start()
        assert not srv.running
    finally:
        srv.cleanup()


def test_session_fixture_is_shared(dovecot_session, request):
    folder = f"Session/{request.node.name}"
    dovecot_session.create_folder(folder)
    dovecot_session.append(folder, make_message(1))
    assert dovecot_session.client().folder_status(folder, ["MESSAGES"])[b"MESSAGES"] == 1
    assert dovecot_session.uidvalidity(folder) > 0
