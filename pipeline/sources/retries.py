"""Queued quarantine retries, read back from the file store as one more source of the run.

The review page only queues a retry (store/quarantine.py); the next `triage run` reads these
documents first, through exactly the batch's stages and store_outcome, which settles the entry
in the same commit as the item, or opens it again with the new reason. Nothing to move after.
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Iterator


from pipeline.item import Document
from pipeline.store import quarantine
from pipeline.store.database import Database
from pipeline.store.files import FileStore

NAME = "réessais"
log = logging.getLogger("triage.sources.retries")


class QueuedRetries:
    name = NAME

    def __init__(self, sessions: Database, files: FileStore):
        self.sessions, self.files = sessions, files
        self.counts: Counter = Counter()  # "failed": entries whose original is missing from the file store

    def fetch(self) -> Iterator[Document]:
        with self.sessions() as session:
            entries = quarantine.pending_retries(session)
        for entry in entries:
            if not self.files.exists(entry.sha256):
                self.counts["failed"] += 1
                log.error("retry of quarantine entry %d: original %s missing from the file store",
                          entry.id, entry.sha256, extra={"item": entry.ref})
                continue
            yield Document(source=entry.source, ref=entry.ref, filename=entry.filename,
                           raw=self.files.get(entry.sha256), received_at=entry.created_at)

    def done(self, document: Document, outcome: str, reason: str = "") -> None:
        """Nothing to do: store_outcome settled or reopened the entry in its commit."""

    def close(self) -> None:
        pass
