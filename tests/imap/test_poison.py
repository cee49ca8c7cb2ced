"""A poison message, a message too large to download and a reused Message-ID, through a real Dovecot.

A quarantined message gets the after-store action like a stored one, so it is never fetched
again; the fetch holds a bounded number of bytes; only the same message is merged by Message-ID.
"""
from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import select

from pipeline.sources.imap import Mailbox
from pipeline.sources.imap_batches import plan_batches
from pipeline.store.schema import ItemRow, QuarantineRow
from tests.conftest import DATA
from tests.hostile.generate import nested_mime_bytes
from tests.imap.conftest import letter, mailbox_spec, message_ids_in


def _big_letter(n: int, megabytes: float) -> bytes:
    """Letter n with a binary attachment making it about `megabytes` long."""
    head, body = letter(n).split(b"\r\n\r\n", 1)
    head = head.replace(b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit",
                        b'Content-Type: multipart/mixed; boundary="lim"')
    blob = base64.encodebytes(os.urandom(int(megabytes * 1e6 * 3 / 4))).replace(b"\n", b"\r\n")
    return (head + b"\r\n\r\n--lim\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n--lim\r\n"
            b'Content-Type: application/octet-stream; name="plan.bin"\r\nContent-Transfer-Encoding: base64\r\n'
            b'Content-Disposition: attachment; filename="plan.bin"\r\n\r\n' + blob + b"--lim--\r\n")


def _quarantine_rows(imap_run) -> list[QuarantineRow]:
    with imap_run.sessions() as session:
        return list(session.execute(select(QuarantineRow)).scalars())


POISONS = {"corrupt-pdf": lambda: (DATA / "corrupt.pdf").read_bytes(),  # delivered as a message: no mail in it
           "mime-1000-deep": lambda: nested_mime_bytes(1000)}  # the parser itself would recurse too deep


@pytest.mark.parametrize("kind", sorted(POISONS))
def test_poison_message_is_quarantined_raw_and_moved_so_the_next_run_fetches_nothing(dovecot, imap_run, kind):
    poison = POISONS[kind]()
    for raw in (letter(0), letter(1), poison, letter(2), letter(3)):
        dovecot.append("INBOX", raw)
    spec = mailbox_spec(dovecot, after_store="move", batch_size=2)

    first = imap_run.run(spec).sources[0]
    assert (first.counts["stored"], first.counts["quarantined"]) == (4, 1) and first.error is None
    [entry] = _quarantine_rows(imap_run)
    assert dovecot_count(dovecot, "INBOX") == 0
    moved = raw_messages(dovecot, "Traité")
    assert len(moved) == 5 and entry.reason
    assert imap_run.files.get(entry.sha256) in moved  # the raw message, byte for byte as the server serves it

    second = imap_run.run(spec).sources[0]
    assert second.counts["fetched"] == 0 and imap_run.items() == 4 and imap_run.quarantined() == 1


def test_nul_bytes_in_subject_and_body_are_stored_between_good_letters(dovecot, imap_run):
    head, body = letter(9).split(b"\r\n\r\n", 1)
    nul = head.replace(b"Subject: ", b"Subject: nul\x00 ", 1) + b"\r\n\r\n" + body.replace(b" ", b"\x00 ", 3)
    for raw in (letter(0), nul, letter(1)):
        dovecot.append("INBOX", raw)
    first = imap_run.run(mailbox_spec(dovecot, after_store="move")).sources[0]
    assert (first.counts["stored"], first.counts["quarantined"]) == (3, 0) and first.error is None


def test_message_over_the_size_limit_is_not_downloaded_but_quarantined_with_where_it_is(dovecot, imap_run):
    big = _big_letter(9, 1.5)
    for raw in (letter(0), big, letter(1)):
        dovecot.append("INBOX", raw)
    spec = mailbox_spec(dovecot, after_store="move")
    mailbox = Mailbox(spec, imap_run.sessions, max_message_bytes=1_000_000)

    result = imap_run.run(mailbox).sources[0]
    assert (result.counts["stored"], result.counts["quarantined"]) == (2, 1) and result.error is None
    assert mailbox.largest_fetch_bytes < 100_000  # the 1.5 MB message was never in a FETCH of its body
    [entry] = _quarantine_rows(imap_run)
    assert "non téléchargé" in entry.reason and "déplacé dans le dossier Traité" in entry.reason
    assert "limits.max_message_bytes" in entry.reason and "courrier" in entry.reason
    kept = imap_run.files.get(entry.sha256)
    assert b"Message-ID: <lettre-9@example.org>" in kept and len(kept) < 2_000  # its headers, to say which one
    assert message_ids_in(dovecot, "Traité") == ["<lettre-0@example.org>", "<lettre-1@example.org>",
                                                 "<lettre-9@example.org>"]  # still whole on the server

    again = imap_run.run(Mailbox(spec, imap_run.sessions, max_message_bytes=1_000_000)).sources[0]
    assert again.counts["fetched"] == 0


def test_big_messages_are_fetched_in_batches_bounded_in_bytes_and_all_stored(dovecot, imap_run):
    raws = [_big_letter(n, 1.2) for n in range(4)]
    for raw in raws:
        dovecot.append("INBOX", raw)
    mailbox = Mailbox(mailbox_spec(dovecot, after_store="flag", batch_size=50, batch_bytes=2_000_000),
                      imap_run.sessions)

    result = imap_run.run(mailbox).sources[0]
    assert result.counts["stored"] == 4 and imap_run.items() == 4
    assert 1_200_000 < mailbox.largest_fetch_bytes <= 2_000_000  # one big message per FETCH, never four


def test_batches_are_bounded_in_count_and_bytes_and_keep_uid_order():
    sizes = {1: 10, 2: 10, 3: 50, 4: 10, 5: 500, 6: 10, 7: 10, 8: 10}
    assert plan_batches(list(sizes), sizes, max_count=3, max_bytes=60, max_message_bytes=400) == \
        [[1, 2], [3, 4], [5], [6, 7, 8]]
    assert plan_batches([1, 2, 3], {}, max_count=2, max_bytes=60, max_message_bytes=400) == [[1, 2], [3]]


def test_a_second_letter_reusing_a_message_id_is_its_own_item(dovecot, imap_run):
    first = letter(1, message_id="<reused@mailer>")
    second = letter(2, message_id="<reused@mailer>")  # a broken mailer: another letter, the same Message-ID
    dovecot.append("INBOX", first)
    dovecot.append("INBOX", second)

    result = imap_run.run(mailbox_spec(dovecot, after_store="flag")).sources[0]
    assert (result.counts["stored"], result.counts["duplicates"]) == (2, 0)
    with imap_run.sessions() as session:
        stored = sorted(imap_run.files.get(row.sha256) for row in session.execute(select(ItemRow)).scalars())
    assert stored == sorted([first, second])


@pytest.mark.parametrize("trace", ["Received: from relay.example.org by mx.grandbesancon.fr; Mon, 23 Nov 2026\r\n"
                                   "Delivered-To: eau@grandbesancon.fr\r\n",
                                   "Return-Path: <habitant1@example.org>\r\nX-Spam-Status: No, score=-1.0\r\n"])
def test_the_same_letter_delivered_with_other_trace_headers_is_merged(dovecot, imap_run, trace):
    dovecot.add_user("eau", "secret")
    dovecot.append("INBOX", letter(1))
    dovecot.append("INBOX", trace.encode() + letter(1), user="eau")

    imap_run.run(mailbox_spec(dovecot, after_store="flag"),
                 mailbox_spec(dovecot, name="eau", user="eau", after_store="flag"))
    assert imap_run.items() == 1
    assert [source for source, _ in imap_run.sources_of("<lettre-1@example.org>")] == ["courrier", "eau"]


def dovecot_count(server, folder: str) -> int:
    with server.client("courrier") as client:
        return int(client.select_folder(folder, readonly=True)[b"EXISTS"])


def raw_messages(server, folder: str) -> list[bytes]:
    """The messages of a folder as the server serves them."""
    with server.client("courrier") as client:
        client.select_folder(folder, readonly=True)
        uids = client.search()
        return [data[b"BODY[]"] for data in client.fetch(uids, ["BODY.PEEK[]"]).values()] if uids else []
