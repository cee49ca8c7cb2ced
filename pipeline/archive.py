"""Importing an archive: a folder tree of scans and emails, optionally labelled, registered as a night would.

    walk the tree → skip what the journal says is done → the night's batch (run_batch: chunks,
    stages, store_outcome, quarantine) → journal each file after its commit → labelled files
    also become training examples

Nothing here processes a document: the archive is one more Source handed to pipeline/batch.py,
so an archive item is read, OCRed, routed and stored exactly as a night's. The files are never
moved (an archive is often read-only); the journal (store/imports.py) is what makes a rerun after
a kill resume: journalled files are not read again, and a file committed but not journalled is
found stored by its sha256 and journalled then.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from pipeline.classify.dataset import Example, read_table
from pipeline.errors import ConfigError
from pipeline.item import Document
from pipeline.sources import SourceError
from pipeline.sources.folder import SKIPPED_SUFFIXES
from pipeline.store import imports
from pipeline.store.training import store_imported

log = logging.getLogger("triage.archive")
LABEL_COLUMNS = {"file": ("file", "fichier", "chemin"), "competence": ("competence", "compétence"),
                 "commune": ("commune",)}


@dataclass(frozen=True)
class Label:
    competence: str
    commune: str | None


def read_labels(path: Path, codes: set[str]) -> dict[str, Label]:
    """file (relative to the archive) → label, from a CSV (file;competence[;commune]) or the eval JSONL."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"fichier d'étiquettes introuvable : {path}")
    rows: list[tuple[str, dict]] = []
    if path.suffix.lower() == ".jsonl":
        for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if line.strip():
                try:
                    rows.append((f"{path}, ligne {number}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}, ligne {number} : JSON illisible ({exc.msg})") from None
    else:
        rows = list(read_table(path, LABEL_COLUMNS, ("file", "competence")))
    labels = {}
    for where, row in rows:
        file, competence = str(row.get("file") or "").strip(), str(row.get("competence") or "").strip()
        if not file or competence not in codes:
            raise ConfigError(f"{where} : " + ("nom de fichier manquant" if not file
                                               else f"code de compétence inconnu {competence!r}"))
        labels[Path(file).as_posix()] = Label(competence, str(row.get("commune") or "").strip() or None)
    return labels


@dataclass
class Progress:
    """What the command shows: files to do in this run, done so far."""

    total: int = 0
    done: int = 0
    counts: Counter = field(default_factory=Counter)


class Archive:
    """A folder tree as a Source: its files in a stable order, skipping those already journalled."""

    def __init__(self, root: Path, sessions, labels: dict[str, Label] | None = None, *,
                 skip: tuple[Path, ...] = (), on_done: Callable[[Progress], None] | None = None):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ConfigError(f"dossier d'archive introuvable : {root}")
        self.name = f"archive:{self.root.name}"[:200]
        self.sessions, self.labels, self.on_done = sessions, labels or {}, on_done
        self.skip = {p.resolve() for p in skip}
        self.counts: Counter = Counter()
        with sessions() as session:
            known = imports.journalled(session, str(self.root))
        self.todo = [p for p in self._walk() if self._relative(p) not in known]
        self.progress = Progress(total=len(self.todo))
        self.progress.counts["already"] = len(known)
        self.unmatched_labels = sorted(set(self.labels) - {self._relative(p) for p in self._walk()})

    def _walk(self) -> Iterator[Path]:
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if any(part.startswith(".") for part in relative.parts):
                continue
            if path.is_file() and not path.name.endswith(SKIPPED_SUFFIXES) and path.resolve() not in self.skip:
                yield path

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def fetch(self) -> Iterator[Document]:
        for path in self.todo:
            try:
                raw = path.read_bytes()
                modified = path.stat().st_mtime
            except OSError as exc:
                raise SourceError(f"lecture impossible de {path} : {exc.strerror or exc}") from exc
            yield Document(source=self.name, ref=self._relative(path), filename=path.name, raw=raw,
                           received_at=datetime.fromtimestamp(modified, timezone.utc))

    def done(self, document: Document, outcome: str, reason: str = "") -> None:
        """Journal the file after its commit; a labelled file stored becomes a training example too."""
        label = self.labels.get(document.ref)
        with self.sessions() as session:
            stored = imports.stored_text(session, document.sha256) if outcome != "quarantined" else None
            if outcome == "duplicate" and stored is not None and stored.first_ref == document.ref:
                outcome = "stored"  # registered by a run killed before its journal line: resumed, not a copy
            if label is not None and stored is not None and stored.text.strip():
                store_imported(self.sessions, [Example(stored.text, label.competence, label.commune,
                                                       f"import:{self.root.name}", stored.received_at)])
                self.progress.counts["examples"] += 1
            imports.record(session, str(self.root), document.ref, size=len(document.raw), sha256=document.sha256,
                           outcome=outcome, chrono=stored.chrono if stored else None, reason=reason,
                           competence=label.competence if label else None)
        self.progress.done += 1
        self.progress.counts[outcome] += 1
        if self.on_done:
            self.on_done(self.progress)

    def close(self) -> None:
        pass


def import_archive(settings, root: Path, labels_path: Path | None = None, *,
                   on_start: Callable[[Progress], None] | None = None,
                   on_done: Callable[[Progress], None] | None = None):
    """Register every file of the archive not registered yet, through the night's batch; (summary, progress)."""
    from pipeline.batch import run_batch
    from pipeline.errors import DatabaseError
    from pipeline.extract.programs import require_ocr_programs
    from pipeline.learning import competence_codes
    from pipeline.extract.cluster import open_pool
    from pipeline.runner import routing_book
    from pipeline.stages import Stages
    from pipeline.store import runs
    from pipeline.store.database import StoreFailure, open_database
    from pipeline.store.files import FileStore
    from pipeline.store.run_lock import run_lock

    labels = read_labels(labels_path, competence_codes(settings)) if labels_path else {}
    require_ocr_programs(settings.ocr.language)
    with run_lock(settings, 0.0):  # the night's lock: an import and a night never interleave their runs
        sessions = open_database(settings.database_url)
        with sessions() as session:
            runs.close_interrupted(session)
        archive = Archive(root, sessions, labels, skip=(labels_path,) if labels_path else (), on_done=on_done)
        if on_start:
            on_start(archive)
        stages = Stages.load(settings, routing_book(settings, sessions))
        try:
            with open_pool(settings) as pool:
                summary = run_batch([archive], stages, sessions, FileStore(settings.file_store_dir), pool)
        except StoreFailure as exc:
            raise DatabaseError("base de données perdue pendant l'import",
                                hint="ce qui est enregistré le reste ; relancez la même commande pour reprendre") from exc
        with sessions() as session:
            archive.progress.counts["total_journal"] = sum(imports.outcomes(session, str(archive.root)).values())
    return summary, archive
