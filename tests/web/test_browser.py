"""Chromium drives the real server: keyboard review, audit trail, two clerks, hostile email rendered inert."""
from __future__ import annotations

import http.server
import threading
from datetime import date

import pytest
from sqlalchemy import select

from pipeline.store.schema import ItemRow, ReviewEventRow
from tests.web.conftest import browser_login
from tests.web.seed import email_bytes, email_item, store

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _row(site, item_id):
    with site.sessions() as session:
        return session.get(ItemRow, item_id)


def _events(site, item_id):
    with site.sessions() as session:
        return list(session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item_id)
                                    .order_by(ReviewEventRow.id)).scalars())


def test_clerk_confirms_with_enter_then_corrects_competence_and_commune_with_keys(site, live_server, page):
    leak, second = site.items[0], site.items[1]
    browser_login(page, live_server, "agent")
    page.click("#start")
    page.wait_for_url(f"{live_server}/elements/{leak}*")
    assert page.locator("mark.evidence").first.inner_text() == "25220 Thise"
    page.keyboard.press("Enter")  # one key: the suggestion is right
    page.wait_for_url(f"{live_server}/elements/{second}*")
    assert _row(site, leak).status == "confirmed"
    assert [(e.user, e.action) for e in _events(site, leak)] == [("agent", "confirm")]

    page.keyboard.press("4")  # Voirie's key, the same on every item
    page.keyboard.press("c")
    page.keyboard.type("thise")
    page.wait_for_selector("#commune-list li[data-value='25560']")
    page.keyboard.press("Enter")  # picks the commune from the search list
    page.keyboard.press("u")
    page.keyboard.press("m")
    page.keyboard.type("Trou dans la chaussée")
    page.keyboard.press("Escape")
    assert page.locator("#submit-review").inner_text().startswith("Corriger")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: f"/elements/{second}" not in url)

    row = _row(site, second)
    assert (row.status, row.competence, row.commune, row.urgent) == ("corrected", "voirie", "25560", True)
    [event] = _events(site, second)
    assert (event.user, event.action, event.comment) == ("agent", "correct", "Trou dans la chaussée")
    assert event.before == {"status": "to_review", "competence": "dechets", "commune": None, "urgent": False,
                            "destination": "Direction de la gestion des déchets",
                            "due_date": event.before["due_date"]}
    assert event.after["competence"] == "voirie" and event.after["commune"] == "25560"

    page.goto(f"{live_server}/elements/{second}")
    audit = page.locator("#audit").inner_text()
    assert "Correction par agent" in audit
    assert "Compétence : Déchets → Voirie et espaces publics" in audit
    assert "Commune : Aucune → Thise" in audit
    assert "Trou dans la chaussée" in audit


def test_second_clerk_on_the_same_item_sees_who_changed_it(site, live_server, browser, page):
    item = site.items[0]
    browser_login(page, live_server, "agent")
    other_context = browser.new_context(locale="fr-FR")
    other = other_context.new_page()
    try:
        browser_login(other, live_server, "agent2")
        page.goto(f"{live_server}/elements/{item}")
        other.goto(f"{live_server}/elements/{item}")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: f"/elements/{item}?" not in url)
        other.keyboard.press("3")
        other.keyboard.press("Enter")
        other.wait_for_selector("#conflict")
        message = other.locator("#conflict").inner_text()
        assert "modifié par agent" in message and "pas été enregistrées" in message
    finally:
        other_context.close()
    assert _row(site, item).competence == "eau_assainissement"
    assert [e.user for e in _events(site, item)] == ["agent"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"evil")

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def evil_server():
    """A local "attacker" server: any request reaching it means something hostile ran or loaded."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()


def test_hostile_email_renders_inert(site, live_server, page, evil_server):
    evil, hits = evil_server
    html = f"""<html><head><meta http-equiv="refresh" content="0; url=http://{evil}/refresh">
<link rel="stylesheet" href="http://{evil}/style.css">
<style>body {{ background: url("http://{evil}/background.gif"); }}</style>
<script>fetch("http://{evil}/script"); alert("script");</script>
<base href="http://{evil}/"></head>
<body onload="fetch('http://{evil}/onload'); alert('onload')">
<p>Bonjour, un dépôt sauvage bloque le trottoir rue de Vesoul à Besançon.</p>
<img src="http://{evil}/pixel.png" width="1" height="1">
<img src="x" onerror="fetch('http://{evil}/onerror'); alert('onerror')">
<svg onload="alert('svg')"><image href="http://{evil}/svg.png"/></svg>
<a href="javascript:alert('lien')" onmouseover="alert('survol')">cliquez ici</a>
<iframe src="http://{evil}/frame.html"></iframe>
<object data="http://{evil}/object.swf"></object>
<form action="http://{evil}/steal"><input name="p" autofocus onfocus="alert('focus')"></form>
<div style="background-image: url(http://{evil}/div.png)">Cordialement</div>
</body></html>"""
    raw = email_bytes("<script>alert('objet')</script> Dépôt sauvage",
                      "Version texte <script>alert('texte')</script>",
                      sender=f"\"<img src=http://{evil}/sender.png onerror=alert('expediteur')>\" <riverain@evil.example>",
                      html=html)
    [hostile] = store(site.sessions, site.settings.file_store_dir,
                      [email_item(raw, competences=[("dechets", 0.6), ("voirie", 0.3), ("commune", 0.05)],
                                  due=date(2026, 12, 1), name="hostile.eml")])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    browser_login(page, live_server, "agent")
    assert "<script>alert('objet')</script> Dépôt sauvage" in page.locator("#queue").inner_text()
    page.goto(f"{live_server}/elements/{hostile}")
    frame_element = page.wait_for_selector("iframe.email-frame")
    frame = frame_element.content_frame()
    frame.wait_for_load_state("load")
    assert "dépôt sauvage bloque le trottoir" in frame.inner_text("body")
    page.mouse.move(300, 300)
    page.wait_for_timeout(1000)
    assert hits == []
    assert dialogs == []
    sender_markup = "body :is(script, iframe, object, embed, form, input, svg, style, link, meta, base)"
    assert frame.locator(sender_markup).count() == 0  # (the frame's own <head> has a charset and a style)
    assert frame.locator("body, body *").evaluate_all(
        "nodes => nodes.flatMap(n => [...n.attributes].map(a => a.name))"
        ".filter(name => name.startsWith('on') || name === 'style')") == []
    assert frame.locator("img[src^='http']").count() == 0
    assert frame_element.get_attribute("sandbox") == ""
    assert "image(s) distante(s)" in page.locator(".original").inner_text()
    assert "<script>alert('objet')</script>" in page.locator("h1").inner_text()
