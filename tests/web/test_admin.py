"""Administrators: runs, quarantine (see, retry, discard), model versions, accounts; the `triage users` commands."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from pipeline.store.schema import AppUserRow, ItemRow, QuarantineRow, RunRow
from pipeline.store.files import FileStore
from tests.web.conftest import csrf_of, login
from tests.web.seed import email_bytes

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _quarantine(site, raw: bytes, filename: str, reason: str) -> int:
    sha = FileStore(site.settings.file_store_dir).put(raw)
    with site.sessions() as session:
        run = RunRow(started_at=datetime.now(timezone.utc), finished_at=datetime.now(timezone.utc), status="partial",
                     host="serveur-courrier", counts={"fetched": 3, "stored": 2, "quarantined": 1},
                     errors=["scanner : dossier illisible"], exit_code=3)
        session.add(run)
        session.flush()
        row = QuarantineRow(run_id=run.id, source="eml", ref=filename, filename=filename, sha256=sha, size=len(raw),
                            reason=reason, created_at=datetime.now(timezone.utc))
        session.add(row)
        session.commit()
        return row.id


def test_runs_page_shows_counts_and_errors(site, client):
    _quarantine(site, b"x", "x.eml", "message vide ou illisible")
    login(client, "admin")
    page = client.get("/admin/executions").text
    assert "serveur-courrier" in page and "partielle" in page and "scanner : dossier illisible" in page


def test_quarantined_email_is_shown_inert_and_can_be_discarded(site, client):
    raw = email_bytes("Pièce jointe illisible", "Bonjour", html="<p>Bonjour</p><script>alert(1)</script>")
    entry = _quarantine(site, raw, "illisible.eml", "pièce jointe corrompue")
    login(client, "admin")
    assert "illisible.eml" in client.get("/admin/quarantaine").text
    page = client.get(f"/admin/quarantaine/{entry}").text
    assert "pièce jointe corrompue" in page and "Télécharger l'original" in page
    frame = client.get(f"/admin/quarantaine/{entry}/courriel.html")
    assert "<script" not in frame.text and "sandbox" in frame.headers["content-security-policy"]
    client.post(f"/admin/quarantaine/{entry}/ecarter", data={"csrf_token": csrf_of(page), "motif": "publicité"})
    with site.sessions() as session:  # no confirmation ticked: nothing discarded
        assert session.get(QuarantineRow, entry).status == "open"
    client.post(f"/admin/quarantaine/{entry}/ecarter",
                data={"csrf_token": csrf_of(page), "motif": "publicité", "confirmation": "oui"})
    with site.sessions() as session:
        row = session.get(QuarantineRow, entry)
        assert (row.status, row.resolved_by, row.note) == ("discarded", "admin", "publicité")


def test_retry_is_queued_for_the_next_run_not_run_in_the_web_process(site, client):
    raw = email_bytes("Bac jaune non collecté", "Bonjour, mon bac jaune n'a pas été collecté.\n25220 Thise")
    entry = _quarantine(site, raw, "bac.eml", "base de données indisponible pendant le traitement")
    login(client, "admin")
    token = csrf_of(client.get(f"/admin/quarantaine/{entry}").text)
    response = client.post(f"/admin/quarantaine/{entry}/reessayer", data={"csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    assert "prochain traitement" in client.get(response.headers["location"]).text
    with site.sessions() as session:
        row = session.get(QuarantineRow, entry)
        assert (row.status, row.retry_requested_by, row.item_id) == ("retry_requested", "admin", None)
        assert session.query(ItemRow).filter_by(filename="bac.eml").count() == 0  # nothing processed here
    assert "Réessai demandé" in client.get("/admin/quarantaine?statut=retry_requested").text


def test_model_versions_page_lists_metrics_and_activates_or_rolls_back(site, client, tmp_path):
    from pipeline.classify.model_files import active_version, save_model
    model_dir = tmp_path / "models"
    first = save_model({"stand-in": "model"}, model_dir, {
        "metrics": {"holdout_accuracy": 0.8571, "holdout_macro_f1": 0.8568, "holdout_size": 84},
        "training": {"n_examples": 420}, "decision": {"reason": "premier modèle : activé"}}).version
    second = save_model({"stand-in": "model 2"}, model_dir, {
        "metrics": {"holdout_accuracy": 0.80, "holdout_macro_f1": 0.79, "holdout_size": 84},
        "decision": {"reason": "moins bon que le modèle actif : conservé mais pas activé"}}, activate=False).version
    site.app.state.settings.classifier.model_dir = model_dir
    login(client, "admin")
    page = client.get("/admin/modeles").text
    assert "86 %" in page and "420" in page and "conservé mais pas activé" in page
    token = csrf_of(page)
    client.post(f"/admin/modeles/{second}/activer", data={"csrf_token": token})
    assert active_version(model_dir) == second
    client.post("/admin/modeles/retour", data={"csrf_token": token})
    assert active_version(model_dir) == first
    client.cookies.clear()
    login(client, "agent")
    assert client.post("/admin/modeles/retour", data={"csrf_token": csrf_of(client.get("/file").text)}
                       ).status_code == 403


def test_admin_creates_deactivates_and_resets_accounts(site, client):
    login(client, "admin")
    token = csrf_of(client.get("/admin/utilisateurs").text)
    client.post("/admin/utilisateurs", data={"csrf_token": token, "username": "paul", "password": "paul-mot-de-passe",
                                             "role": "agent"})
    short = client.post("/admin/utilisateurs", data={"csrf_token": token, "username": "lea", "password": "court",
                                                     "role": "agent"})
    assert "mot de passe trop court" in short.text
    with site.sessions() as session:
        paul = session.query(AppUserRow).filter_by(username="paul").one()
        admin = session.query(AppUserRow).filter_by(username="admin").one()
    client.post(f"/admin/utilisateurs/{paul.id}", data={"csrf_token": token, "role": "agent", "active": ""})
    refused = client.post(f"/admin/utilisateurs/{admin.id}", data={"csrf_token": token, "role": "agent", "active": "1"})
    assert "Vous ne pouvez ni retirer" in refused.text
    from fastapi.testclient import TestClient
    with TestClient(site.app) as other:
        assert login(other, "paul", "paul-mot-de-passe").status_code == 401  # deactivated


def test_users_commands_add_list_and_change_passwords(site, tmp_path, monkeypatch):
    from cli import app
    monkeypatch.setenv("TRIAGE_DATABASE_URL", site.settings.database_url)
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "marie", "--role", "admin", "--password-stdin"],
                          input="un-mot-de-passe-solide\n")
    assert added.exit_code == 0, added.output
    duplicate = runner.invoke(app, ["users", "add", "marie", "--password-stdin"], input="un-mot-de-passe-solide\n")
    assert duplicate.exit_code == 10 and "existe déjà" in duplicate.output
    listed = json.loads(runner.invoke(app, ["users", "list", "--json"]).output)
    assert {"username": "marie", "role": "admin", "active": True} in [
        {k: u[k] for k in ("username", "role", "active")} for u in listed]
    changed = runner.invoke(app, ["users", "passwd", "marie", "--password-stdin"], input="encore-un-autre-secret\n")
    assert changed.exit_code == 0, changed.output
    from pipeline.store.users import authenticate
    with site.sessions() as session:
        assert authenticate(session, "marie", "encore-un-autre-secret") is not None
        assert authenticate(session, "marie", "un-mot-de-passe-solide") is None
        assert session.query(AppUserRow).filter_by(username="marie").one().password_hash.startswith("$argon2id$")
