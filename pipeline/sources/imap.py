"""An IMAP mailbox source: new messages of each configured folder, acted on only after their commit.

    per folder: SELECT → compare UIDVALIDITY with mailbox_state → UID SEARCH above the last UID
    → UID FETCH RFC822.SIZE → UID FETCH BODY.PEEK[] by batches bounded in count and in bytes
      (nothing is marked read; a message over limits.max_message_bytes is not downloaded: only its
      main headers, handed over as refused, so that it is quarantined and stays on the server)
    → yield one Document per message
    → the batch commits and calls done() → the after-store action (flag or move) is applied,
      by batch, at the next fetch and at close → only then the last UID is advanced.

Every message handed over gets the after-store action once committed, stored or quarantined:
a poison message is never fetched again. A run killed anywhere leaves `last_uid` at or below what is committed and acted on, so the next
run fetches the rest again: what was committed is recognised as a duplicate (sha256, Message-ID)
and gets its action then. A message the server cannot deliver stops `last_uid` below it (it is
tried again next run) and is reported, without stopping the folder.
"""
from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterator

from imapclient.exceptions import IMAPClientError

from pipeline.config import LimitsSettings, MailboxSource
from pipeline.errors import ConfigError
from pipeline.item import Document
from pipeline.sources import SourceError
from pipeline.sources.imap_batches import plan_batches
from pipeline.sources.imap_connection import Connection, LinkLost, is_connection_loss
from pipeline.store import mailbox_state
from pipeline.store.database import Database
from pipeline.store.mailbox_state import FolderState

log = logging.getLogger("triage.imap")
FETCH_ITEMS = ["BODY.PEEK[]", "INTERNALDATE"]
SUMMARY_HEADERS = "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)]"  # kept for a message too large
PROGRESS_EVERY_S = 2.0


@dataclass
class _Folder:
    """What this run knows of one folder: the UIDs handed over, in order, and which are finished."""

    name: str
    uidvalidity: int
    last_uid: int  # as saved in mailbox_state
    handed: list[int] = field(default_factory=list)  # ascending; unfetchable UIDs stay here unfinished
    finished: set[int] = field(default_factory=set)  # committed and acted on (or gone from the server)
    to_act: list[int] = field(default_factory=list)  # committed, action not yet applied
    unfetchable: set[int] = field(default_factory=set)  # reported; they keep last_uid below them
    valid: bool = True  # False once the UIDs were renumbered under us

    def advance(self) -> bool:
        """Move last_uid over the finished prefix; True when it moved."""
        moved = False
        while self.handed and self.handed[0] in self.finished:
            uid = self.handed.pop(0)
            self.finished.discard(uid)
            self.last_uid, moved = max(self.last_uid, uid), True
        return moved


class Mailbox:
    """The Source for one configured mailbox (all its folders)."""

    def __init__(self, spec: MailboxSource, sessions: Database, *, read_only: bool = False,
                 on_progress: Callable[[str], None] | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_message_bytes: int = LimitsSettings().max_message_bytes):
        self.name = spec.name
        self.spec, self.sessions, self.read_only = spec, sessions, read_only
        self.max_message_bytes = max_message_bytes
        self.largest_fetch_bytes = 0  # the most bytes one FETCH asked for: what the fetch holds in memory
        self.on_progress, self._sleep = on_progress, sleep
        self.counts: Counter = Counter()  # "failed": messages the server could not deliver (merged by the batch)
        self.fetch_seconds = 0.0  # time spent in UID FETCH, for the fetch rate
        self.fetched = 0
        self._connection: Connection | None = None
        self._folders: dict[str, _Folder] = {}
        self._refs: dict[str, tuple[str, int]] = {}  # document ref → (folder, uid)
        self._problems: list[str] = []
        self._failed = False

    # -- the Source protocol ------------------------------------------------------------------------
    def fetch(self) -> Iterator[Document]:
        try:
            password = self.spec.password.resolve()
        except ConfigError as exc:
            self._failed = True
            raise SourceError(f"mot de passe introuvable : {exc}") from exc
        self._connection = Connection(self.spec, password, self._sleep)
        try:
            self._connection.open()
            if self.spec.after_store == "move" and not self.read_only:
                self._connection.call(self._ensure_move_folder)
            for folder in self.spec.folders:
                yield from self._fetch_folder(folder)
            self._flush()
        except SourceError as exc:
            self._failed = True
            if self._problems:
                raise SourceError(" ; ".join([*self._problems, str(exc)])) from exc
            raise
        if self._problems:
            raise SourceError(" ; ".join(self._problems))

    def done(self, document: Document, outcome: str, reason: str = "") -> None:
        """Committed: remember to apply the action (applied by batch, before the next fetch and at close)."""
        folder, uid = self._refs.pop(document.ref)
        state = self._folders[folder]
        if not state.valid:
            return
        if self.spec.after_store == "none" or self.read_only:
            state.finished.add(uid)
        else:
            state.to_act.append(uid)

    def close(self) -> None:
        """Apply what is pending, save how far each folder is finished, log out.

        A SourceError here (the server went away, or refused the flag or the move) leaves those
        messages above last_uid: the next run finds them committed and applies the action then."""
        if self._connection is None:
            return
        try:
            self._flush(act=not self._failed)
        except SourceError as exc:
            self._flush(act=False)
            raise SourceError(f"action après enregistrement non appliquée ({exc}) ; "
                              "elle le sera au prochain traitement") from exc
        finally:
            self._connection.close()
            self._connection = None

    # -- one folder ----------------------------------------------------------------------------------
    def _fetch_folder(self, name: str) -> Iterator[Document]:
        connection = self._connection
        try:
            uidvalidity = connection.select(name, readonly=self._examine)
        except IMAPClientError as exc:
            if is_connection_loss(exc):
                raise
            self._problems.append(f"dossier {name} illisible : {_text(exc)}")
            return
        folder = self._folders[name] = _Folder(name, uidvalidity, self._start_uid(name, uidvalidity))
        uids = self._new_uids(folder)
        started, done_count, last_report = time.monotonic(), 0, 0.0
        self._report(f"{self.name}/{name} : {len(uids)} nouveau(x) message(s)")
        for batch, too_large in self._planned(name, uids):
            self._flush()
            if not folder.valid:
                return
            if connection.select(name, readonly=self._examine) != folder.uidvalidity:
                self._renumbered(folder)
                return
            messages = self._fetch_summary(folder, batch[0], too_large) if too_large else \
                self._fetch_batch(folder, batch)
            if name in connection.renumbered:  # these UIDs may now be other messages: leave it to the next run
                self._renumbered(folder)
                return
            for uid in batch:
                data = messages.get(uid)
                folder.handed.append(uid)
                if data is None:
                    continue  # unfetchable (reported) or expunged meanwhile (finished)
                document = self._document(folder, uid, data)
                self._refs[document.ref] = (name, uid)
                yield document
            done_count += len(batch)
            if time.monotonic() - last_report >= PROGRESS_EVERY_S or done_count == len(uids):
                last_report = time.monotonic()
                rate = done_count / max(time.monotonic() - started, 1e-6)
                self._report(f"{self.name}/{name} : {done_count}/{len(uids)} messages récupérés ({rate:.0f}/s)")

    @property
    def _examine(self) -> bool:
        """EXAMINE (read-only) when nothing is to be changed on the server."""
        return self.read_only or self.spec.after_store == "none"

    def _start_uid(self, name: str, uidvalidity: int) -> int:
        with self.sessions() as session:
            saved = mailbox_state.get_state(session, self.name, name)
            if saved is not None and saved.uidvalidity == uidvalidity:
                return saved.last_uid
            if saved is not None:
                log.warning("boîte %s, dossier %s : UIDVALIDITY changée (%d → %d) : dossier relu depuis le début, "
                            "les messages déjà enregistrés sont reconnus comme doublons", self.name, name,
                            saved.uidvalidity, uidvalidity, extra={"source": self.name})
            if not self.read_only:
                mailbox_state.save_state(session, self.name, name, FolderState(uidvalidity, 0))
                session.commit()
        return 0

    def _new_uids(self, folder: _Folder) -> list[int]:
        found = self._connection.call(lambda client: client.search(["UID", f"{folder.last_uid + 1}:*"]))
        return sorted(int(uid) for uid in found if int(uid) > folder.last_uid)  # "N:*" always matches the last

    def _planned(self, name: str, uids: list[int]) -> Iterator[tuple[list[int], int]]:
        """(uids of one FETCH, 0), or ([uid], its size) for a message too large to download; in UID order."""
        for start in range(0, len(uids), self.spec.batch_size):
            window = uids[start:start + self.spec.batch_size]
            self._connection.select(name, readonly=self._examine)  # actions in other folders may have moved us
            found = self._connection.call(lambda client: client.fetch(window, ["RFC822.SIZE"]))
            sizes = {uid: int(data.get(b"RFC822.SIZE", 0)) for uid, data in found.items()}
            for batch in plan_batches(window, sizes, self.spec.batch_size, self.spec.batch_bytes,
                                      self.max_message_bytes):
                size = sum(sizes.get(uid, 0) for uid in batch)
                too_large = size if size > self.max_message_bytes else 0
                if not too_large:
                    self.largest_fetch_bytes = max(self.largest_fetch_bytes, size)
                yield batch, too_large

    def _fetch_summary(self, folder: _Folder, uid: int, size: int) -> dict[int, dict]:
        """A message over the size limit: its main headers only, handed over with the reason to quarantine it."""
        found = self._connection.call(lambda client: client.fetch([uid], [SUMMARY_HEADERS, "INTERNALDATE"]))
        data = found.get(uid)
        if data is None:  # expunged since the size was read
            folder.finished.add(uid)
            return {}
        headers = next((value for key, value in data.items() if key.startswith(b"BODY[HEADER")), b"") or b""
        spec = self.spec
        after = {"move": f"déplacé dans le dossier {spec.move_to}", "flag": f"marqué {spec.flag} dans {folder.name}",
                 "none": f"laissé dans {folder.name}"}[spec.after_store]
        reason = (f"message de {size / 1e6:.1f} Mo, plus que la limite de {self.max_message_bytes / 1e6:.1f} Mo "
                  f"(limits.max_message_bytes) : non téléchargé ; il reste sur le serveur, boîte {self.name} "
                  f"({spec.user}@{spec.host}), {after} (UID {uid} de {folder.name}) ; seuls ses en-têtes sont gardés ici")
        log.warning("boîte %s : %s UID %d : %s", self.name, folder.name, uid, reason, extra={"source": self.name})
        return {uid: {b"BODY[]": bytes(headers), b"INTERNALDATE": data.get(b"INTERNALDATE"), "refused": reason}}

    def _fetch_batch(self, folder: _Folder, uids: list[int]) -> dict[int, dict]:
        """FETCH a batch; if that fails, one by one, so that one unreadable message spoils nothing else."""
        started = time.monotonic()
        try:
            messages = self._connection.once(lambda client: client.fetch(uids, FETCH_ITEMS))
        except (LinkLost, IMAPClientError) as exc:
            log.warning("boîte %s : lot %s UID %d-%d refusé (%s) ; lecture message par message", self.name,
                        folder.name, uids[0], uids[-1], _text(exc), extra={"source": self.name})
            messages = {}
            for uid in uids:
                messages.update(self._fetch_one(folder, uid))
        self.fetch_seconds += time.monotonic() - started
        missing = [uid for uid in uids if b"BODY[]" not in messages.get(uid, {})
                   and uid not in folder.finished and uid not in folder.unfetchable]
        if missing:
            still_there = set(self._connection.call(lambda client: client.search(["UID", _uid_set(missing)])))
            for uid in missing:
                if uid in still_there:
                    self._unfetchable(folder, uid, "le serveur n'a pas renvoyé son contenu")
                else:  # expunged by someone since the search: nothing left to read or act on
                    folder.finished.add(uid)
        fetched = {uid: data for uid, data in messages.items() if uid in uids and b"BODY[]" in data}
        self.fetched += len(fetched)
        return fetched

    def _fetch_one(self, folder: _Folder, uid: int) -> dict[int, dict]:
        """One message, twice at most: a server that drops the link on the same message twice cannot read it."""
        reason = ""
        for _ in range(2):
            try:
                return self._connection.once(lambda client: client.fetch([uid], FETCH_ITEMS))
            except LinkLost as exc:
                reason = f"le serveur coupe la connexion en le lisant ({exc})"
            except IMAPClientError as exc:
                reason = _text(exc)
                break
        self._unfetchable(folder, uid, reason)
        return {}

    def _unfetchable(self, folder: _Folder, uid: int, reason: str) -> None:
        """Reported, counted, and left above last_uid so the next run tries it again."""
        if uid in folder.unfetchable:
            return
        folder.unfetchable.add(uid)
        self.counts["failed"] += 1
        self._problems.append(f"message {folder.name} UID {uid} illisible sur le serveur : {reason}")
        log.error("boîte %s : message %s UID %d illisible : %s", self.name, folder.name, uid, reason,
                  extra={"source": self.name})

    def _document(self, folder: _Folder, uid: int, data: dict) -> Document:
        received = data.get(b"INTERNALDATE")
        safe_folder = re.sub(r"[^\w.-]+", "_", folder.name)
        return Document(source=self.name, ref=f"{folder.name};UIDVALIDITY={folder.uidvalidity}/;UID={uid}",
                        filename=f"{self.name}-{safe_folder}-{uid}.eml", raw=bytes(data[b"BODY[]"]),
                        received_at=received if isinstance(received, datetime) else None,
                        refused=data.get("refused"))

    def _renumbered(self, folder: _Folder) -> None:
        """UIDs changed while we worked: act on nothing more here; the next run reads the folder again."""
        folder.valid, folder.to_act = False, []
        log.warning("boîte %s : UIDVALIDITY de %s changée pendant le traitement ; le dossier sera relu au "
                    "prochain traitement", self.name, folder.name, extra={"source": self.name})

    # -- after the commit -----------------------------------------------------------------------------
    def _flush(self, act: bool = True) -> None:
        """Apply the pending actions, folder by folder, then save how far each folder is finished."""
        for folder in self._folders.values():
            if act and folder.valid and folder.to_act:
                self._act(folder)
            if folder.valid and folder.advance() and not self.read_only:
                with self.sessions() as session:
                    mailbox_state.save_state(session, self.name, folder.name,
                                             FolderState(folder.uidvalidity, folder.last_uid))
                    session.commit()

    def _act(self, folder: _Folder) -> None:
        uids, spec = sorted(folder.to_act), self.spec
        connection = self._connection

        def apply(client) -> None:  # run again after a reconnection: check the UIDs still name our messages
            if folder.name in connection.renumbered:
                raise _Renumbered()
            if spec.after_store == "flag":
                client.add_flags(uids, [spec.flag], silent=True)
            else:
                _move(client, uids, spec.move_to)

        try:
            if connection.select(folder.name, readonly=False) != folder.uidvalidity:
                raise _Renumbered()
            connection.call(apply)
        except _Renumbered:
            self._renumbered(folder)  # never flag or move by UIDs that may now name other messages
            return
        except IMAPClientError as exc:
            if is_connection_loss(exc):
                raise
            what = f"ajout de {spec.flag}" if spec.after_store == "flag" else f"déplacement vers {spec.move_to}"
            raise SourceError(f"{what} refusé par le serveur dans {folder.name} : {_text(exc)}") from exc
        folder.to_act = []
        folder.finished.update(uids)

    def _ensure_move_folder(self, client) -> None:
        if client.folder_exists(self.spec.move_to):
            return
        try:
            client.create_folder(self.spec.move_to)
        except IMAPClientError as exc:
            if is_connection_loss(exc) or client.folder_exists(self.spec.move_to):
                raise
            raise SourceError(f"impossible de créer le dossier {self.spec.move_to} : {_text(exc)}") from exc
        try:
            client.subscribe_folder(self.spec.move_to)
        except IMAPClientError:
            pass  # only for mail clients' folder lists
        log.info("boîte %s : dossier %s créé", self.name, self.spec.move_to, extra={"source": self.name})

    def _report(self, message: str) -> None:
        log.info("%s", message, extra={"source": self.name})
        if self.on_progress:
            self.on_progress(message)


class _Renumbered(Exception):
    """The folder's UIDVALIDITY changed under us (seen on reconnecting)."""


def _move(client, uids: list[int], destination: str) -> None:
    """MOVE when the server has it (atomic); else COPY, flag \\Deleted and UID EXPUNGE those UIDs only."""
    if client.has_capability("MOVE"):
        client.move(uids, destination)
        return
    client.copy(uids, destination)
    client.add_flags(uids, [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text[2:-1] if text[:2] in ("b'", 'b"') else text
