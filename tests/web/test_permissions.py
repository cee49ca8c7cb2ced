"""Plain HTTP: nothing without logging in, admin pages for admins only, forms without a token refused,
and a service account reads its own basket and nothing else, on every route of the application."""
from __future__ import annotations

import pytest

from tests.web.conftest import csrf_of, login

PAGES = ["/file", "/elements/{item}", "/services", "/services/eau_assainissement", "/mairies/25560",
         "/elements/{item}/fichiers/{file}", "/debrief"]
ADMIN_PAGES = ["/admin/executions", "/admin/quarantaine", "/admin/modeles", "/admin/utilisateurs"]


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """SQLite unless a test asks for both backends (the service accounts' scoping is SQL: it does)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'triage.sqlite'}"


def _file_id(site, item_id):
    from pipeline.store.schema import ItemFileRow
    with site.sessions() as session:
        return session.query(ItemFileRow.id).filter_by(item_id=item_id, role="original").scalar()


def test_no_page_without_login_redirects_to_the_login_page(site, client):
    item = site.items[0]
    for url in PAGES + ADMIN_PAGES:
        response = client.get(url.format(item=item, file=_file_id(site, item)), follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/connexion?suite="), url
    assert "Connexion" in client.get("/file").text


def test_agent_cannot_reach_admin_pages_but_admin_can(site, client):
    assert login(client, "agent").status_code == 303
    assert client.get("/file").status_code == 200
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "réservée aux administrateurs" in response.text
    token = csrf_of(client.get("/file").text)
    refused = client.post("/admin/utilisateurs", data={"csrf_token": token, "username": "intrus",
                                                       "password": "0123456789", "role": "admin"})
    assert refused.status_code == 403
    client.cookies.clear()
    login(client, "admin")
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url


def test_clerks_read_the_morning_debrief_on_the_page(site, client):
    login(client, "agent")
    assert 'href="/debrief"' in client.get("/file").text
    response = client.get("/debrief?jour=2026-11-23")
    assert response.status_code == 200
    assert "Débrief du lundi 23 novembre 2026" in response.text
    assert 'aria-current="page">Débrief du matin' in response.text  # inside the app, with its menu
    printable = client.get("/debrief/rapport?jour=2026-11-23")
    assert "data:image/png;base64," in printable.text or "Aucun courrier reçu" in printable.text
    assert "default-src 'none'" in printable.headers["content-security-policy"]
    assert client.get("/debrief?jour=hier").status_code == 400


def test_wrong_password_is_refused_in_french(client):
    response = login(client, "agent", "pas-le-bon-mot-de-passe")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in response.text
    assert client.get("/file", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_form_without_this_sessions_token_is_rejected(site, client, token):
    login(client, "agent")
    item = site.items[0]
    data = {"version": "1", "competence": "voirie", "commune": "25560", "retour": ""}
    if token:
        data["csrf_token"] = token
    response = client.post(f"/elements/{item}/relecture", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "jeton de sécurité" in response.text
    from pipeline.store.schema import ItemRow
    with site.sessions() as session:
        assert session.get(ItemRow, item).status == "to_review"


def test_form_posted_from_another_site_is_rejected(site, client):
    login(client, "agent")
    token = csrf_of(client.get("/file").text)
    response = client.post(f"/elements/{site.items[0]}/relecture", headers={"Origin": "http://evil.example"},
                           data={"csrf_token": token, "version": "1", "competence": "voirie", "retour": ""})
    assert response.status_code == 403


def test_login_form_itself_needs_its_token(client):
    client.get("/connexion")
    response = client.post("/connexion", data={"username": "agent", "password": "agent-mot-de-passe"})
    assert response.status_code == 403


def test_changed_password_ends_open_sessions(site, client):
    from pipeline.store.users import set_password
    login(client, "agent")
    assert client.get("/file").status_code == 200
    with site.sessions() as session:
        set_password(session, "agent", "un-tout-nouveau-mot-de-passe")
    response = client.get("/file", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")


def test_session_older_than_the_maximum_lifetime_must_log_in_again(site, client, monkeypatch):
    import time
    login(client, "agent")
    assert client.get("/file").status_code == 200
    later = time.time() + site.settings.web.session_max_hours * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/file", follow_redirects=False).status_code == 303


def test_session_expires_after_an_idle_hour_but_not_while_the_clerk_works(site, client, monkeypatch):
    import time
    start = time.time()
    clock = {"now": start}
    monkeypatch.setattr(time, "time", lambda: clock["now"])
    login(client, "agent")
    for minutes in (50, 100, 150):  # one request every 50 minutes: never idle for an hour
        clock["now"] = start + minutes * 60
        assert client.get("/file", follow_redirects=False).status_code == 200, minutes
    clock["now"] += 61 * 60
    assert client.get("/file", follow_redirects=False).status_code == 303


def test_security_headers_forbid_inline_script_and_framing_by_others(client):
    login(client, "agent")
    headers = client.get("/file").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert "app;dur=" in headers["server-timing"]


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example",
                                    "/file\r\nSet-Cookie: x=1"])
def test_no_redirect_to_another_site(site, client, target):
    page = client.get("/connexion")
    response = client.post("/connexion", data={"username": "agent", "password": "agent-mot-de-passe",
                                                "csrf_token": csrf_of(page.text), "suite": target},
                           follow_redirects=False)
    assert response.headers["location"] == "/"
    handled = client.post("/services/traiter", data={"csrf_token": csrf_of(client.get("/file").text),
                                                     "retour": target}, follow_redirects=False)
    assert handled.headers["location"] == "/"


def test_incomplete_form_gets_a_french_page(site, client):
    login(client, "agent")
    token = csrf_of(client.get("/file").text)
    response = client.post(f"/elements/{site.items[0]}/relecture", data={"csrf_token": token, "version": "1"})
    assert response.status_code == 400 and "Formulaire incomplet" in response.text


# --- Service and town-hall accounts, over every route of the application ---

OPEN_TO_SERVICES = {"/connexion", "/deconnexion", "/favicon.ico", "/"}  # plus everything under /corbeille
REDIRECTED_TO_BASKET = {"/", "/file"}
# A value for each path parameter; a new route with a parameter not listed here fails the walk until
# someone says what to try in it.
SAMPLES = {"batch_id": "1", "number": "1", "kind": "communes", "code": "eau_assainissement", "insee": "25560",
           "letter_id": "1", "version": "v1", "entry_id": "1", "key": "competences", "index": "0",
           "stamp": "prendre", "person_id": "1", "rule_id": "1"}


def _all_routes(routes):
    """(method, path) of every route, whatever the nesting of routers (FastAPI may keep them lazily)."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from _all_routes(route.effective_candidates())
        elif getattr(route, "methods", None):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path


def _url(path: str, values: dict) -> str:
    import re
    names = re.findall(r"{([a-z_]+)(?::[a-z]+)?}", path)
    missing = [name for name in names if name not in values]
    assert not missing, f"{path} : paramètre sans valeur d'essai {missing} (ajoutez-le à SAMPLES)"
    return re.sub(r"{([a-z_]+)(?::[a-z]+)?}", lambda m: str(values[m.group(1)]), path)


def _user_id(site, username: str) -> int:
    from pipeline.store.users import list_users
    with site.sessions() as session:
        return next(u.id for u in list_users(session) if u.username == username)


def _state(site) -> list:
    """Everything a refused request must leave as it was."""
    from pipeline.store.schema import AppUserRow, ItemDestinationRow, ItemRow, ReviewEventRow
    with site.sessions() as session:
        return [sorted((r.id, r.status, r.version) for r in session.query(ItemRow)),
                sorted((r.id, r.taken_at, r.answered_at, r.redirected_at) for r in session.query(ItemDestinationRow)),
                session.query(ReviewEventRow).count(), sorted((r.username, r.role) for r in session.query(AppUserRow))]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_service_account_reads_nothing_but_its_basket_on_any_route(site, client):
    from tests.web.basket_seed import PASSWORDS, chrono_of, seed_baskets
    seed_baskets(site)  # the "dechets" account: item 1 as principal, item 0 in copy; items 2 and 3 are others'
    own, copy, foreign = site.items[1], site.items[0], site.items[2:]
    assert login(client, "dechets", PASSWORDS["dechets"]).headers["location"] == "/corbeille"
    token = csrf_of(client.get("/corbeille").text)
    secrets = [chrono_of(site, item) for item in foreign]
    before = _state(site)
    routes = sorted(set(_all_routes(site.app.routes)))
    assert ("GET", "/corbeille/items/{item_id}/fichiers/{file_id}") in routes and len(routes) > 40
    checked = 0
    for item in foreign:
        values = {**SAMPLES, "item_id": item, "file_id": _file_id(site, item), "user_id": _user_id(site, "admin")}
        for method, path in routes:
            url = _url(path, values)
            if method == "GET":
                response = client.get(url, follow_redirects=False)
            else:
                response = client.request(method, url, data={"csrf_token": token, "version": "1", "motif": "x",
                                                             "date_reponse": "2026-01-02", "canal": "email"},
                                          follow_redirects=False)
            served = response.content.decode("utf-8", "replace")
            for secret in secrets:
                assert secret not in served, f"{method} {url} montre {secret}"
            if path.startswith("/corbeille/items/"):
                assert response.status_code == 404, f"{method} {url} : {response.status_code}"
            elif path.startswith("/corbeille") or path in OPEN_TO_SERVICES:
                assert response.status_code in (200, 204, 303, 401), f"{method} {url} : {response.status_code}"
            elif method == "GET" and path in REDIRECTED_TO_BASKET:
                assert response.headers["location"] in ("/corbeille", "/file"), url
            else:
                assert response.status_code == 403, f"{method} {url} : {response.status_code}"
                assert "réservée à l&#39;équipe du courrier" in served, url
            if path == "/deconnexion":  # logged out by the walk: back in for the next routes
                login(client, "dechets", PASSWORDS["dechets"])
                token = csrf_of(client.get("/corbeille").text)
            checked += 1
    assert checked == 2 * len(routes)
    assert _state(site) == before  # nothing was changed by any refused request

    # Its own items: through the basket yes, through the clerks' pages no.
    for item in (own, copy):
        file_id = _file_id(site, item)
        assert client.get(f"/corbeille/items/{item}").status_code == 200
        assert client.get(f"/corbeille/items/{item}/fichiers/{file_id}").status_code == 200
        assert client.get(f"/elements/{item}/fichiers/{file_id}").status_code == 403
        assert client.get(f"/elements/{item}").status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_clerks_read_every_basket_item_but_act_for_no_service(site, client):
    from tests.web.basket_seed import seed_baskets
    seed_baskets(site)
    login(client, "agent")
    item = site.items[2]
    page = client.get(f"/corbeille/items/{item}")
    assert page.status_code == 200 and "lecture seule" in page.text
    refused = client.post(f"/corbeille/items/{item}/prendre", data={"csrf_token": csrf_of(page.text)})
    assert "pas (ou plus) dans votre corbeille" in refused.text
    assert client.get("/file").status_code == 200
