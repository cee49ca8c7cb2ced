"""A mailbox that fails is retried, then reported failed; the other mailboxes and the folders go on."""
from __future__ import annotations

import os
import shutil

from pipeline.errors import ExitCode
from pipeline.store.schema import QuarantineRow
from tests.conftest import DATA
from tests.imap.conftest import PASSWORD_ENV, flags_by_uid, letter, mailbox_spec
from tests.ops.conftest import closed_port


class Sleeps(list):
    """Records the backoff waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_bad_password_is_retried_with_backoff_then_reported_while_the_rest_is_processed(
        dovecot, imap_run, monkeypatch):
    monkeypatch.setenv("WRONG_PASSWORD", "not-the-password")
    dovecot.add_user("eau", "secret")
    dovecot.append("INBOX", letter(0))
    dovecot.append("INBOX", letter(1), user="eau")
    shutil.copy2(DATA / "email_with_pdf.eml", imap_run.inbox)
    sleeps = Sleeps()

    summary = imap_run.run(mailbox_spec(dovecot, password={"env": "WRONG_PASSWORD"}, retries=2, backoff_s=0.5),
                           mailbox_spec(dovecot, name="eau", user="eau"), imap_run.folder(), sleep=sleeps)

    bad, eau, folder = summary.sources
    assert "identification refusée pour courrier" in bad.error and "3 tentative(s)" in bad.error
    assert sleeps == [0.5, 1.0]  # two retries, backoff doubled
    assert eau.error is None and eau.counts["stored"] == 1
    assert folder.error is None and folder.counts["stored"] == 1
    assert summary.exit_code == ExitCode.SOURCE_FAILED
    assert imap_run.items() == 2 and imap_run.state() is None  # nothing recorded for the failed mailbox


def test_unset_password_variable_and_closed_port_and_untrusted_certificate_are_explained(dovecot, imap_run,
                                                                                         monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV)
    monkeypatch.setenv("OTHER_PASSWORD", "secret")
    summary = imap_run.run(
        mailbox_spec(dovecot, name="sans-secret"),
        mailbox_spec(dovecot, name="ferme", port=closed_port(), password={"env": "OTHER_PASSWORD"}),
        mailbox_spec(dovecot, name="inconnu", ca_file=None, password={"env": "OTHER_PASSWORD"}))
    errors = {s.name: s.error for s in summary.sources}
    assert f"{PASSWORD_ENV} n'est pas définie" in errors["sans-secret"]
    assert "connexion refusée" in errors["ferme"]
    assert "certificat du serveur" in errors["inconnu"] and "refusé" in errors["inconnu"]


def test_missing_folder_is_reported_and_the_other_folders_are_read(dovecot, imap_run):
    dovecot.append("INBOX", letter(0))
    result = imap_run.run(mailbox_spec(dovecot, folders=["Absent", "INBOX"], after_store="flag")).sources[0]
    assert "dossier Absent illisible" in result.error
    assert result.counts["stored"] == 1 and all("$Triage" in f for f in flags_by_uid(dovecot).values())


def test_server_stopped_mid_run_fails_that_mailbox_keeps_what_was_committed_and_a_rerun_completes(
        dovecot, imap_run):
    for n in range(30):
        dovecot.append("INBOX", letter(n))
    shutil.copy2(DATA / "email_with_pdf.eml", imap_run.inbox)
    spec = mailbox_spec(dovecot, after_store="flag", batch_size=10)
    stops = []

    def stop_after_first_chunk(message: str) -> None:
        if message.startswith("courrier") and not stops:
            stops.append(message)
            dovecot.stop()

    summary = imap_run.run(spec, imap_run.folder(), on_progress=stop_after_first_chunk)

    mailbox, folder = summary.sources
    assert stops and "connexion" in mailbox.error and summary.exit_code == ExitCode.SOURCE_FAILED
    assert 8 <= mailbox.counts["stored"] < 30  # what was fetched before the stop is committed
    assert folder.error is None and folder.counts["stored"] == 1
    committed = imap_run.items()

    dovecot.start()
    assert not any("$Triage" in f for f in flags_by_uid(dovecot).values())  # the server died before any flag
    rerun = imap_run.run(spec).sources[0]
    assert rerun.error is None
    assert rerun.counts["duplicates"] == committed - 1 and rerun.counts["stored"] == 30 - (committed - 1)
    assert imap_run.items() == 31
    assert all("$Triage" in f for f in flags_by_uid(dovecot).values()) and len(flags_by_uid(dovecot)) == 30


def test_message_the_server_cannot_read_is_reported_not_lost_and_the_others_are_stored(dovecot, imap_run):
    for n in range(6):
        dovecot.append("INBOX", letter(n))
    unreadable = sorted(p for d in ("new", "cur") for p in (dovecot.maildir() / d).iterdir())[2]  # UID 3
    os.chmod(unreadable, 0)
    spec = mailbox_spec(dovecot, after_store="flag", batch_size=4)

    result = imap_run.run(spec).sources[0]

    assert result.counts["stored"] == 5 and result.counts["failed"] == 1
    assert "UID 3 illisible" in result.error
    assert imap_run.state().last_uid == 2  # held below the unread message: it is tried again next time
    assert imap_run.count(QuarantineRow) == 0

    base = unreadable.name.split(":")[0]  # Dovecot has since moved it from new/ to cur/, flags in its name
    for path in (dovecot.maildir() / "cur").glob(f"{base}*"):
        os.chmod(path, 0o600)
    again = imap_run.run(spec).sources[0]
    assert again.error is None and again.counts["stored"] == 1 and again.counts["duplicates"] == 3
    assert imap_run.items() == 6 and imap_run.state().last_uid == 6
    assert all("$Triage" in f for f in flags_by_uid(dovecot).values())


def test_server_gone_after_the_commit_before_the_flag_is_reported_and_the_rerun_flags_everything(
        dovecot, imap_run):
    for n in range(5):
        dovecot.append("INBOX", letter(n))
    spec = mailbox_spec(dovecot, after_store="flag")

    def stop_once_all_are_committed(message: str) -> None:
        if message == "courrier : 5 documents lus":
            dovecot.stop()

    result = imap_run.run(spec, on_progress=stop_once_all_are_committed).sources[0]
    assert result.counts["stored"] == 5 and "action après enregistrement non appliquée" in result.error
    assert imap_run.state().last_uid == 0  # committed, but not acted on: not past them yet

    dovecot.start()
    assert not any("$Triage" in f for f in flags_by_uid(dovecot).values())
    rerun = imap_run.run(spec).sources[0]
    assert rerun.error is None and rerun.counts["duplicates"] == 5 and imap_run.items() == 5
    assert all(f == {"$Triage"} for f in flags_by_uid(dovecot).values()) and imap_run.state().last_uid == 5
