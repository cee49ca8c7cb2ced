"""A folder source: a scanner drop folder, or a folder of exported .eml files.

A file is moved to done/ or quarantine/ only after its database commit; until then it stays
where it is, so a run killed at any point leaves nothing lost. A file modified less than
`settle_seconds` ago (or changing while read) is still being written: it is left for the next
run. Hidden files (name starting with ".") are never read but counted and logged, so a scan
saved under such a name is not silently forgotten.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from pipeline.config import FolderSource
from pipeline.item import Document
from pipeline.sources import SourceError

SKIPPED_SUFFIXES = (".part", ".tmp", ".crdownload", ".raison.txt")
log = logging.getLogger("triage.sources.folder")


class Folder:
    def __init__(self, spec: FolderSource):
        self.name = spec.name
        self.path = Path(spec.path)
        self.done_dir = Path(spec.done_dir or self.path / "done")
        self.quarantine_dir = Path(spec.quarantine_dir or self.path / "quarantine")
        self.settle_seconds = spec.settle_seconds
        self.counts: Counter = Counter()  # hidden, settling: merged into the run's summary by the batch

    def fetch(self) -> Iterator[Document]:
        if not self.path.is_dir():
            raise SourceError(f"dossier introuvable : {self.path}")
        for path in sorted(self.path.iterdir()):
            if path.name.startswith("."):
                if path.is_file():
                    self.counts["hidden"] += 1
                    log.warning("%s: hidden file not read (name starts with a dot): %s", self.name, path)
                continue
            if not path.is_file() or path.name.endswith(SKIPPED_SUFFIXES):
                continue
            document = self._read_settled(path)
            if document is None:
                self.counts["settling"] += 1
                log.info("%s: file still being written, left for the next run: %s", self.name, path)
                continue
            yield document

    def _read_settled(self, path: Path) -> Document | None:
        """The file's bytes if it has not changed for settle_seconds and did not change while read."""
        try:
            before = path.stat()
            if time.time() - before.st_mtime < self.settle_seconds:
                return None
            raw = path.read_bytes()
            after = path.stat()
        except OSError as exc:
            raise SourceError(f"lecture impossible de {path} : {exc.strerror or exc}") from exc
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) or len(raw) != after.st_size:
            return None
        return Document(source=self.name, ref=str(path), filename=path.name, raw=raw,
                        received_at=datetime.fromtimestamp(before.st_mtime, timezone.utc))

    def done(self, document: Document, outcome: str, reason: str = "") -> None:
        """Move the committed file out of the inbox; a failure here is the source's (exit 4): the file
        stays in the inbox and the next run finds it already stored (a duplicate), so nothing is lost."""
        target_dir = self.quarantine_dir if outcome == "quarantined" else self.done_dir
        try:
            target = _free_name(target_dir / datetime.now().strftime("%Y-%m-%d") / document.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            Path(document.ref).replace(target)
            if outcome == "quarantined":
                target.with_name(target.name + ".raison.txt").write_text(reason + "\n", encoding="utf-8")
        except OSError as exc:
            raise SourceError(f"impossible de ranger {document.filename} dans {target_dir} "
                              f"({exc.strerror or exc}) : il est enregistré et sera reconnu au prochain "
                              "traitement") from exc

    def close(self) -> None:
        pass


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
