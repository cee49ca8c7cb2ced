"""The directory in the database (SQLite and PostgreSQL): seeding, edits with their history, distribution."""
from __future__ import annotations

from datetime import date
from html import unescape

from pipeline.reference import load_reference
from pipeline.store import directory as store
from pipeline.store import distribution
from pipeline.store import review as review_store
from pipeline.store.directory_seed import seed_directory
from pipeline.store.schema import ItemDestinationRow, ItemRow
from pipeline.web.review import Decision, review
from tests.conftest import ROOT


def seeded(site) -> None:
    with site.sessions() as session:
        seed_directory(session, site.settings)


def test_seeding_gives_every_service_town_hall_and_administration_once(site):
    with site.sessions() as session:
        added = seed_directory(session, site.settings)
        again = seed_directory(session, site.settings)
        reference = load_reference(ROOT / "data/reference")
        mairies = store.entries(session, "mairie")
        services = store.entries(session, "service")
        administrations = {e.code: e for e in store.entries(session, "administration")}
    assert again == 0 and added == len(mairies) + len(services) + len(administrations)
    assert len(mairies) == 67 == len(reference.communes)
    besancon = next(m for m in mairies if m.code == "25056")
    assert besancon.name == "Mairie de Besançon" and besancon.email == "" and "25000 Besançon" in besancon.address
    metropolitan = {c.code for c in reference.competences if c.handled_by == "metropole"}
    assert {s.code for s in services} == metropolitan
    assert next(s for s in services if s.code == "eau_assainissement").name == "Direction de l'eau et de l'assainissement"
    for code in ("prefecture-doubs", "departement-doubs", "region-bfc", "caf-doubs", "cpam-doubs", "dgfip",
                 "france-travail", "enedis"):
        assert code in administrations, code
    assert "carte grise" in administrations["prefecture-doubs"].words
    assert all(not e.email for e in [*mairies, *administrations.values()])  # nothing invented


def test_an_edit_is_kept_in_the_history_and_survives_seeding_again(site):
    seeded(site)
    with site.sessions() as session:
        water = store.entry_by_code(session, "eau_assainissement")
        store.update_entry(session, water.id, water.version, {"email": "eau@grandbesancon.fr", "engagement_days": 8},
                           "admin")
        session.commit()
        seed_directory(session, site.settings)
        again = store.entry_by_code(session, "eau_assainissement")
        history = store.events(session, water.id)
    assert again.email == "eau@grandbesancon.fr" and again.engagement_days == 8
    assert history[0].action == "updated" and history[0].user == "admin"
    assert history[0].before == {"email": "", "engagement_days": None}
    assert history[0].after == {"email": "eau@grandbesancon.fr", "engagement_days": 8}
    try:
        with site.sessions() as session:
            store.update_entry(session, water.id, water.version, {"phone": "03 81 00 00 00"}, "admin2")
        raise AssertionError("a stale version must be refused")
    except store.Stale:
        pass


def _settle(site, item_id: int, user: str = "agent", **decision) -> None:
    with site.sessions() as session:
        item = review_store.item(session, item_id)
        values = {"competence": item.competence, "commune": item.commune, "urgent": item.urgent, **decision}
        review(session, item_id, item.version, Decision(**values), user, site.app.state.context)


def _names(site, item_id: int) -> list[tuple[str, str, bool]]:
    with site.sessions() as session:
        return [(d.role, d.entry_name, d.active) for d in distribution.destinations(session, item_id)]


def test_a_confirmed_item_goes_to_its_service_with_the_default_copies(site):
    seeded(site)
    leak = site.items[0]
    with site.sessions() as session:
        environment = store.entry_by_code(session, "environnement")
        store.add_copy_rule(session, "eau_assainissement", environment.id, "admin")
        session.commit()
    assert _names(site, leak) == []  # still to review: nobody's yet
    _settle(site, leak)
    assert _names(site, leak) == [("principal", "Direction de l'eau et de l'assainissement", True),
                                  ("copy", "Direction de l'environnement et de la transition écologique", True)]
    with site.sessions() as session:
        assert store.entry_for_item(session, leak).code == "eau_assainissement"


def test_a_correction_moves_the_principal_and_keeps_what_the_old_service_saw(site):
    seeded(site)
    leak = site.items[0]
    _settle(site, leak)
    with site.sessions() as session:  # the water service was told of it
        row = next(iter(session.query(ItemDestinationRow).filter_by(item_id=leak)))
        row.notified_at = store.now()
        session.commit()
    _settle(site, leak, competence="commune", commune="25560")  # Thise
    names = _names(site, leak)
    assert names[0] == ("principal", "Mairie de Thise", True)
    assert ("principal", "Direction de l'eau et de l'assainissement", False) in names
    with site.sessions() as session:
        assert session.get(ItemRow, leak).destination == "Mairie de Thise"


def test_a_clerk_adds_and_removes_a_copy_and_the_audit_trail_says_so(site):
    seeded(site)
    leak = site.items[0]
    _settle(site, leak)
    with site.sessions() as session:
        voirie = store.entry_by_code(session, "voirie")
        assert distribution.add_copy(session, leak, voirie.id, "agent")
        assert not distribution.add_copy(session, leak, voirie.id, "agent")  # already there
        assert ("copy", "Direction de la voirie et des espaces publics", True) in _names(site, leak)
        assert distribution.remove_copy(session, leak, voirie.id, "agent")
        principal = store.entry_by_code(session, "eau_assainissement")
        assert not distribution.remove_copy(session, leak, principal.id, "agent")  # never the principal
        actions = [(e.action, e.user) for e in review_store.events(session, leak)]
    assert _names(site, leak) == [("principal", "Direction de l'eau et de l'assainissement", True)]
    assert actions[:2] == [("copy_removed", "agent"), ("copy_added", "agent")]


def test_undoing_a_confirmation_takes_back_what_nobody_was_told_of(site):
    from pipeline.store.undo import undo_last
    seeded(site)
    leak = site.items[0]
    _settle(site, leak)
    with site.sessions() as session:
        undo_last(session, leak, "agent")
    assert _names(site, leak) == []


def test_the_night_run_stores_a_routed_item_with_its_principal_and_copies(site):
    from pipeline.outcome import Outcome
    from pipeline.store.files import FileStore
    from pipeline.store.outcomes import store_outcome
    from tests.web.seed import PATTERN, email_bytes, email_item
    seeded(site)
    with site.sessions() as session:
        water = store.entry_by_code(session, "eau_assainissement")
        store.update_entry(session, water.id, water.version, {"name": "Eau et assainissement (régie)"}, "admin")
        store.add_copy_rule(session, "dechets", store.entry_by_code(session, "environnement").id, "admin")
        session.commit()
    routed = email_item(email_bytes("Bac non collecté", "Mon bac gris n'a pas été collecté à Thise."),
                        competences=[("dechets", 0.97)], status="routed", name="bac.eml",
                        destination="Direction de la gestion des déchets")
    leak = email_item(email_bytes("Fuite", "Une fuite d'eau rue des Vergers."), competences=[("eau_assainissement", 0.9)],
                      status="routed", name="fuite2.eml")
    doubtful = email_item(email_bytes("Question", "Une question sur la collecte."), competences=[("dechets", 0.4)],
                          name="question.eml", destination="Direction de la gestion des déchets")
    files = FileStore(site.settings.file_store_dir)
    ids = [store_outcome(site.sessions, files, Outcome(i.document, i), run_id=None, chrono_pattern=PATTERN).item_id
           for i in (routed, leak, doubtful)]
    assert _names(site, ids[0]) == [("principal", "Direction de la gestion des déchets", True),
                                    ("copy", "Direction de l'environnement et de la transition écologique", True)]
    assert _names(site, ids[1]) == [("principal", "Eau et assainissement (régie)", True)]
    assert _names(site, ids[2]) == []  # to review: nobody's until a clerk settles it
    with site.sessions() as session:
        row = session.get(ItemRow, ids[1])
        assert row.destination == "Eau et assainissement (régie)" and row.version == 1


def test_the_csv_round_trip_through_the_database_keeps_agents_substitutes_and_copies(site):
    from pipeline.directory import DirectoryFileError, read_csv, write_csv
    from pipeline.store.directory_file import export_data, import_data
    seeded(site)
    with site.sessions() as session:
        water = store.entry_by_code(session, "eau_assainissement")
        head = store.add_person(session, water.id, "admin", name="Claire Exemple", email="c.exemple@example.org",
                                is_head=True)
        store.add_person(session, water.id, "admin", name="Paul Essai", absent_from=date(2026, 12, 21),
                         absent_until=date(2027, 1, 2), substitute_id=head.id)
        store.add_copy_rule(session, "eau_assainissement", store.entry_by_code(session, "25560").id, "admin")
        session.commit()
        text = write_csv(export_data(session))
    edited = text.replace(";Mairie de Thise;;", ";Mairie de Thise;mairie.thise@example.org;")
    with site.sessions() as session:
        result = import_data(session, read_csv(edited), "admin")
        assert (result.created, result.updated, result.agents, result.copies) == (0, 1, 2, 1)
        assert write_csv(export_data(session)) == edited
        thise = store.entry_by_code(session, "25560")
        assert thise.email == "mairie.thise@example.org"
        assert store.events(session, thise.id)[0].action == "imported"
        paul = next(p for p in store.persons(session, water.id) if p.name == "Paul Essai")
        assert paul.substitute_id == head.id and paul.absent_on(date(2026, 12, 24))
    broken = edited.replace(";cible", ";cible").replace(";25560\r\n", ";inconnue\r\n")
    with site.sessions() as session:
        try:
            import_data(session, read_csv(broken), "admin")
            raise AssertionError("a copy to an unknown code must be refused")
        except DirectoryFileError as exc:
            assert "inconnue" in str(exc)


# --- The pages ---

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


def test_after_a_service_sends_an_item_back_the_clerks_new_routing_makes_a_new_principal(site):
    seeded(site)
    leak = site.items[0]
    _settle(site, leak)
    with site.sessions() as session:  # what the service's "réorienté" leaves (pipeline/store/baskets.py)
        row = session.query(ItemDestinationRow).filter_by(item_id=leak, role="principal").one()
        row.taken_at, row.redirected_at, row.redirect_reason = store.now(), store.now(), "pas pour nous"
        session.get(ItemRow, leak).status = "to_review"
        session.commit()
    assert _names(site, leak) == [("principal", "Direction de l'eau et de l'assainissement", False)]
    _settle(site, leak, competence="voirie")
    assert _names(site, leak) == [("principal", "Direction de la voirie et des espaces publics", True),
                                  ("principal", "Direction de l'eau et de l'assainissement", False)]
    with site.sessions() as session:
        assert store.entry_for_item(session, leak).code == "voirie"
        old = session.query(ItemDestinationRow).filter_by(item_id=leak, redirect_reason="pas pour nous").one()
        assert old.taken_at is not None  # its history stays
    _settle(site, leak, competence="commune", commune=None)  # a town hall still to determine: nobody's
    assert [n for n in _names(site, leak) if n[2]] == []


def test_a_bulk_confirmation_distributes_each_item_and_its_undo_takes_it_back(site):
    from pipeline.store.undo import undo_batch
    seeded(site)
    with site.sessions() as session:
        done, batch = review_store.bulk_confirm(session, site.items, 0.4, "agent")
    assert done == len(site.items)
    assert _names(site, site.items[1]) == [("principal", "Direction de la gestion des déchets", True)]
    with site.sessions() as session:
        undo_batch(session, batch, "agent")
    assert all(_names(site, item) == [] for item in site.items)
