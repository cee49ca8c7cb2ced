"""Wiring a configured run: open the database, build the sources, start the OCR pool, run the batch."""
from __future__ import annotations

from typing import Callable

from pipeline.batch import RunSummary, run_batch
from pipeline.config import Settings
from pipeline.sources.folder import Folder
from pipeline.stages import Stages, ocr_pool
from pipeline.store.database import open_database
from pipeline.store.files import FileStore


def run_configured(settings: Settings, *, dry_run: bool = False,
                   on_progress: Callable[[str], None] | None = None) -> RunSummary:
    sessions = open_database(settings.database_url)
    stages = Stages.load(settings)
    sources = [Folder(spec) for spec in settings.folders]
    with ocr_pool(settings.ocr.workers) as pool:
        return run_batch(sources, stages, sessions, FileStore(settings.file_store_dir), pool,
                         dry_run=dry_run, on_progress=on_progress)
