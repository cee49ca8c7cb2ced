"""Sources: the only code that reads mailboxes or watches folders.

A source yields Documents and is told, after the database commit, what became of each one
(`stored`, `duplicate` or `quarantined`), so it can move, flag or forget it.
"""
from __future__ import annotations

from typing import Iterator, Protocol

from pipeline.errors import TriageError
from pipeline.item import Document


class SourceError(TriageError):
    """A whole source failed (server unreachable, bad password, folder missing): the run goes on."""


class Source(Protocol):
    name: str

    def fetch(self) -> Iterator[Document]: ...

    def done(self, document: Document, outcome: str, reason: str = "") -> None: ...

    def close(self) -> None: ...
