"""Registration fields read from letters written here (not the dev set), and from an email's headers and signature."""
from datetime import date, datetime, timezone

from pipeline.extract.mail import read_email
from pipeline.item import Document, Item, Part
from pipeline.reference import load_reference
from pipeline.understand.french_dates import parse_date
from pipeline.understand.registration import Own, read_letter, register
from tests.conftest import ROOT

OWN = Own.of("Grand Besançon Métropole", "4 rue Gabriel Plançon, 25043 Besançon Cedex",
             load_reference(ROOT / "data" / "reference"))

TIDY = """Mme Odette MARGUET
27 avenue de Montrapon
Bâtiment C
25000 Besançon
Tél. 03 81 50 22 19

Grand Besançon Métropole
Service accueil et courrier
4 rue Gabriel Plançon
25043 Besançon Cedex

Besançon, le 1er mars 2026

V/Réf : DOS-2025-4471
Objet : Encombrants non ramassés devant
la résidence des Tilleuls

Madame, Monsieur,

Les encombrants déposés le 12 février attendent toujours sur le trottoir.

Veuillez agréer mes salutations distinguées.

O. Marguet
"""

# What tesseract makes of a photographed letter: no blank lines where there were, stray marks,
# a town misread by one letter, a date without its year, the recipient block first.
NOISY = """‘ Grand Besançon Métropole
Service accueil et courrier
A rue Gabriel Plançon
25000 Besançon |
de la part de : mon voisin m'a dit que
ASSOCIATION LES AMIS DU FORT
c/o M. Thierry Bôle
2 chemin des Remparts
25480 Ecole-Valentin :
Obiet : Demande de prêt de barrières pour la fête du 14 juillet
Écolc-Valentin, le 3 juin
Mesdames, Messieurs,
Notre association organise comme chaque année un repas champêtre au fort.
"""

NO_SUBJECT = """Monsieur et Madame Bernard PRÊTRE
Ferme des Grands Champs
25870 Châtillon-le-Duc

Grand Besançon Métropole
4 rue Gabriel Plançon
25000 Besançon

Châtillon-le-Duc, le 17/10/2025

Monsieur le Président,

Depuis la tempête du mois dernier, le chemin qui mène à notre ferme est coupé par un arbre tombé.
Pouvez-vous faire intervenir vos équipes ?

Bernard Prêtre
"""

SIGNED_AT_THE_END = """Madame, Monsieur,

Je souhaite obtenir un rendez-vous pour un conseil en rénovation énergétique de ma maison.

Cordialement,

Léa Cuenot
6 rue du Stade
25115 Pouilley-les-Vignes
06 11 22 33 44
"""


def test_a_tidy_letter_gives_sender_address_date_reference_and_a_two_line_subject():
    letter = read_letter(TIDY, OWN)
    found = letter.registration
    assert letter.name == "Mme Odette MARGUET"
    assert found.address == ("27 avenue de Montrapon", "Bâtiment C")
    assert (found.postcode, found.town) == ("25000", "Besançon")
    assert found.letter_date == date(2026, 3, 1)
    assert found.reference == "DOS-2025-4471"
    assert found.objet == "Encombrants non ramassés devant la résidence des Tilleuls"
    assert found.phone == "03 81 50 22 19"


def test_the_metropole_as_recipient_is_never_the_sender_even_first_and_misread():
    letter = read_letter(NOISY, OWN)
    found = letter.registration
    assert "AMIS DU FORT" in letter.name
    assert (found.postcode, found.town) == ("25480", "Ecole-Valentin")
    assert found.letter_date is None  # "le 3 juin": no year, not guessed
    assert found.objet.startswith("Demande de prêt de barrières")


def test_a_letter_without_objet_gets_a_short_title_from_its_first_sentence_but_no_objet():
    scan = Item(document=Document("scanner", "x.pdf", "x.pdf", b"%PDF"), channel="courrier",
                parts=(Part(name="x.pdf", content_type="application/pdf", role="scan", text=NO_SUBJECT),))
    item = register(scan, OWN)
    assert item.registration.objet == ""
    assert item.subject.startswith("Depuis la tempête du mois dernier")
    assert item.sender == "Monsieur et Madame Bernard PRÊTRE"
    assert item.registration.letter_date == date(2025, 10, 17)
    assert (item.registration.postcode, item.registration.town) == ("25870", "Châtillon-le-Duc")
    assert "Objet" not in item.text.splitlines()[0]  # a letter's text is not prefixed with its subject


def test_an_address_under_the_signature_is_the_sender_s_when_the_head_has_none():
    found = read_letter(SIGNED_AT_THE_END, OWN)
    assert found.name == "Léa Cuenot"
    assert (found.registration.postcode, found.registration.town) == ("25115", "Pouilley-les-Vignes")
    assert found.registration.phone == "06 11 22 33 44"


def test_french_dates_in_words_and_figures():
    assert parse_date("14 mars 2025") == (date(2025, 3, 14), True)
    assert parse_date("1er decembre 2026") == (date(2026, 12, 1), True)
    assert parse_date("07 11 2026") == (date(2026, 11, 7), True)
    assert parse_date("mardi 3 septernbre 2024") == (date(2024, 9, 3), True)
    assert parse_date("8 avril") == (None, True)
    assert parse_date("rien") == (None, False)


def test_an_email_takes_its_headers_and_the_postal_address_of_its_signature():
    raw = ("From: Jean Bourgeois <jean.bourgeois@example.org>\r\nTo: courrier@grandbesancon.fr\r\n"
           "Subject: =?utf-8?q?Bac_jaune_cass=C3=A9?=\r\nDate: Mon, 10 Mar 2025 08:15:00 +0100\r\n"
           "Message-ID: <abc@example.org>\r\nIn-Reply-To: <first@grandbesancon.fr>\r\n"
           "References: <zero@example.org> <first@grandbesancon.fr>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n"
           "Bonjour,\r\nMon bac jaune est cassé.\r\nCordialement,\r\nJean Bourgeois\r\n12 rue des Vignes\r\n"
           "25320 Montferrand-le-Château\r\nTél : 06 12 34 56 78\r\n").encode()
    arrived = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)
    item = register(read_email(Document("eml", "m.eml", "m.eml", raw, received_at=arrived)), OWN)
    assert item.received_at == arrived  # arrival, not the Date: header
    assert item.registration.letter_date == date(2025, 3, 10)  # the Date: header is the letter's date
    assert (item.sender, item.sender_email, item.subject) == ("Jean Bourgeois", "jean.bourgeois@example.org",
                                                               "Bac jaune cassé")
    assert item.registration.address == ("12 rue des Vignes",)
    assert (item.registration.postcode, item.registration.town) == ("25320", "Montferrand-le-Château")
    assert item.registration.phone == "06 12 34 56 78"
    assert item.thread.in_reply_to == "<first@grandbesancon.fr>"
    assert item.thread.references == ("<zero@example.org>", "<first@grandbesancon.fr>")
