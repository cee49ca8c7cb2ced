"""Wiring a configured run: check programs, take the run lock, open the database, run the batch.

The order matters for cron: nothing is read from a source before the lock is held and the
database answers, so a run that cannot go on leaves every file where it was.

What every run pays before its first page is hidden behind the work: spaCy, scikit-learn, the
gazetteer, the "who does what" book and the model are imported and loaded in a thread (`_load_stages`)
while the OCR workers start and read the first pages; only the stages after reading wait for them.
So this module imports none of them itself.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable

from pipeline.batch import RunSummary, run_batch
from pipeline.config import Settings
from pipeline.errors import DatabaseError
from pipeline.extract.programs import require_ocr_programs
from pipeline.store.run_lock import run_lock
from pipeline.sources.folder import Folder
from pipeline.sources.imap import Mailbox
from pipeline.sources.retries import QueuedRetries
from pipeline.extract.cluster import open_pool
from pipeline.notify.send import after_run as notify_after_run
from pipeline.store import runs
from pipeline.store.database import StoreFailure, open_database
from pipeline.routing_table import load_routing_table
from pipeline.store.directory import directory_table
from pipeline.store.directory_seed import seed_directory
from pipeline.store.files import FileStore

if TYPE_CHECKING:
    from pipeline.knowledge import KnowledgeBase
    from pipeline.stages import Stages


def run_configured(settings: Settings, *, dry_run: bool = False, wait_s: float = 0.0,
                   on_progress: Callable[[str], None] | None = None) -> RunSummary:
    require_ocr_programs(settings.ocr.language)
    with run_lock(settings, wait_s):
        sessions = open_database(settings.database_url)
        files = FileStore(settings.file_store_dir)
        if not dry_run:
            with sessions() as session:  # we hold the lock: a run still marked running was killed
                runs.close_interrupted(session)
                seed_directory(session, settings)  # the directory exists before the first item is distributed
        sources = [QueuedRetries(sessions, files)] + [Folder(spec) for spec in settings.folders]
        sources += [Mailbox(spec, sessions, read_only=dry_run, on_progress=on_progress,
                            max_message_bytes=settings.limits.max_message_bytes) for spec in settings.mailboxes]
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="stages") as loading, open_pool(settings) as pool:
                stages = loading.submit(_load_stages, settings, sessions, not dry_run)
                summary = run_batch(sources, stages, sessions, files, pool, dry_run=dry_run,
                                    on_progress=on_progress, settings=settings)
                stages.result()  # a model that cannot load is the run's error even when nothing came in
                notify_after_run(settings, sessions, dry_run=dry_run)  # urgent items told at once (issue 12)
                return summary
        except StoreFailure as exc:  # per-document refusals are quarantined: this is the database gone
            raise DatabaseError(f"base de données perdue pendant le traitement : "
                                f"{str(getattr(exc, 'orig', None) or exc).strip().splitlines()[0]}",
                                hint="les fichiers non enregistrés sont restés dans leur dossier ; relancez") from exc


def _load_stages(settings: Settings, sessions, seed: bool) -> "Stages":
    from pipeline.stages import Stages
    return Stages.load(settings, routing_book(settings, sessions, seed=seed),
                       directory_table(sessions, load_routing_table(settings.routing_file)))


def routing_book(settings: Settings, sessions, *, seed: bool = True) -> KnowledgeBase | None:
    """The "who does what" book a run routes with: the admins' current version in the database,
    first seeded from the shipped file (a dry run seeds nothing); None when none is shipped."""
    from pipeline.stages import shipped_book, shipped_knowledge
    from pipeline.store import knowledge as knowledge_store
    if not shipped_knowledge(settings).exists():
        return None
    return knowledge_store.for_run(sessions, shipped_book(settings), seed=seed)
