"""Through Dovecot and the real batch: an email is received when the server got it (INTERNALDATE), its
Date: header is the letter's date, and a reply in its thread is linked to it."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from pipeline.store.schema import ItemRow
from tests.imap.conftest import letter, mailbox_spec


def test_internaldate_is_the_received_date_and_a_reply_in_the_thread_is_linked(dovecot, imap_run):
    arrived = datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc)
    dovecot.append("INBOX", letter(0), msg_time=arrived)
    reply = letter(1, message_id="<reponse-1@example.org>",
                   extra_headers="In-Reply-To: <lettre-0@example.org>\r\nReferences: <lettre-0@example.org>\r\n")
    dovecot.append("INBOX", reply, msg_time=datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc))
    imap_run.run(mailbox_spec(dovecot, after_store="flag"))
    with imap_run.sessions() as session:
        rows = {r.message_id: r for r in session.execute(select(ItemRow)).scalars()}
        first, second = rows["<lettre-0@example.org>"], rows["<reponse-1@example.org>"]
        received = first.received_at if first.received_at.tzinfo else first.received_at.replace(tzinfo=timezone.utc)
        assert received == arrived  # not the Date: header (23 Nov 2026)
        assert first.letter_date == date(2026, 11, 23)
        assert second.followup_of == first.id and "fil du courriel" in second.followup_reason
        assert (second.competence, second.destination) == (first.competence, first.destination)
