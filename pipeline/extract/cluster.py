"""Where pages are read: the local process pool (the default), or a Dask distributed cluster.

With `[executor] address = "tcp://host:8786"`, the pages of a run go to that cluster's workers through
distributed's `Client.get_executor()`, a concurrent.futures executor: the reading stream
(extract/stream.py) treats it as it treats the local pool. Everything else stays in the process that
runs `triage run`: sources, the later stages, the commits. So a page read twice costs time, never
a document stored twice.

A worker's death shows differently: Dask itself gives the pages a dead worker held to the others;
a page that took down more than `distributed.scheduler.allowed-failures` workers comes back as
KilledWorker, and its document is quarantined ("ocr-worker-died"), as locally.

On a cluster, the workers' memory is bounded by each worker's nanny (`dask worker --memory-limit`),
not by `limits.worker_memory_mb`; the pixel and time budgets hold as locally.
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import Future

from pipeline.config import LimitsSettings, Settings
from pipeline.errors import ExitCode, FatalError, MissingProgramError
from pipeline.extract.budgets import configure_pillow
from pipeline.extract.ocr import PageJob, PageResult, ocr_page
from pipeline.extract.pool import OcrPool

PROGRAMS = ("pdftoppm", "pdfimages", "tesseract")


class ClusterError(FatalError):
    """The configured Dask cluster cannot be reached: nothing is read, every file stays where it was."""

    exit_code = ExitCode.CLUSTER


def open_pool(settings: Settings) -> OcrPool | ClusterPool:
    """The pool pages are read on: the cluster when one is configured, else local processes."""
    if settings.executor.address:
        return ClusterPool(settings.executor.address, settings.limits, settings.executor.connect_timeout_s,
                           settings.ocr.language)
    return OcrPool(settings.ocr.workers, settings.limits)


class ClusterPool:
    """OCR pages on the workers of a Dask cluster, as a concurrent.futures executor."""

    def __init__(self, address: str, limits: LimitsSettings, timeout_s: float = 30.0, language: str = "fra"):
        from distributed import Client  # only when a cluster is configured: importing it costs start-up

        self.address, self.limits = address, limits
        try:
            self.client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cluster Dask injoignable à {address} : {exc}",
                               hint="vérifiez [executor] address et que « dask scheduler » tourne ; "
                                    "sans cluster, retirez address pour lire sur cette machine") from exc
        if not self.client.nthreads():
            self.client.wait_for_workers(1, timeout=timeout_s)
        self._check_workers(language)
        self.executor = self.client.get_executor(pure=False)  # two equal pages are two tasks, cancelled alone

    def __enter__(self) -> "ClusterPool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()

    @property
    def workers(self) -> int:
        """Pages read at once: every worker thread of the cluster."""
        return sum(self.client.nthreads().values()) or 1

    def submit_page(self, index: int, job: PageJob) -> Future:
        return self.executor.submit(read_page_on_worker, job, self.limits.max_pixels_per_page)

    def submit(self, fn, *args) -> Future:
        return self.executor.submit(fn, *args)

    def map(self, fn, *iterables):
        return self.executor.map(fn, *iterables)

    @staticmethod
    def broken(exc: BaseException) -> bool:
        return False  # Dask reschedules a dead worker's pages itself

    @staticmethod
    def recover() -> set[int]:
        return set()

    @staticmethod
    def died_with_worker(exc: BaseException) -> bool:
        from distributed import KilledWorker

        return isinstance(exc, KilledWorker)

    def shutdown(self) -> None:
        self.client.close()

    def _check_workers(self, language: str) -> None:
        """Every worker must have the programs and tesseract's language, as `triage run` checks locally."""
        missing = self.client.run(_missing_on_worker, language)
        problems = sorted({problem for found in missing.values() for problem in found})
        if problems:
            raise MissingProgramError(f"sur les workers Dask, manquent : {', '.join(problems)}",
                                      hint="apt-get install poppler-utils tesseract-ocr "
                                           f"tesseract-ocr-{language} sur chaque machine du cluster")


def read_page_on_worker(job: PageJob, max_pixels: int) -> PageResult:
    """Runs on a Dask worker: one tesseract thread, Pillow's bomb limit from the same budget as locally."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    configure_pillow(LimitsSettings(max_pixels_per_page=max_pixels))
    return ocr_page(job)


def _missing_on_worker(language: str) -> list[str]:
    from pipeline.extract.programs import tesseract_languages

    missing = [name for name in PROGRAMS if shutil.which(name) is None]
    if "tesseract" not in missing and language not in tesseract_languages():
        missing.append(f"tesseract-ocr-{language}")
    return missing
