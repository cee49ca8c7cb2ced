"""Logins under attack: throttling per normalised name and per client, sessions revoked on the server,
and bogus logins in parallel that cannot take the server's memory up."""
from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.web.conftest import PASSWORDS, SECRET, csrf_of, free_port, login

TRIAGE = str(Path(sys.executable).parent / "triage")
WRONG = "pas-le-bon-mot-de-passe"


def client_from(site, address: str):
    from fastapi.testclient import TestClient
    return TestClient(site.app, base_url="http://testserver", client=(address, 40000))


def test_spaces_or_capitals_around_a_name_give_no_fresh_tries(client):
    for _ in range(5):
        assert login(client, "agent", WRONG).status_code == 401
    for variant in (" agent", "agent ", "  AGENT ", "Agent"):
        refused = login(client, variant, WRONG)
        assert refused.status_code == 429, variant
        assert "essais infructueux" in refused.text
    assert login(client, " agent ", PASSWORDS["agent"]).status_code == 429  # even the right password waits


def test_the_login_itself_ignores_spaces_and_capitals_around_the_name(client):
    assert login(client, "  Agent ", PASSWORDS["agent"]).status_code == 303
    assert client.get("/file").status_code == 200


def test_wrong_passwords_from_one_client_do_not_lock_the_user_out_from_another(site):
    with client_from(site, "10.0.0.66") as attacker, client_from(site, "10.0.0.7") as clerk:
        for _ in range(5):
            assert login(attacker, "admin", WRONG).status_code == 401
        assert login(attacker, "admin", PASSWORDS["admin"]).status_code == 429
        assert login(clerk, "admin").status_code == 303
        assert clerk.get("/admin/utilisateurs").status_code == 200


def test_a_guesser_spread_over_many_clients_is_slowed_but_the_user_gets_in_after_a_short_wait(site):
    from pipeline.store.users import NAME_CEILING
    for n in range(NAME_CEILING + 1):
        with client_from(site, f"10.1.0.{n}") as guesser:
            assert login(guesser, "agent", WRONG).status_code == 401, n
    with client_from(site, "10.0.0.7") as clerk:
        slowed = login(clerk, "agent")
        assert slowed.status_code == 429 and "seconde" in slowed.text
        time.sleep(2.2)  # one failure over the ceiling: 2 seconds after the last one
        assert login(clerk, "agent").status_code == 303


def test_the_per_name_backoff_never_exceeds_its_maximum(site):
    from pipeline.store import users
    start = 1_800_000_000.0
    with site.sessions() as session:
        for n in range(300):
            users.record_failure(session, "admin", f"10.2.{n // 250}.{n % 250}", now=start + n)
        last = start + 299
        assert 0 < users.wait_before_login(session, " ADMIN ", "10.9.9.9", now=last) <= users.BACKOFF_MAX_S
        assert users.wait_before_login(session, "admin", "10.9.9.9", now=last + users.BACKOFF_MAX_S) == 0


def test_logout_makes_a_copied_cookie_worthless(site, client):
    from pipeline.store.schema import ItemRow
    login(client, "agent")
    item = site.items[0]
    token = csrf_of(client.get(f"/elements/{item}").text)
    copied = dict(client.cookies)
    with client_from(site, "10.0.0.99") as thief:
        thief.cookies.update(copied)
        assert thief.get("/file").status_code == 200  # the copy works while the session lives
        client.post("/deconnexion", data={"csrf_token": token})
        for method, url, data in (("GET", "/file", None), ("POST", f"/elements/{item}/relecture",
                                  {"csrf_token": token, "version": "1", "competence": "voirie", "retour": ""})):
            thief.cookies.clear()
            thief.cookies.update(copied)  # the very cookie each time, as a thief would replay it
            response = thief.request(method, url, data=data, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/connexion"), url
    with site.sessions() as session:
        assert session.get(ItemRow, item).status == "to_review"


def test_disabling_an_account_ends_its_open_sessions(site, client):
    from pipeline.store.schema import AppUserRow
    login(client, "agent")
    assert client.get("/file").status_code == 200
    with site.sessions() as session:
        agent_id = session.query(AppUserRow.id).filter_by(username="agent").scalar()
    with client_from(site, "10.0.0.1") as admin:
        login(admin, "admin")
        token = csrf_of(admin.get("/admin/utilisateurs").text)
        done = admin.post(f"/admin/utilisateurs/{agent_id}", data={"csrf_token": token, "role": "agent"})
        assert "sessions ouvertes sont fermées" in done.text
    assert client.get("/file", follow_redirects=False).status_code == 303
    assert login(client, "agent").status_code == 401


def test_new_password_set_by_an_admin_ends_the_accounts_sessions(site, client):
    from pipeline.store.schema import AppUserRow
    login(client, "agent")
    with site.sessions() as session:
        agent_id = session.query(AppUserRow.id).filter_by(username="agent").scalar()
    with client_from(site, "10.0.0.1") as admin:
        login(admin, "admin")
        token = csrf_of(admin.get("/admin/utilisateurs").text)
        admin.post(f"/admin/utilisateurs/{agent_id}/mot-de-passe",
                   data={"csrf_token": token, "password": "un-nouveau-mot-de-passe"})
    assert client.get("/file", follow_redirects=False).status_code == 303
    assert login(client, "agent", "un-nouveau-mot-de-passe").status_code == 303


def test_sessions_past_their_lifetime_are_dropped_at_a_later_login(site, client):
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import func, select, update

    from pipeline.store.schema import WebSessionRow
    login(client, "agent")
    aged = datetime.now(timezone.utc) - timedelta(hours=site.settings.web.session_max_hours, minutes=1)
    with site.sessions() as session:
        session.execute(update(WebSessionRow).values(created_at=aged))
        session.commit()
    assert client.get("/file", follow_redirects=False).status_code == 303
    with client_from(site, "10.0.0.2") as other:
        login(other, "agent2")
    with site.sessions() as session:
        assert session.execute(select(func.count()).select_from(WebSessionRow)).scalar_one() == 1


def _bogus_login(base_url: str) -> int:
    """A fresh client's login with an unknown name (no throttle applies): only the argon2 check costs."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        token = csrf_of(http.get("/connexion").text)
        return http.post("/connexion", data={"username": f"inconnu-{uuid.uuid4().hex[:8]}", "password": WRONG,
                                             "csrf_token": token}).status_code


def _concurrent_bogus_logins(base_url: str, count: int) -> list[int]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: _bogus_login(base_url), range(count)))


def test_parallel_bogus_logins_run_a_bounded_number_of_password_checks_at_once(site, live_server):
    from pipeline.web.password_checks import VERIFY_AT_ONCE
    statuses = _concurrent_bogus_logins(live_server, 60)
    assert set(statuses) <= {401, 503}, statuses
    assert statuses.count(401) >= VERIFY_AT_ONCE
    assert 1 <= site.app.state.password_checks.peak <= VERIFY_AT_ONCE


def test_wrong_passwords_sent_in_parallel_from_one_client_are_not_all_verified(site, live_server):
    from pipeline.store.users import PER_CLIENT
    from pipeline.web.password_checks import VERIFY_AT_ONCE

    def guess(_):
        with httpx.Client(base_url=live_server, timeout=60) as http:
            token = csrf_of(http.get("/connexion").text)
            return http.post("/connexion", data={"username": "admin", "password": WRONG, "csrf_token": token}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(guess, range(30)))
    assert set(statuses) <= {401, 429, 503}, statuses
    assert PER_CLIENT <= statuses.count(401) <= PER_CLIENT + VERIFY_AT_ONCE - 1, statuses


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("VmHWM absent de /proc")


@pytest.fixture
def served(tmp_path):
    """`triage serve` as a real process on a fresh SQLite database; yields (base URL, pid)."""
    config = tmp_path / "triage.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "triage.sqlite"}"\ndata_dir = "{tmp_path / "var"}"\n'
                      f'reference_dir = "{ROOT / "data/reference"}"\nrouting_file = "{ROOT / "config/routing.toml"}"\n',
                      encoding="utf-8")
    port = free_port()
    process = subprocess.Popen([TRIAGE, "serve", "--config", str(config), "--port", str(port)], cwd=ROOT,
                               env={**os.environ, "TRIAGE_WEB_SECRET": SECRET}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/connexion", timeout=2)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"triage serve n'a pas démarré : {process.stderr.read()}")
            time.sleep(0.2)
    yield base, process.pid
    process.terminate()
    process.wait(timeout=20)


def test_sixty_parallel_bogus_logins_leave_the_servers_memory_bounded(served):
    """Measured as the server process's peak resident memory (VmHWM), before and after the storm.

    Each argon2 check takes 64 MiB: sixty at once would add about 3.8 GB; two at once add 128 MiB.
    """
    base, pid = served
    assert _bogus_login(base) == 401  # warm: the first check and its thread are counted in the baseline
    before = _peak_rss_mb(pid)
    statuses = _concurrent_bogus_logins(base, 60)
    grown = _peak_rss_mb(pid) - before
    assert set(statuses) <= {401, 503}, statuses
    assert grown < 300, f"mémoire de pointe du serveur : +{grown:.0f} Mo"
    assert _bogus_login(base) == 401  # still answering
