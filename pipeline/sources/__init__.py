"""Sources: the only code that reads mailboxes or watches folders.

A source yields Documents and is told, after the database commit, what became of each one
(`stored`, `duplicate` or `quarantined`), so it can move, flag or forget it.
"""
from __future__ import annotations

from typing import Iterator, Protocol

from pipeline.errors import SourceError
from pipeline.item import Document

__all__ = ["Source", "SourceError"]


class Source(Protocol):
    name: str

    def fetch(self) -> Iterator[Document]: ...

    def done(self, document: Document, outcome: str, reason: str = "") -> None: ...

    def close(self) -> None: ...
