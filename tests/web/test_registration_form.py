"""The item page's registration form: shown, saved into the audit trail, refused with a French reason."""
import re

from sqlalchemy import select

from pipeline.store.schema import ItemRow, ReviewEventRow
from tests.web.conftest import csrf_of, login


def _version(html: str) -> str:
    form = html[html.index('id="enregistrement"'):]
    return re.search(r'name="version" value="(\d+)"', form).group(1)


def test_a_clerk_types_the_sender_and_letter_date_and_the_audit_trail_shows_them(client, site):
    login(client, "agent")
    item_id = site.items[0]
    page = client.get(f"/elements/{item_id}")
    assert page.status_code == 200 and 'id="enregistrement"' in page.text and 'accesskey="e"' in page.text
    saved = client.post(f"/elements/{item_id}/enregistrement", data={
        "csrf_token": csrf_of(page.text), "version": _version(page.text), "sender": "Gérard Faivre",
        "sender_address": "42 rue Battant", "sender_postcode": "25000", "sender_town": "Besançon",
        "letter_date": "2025-03-14", "subject": "Bac gris non collecté"}, follow_redirects=True)
    assert saved.status_code == 200 and "Enregistrement mis à jour" in saved.text
    assert "Enregistrement modifié" in saved.text and "Date du courrier" in saved.text  # the audit trail, in French
    with site.sessions() as session:
        row = session.get(ItemRow, item_id)
        assert (row.sender, row.sender_postcode, row.letter_date.isoformat()) == ("Gérard Faivre", "25000",
                                                                                  "2025-03-14")
        event = session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item_id,
                                                             ReviewEventRow.action == "enregistrement")).scalar_one()
        assert event.user == "agent" and event.after["sender_town"] == "Besançon"


def test_a_stale_form_or_a_bad_postcode_writes_nothing_and_says_why(client, site):
    login(client, "agent")
    item_id = site.items[1]
    page = client.get(f"/elements/{item_id}")
    version = _version(page.text)
    refused = client.post(f"/elements/{item_id}/enregistrement", data={
        "csrf_token": csrf_of(page.text), "version": version, "sender_postcode": "250"}, follow_redirects=True)
    assert "code postal invalide" in refused.text
    client.post(f"/elements/{item_id}/enregistrement", data={
        "csrf_token": csrf_of(page.text), "version": version, "sender": "Premier"}, follow_redirects=True)
    stale = client.post(f"/elements/{item_id}/enregistrement", data={
        "csrf_token": csrf_of(page.text), "version": version, "sender": "Second"}, follow_redirects=True)
    assert "modifié entre-temps" in stale.text
    with site.sessions() as session:
        assert session.get(ItemRow, item_id).sender == "Premier"


def test_linking_a_follow_up_by_chrono_shows_the_earlier_item_and_what_became_of_it(client, site):
    login(client, "agent")
    first, later = site.items[0], site.items[2]
    with site.sessions() as session:
        chrono = session.get(ItemRow, first).chrono
    page = client.get(f"/elements/{later}")
    client.post(f"/elements/{later}/enregistrement", data={
        "csrf_token": csrf_of(page.text), "version": _version(page.text), "followup_chrono": chrono},
        follow_redirects=True)
    shown = client.get(f"/elements/{later}")
    assert "Ce courrier fait suite à" in shown.text and chrono in shown.text
    assert "Suites reçues" in client.get(f"/elements/{first}").text
