"""The directory's pages (admins), the CSV file both ways, `triage annuaire`, the item's "Destinataires"
panel, the transmission to another administration and the letters drafted with the directory's details."""
from __future__ import annotations

from datetime import date
from html import unescape

from pipeline.store import directory as store
from pipeline.store import review as review_store
from pipeline.store.schema import ItemRow
from tests.web.test_directory import _names, _settle, seeded

def _admin(client):
    from tests.web.conftest import csrf_of, login
    login(client, "admin")
    return csrf_of(client.get("/admin/annuaire").text)


def test_the_directory_page_is_for_admins_and_filters_by_kind(site, client):
    from tests.web.conftest import login
    login(client, "agent")
    assert client.get("/admin/annuaire").status_code == 403
    assert client.get("/admin/annuaire/annuaire.csv").status_code == 403
    client.post("/deconnexion", data={"csrf_token": client.get("/file").text.split('name="csrf_token" value="')[1]
                                       .split('"')[0]})
    _admin(client)
    page = unescape(client.get("/admin/annuaire?type=mairie").text).split('id="directory"')[1].split("</table>")[0]
    assert page.count('href="/admin/annuaire/') >= 67 and "Mairie de Thise" in page
    assert "Direction de l'eau" not in page
    assert "Caisse d'allocations familiales du Doubs" in unescape(client.get("/admin/annuaire?type=administration").text)


def test_an_admin_edits_an_entry_and_its_agents_and_the_history_shows_it(site, client):
    token = _admin(client)
    with site.sessions() as session:
        water = store.entry_by_code(session, "eau_assainissement")
    form = {"csrf_token": token, "version": water.version, "name": water.name, "email": "eau@grandbesancon.fr",
            "phone": "03 81 00 00 00", "address": water.address, "head_name": "Claire Exemple",
            "head_email": "", "engagement_days": "8", "active": "1"}
    assert client.post(f"/admin/annuaire/{water.id}", data=form).status_code == 200
    stale = client.post(f"/admin/annuaire/{water.id}", data={**form, "phone": "03 81 11 11 11"})
    assert "modifiée entre-temps" in stale.text
    bad = client.post(f"/admin/annuaire/{water.id}", data={**form, "version": water.version + 1,
                                                           "email": "pas un courriel"})
    assert "courriel invalide" in bad.text
    client.post(f"/admin/annuaire/{water.id}/agents", data={"csrf_token": token, "name": "Claire Exemple",
                                                            "email": "c.exemple@example.org", "is_head": "1"})
    client.post(f"/admin/annuaire/{water.id}/agents", data={"csrf_token": token, "name": "Paul Essai"})
    with site.sessions() as session:
        claire, paul = sorted(store.persons(session, water.id), key=lambda p: p.name)
    client.post(f"/admin/annuaire/agents/{paul.id}", data={"csrf_token": token, "absent_from": "2026-12-21",
                                                          "absent_until": "2027-01-02", "substitute_id": claire.id})
    page = client.get(f"/admin/annuaire/{water.id}").text
    assert "eau@grandbesancon.fr" in page and "Agent modifié" in page and "Agent ajouté" in page
    with site.sessions() as session:
        paul = next(p for p in store.persons(session, water.id) if p.name == "Paul Essai")
        entry = store.entry(session, water.id)
    assert paul.substitute_id == claire.id and paul.absent_until == date(2027, 1, 2)
    assert entry.engagement_days == 8 and entry.head_name == "Claire Exemple"
    history = client.get("/admin/annuaire/historique").text
    assert "admin" in history and "eau@grandbesancon.fr" in history


def test_csv_download_and_upload_on_the_page_with_a_bad_line_named(site, client):
    token = _admin(client)
    exported = client.get("/admin/annuaire/annuaire.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    edited = text.replace(";Mairie de Thise;;", ";Mairie de Thise;mairie.thise@example.org;")
    done = client.post("/admin/annuaire/import", data={"csrf_token": token},
                       files={"fichier": ("annuaire.csv", edited.encode("utf-8"), "text/csv")})
    assert "1 modifiée(s)" in done.text
    lines = edited.splitlines()
    lines[5] = lines[5].replace(";oui;", ";oui;").replace(lines[5].split(";")[3], "courriel@faux", 1) \
        if lines[5].split(";")[3] else lines[5].replace(";;", ";courriel@faux;", 1)
    refused = client.post("/admin/annuaire/import", data={"csrf_token": token},
                          files={"fichier": ("annuaire.csv", "\r\n".join(lines).encode("utf-8"), "text/csv")})
    assert "ligne 6 : " in refused.text and "rien n'a été importé" in unescape(refused.text)
    without_token = client.post("/admin/annuaire/import",
                                files={"fichier": ("annuaire.csv", edited.encode("utf-8"), "text/csv")})
    assert without_token.status_code == 403
    with site.sessions() as session:
        assert store.entry_by_code(session, "25560").email == "mairie.thise@example.org"


def test_the_annuaire_commands_export_and_import(site, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli import app
    monkeypatch.setenv("TRIAGE_DATABASE_URL", site.settings.database_url)
    runner = CliRunner()
    target = tmp_path / "annuaire.csv"
    exported = runner.invoke(app, ["annuaire", "export", str(target)])
    assert exported.exit_code == 0, exported.output
    text = target.read_text(encoding="utf-8-sig")
    assert text.count("\nmairie;") == 67
    target.write_text(text.replace(";Mairie de Thise;;", ";Mairie de Thise;mairie.thise@example.org;"),
                      encoding="utf-8")
    imported = runner.invoke(app, ["annuaire", "import", str(target), "--par", "mdupont"])
    assert imported.exit_code == 0 and "1 modifiée(s)" in imported.output, imported.output
    target.write_text(text.replace("\nmairie;25560;", "\nmairie;;"), encoding="utf-8")
    refused = runner.invoke(app, ["annuaire", "import", str(target)])
    assert refused.exit_code == 10 and "code manquant" in refused.output
    with site.sessions() as session:
        thise = store.entry_by_code(session, "25560")
        assert thise.email == "mairie.thise@example.org" and store.events(session, thise.id)[0].user == "mdupont"


def _clerk(client):
    from tests.web.conftest import csrf_of, login
    login(client, "agent")
    return csrf_of(client.get("/file").text)


def test_the_item_page_shows_the_destinations_and_a_clerk_adds_and_removes_a_copy(site, client):
    seeded(site)
    leak = site.items[0]
    token = _clerk(client)
    assert "Aucun destinataire tant que" in client.get(f"/elements/{leak}").text
    _settle(site, leak)
    with site.sessions() as session:
        roads = store.entry_by_code(session, "voirie")
    page = unescape(client.get(f"/elements/{leak}").text)
    assert "Direction de l'eau et de l'assainissement</strong> · principal" in page
    client.post(f"/elements/{leak}/copies", data={"csrf_token": token, "entry_id": roads.id})
    assert ("copy", "Direction de la voirie et des espaces publics", True) in _names(site, leak)
    assert client.post(f"/elements/{leak}/copies", data={"entry_id": roads.id}).status_code == 403  # no CSRF
    page = unescape(client.get(f"/elements/{leak}").text)
    assert "Copie ajoutée" in page and "Direction de la voirie et des espaces publics · copie" in page
    client.post(f"/elements/{leak}/copies/{roads.id}/retirer", data={"csrf_token": token})
    assert [n for n in _names(site, leak) if n[0] == "copy"] == []
    assert "Copie retirée" in client.get(f"/elements/{leak}").text


def test_a_transmission_from_the_page_drafts_both_letters_with_the_directory_details(site, client):
    from pipeline.store.letters import letters_page
    seeded(site)
    leak = site.items[0]
    with site.sessions() as session:
        caf = store.entry_by_code(session, "caf-doubs")
        store.update_entry(session, caf.id, caf.version, {"email": "transmissions@caf.example.org",
                                                          "address": "2 rue Exemple\n25000 Besançon"}, "admin")
        session.commit()
        version = review_store.item(session, leak).version
    token = _clerk(client)
    done = client.post(f"/elements/{leak}/transmettre", data={"csrf_token": token, "version": version,
                                                              "entry_id": caf.id})
    assert "la lettre de transmission et l" in unescape(done.text)
    with site.sessions() as session:
        row = session.get(ItemRow, leak)
        letters = {l.kind: l for l in letters_page(session, item_id=leak)}
        assert store.entry_for_item(session, leak).code == "caf-doubs"
    assert (row.competence, row.destination_kind, row.status) == ("hors_competence", "autre", "corrected")
    assert row.destination == "Autre administration : Caisse d'allocations familiales du Doubs"
    assert _names(site, leak) == [("principal", "Caisse d'allocations familiales du Doubs", True)]
    transmission, notice = letters["transmission"], letters["avis_transmission"]
    assert transmission.recipient_email == "transmissions@caf.example.org" and transmission.channel == "email"
    assert "L114-2" in transmission.body
    assert notice.recipient_email == "jeanne.martin@example.org"
    assert "Caisse d'allocations familiales du Doubs" in notice.body
    assert "2 rue Exemple, 25000 Besançon" in notice.body and "transmissions@caf.example.org" in notice.body


def test_letters_take_the_service_contacts_from_the_directory_and_config_for_what_it_lacks(site):
    from pipeline.letters import draft_letters
    from pipeline.store.letters import letters_page
    seeded(site)
    leak = site.items[0]
    with site.sessions() as session:
        water = store.entry_by_code(session, "eau_assainissement")
        store.update_entry(session, water.id, water.version, {"email": "eau@grandbesancon.fr",
                                                              "phone": "03 81 00 00 01"}, "admin")
        session.commit()
    _settle(site, leak)
    draft_letters(site.settings, site.sessions, since=date(2026, 11, 1), today=date(2026, 11, 24))
    with site.sessions() as session:
        [letter] = [l for l in letters_page(session, item_id=leak) if l.kind == "accuse_reception"]
    assert "Courriel : eau@grandbesancon.fr" in letter.body and "Téléphone : 03 81 00 00 01" in letter.body
    assert "4 rue Gabriel Plançon" in letter.body  # the address the directory was seeded with
