"""1,000 messages in one mailbox: every one stored or quarantined once, nothing again on a second run."""
from __future__ import annotations

import time

from sqlalchemy import text

from pipeline.batch import run_batch
from pipeline.sources.imap import Mailbox
from tests.imap.conftest import flags_by_uid, letter, mailbox_spec

N = 1000


def test_a_thousand_messages_are_stored_once_and_a_second_run_adds_nothing(dovecot, imap_run):
    for start in range(0, N, 250):
        dovecot.append_many("INBOX", [letter(n) for n in range(start, start + 250)])
    spec = mailbox_spec(dovecot, after_store="flag", batch_size=100)
    progress: list[str] = []

    mailbox = Mailbox(spec, imap_run.sessions, on_progress=progress.append)
    started = time.monotonic()
    first = run_batch([mailbox], imap_run.stages, imap_run.sessions, imap_run.files, imap_run.pool,
                      on_progress=progress.append).sources[0]
    elapsed = time.monotonic() - started

    assert first.error is None and first.counts["fetched"] == N
    assert first.counts["stored"] + first.counts["quarantined"] == N and first.counts["duplicates"] == 0
    assert imap_run.items() + imap_run.quarantined() == N
    assert any("1000/1000 messages récupérés" in line for line in progress)
    flags = flags_by_uid(dovecot)
    assert len(flags) == N and all("$Triage" in f for f in flags.values())
    print(f"\n[1000 messages] {first.counts['stored']} items + {first.counts['quarantined']} quarantined; "
          f"IMAP fetch {mailbox.fetched} messages in {mailbox.fetch_seconds:.2f} s "
          f"({mailbox.fetched / mailbox.fetch_seconds:.0f} messages/s); whole run {elapsed:.1f} s "
          f"({N / elapsed:.1f} messages/s through the pipeline)")

    second = imap_run.run(spec).sources[0]
    assert second.error is None
    assert (second.counts["fetched"], second.counts["duplicates"], second.counts["stored"]) == (0, 0, 0)
    assert imap_run.items() + imap_run.quarantined() == N

    # Even if the state were lost, the database would take no message twice.
    with imap_run.sessions() as session:
        session.execute(text("delete from mailbox_state"))
        session.commit()
    started = time.monotonic()
    reread = imap_run.run(spec).sources[0]
    print(f"[1000 messages] state deleted, re-read: {reread.counts['fetched']} fetched, "
          f"{reread.counts['duplicates']} duplicates recognised, {reread.counts['stored']} stored, "
          f"{time.monotonic() - started:.1f} s")
    assert reread.counts["fetched"] == N and reread.counts["stored"] == 0
    assert imap_run.items() + imap_run.quarantined() == N
