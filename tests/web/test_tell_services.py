"""The debrief's « Revue terminée : prévenir les services » button: digests through a real SMTP server
(aiosmtpd on loopback), failures listed on the debrief, refused to service accounts."""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from pipeline.config import SmtpSettings
from pipeline.store.schema import AppUserRow
from pipeline.web.app import create_app
from tests.notify_seed import destination, entry, item, person
from tests.ops.conftest import free_port, smtp_server  # noqa: F401 - the fixture
from tests.web.conftest import SECRET, csrf_of, login


def seed(site) -> None:
    with site.sessions() as s:
        water = entry(s, "eau_assainissement", "Direction de l'eau")
        person(s, water, "Anne Agent", "anne@test.local")
        destination(s, item(s, 901, subject="Fuite au compteur"), water)
        s.commit()


def client_with_smtp(site, port: int) -> TestClient:
    settings = site.settings.model_copy(update={"smtp": SmtpSettings(host="127.0.0.1", port=port, security="none")})
    return TestClient(create_app(settings, database=site.sessions, secret_key=SECRET), base_url="http://testserver")


def press(client) -> str:
    token = csrf_of(client.get("/debrief").text)
    answer = client.post("/debrief/prevenir", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/debrief#prevenir"
    return client.get("/debrief").text


def test_button_sends_each_service_its_digest_once(site, smtp_server):
    port, inbox = smtp_server
    seed(site)
    with client_with_smtp(site, port) as client:
        login(client, "agent")
        page = press(client)
        assert "Services prévenus par agent : 1 récapitulatif(s) préparé(s), 1 message(s) envoyé(s)." in page
        [(rcpt, mail)] = inbox.messages
        assert rcpt == ["anne@test.local"] and "Fuite au compteur" in mail.get_body(("plain",)).get_content()
        assert "1 envoyé(s), 0 en attente, 0 en échec" in page
        assert "0 récapitulatif(s) préparé(s), 0 message(s) envoyé(s)." in press(client)
        assert len(inbox.messages) == 1


def test_failed_messages_are_listed_on_the_debrief(site):
    seed(site)
    with client_with_smtp(site, free_port()) as client:  # nothing listens there
        login(client, "admin")
        page = press(client)
        assert "1 en échec (retentés au prochain passage)" in page
        failures = page[page.index('id="envois-en-echec"'):]
        assert "anne@test.local" in failures and "Direction de l&#39;eau" in failures
        assert "envoi impossible par 127.0.0.1" in failures


def test_without_a_mail_server_nothing_is_marked_told(site, client):
    seed(site)
    login(client, "agent")
    assert "Aucun message envoyé : aucun serveur d&#39;envoi configuré" in press(client)


def test_service_accounts_cannot_press_it(site, client):
    login(client, "agent2")
    token = csrf_of(client.get("/debrief").text)
    assert client.post("/debrief/prevenir", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    with site.sessions() as session:  # the account becomes a service's while its session is open
        session.execute(update(AppUserRow).where(AppUserRow.username == "agent2").values(role="service"))
        session.commit()
    assert client.post("/debrief/prevenir", data={"csrf_token": token}, follow_redirects=False).status_code == 403
