"""OCR on a real Dask distributed cluster: a LocalCluster of worker processes, and a scheduler and workers
started as processes of their own by the `dask` command, with `triage run` reaching them by address.

A worker killed mid-run loses nothing: every document is stored or quarantined, none twice.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster
from sqlalchemy import create_engine, func, select

from pipeline.config import LimitsSettings, OcrSettings
from pipeline.errors import ExitCode
from pipeline.extract.cluster import ClusterError, ClusterPool
from pipeline.extract.pool import extract
from pipeline.item import Document
from pipeline.store.schema import ItemRow, QuarantineRow
from tests.conftest import DATA, ROOT
from tests.test_ocr_pool import while_killing
from tests.ops.conftest import TRIAGE, drop_emails, triage, write_config

OCR = OcrSettings(workers=2, page_timeout_s=60)
DASK = str(Path(sys.executable).parent / "dask")


def scan(name: str, label: str) -> Document:
    return Document("test", label, label, (DATA / name).read_bytes())


def kill_a_busy_worker(client: Client, done: threading.Event) -> list[int]:
    """SIGKILL the process of a worker while it holds pages, as the OOM killer would; how many it held then."""
    while not done.is_set():
        busy = {address: keys for address, keys in client.processing().items() if keys}
        if busy:
            address, keys = next(iter(busy.items()))
            os.kill(client.run(os.getpid, workers=[address])[address], signal.SIGKILL)
            return [len(keys)]
        time.sleep(0.02)
    return []


@pytest.fixture
def local_cluster():
    # One page per worker at a time: the page a killed worker held is the only one it condemns.
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            yield cluster


def test_local_cluster_reads_pages_as_the_local_pool_does(local_cluster):
    chunk = [scan("two_pages_scan.pdf", "voisin.pdf"), scan("letter_scan.png", "lettre.png"),
             scan("email_with_pdf.eml", "courriel.eml")]
    with ClusterPool(local_cluster.scheduler_address, LimitsSettings()) as pool:
        assert pool.workers == 2
        pdf, png, email = extract(chunk, OCR, pool)
    assert pdf.item is not None and "Chalezeule" in pdf.item.text and pdf.item.ocr_confidence > 50
    assert png.item is not None and "Thise" in png.item.text
    assert email.item is not None and email.error is None


def test_pages_on_a_killed_dask_worker_quarantine_only_their_documents():
    # With no failure allowed, Dask gives up at the first death every page the worker held
    # (KilledWorker): their documents are quarantined, as the local pool quarantines the page's;
    # the other documents are read by the surviving and restarted workers.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.scheduler.worker-saturation": 1.0}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                ClusterPool(cluster.scheduler_address, LimitsSettings()) as pool, \
                Client(cluster.scheduler_address, set_as_default=False) as watcher:
            chunk = [scan("letter_scan.png", "a.png"), scan("two_pages_scan.pdf", "b.pdf"),
                     scan("letter_scan.png", "c.png"), scan("letter_scan.png", "d.png")]
            outcomes, killed = while_killing(lambda done: kill_a_busy_worker(watcher, done),
                                             lambda: extract(chunk, OCR, pool))
            later = extract([scan("letter_scan.png", "lendemain.png")], OCR, pool)
    assert killed, "no worker was caught holding a page"
    victims = [o for o in outcomes if o.item is None]
    assert victims  # the pages the worker held when it died (one or two: Dask may have sent it the next)
    assert all(v.slug == "ocr-worker-died" and "arrêté brutalement" in v.error for v in victims)
    expected = {"a.png": "Thise", "b.pdf": "Chalezeule", "c.png": "Thise", "d.png": "Thise"}
    assert len(victims) < len(outcomes)  # the others were read
    for outcome in outcomes:
        if outcome.item is not None:
            assert expected[outcome.document.filename] in outcome.item.text
    assert later[0].item is not None and "Thise" in later[0].item.text


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ClusterError) as caught:
        ClusterPool(f"tcp://127.0.0.1:{_free_port()}", LimitsSettings(), timeout_s=2)
    assert "injoignable" in str(caught.value) and caught.value.exit_code == ExitCode.CLUSTER


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dask_processes(tmp_path):
    """`dask scheduler` and `dask worker` (two worker processes, one thread each) as separate processes."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"}
    logs = [open(tmp_path / name, "w") for name in ("scheduler.log", "workers.log")]
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                  "--no-dashboard"], env=env, stdout=logs[0], stderr=subprocess.STDOUT)
    workers = subprocess.Popen([DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
                                "--memory-limit", "2GB"], env=env, stdout=logs[1], stderr=subprocess.STDOUT,
                               cwd=tmp_path)
    try:
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
            yield address, client
    finally:
        for process in (workers, scheduler):
            process.terminate()
        for process in (workers, scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()


def _count(url: str, row_type, distinct=None) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            what = func.count(func.distinct(distinct)) if distinct is not None else func.count()
            return connection.execute(select(what).select_from(row_type)).scalar_one()
    finally:
        engine.dispose()


def test_triage_run_on_dask_processes_loses_nothing_when_a_worker_is_killed(tmp_path, model_dir, database_url,
                                                                           dask_processes):
    address, client = dask_processes
    config = write_config(tmp_path, model_dir, database_url, extra=f'\n[executor]\naddress = "{address}"\n')
    inbox = tmp_path / "inbox"
    scan_bytes = (DATA / "letter_scan.png").read_bytes()
    pdf_bytes = (DATA / "two_pages_scan.pdf").read_bytes()
    for n in range(6):  # distinct bytes (a trailing comment), the same pages to read
        (inbox / f"lettre-{n}.png").write_bytes(scan_bytes + f"copie {n}".encode())
        (inbox / f"voisin-{n}.pdf").write_bytes(pdf_bytes + f"\n% copie {n}\n".encode())
    (inbox / "courriel.eml").write_bytes((DATA / "email_with_pdf.eml").read_bytes())
    files = len(list(inbox.iterdir()))

    run = subprocess.Popen([TRIAGE, "run", "-c", str(config), "--json"], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})
    (out, err), killed = while_killing(lambda done: kill_a_busy_worker(client, done),
                                       lambda: run.communicate(timeout=1200))

    assert killed, "no worker was caught holding a page"
    assert run.returncode == 0, err[-3000:]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []  # every file left the inbox
    assert _count(database_url, ItemRow) == files  # nothing lost: the dead worker's page was read again
    assert _count(database_url, ItemRow, ItemRow.sha256) == files  # nothing twice
    assert _count(database_url, QuarantineRow) == 0


def test_triage_run_with_an_unreachable_cluster_exits_14_in_french_and_reads_nothing(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}",
                          extra=f'\n[executor]\naddress = "tcp://127.0.0.1:{_free_port()}"\nconnect_timeout_s = 2\n')
    drop_emails(tmp_path / "inbox", 1)
    result = triage("run", "--oneline", "-c", str(config), timeout=900)
    assert result.returncode == ExitCode.CLUSTER, result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "cluster Dask injoignable" in result.stderr
    assert (tmp_path / "inbox" / "fuite-0.eml").exists()
