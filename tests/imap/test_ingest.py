"""Reading mailboxes into the database: first run, rerun, new mail, UIDVALIDITY reset, move, two mailboxes."""
from __future__ import annotations

import pytest

from pipeline.errors import ExitCode
from pipeline.store.schema import ItemRow
from tests.imap.conftest import flags_by_uid, letter, mailbox_spec, make_imap_run, message_ids_in


def test_first_run_stores_each_message_once_and_flags_it_only_after_the_commit(dovecot, imap_run):
    raws = [letter(n) for n in range(5)]
    for raw in raws:
        dovecot.append("INBOX", raw)
    summary = imap_run.run(mailbox_spec(dovecot, after_store="flag", batch_size=2))

    result = summary.sources[0]
    assert result.error is None and summary.exit_code == ExitCode.OK
    assert (result.counts["fetched"], result.counts["stored"], result.counts["duplicates"]) == (5, 5, 0)
    assert imap_run.items() == 5
    with imap_run.sessions() as session:
        stored = {row.message_id: imap_run.files.get(row.sha256) for row in session.query(ItemRow)}
    assert sorted(stored.values()) == sorted(raws)  # the original, byte for byte, as fetched by BODY.PEEK[]
    assert all(row_ref.startswith("INBOX;UIDVALIDITY=") for _, row_ref in imap_run.sources_of("<lettre-0@example.org>"))
    flags = flags_by_uid(dovecot)
    assert len(flags) == 5 and all(f == {"$Triage"} for f in flags.values())  # flagged, never marked \Seen
    state = imap_run.state()
    assert state.last_uid == 5 and state.uidvalidity == dovecot.uidvalidity()


def test_rerun_fetches_nothing_and_new_mail_between_runs_is_fetched_alone(dovecot, imap_run):
    for n in range(3):
        dovecot.append("INBOX", letter(n))
    spec = mailbox_spec(dovecot, after_store="flag")
    imap_run.run(spec)

    again = imap_run.run(spec).sources[0]
    assert again.counts["fetched"] == 0 and again.error is None

    for n in (3, 4):
        dovecot.append("INBOX", letter(n))
    later = imap_run.run(spec).sources[0]
    assert (later.counts["fetched"], later.counts["stored"], later.counts["duplicates"]) == (2, 2, 0)
    assert imap_run.items() == 5 and imap_run.state().last_uid == 5
    assert all("$Triage" in f for f in flags_by_uid(dovecot).values())


def test_nothing_is_marked_read_or_changed_when_no_action_is_configured(dovecot, imap_run):
    for n in range(3):
        dovecot.append("INBOX", letter(n))
    summary = imap_run.run(mailbox_spec(dovecot, after_store="none"))
    assert summary.sources[0].counts["stored"] == 3
    assert all(f == set() for f in flags_by_uid(dovecot).values())
    assert imap_run.state().last_uid == 3


def test_uidvalidity_reset_rereads_the_folder_without_duplicating_anything(dovecot, imap_run):
    for n in range(4):
        dovecot.append("INBOX", letter(n))
    spec = mailbox_spec(dovecot, after_store="none")
    imap_run.run(spec)
    old = imap_run.state().uidvalidity

    new = dovecot.reset_uidvalidity()  # messages renumbered from UID 1 under a new UIDVALIDITY
    dovecot.append("INBOX", letter(4))
    result = imap_run.run(spec).sources[0]

    assert new != old
    assert (result.counts["fetched"], result.counts["duplicates"], result.counts["stored"]) == (5, 4, 1)
    assert imap_run.items() == 5
    assert imap_run.state().uidvalidity == new and imap_run.state().last_uid == 5
    refs = [ref for _, ref in imap_run.sources_of("<lettre-0@example.org>")]
    assert any(f"UIDVALIDITY={old}/" in r for r in refs) and any(f"UIDVALIDITY={new}/" in r for r in refs)
    assert imap_run.run(spec).sources[0].counts["fetched"] == 0


def test_move_after_store_creates_the_folder_and_empties_the_inbox(dovecot, imap_run):
    for n in range(4):
        dovecot.append("INBOX", letter(n))
    spec = mailbox_spec(dovecot, after_store="move", move_to="Traité", batch_size=3)
    first = imap_run.run(spec).sources[0]

    assert first.counts["stored"] == 4 and first.error is None
    assert flags_by_uid(dovecot) == {}
    assert message_ids_in(dovecot, "Traité") == sorted(f"<lettre-{n}@example.org>" for n in range(4))

    dovecot.append("INBOX", letter(4))
    second = imap_run.run(spec).sources[0]
    assert second.counts["fetched"] == 1 and second.counts["stored"] == 1
    assert len(message_ids_in(dovecot, "Traité")) == 5 and imap_run.items() == 5


def test_seen_flag_as_the_after_store_action(dovecot, imap_run):
    dovecot.append("INBOX", letter(0))
    imap_run.run(mailbox_spec(dovecot, after_store="flag", flag="\\Seen"))
    assert list(flags_by_uid(dovecot).values()) == [{"\\Seen"}]


def test_same_email_in_two_mailboxes_is_one_item_with_both_sources(dovecot, imap_run):
    dovecot.add_user("eau", "secret")
    same = letter(1, to="courrier@grandbesancon.fr, eau@grandbesancon.fr")
    dovecot.append("INBOX", same)
    dovecot.append("INBOX", same, user="eau")
    # the usual case: each delivered copy carries its own Delivered-To, so the bytes differ
    dovecot.append("INBOX", letter(2, extra_headers="Delivered-To: courrier@grandbesancon.fr\r\n"))
    dovecot.append("INBOX", letter(2, extra_headers="Delivered-To: eau@grandbesancon.fr\r\n"), user="eau")
    dovecot.append("INBOX", letter(3), user="eau")

    summary = imap_run.run(mailbox_spec(dovecot, after_store="flag"),
                           mailbox_spec(dovecot, name="eau", user="eau", after_store="flag"))

    courrier, eau = summary.sources
    assert courrier.counts["stored"] == 2 and eau.counts["stored"] == 1 and eau.counts["duplicates"] == 2
    assert imap_run.items() == 3
    for message_id in ("<lettre-1@example.org>", "<lettre-2@example.org>"):
        assert [source for source, _ in imap_run.sources_of(message_id)] == ["courrier", "eau"]
    assert all("$Triage" in f for user in ("courrier", "eau") for f in flags_by_uid(dovecot, user=user).values())


def test_several_folders_of_one_mailbox_are_read(dovecot, imap_run):
    dovecot.create_folder("Urbanisme")
    dovecot.append("INBOX", letter(0))
    dovecot.append("Urbanisme", letter(1))
    dovecot.append("Urbanisme", letter(2))
    result = imap_run.run(mailbox_spec(dovecot, folders=["INBOX", "Urbanisme"], after_store="flag")).sources[0]
    assert result.counts["stored"] == 3 and result.error is None
    assert imap_run.state(folder="Urbanisme").last_uid == 2
    assert all("$Triage" in f for f in flags_by_uid(dovecot, "Urbanisme").values())


def test_dry_run_reads_everything_and_changes_nothing(dovecot, imap_run):
    for n in range(3):
        dovecot.append("INBOX", letter(n))
    summary = imap_run.run(mailbox_spec(dovecot, after_store="move"), dry_run=True)
    assert summary.sources[0].counts["fetched"] == 3
    assert imap_run.items() == 0 and imap_run.state() is None
    assert len(flags_by_uid(dovecot)) == 3 and all(f == set() for f in flags_by_uid(dovecot).values())


@pytest.mark.parametrize("tls", ["starttls", "none"])
def test_starttls_and_plain_loopback_connections(dovecot, imap_run, tls):
    dovecot.append("INBOX", letter(0))
    result = imap_run.run(mailbox_spec(dovecot, tls=tls, port=dovecot.port)).sources[0]
    assert result.error is None and result.counts["stored"] == 1


def test_uidvalidity_changing_mid_run_moves_nothing_by_stale_uids_and_the_next_run_completes(dovecot, imap_run):
    for n in range(30):
        dovecot.append("INBOX", letter(n))
    spec = mailbox_spec(dovecot, after_store="move", batch_size=10)
    resets = []

    def renumber_after_first_chunk(message: str) -> None:
        if message.startswith("courrier :") and not resets:
            resets.append(dovecot.reset_uidvalidity())  # restarts the server: the link drops

    first = imap_run.run(spec, on_progress=renumber_after_first_chunk).sources[0]
    assert resets and first.error is None
    assert 8 <= first.counts["stored"] < 30
    assert len(flags_by_uid(dovecot)) == 30  # nothing moved by UIDs that may name other messages now

    second = imap_run.run(spec).sources[0]
    assert second.counts["fetched"] == 30 and second.counts["duplicates"] == first.counts["stored"]
    assert imap_run.items() == 30 and flags_by_uid(dovecot) == {}
    assert len(message_ids_in(dovecot, "Traité")) == 30
    assert imap_run.state().uidvalidity == resets[0] and imap_run.state().last_uid == 30


def test_state_uidvalidity_and_duplicates_on_postgresql(dovecot, tmp_path, model_dir, stages, pool, postgres_url):
    run = make_imap_run(tmp_path, model_dir, stages, pool, postgres_url)
    for n in range(3):
        dovecot.append("INBOX", letter(n))
    spec = mailbox_spec(dovecot, after_store="flag")
    assert run.run(spec).sources[0].counts["stored"] == 3
    assert run.run(spec).sources[0].counts["fetched"] == 0
    new = dovecot.reset_uidvalidity()
    dovecot.append("INBOX", letter(3))
    again = run.run(spec).sources[0]
    assert (again.counts["duplicates"], again.counts["stored"]) == (3, 1)
    assert run.items() == 4 and run.state().uidvalidity == new and run.state().last_uid == 4
