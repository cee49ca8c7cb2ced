"""Routing: destination, review status and due dates from the routing table."""
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.item import Document, Item, Part, Scored
from pipeline.reference import load_reference
from pipeline.route import route
from pipeline.routing_table import Delay, load_routing_table
from pipeline.understand.urgency import urgency

ROOT = Path(__file__).resolve().parents[1]
TABLE = load_routing_table(ROOT / "config/routing.toml")
REFERENCE = load_reference(ROOT / "data/reference")
RECEIVED = datetime(2026, 12, 21, 9, 0, tzinfo=timezone.utc)


def item(text: str, competence: str, probability: float = 0.9, commune: str | None = "25056", **kw) -> Item:
    return Item(document=Document("test", "ref", "x.eml", b"x"), channel="email", received_at=RECEIVED,
                parts=(Part("corps", "text/plain", "body", text=text),), commune=commune,
                competences=(Scored(competence, probability),), **kw)


def test_confident_metropolitan_item_is_routed_to_its_service_with_two_months():
    routed = route(item("fuite", "eau_assainissement"), TABLE, REFERENCE, 0.55, date(2026, 12, 21)).routing
    assert routed.status == "routed"
    assert routed.destination == "Direction de l'eau et de l'assainissement"
    assert routed.due_date == date(2027, 2, 21)


def test_low_confidence_goes_to_review_with_a_french_reason():
    routed = route(item("?", "dechets", probability=0.31), TABLE, REFERENCE, 0.55, date.today()).routing
    assert routed.status == "to_review"
    assert "confiance du classement faible" in routed.reasons[0]


def test_communal_topic_goes_to_the_town_hall_of_the_commune_found():
    routed = route(item("état civil", "commune", commune="25560"), TABLE, REFERENCE, 0.55, date.today()).routing
    assert routed.destination == "Mairie de Thise"
    assert routed.destination_kind == "commune"


def test_communal_topic_without_member_commune_needs_review():
    routed = route(item("état civil", "commune", commune="HORS"), TABLE, REFERENCE, 0.55, date.today()).routing
    assert routed.status == "to_review"


def test_other_administration_is_named_from_the_request():
    text = "Je voudrais refaire ma carte grise après mon déménagement."
    routed = route(item(text, "hors_competence"), TABLE, REFERENCE, 0.55, date.today()).routing
    assert routed.destination == "Autre administration : Préfecture du Doubs (ANTS)"
    assert routed.destination_kind == "autre"


def test_working_days_skip_weekends_and_french_public_holidays():
    # 24 Dec 2026 is a Thursday; 25 Dec and 1 Jan are public holidays.
    assert Delay.parse("5 working days").after(date(2026, 12, 24)) == date(2027, 1, 4)
    assert Delay.parse("2 months").after(date(2026, 12, 31)) == date(2027, 2, 28)


def test_unreadable_delay_is_a_configuration_error():
    with pytest.raises(ConfigError):
        Delay.parse("bientôt")


def test_urgent_item_gets_the_short_delay():
    urgent, reasons = urgency("Plus d'eau au robinet depuis ce matin !")
    assert urgent and "coupure" in reasons[0]
    routed = route(item("plus d'eau", "eau_assainissement", urgent=True), TABLE, REFERENCE, 0.55,
                   date.today()).routing
    assert routed.due_date == date(2026, 12, 23)


def test_calm_request_is_not_urgent():
    assert urgency("Bonjour, pourriez-vous m'envoyer le calendrier de collecte ? Merci.") == (False, ())
