"""The directory in the database (SQLite and PostgreSQL): seeding, edits with their history, distribution."""
from __future__ import annotations

from datetime import date

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
