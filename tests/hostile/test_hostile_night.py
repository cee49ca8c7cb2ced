"""A night of hostile inputs through `triage run` as a real process, on SQLite and PostgreSQL.

Every class of issue 9 next to good files: the run ends 0 or 3, every file leaves the inbox
(stored or quarantined), every good one is stored, and a rerun stores nothing. The process
runs under an address-space limit so that a class still amplifying memory fails inside its own
document (quarantined) instead of taking the test machine down.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess

from sqlalchemy import create_engine, func, select

from pipeline.store.schema import ItemRow, QuarantineRow
from tests.hostile.generate import write_all
from tests.ops.conftest import ROOT, TRIAGE, write_config

ADDRESS_SPACE = 6 * 1024 ** 3  # per process; far above a normal run, far below the machine


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_night(config) -> subprocess.CompletedProcess:
    return subprocess.run([TRIAGE, "run", "-c", str(config), "--json"], capture_output=True, text=True,
                          timeout=1500, cwd=ROOT, preexec_fn=_limited, env={**os.environ, "COLUMNS": "200"})


def _count(url: str, row_type) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(row_type)).scalar_one()
    finally:
        engine.dispose()


def _filenames(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(select(ItemRow.filename)).scalars())
    finally:
        engine.dispose()


def test_hostile_night_quarantines_the_bad_stores_the_good_and_a_rerun_adds_nothing(tmp_path, model_dir,
                                                                                    database_url):
    config = write_config(tmp_path, model_dir, database_url)
    inbox = tmp_path / "inbox"
    good, hostile = write_all(inbox)

    first = run_night(config)
    assert first.returncode in (0, 3), first.stderr[-3000:]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []  # every file left the inbox
    assert set(good) <= _filenames(database_url)  # NUL bytes and a 1.1 MB text included
    stored, quarantined = _count(database_url, ItemRow), _count(database_url, QuarantineRow)
    assert stored + quarantined == len(good) + len(hostile)
    summary = json.loads(first.stdout)
    assert "Traceback" not in first.stdout

    write_all(inbox)  # the same files dropped again
    second = run_night(config)
    assert second.returncode in (0, 3), second.stderr[-3000:]
    assert _count(database_url, ItemRow) == stored  # a rerun stores nothing new
    assert summary is not None
