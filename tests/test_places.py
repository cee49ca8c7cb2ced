"""Places: the commune a letter concerns, by the labelling rules, on the real gazetteer and spaCy."""
from pathlib import Path

import pytest

from pipeline.understand.gazetteer import load_gazetteer
from pipeline.understand.nlp import load_nlp
from pipeline.understand.places import find_places

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(ROOT / "data/reference", load_nlp())


LETTER = """Mme Claire Dumont
12 rue des Lilas
25220 Thise

Grand Besançon Métropole
4 rue Gabriel Plançon
25000 Besançon

Thise, le 3 mars 2026

Objet : {subject}

Madame, Monsieur,

{body}

Veuillez agréer mes salutations distinguées.
Claire Dumont
"""


def test_sender_address_decides_when_body_names_no_place(gazetteer):
    decision = find_places(LETTER.format(subject="bac jaune", body="Mon bac n'a pas été vidé mardi."), gazetteer)
    assert decision.commune == "25560"
    assert "25220 Thise" in decision.evidence


def test_metropole_recipient_address_is_never_the_place(gazetteer):
    decision = find_places(LETTER.format(subject="bac", body="Le bac est cassé."), gazetteer)
    assert all(p.commune != "25056" for p in decision.places)


def test_place_of_the_subject_beats_the_sender_address(gazetteer):
    body = "Je vous signale une fuite d'eau devant la mairie de Pirey, sur le trottoir."
    assert find_places(LETTER.format(subject="fuite", body=body), gazetteer).commune == "25454"


def test_besancon_street_or_neighbourhood_alone_means_besancon(gazetteer):
    text = "Objet : nid de poule\n\nBonjour,\nIl y a un trou énorme rue de Trey depuis lundi.\nMerci"
    assert find_places(text, gazetteer).commune == "25056"
    text = "Objet : bus\n\nBonjour, le bus ne passe plus à Planoise le dimanche."
    assert find_places(text, gazetteer).commune == "25056"


def test_alias_of_a_merged_village_gives_the_member_commune(gazetteer):
    text = "Objet : collecte\n\nBonjour, à Vaux-les-Prés les poubelles n'ont pas été ramassées."
    assert find_places(text, gazetteer).commune == "25147"


def test_shared_postcode_is_decided_by_the_town_name(gazetteer):
    outside = "Objet : bus\n\nBonjour,\nJean Martin\n3 rue du Moulin\n25320 Abbans-Dessous\n"
    member = "Objet : bus\n\nBonjour,\nJean Martin\n3 rue du Moulin\n25320 Boussières\n"
    assert find_places(outside, gazetteer).commune == "HORS"
    assert find_places(member, gazetteer).commune == "25084"


def test_town_inside_a_street_name_is_not_that_town(gazetteer):
    text = "Objet : trottoir\n\nBonjour, le trottoir de la rue de Chalezeule est défoncé.\nPaul\n25220 Thise"
    assert find_places(text, gazetteer).commune == "25560"


def test_outside_sender_with_no_place_in_the_territory_is_hors(gazetteer):
    text = "Objet : renseignement\n\nBonjour, existe-t-il une aide ?\nCordialement\nLéa Roy\n21000 Dijon"
    assert find_places(text, gazetteer).commune == "HORS"


def test_no_place_at_all_gives_none(gazetteer):
    assert find_places("Objet : question\n\nBonjour, quels sont vos horaires ?", gazetteer).commune is None


def test_permit_number_names_the_commune(gazetteer):
    text = "Objet : PC 025 532 25 B0021\n\nBonjour, où en est l'instruction de ce permis ?"
    assert find_places(text, gazetteer).commune == "25532"


def test_ocr_mangled_name_is_found_by_fuzzy_matching(gazetteer):
    text = "Objet : facture\n\nMadame, Monsieur,\nnous intervenons à Chalezeu1e depuis 2016.\n"
    decision = find_places(text, gazetteer, ocr=True)
    assert decision.commune == "25112"
    assert decision.evidence == "Chalezeu1e"


def test_namesake_in_another_department_is_outside(gazetteer):
    text = "Objet : invitation\n\nLa municipalité de Champagney (Haute-Saône) vous invite à sa fête."
    assert find_places(text, gazetteer).commune == "HORS"


def test_besancon_named_as_a_destination_does_not_override_the_village(gazetteer):
    text = LETTER.format(subject="transport", body="Je dois aller chez le médecin à Besançon chaque semaine.")
    assert find_places(text, gazetteer).commune == "25560"


# --- issue 14: CEDEX codes, streets and stops, sites of members, former homes, outsiders ---

def test_a_senders_besancon_cedex_address_is_besancon(gazetteer):
    text = ("Menuiserie Comtoise\nBP 2207\n25042 Besançon Cedex\n\nObjet : relance facture\n\nMadame, Monsieur,\n"
            "Notre facture reste impayée.\n\nCordialement")
    decision = find_places(text, gazetteer)
    assert decision.commune == "25056" and "25042 Besançon" in decision.evidence


def test_the_metropoles_own_cedex_address_is_still_the_recipient(gazetteer):
    text = ("Jean Noël\n4 rue Haute\n25870 Devecey\n\nGrand Besançon Métropole\nLa City\n25043 Besançon Cedex\n\n"
            "Objet : bac\n\nBonjour,\nMon bac est cassé.\n\nCordialement")
    decision = find_places(text, gazetteer)
    assert decision.commune == "25200"
    assert not any(p.commune == "25056" for p in decision.places)


@pytest.mark.parametrize("sentence", ["Le bitume de la rue de Belfort est défoncé devant le numéro 60.",
                                      "Le distributeur de l'arrêt de tram Croix de Palente est en panne.",
                                      "Le tram est toujours en retard à l'arrêt Polygone le matin.",
                                      "Les bus arrivent en retard au Pôle Temis."])
def test_besancon_streets_and_stops_mean_besancon(gazetteer, sentence):
    assert find_places(f"Objet : signalement\n\nBonjour,\n{sentence}\nMerci", gazetteer).commune == "25056"


def test_a_stop_named_like_a_common_word_needs_arret_before_it(gazetteer):
    text = "Objet : salle\n\nBonjour,\nLa République nous garantit ce droit ; le polygone des forces est clair.\nMerci"
    assert find_places(text, gazetteer).commune is None


@pytest.mark.parametrize("sentence, insee", [("Le parking de la gare Besançon Franche-Comté TGV est plein.", "25035"),
                                             ("Les avions de l'aérodrome de Besançon-Thise volent trop bas.", "25560"),
                                             ("Le chemin vers la source d'Arcier est inondé.", "25575")])
def test_sites_of_member_communes_name_their_commune(gazetteer, sentence, insee):
    assert find_places(f"Objet : signalement\n\nBonjour,\n{sentence}\nMerci", gazetteer).commune == insee


def test_a_former_home_does_not_beat_the_current_address(gazetteer):
    text = ("Objet : bac jaune\n\nBonjour,\nQuand nous habitions à Besançon, la collecte passait le lundi. "
            "Notre bac jaune n'est jamais vidé.\n\nCordialement,\nHélène Boillot\n2 rue des Champs\n25170 Pelousey")
    decision = find_places(text, gazetteer)
    assert decision.commune == "25448"
    assert any(p.commune == "25056" and p.zone == "mention" for p in decision.places)


def test_the_place_one_moved_to_is_where_the_sender_lives(gazetteer):
    text = ("Objet : badge de déchèterie\n\nBonjour,\nNous avons quitté Besançon et nous avons emménagé à Thise le "
            "mois dernier. Comment obtenir un badge ?\nMerci")
    assert find_places(text, gazetteer).commune == "25560"


@pytest.mark.parametrize("body, sender, insee", [
    # a comparison is not the place: the sender's member commune decides
    ("Contrairement à Pirey, notre rue n'a pas de bac de tri.", "Luc Faivre\n6 rue du Moulin\n25480 Miserey-Salines",
     "25381"),
    # a non-member village sharing a member's postcode is outside
    ("Merci de clôturer mon abonnement d'eau.", "Bernard Tissot\n7 rue de l'Église\n25170 Émagny", "HORS"),
    # someone from outside writing about a general matter, a visit named in passing
    ("Lors de mon séjour à Besançon pour un congrès, j'ai découvert votre plan climat : bravo.",
     "Lucien Marchand\n15 rue Victor Hugo\n69002 Lyon", "HORS"),
])
def test_the_sender_decides_when_the_body_names_no_place_of_the_request(gazetteer, body, sender, insee):
    text = f"Objet : courrier\n\nMadame, Monsieur,\n{body}\n\nCordialement,\n{sender}"
    assert find_places(text, gazetteer).commune == insee


@pytest.mark.parametrize("sentence, insee", [
    ("Les visiteurs des grottes d'Osselle se garent sur le bas-côté.", "25438"),
    ("Le chemin de halage est fermé au tunnel de Thoraise.", "25561"),
    ("Les avions de l'aérodrome de La Vèze passent au-dessus de chez nous.", "25611"),
    ("Les camions de la zone des Marnières bloquent le carrefour.", "25112"),
    ("Le bus ne s'arrête plus à Cussey le dimanche.", "25186"),
    ("La chaussée s'affaisse dans la rue principale de Montferrand.", "25397"),
    ("Le container à verre de Vaire-le-Petit déborde.", "25575"),
    ("Le lavoir du Gratteris a besoin d'être nettoyé.", "25364"),
])
def test_hamlets_short_names_and_sites_of_member_communes_name_their_commune(gazetteer, sentence, insee):
    assert find_places(f"Objet : signalement\n\nBonjour,\n{sentence}\nMerci", gazetteer).commune == insee


def test_every_member_place_names_a_member_and_none_is_also_a_besancon_place():
    from pipeline.reference import load_reference
    from pipeline.understand.nlp import fold
    reference = load_reference(ROOT / "data/reference")
    members = {c.insee for c in reference.communes}
    besancon = {" ".join(fold(name).split()) for _, name in reference.besancon_places}
    assert len(reference.member_places) >= 45
    for insee, name in reference.member_places:
        assert insee in members, name
        assert insee == "25056" or " ".join(fold(name).split()) not in besancon, name


def test_a_namesake_outside_the_metropole_sharing_no_postcode_stays_outside(gazetteer):
    # Auxon (70000, Haute-Saône) is not Les Auxons (25870), whose aliases people also write.
    text = ("Objet : horaires\n\nMadame, Monsieur,\nLe car de 7 h ne passe plus par notre village.\n\nCordialement,\n"
            "Marcel Grandjean\n3 impasse des Vignes\n70000 Auxon")
    assert find_places(text, gazetteer).commune == "HORS"
