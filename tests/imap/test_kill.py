"""A real `triage run` killed with SIGKILL at several points, then run again: every message stored exactly
once, and the after-store action applied to each."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from pipeline.errors import ExitCode
from pipeline.store.database import open_database
from tests.conftest import ROOT
from tests.imap.conftest import environ_with_password, flags_by_uid, letter, mailbox_toml_section, message_ids_in
from tests.ops.conftest import TRIAGE, write_config

N = 60


def start_run(config) -> subprocess.Popen:
    return subprocess.Popen([TRIAGE, "run", "-c", str(config), "--oneline"], cwd=ROOT, env=environ_with_password(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def scalar(db, sql: str) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchone()[0]


def kill_when(process: subprocess.Popen, db, sql: str, at_least: int, timeout: float = 240) -> int:
    """SIGKILL the run's whole process group (the run and its OCR workers) once `sql` reaches `at_least`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {process.communicate()}")
        value = scalar(db, sql)
        if value >= at_least:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)
            return value
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    pytest.fail(f"{sql} never reached {at_least}")


@pytest.mark.parametrize("after_store", ["flag", "move"])
def test_run_killed_during_fetch_processing_and_before_the_action_then_rerun_stores_each_message_once(
        dovecot, tmp_path, model_dir, after_store):
    for n in range(N):
        dovecot.append("INBOX", letter(n))
    db = tmp_path / "triage.sqlite"
    config = write_config(tmp_path, model_dir, f"sqlite:///{db}", extra=mailbox_toml_section(dovecot, after_store=after_store),
                          folders="")
    open_database(f"sqlite:///{db}").kw["bind"].dispose()  # schema ready before the runs poll it

    # 1. as soon as the run has started reading (run row written, first FETCH under way)
    kill_when(start_run(config), db, "select count(*) from run", 1)
    # 2. a few items committed, their batch not yet flagged or moved (actions go by batches of 20)
    committed = kill_when(start_run(config), db, "select count(*) from item", 5)
    acted = _acted(dovecot, after_store)
    assert committed > acted, "some messages must be committed but not yet acted on when killed"
    # 3. further on, after some actions and a saved last UID
    further = kill_when(start_run(config), db, "select count(*) from item", 30)
    print(f"\n[kill-and-rerun {after_store}] killed after the run started ({scalar(db, 'select count(*) from run')} "
          f"runs), at {committed} items ({acted} acted on), at {further} items ({_acted(dovecot, after_store)} acted on)")

    final = start_run(config)
    out, err = final.communicate(timeout=600)
    assert final.returncode == ExitCode.OK, (out, err)

    assert scalar(db, "select count(*) from item") == N
    assert scalar(db, "select count(distinct message_id) from item") == N
    assert scalar(db, "select count(distinct sha256) from item") == N
    assert scalar(db, "select count(*) from quarantine") == 0
    assert _acted(dovecot, after_store) == N
    if after_store == "move":
        assert message_ids_in(dovecot, "Traité") == sorted(f"<lettre-{n}@example.org>" for n in range(N))
    assert scalar(db, "select last_uid from mailbox_state") == N
    assert scalar(db, "select count(*) from run where status = 'interrupted'") == 3

    again = subprocess.run([TRIAGE, "run", "-c", str(config), "--oneline"], cwd=ROOT, env=environ_with_password(),
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == ExitCode.OK and "0 lus" in again.stdout, again
    assert scalar(db, "select count(*) from item") == N


def _acted(server, after_store: str) -> int:
    if after_store == "flag":
        return sum("$Triage" in f for f in flags_by_uid(server).values())
    return N - len(flags_by_uid(server))  # moved out of INBOX
