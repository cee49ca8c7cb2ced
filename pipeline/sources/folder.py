"""A folder source: a scanner drop folder, or a folder of exported .eml files.

A file is moved to done/ or quarantine/ only after its database commit; until then it stays
where it is, so a run killed at any point leaves nothing lost.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from pipeline.config import FolderSource
from pipeline.item import Document
from pipeline.sources import SourceError

SKIPPED_SUFFIXES = (".part", ".tmp", ".crdownload", ".raison.txt")


class Folder:
    def __init__(self, spec: FolderSource):
        self.name = spec.name
        self.path = Path(spec.path)
        self.done_dir = Path(spec.done_dir or self.path / "done")
        self.quarantine_dir = Path(spec.quarantine_dir or self.path / "quarantine")

    def fetch(self) -> Iterator[Document]:
        if not self.path.is_dir():
            raise SourceError(f"dossier introuvable : {self.path}")
        for path in sorted(self.path.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.name.endswith(SKIPPED_SUFFIXES):
                continue
            stat = path.stat()
            raw = path.read_bytes()
            yield Document(source=self.name, ref=str(path), filename=path.name, raw=raw,
                           received_at=datetime.fromtimestamp(stat.st_mtime, timezone.utc))

    def done(self, document: Document, outcome: str, reason: str = "") -> None:
        target_dir = self.quarantine_dir if outcome == "quarantined" else self.done_dir
        target = _free_name(target_dir / datetime.now().strftime("%Y-%m-%d") / document.filename)
        target.parent.mkdir(parents=True, exist_ok=True)
        Path(document.ref).replace(target)
        if outcome == "quarantined":
            target.with_name(target.name + ".raison.txt").write_text(reason + "\n", encoding="utf-8")

    def close(self) -> None:
        pass


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
