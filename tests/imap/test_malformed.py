"""Malformed mail never stops a mailbox: each message is stored or quarantined with a reason, then acted on."""
from __future__ import annotations

import base64
import os

from sqlalchemy import select

from pipeline.errors import ExitCode
from pipeline.store.schema import ItemFileRow, ItemRow, QuarantineRow
from tests.conftest import DATA
from tests.imap.conftest import flags_by_uid, letter, mailbox_spec

CRLF = "\r\n"


def _mail(headers: str, body: str | bytes) -> bytes:
    body = body.encode() if isinstance(body, str) else body
    return headers.replace("\n", CRLF).encode() + b"\r\n" + body


def _multipart(message_id: str, parts: list[str], subject: str = "Pièces jointes") -> bytes:
    boundary = "==limite=="
    text = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts) + f"--{boundary}--\r\n"
    return _mail(f"From: a@example.org\nSubject: {subject}\nMessage-ID: {message_id}\nMIME-Version: 1.0\n"
                 f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\n", text)


def malformed_messages() -> dict[str, bytes]:
    pdf = base64.b64encode((DATA / "text_layer.pdf").read_bytes()).decode()
    huge = base64.encodebytes(os.urandom(12 * 1024 * 1024)).decode().replace("\n", CRLF)
    return {
        "broken MIME (no boundary end, junk header)": (DATA / "broken_mime.eml").read_bytes(),
        "hostile HTML": (DATA / "hostile.eml").read_bytes(),
        "no header at all": b"Bonjour, le bac n'a pas ete ramasse a Thise.\r\n",
        "headers only, no body": _mail("From: b@example.org\nSubject: Sans corps\nMessage-ID: <m-nobody@x>\n", ""),
        "no From, no Date, no Message-ID": _mail("Subject: anonyme\n", "Une fuite d'eau rue de Vesoul.\r\n"),
        "wrong declared charset": _mail("From: c@example.org\nSubject: charset\nMessage-ID: <m-wrongcs@x>\n"
                                        "Content-Type: text/plain; charset=utf-8\n",
                                        "Déchets non collectés à Pirey.\r\n".encode("latin-1")),
        "undeclared 8-bit charset": _mail("From: d@example.org\nSubject: =?iso-8859-1?q?d=E9chets?=\n"
                                          "Message-ID: <m-nocs@x>\n",
                                          "Le trottoir est abîmé à École-Valentin.\r\n".encode("cp1252")),
        "unknown charset": _mail("From: e@example.org\nSubject: x\nMessage-ID: <m-unkcs@x>\n"
                                 "Content-Type: text/plain; charset=x-martien-42\n", "Bonjour à tous.\r\n"),
        "truncated base64 PDF": _multipart("<m-trunc@x>", [
            "Content-Type: text/plain; charset=utf-8\r\n\r\nVoir la facture jointe.",
            "Content-Type: application/pdf; name=\"f.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename=\"f.pdf\"\r\n\r\n{pdf[:len(pdf) // 3]}"]),
        "nested message/rfc822 twice": _multipart("<m-nested@x>", [
            "Content-Type: text/plain\r\n\r\nJe vous transfère ce message.",
            "Content-Type: message/rfc822\r\n\r\n" + _multipart("<m-inner@x>", [
                "Content-Type: text/plain\r\n\r\nMessage du milieu.",
                "Content-Type: message/rfc822\r\n\r\n" + letter(7).decode()], subject="Milieu").decode()]),
        "huge attachment (12 MB)": _multipart("<m-huge@x>", [
            "Content-Type: text/plain\r\n\r\nPlan du terrain en pièce jointe.",
            "Content-Type: application/octet-stream; name=\"plan.bin\"\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename=\"plan.bin\"\r\n\r\n{huge}"]),
        "zero-length attachment": _multipart("<m-zero@x>", [
            "Content-Type: text/plain\r\n\r\nLe document est joint.",
            "Content-Type: application/pdf; name=\"vide.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment; filename=\"vide.pdf\"\r\n\r\n"]),
        "blank message": b"\r\n",
        "a PDF that is not a mail": (DATA / "corrupt.pdf").read_bytes(),
    }


def test_malformed_messages_are_stored_or_quarantined_and_the_mailbox_goes_on(dovecot, imap_run):
    messages = malformed_messages()
    for raw in messages.values():
        dovecot.append("INBOX", raw)
    dovecot.append("INBOX", letter(1))  # and a normal one after them

    summary = imap_run.run(mailbox_spec(dovecot, after_store="flag", batch_size=5))

    result = summary.sources[0]
    total = len(messages) + 1
    assert result.error is None and result.counts["fetched"] == total
    assert result.counts["stored"] + result.counts["quarantined"] == total
    assert imap_run.items() + imap_run.quarantined() == total
    assert summary.exit_code in (ExitCode.OK, ExitCode.ITEMS_QUARANTINED)
    with imap_run.sessions() as session:
        reasons = session.execute(select(QuarantineRow.reason)).scalars().all()
        assert all(reason.strip() for reason in reasons), reasons
        assert result.counts["quarantined"] >= 2  # at least the blank message and the PDF
        nested = session.execute(select(ItemRow).where(ItemRow.message_id == "<m-nested@x>")).scalar_one()
        assert "Message du milieu" in nested.text and "Demande 7" in nested.text
        huge = session.execute(select(ItemFileRow).where(ItemFileRow.name == "plan.bin")).scalar_one()
        assert huge.size == 12 * 1024 * 1024
    flags = flags_by_uid(dovecot)
    assert len(flags) == total and all("$Triage" in f for f in flags.values())  # acted on, quarantined too
    assert imap_run.state().last_uid == total
