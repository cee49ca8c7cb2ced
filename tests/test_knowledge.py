"""Who does what: the shipped knowledge base, its deciding words, its precedence in routing, its versions."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.item import Document, Item, Part, Scored
from pipeline.knowledge import KnowledgeBase, decide, load_knowledge_file
from pipeline.reference import load_reference
from pipeline.route import route
from pipeline.routing_table import load_routing_table
from pipeline.status import ItemStatus
from pipeline.store import knowledge as store
from pipeline.store.database import open_database

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = load_reference(ROOT / "data/reference")
CODES = frozenset(c.code for c in REFERENCE.competences)
TABLE = load_routing_table(ROOT / "config/routing.toml")


@pytest.fixture(scope="module")
def book() -> KnowledgeBase:
    return load_knowledge_file(ROOT / "data/reference/knowledge.toml", CODES)


def letter(subject: str, body: str) -> str:
    return (f"Mme Claire Dumont\n12 rue des Lilas\n25220 Thise\n\nGrand Besançon Métropole\n4 rue Gabriel Plançon\n"
            f"25043 Besançon Cedex\n\nObjet : {subject}\n\nMadame, Monsieur,\n\n{body}\n\nCordialement,\nClaire Dumont\n")


def email_item(text: str, competences: list[tuple[str, float]], commune: str | None = "25560") -> Item:
    return Item(Document("test", "x.eml", "x.eml", b"x"), channel="email",
                parts=(Part("corps", "text/plain", "body", text=text),), commune=commune,
                competences=tuple(Scored(label, p) for label, p in competences))


def test_every_competence_and_the_other_administrations_are_in_the_shipped_book(book):
    covered = {a.competence for a in book.authorities}
    assert covered == CODES
    others = {a.key for a in book.authorities if a.kind == "autre"}
    assert {"departement", "region", "etat", "dgfip", "caf", "cpam", "reseaux"} <= others
    assert all(t.explanation and t.words for a in book.authorities for t in a.topics)


def test_canteen_is_the_communes_with_the_clerks_explanation(book):
    hits = book.hits(letter("Cantine", "Les repas de la cantine de l'école sont froids."))
    commune = [h for h in hits if h.competence == "commune"]
    assert commune and commune[0].explanation == "Cantine scolaire : compétence de la commune"
    assert commune[0].in_subject and "cantine" in commune[0].words


def test_words_in_the_address_blocks_are_not_read(book):
    text = ("Cabinet Martin, 3 place de l'École maternelle\n25000 Besançon\n\nObjet : facture\n\nBonjour,\n"
            "Voici notre facture n° 12 du mois de mars.\n\nCordialement")
    assert {h.competence for h in book.hits(text)} == {"finances_achats"}


def test_an_unless_word_cancels_the_topic(book):
    assert any(h.competence == "commune" for h in book.hits(letter("École", "Inscription à l'école maternelle.")))
    hits = book.hits(letter("École", "Le bus ne s'arrête plus devant l'école maternelle : l'arrêt de bus est fermé."))
    assert not any(h.topic.startswith("Écoles") for h in hits)


def test_words_match_whole_words_without_accents_or_case(book):
    assert any(h.authority == "dgfip" for h in book.hits(letter("TAXE FONCIERE", "Mon avis est faux.")))
    # "ter" of "12 ter rue" is not the regional train
    assert not any(h.authority == "region" for h in book.hits(letter("Bruit", "J'habite au 12 ter rue Haute.")))


def test_a_deciding_word_in_the_subject_overrules_a_confident_classifier(book):
    hits = book.hits(letter("Réservation de la salle des fêtes", "Nous voudrions la salle pour un repas."))
    decision = decide(hits, {"culture_sport_tourisme": 0.9, "commune": 0.05}, confident=True)
    assert decision.competence == "commune"
    assert "salle des fêtes" in decision.deciding.words


def test_a_word_in_the_body_only_overrules_an_unsure_classifier(book):
    hits = book.hits(letter("Tarif du bus", "Je suis bénéficiaire du RSA : ai-je droit au tarif solidaire ?"))
    assert decide(hits, {"mobilites": 0.8, "hors_competence": 0.1}, confident=True).competence is None
    assert decide(hits, {"mobilites": 0.3, "hors_competence": 0.2}, confident=False).competence == "hors_competence"


def test_a_frame_wins_over_the_topic_it_mentions(book):
    hits = book.hits(letter("Candidature spontanée : agent de cantine", "Ci-joint mon CV et ma lettre de motivation."))
    assert decide(hits, {"commune": 0.5, "ressources_humaines": 0.4}, confident=False).competence == \
        "ressources_humaines"


def test_a_hint_topic_never_decides(book):
    hits = book.hits(letter("Fuite d'eau", "Une fuite d'eau devant chez moi."))
    assert hits and not any(h.decides for h in hits)
    assert decide(hits, {"voirie": 0.6}, confident=True).competence is None


def test_routing_follows_the_book_and_sends_the_overruled_item_to_review(book):
    text = letter("Cantine scolaire", "Mon fils n'a pas eu de repas à la cantine hier.")
    item = email_item(text, [("dechets", 0.81), ("commune", 0.12)])
    decision = decide(book.hits(text), {"dechets": 0.81, "commune": 0.12}, confident=True)
    routed = route(item, TABLE, REFERENCE, 0.5, date(2026, 3, 2), decision)
    assert routed.competence == "commune" and routed.routing.destination == "Mairie de Thise"
    assert routed.routing.status == ItemStatus.TO_REVIEW
    assert any("Cantine scolaire : compétence de la commune" in r and "dechets" in r for r in routed.routing.reasons)
    assert [s.label for s in routed.competences][:2] == ["commune", "dechets"]


def test_the_book_names_the_other_administration(book):
    text = letter("Route départementale", "La route départementale 683 est pleine de trous entre deux villages.")
    item = email_item(text, [("hors_competence", 0.7), ("voirie", 0.2)])
    decision = decide(book.hits(text), {"hors_competence": 0.7, "voirie": 0.2}, confident=True)
    routed = route(item, TABLE, REFERENCE, 0.5, date(2026, 3, 2), decision)
    assert routed.routing.destination == "Autre administration : Conseil départemental du Doubs"


def test_a_subject_word_agreeing_with_the_classifier_routes_an_item_just_below_its_threshold(book):
    text = letter("Taxe foncière", "Je conteste le montant de ma taxe foncière.")
    item = email_item(text, [("hors_competence", 0.42), ("finances_achats", 0.3)])
    decision = decide(book.hits(text), {"hors_competence": 0.42, "finances_achats": 0.3}, confident=False)
    assert decision.confirmed
    assert route(item, TABLE, REFERENCE, 0.5, date(2026, 3, 2), decision).routing.status == ItemStatus.ROUTED
    assert route(item, TABLE, REFERENCE, 0.5, date(2026, 3, 2), None).routing.status == ItemStatus.TO_REVIEW
    assert route(item, TABLE, REFERENCE, 0.9, date(2026, 3, 2), decision).routing.status == ItemStatus.TO_REVIEW


def test_a_bad_book_is_refused_in_french(book):
    raw = book.to_dict()
    raw["authorities"][0]["competence"] = "cantines"
    with pytest.raises(ConfigError, match="compétence inconnue « cantines »"):
        KnowledgeBase.from_dict(raw, CODES)
    raw = book.to_dict()
    raw["authorities"].append(dict(raw["authorities"][0]))
    with pytest.raises(ConfigError, match="en double"):
        KnowledgeBase.from_dict(raw, CODES)


def test_the_book_round_trips_through_a_dict(book):
    again = KnowledgeBase.from_dict(book.to_dict(), CODES)
    assert again == book


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_versions_are_seeded_once_then_each_save_is_a_new_version(database_url, book):
    sessions = open_database(database_url)
    try:
        with sessions() as session:
            first = store.current_or_seed(session, book.to_dict())
            assert (first.number, first.author) == (1, store.SEED_AUTHOR)
            assert store.current_or_seed(session, {"authorities": []}).number == 1  # the file no longer wins
            edited = book.to_dict()
            edited["authorities"][0]["topics"][0]["words"].append("self")
            second = store.save(session, edited, "admin", "self-service", expected=1)
            with pytest.raises(store.KnowledgeConflict):
                store.save(session, book.to_dict(), "autre", "en même temps", expected=1)
        with sessions() as session:
            assert store.current(session).number == 2 == second.number
            assert "self" in store.current(session).content["authorities"][0]["topics"][0]["words"]
            assert [v.number for v in store.history(session)] == [2, 1]
            assert store.version(session, 1).content == book.to_dict()
        run_book = store.for_run(sessions, book)  # what `triage run` routes with: the admins' version
        assert "self" in run_book.authorities[0].topics[0].words
    finally:
        sessions.kw["bind"].dispose()
