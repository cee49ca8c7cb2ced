"""Search from the default queue view: a chrono number, a sender's name, a word of the body, in any
status, accents aside, with the matches counted per tab (SQLite and PostgreSQL)."""
import re

import pytest
from sqlalchemy import select, update

from pipeline.store.schema import ItemRow
from tests.web.conftest import login
from tests.web.seed import email_bytes, email_item, store


@pytest.fixture
def letters(site):
    """A handled paper letter from Gérard Faivre and a confirmed email about electricity, besides the
    four items to review of the site."""
    paper = email_item(email_bytes("", "Madame, Monsieur,\nl'éclairage public de la rue Battant est en panne.\n"),
                       competences=[("voirie", 0.9)], status="confirmed", name="scan-faivre.eml")
    paper = paper.with_(channel="courrier", sender="Gérard Faivre", sender_email="",
                        subject="Panne d'éclairage rue Battant")
    power = email_item(email_bytes("Compteur", "Bonjour, ma demande : la facture d'ÉLECTRICITÉ de l'école est fausse.\n",
                                   sender="Zoé Perrin <zoe@example.org>"),
                       competences=[("finances_achats", 0.8)], status="confirmed", name="elec.eml")
    ids = store(site.sessions, site.settings.file_store_dir, [paper, power])
    with site.sessions() as session:
        session.execute(update(ItemRow).where(ItemRow.id == ids[0]).values(status="handled"))
        session.commit()
        chronos = dict(session.execute(select(ItemRow.id, ItemRow.chrono).where(ItemRow.id.in_(ids))).all())
    return {"paper": (ids[0], chronos[ids[0]]), "power": (ids[1], chronos[ids[1]])}


def rows(html: str) -> list[str]:
    return re.findall(r'<li role="option"[^>]*>\s*<span class="marks">.*?</span>\s*<span class="mono nowrap">([^<]+)</span>',
                      html, re.S)


def tab_count(html: str, label: str) -> int:
    found = re.search(rf">{label} <span class=\"count\">([\d\s\u202f\xa0]+)</span>", html)
    return int(re.sub(r"\D", "", found.group(1)))


def test_a_chrono_number_a_sender_and_a_body_word_are_found_from_the_default_view(site, client, letters):
    login(client, "agent")
    paper_id, paper_chrono = letters["paper"]
    power_id, power_chrono = letters["power"]
    assert paper_chrono not in rows(client.get("/file").text)  # handled: not in the default tab

    for query in (paper_chrono, paper_chrono.lower(), "Gérard Faivre", "gerard FAIVRE", "battant"):
        page = client.get("/file", params={"q": query}).text
        assert rows(page) == [paper_chrono], query
    assert rows(client.get("/file", params={"q": "electricite"}).text) == [power_chrono]
    assert rows(client.get("/file", params={"q": "électricité école"}).text) == [power_chrono]
    assert rows(client.get("/file", params={"q": "A-2026-999999"}).text) == []


def test_search_counts_its_matches_in_every_tab(site, client, letters):
    login(client, "agent")
    everything = client.get("/file").text
    assert tab_count(everything, "À vérifier") == 4 and tab_count(everything, "Tous") == 6

    page = client.get("/file", params={"q": "demande"}).text  # three to review, the electricity email
    assert tab_count(page, "À vérifier") == 3 and tab_count(page, "Confirmé") == 1
    assert tab_count(page, "Traité") == 0 and tab_count(page, "Tous") == 4
    assert len(rows(page)) == 4
    to_review = re.search(r'<a href="(/file\?[^"]*statut=to_review[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "q=demande" in to_review and len(rows(client.get(to_review).text)) == 3


def test_next_page_links_walk_the_whole_queue_once_in_order(site, client, letters):
    login(client, "agent")
    site.app.state.settings.web.page_size = 2
    with site.sessions() as session:  # ties on due dates, an urgent one, a missing due date
        session.execute(update(ItemRow).where(ItemRow.id == site.items[2]).values(urgent=True))
        session.execute(update(ItemRow).where(ItemRow.id == letters["power"][0]).values(due_date=None))
        session.commit()
    by_number = []
    for number in (1, 2, 3):
        by_number += rows(client.get(f"/file?statut=tous&page={number}").text)
    walked, address = [], "/file?statut=tous"
    while address:
        page = client.get(address).text
        walked += rows(page)
        following = re.search(r'<a rel="next" href="([^"]+)"', page)
        address = following.group(1).replace("&amp;", "&") if following else None
        assert not following or "apres=" in address
    assert walked == by_number and len(set(walked)) == 6


def test_tab_counts_kept_by_triggers_stay_exact(site, client, letters, monkeypatch):
    from sqlalchemy import delete, func

    from pipeline.store import counts
    from pipeline.store.schema import ItemCountRow

    def real():
        with site.sessions() as session:
            found = dict(session.execute(select(ItemRow.status, func.count()).group_by(ItemRow.status)).all())
            return {status: found.get(status, 0) for status in counts.per_status(session)}, counts.per_status(session)

    with site.sessions() as session:  # a bulk move, a change of one, an untouched column, a deletion
        session.execute(update(ItemRow).where(ItemRow.status == "to_review").values(status="confirmed"))
        session.execute(update(ItemRow).where(ItemRow.id == site.items[0]).values(status="corrected"))
        session.execute(update(ItemRow).where(ItemRow.id == site.items[1]).values(urgent=True))
        session.execute(delete(ItemRow).where(ItemRow.id == letters["paper"][0]))
        session.commit()
    expected, kept = real()
    assert kept == expected and expected["confirmed"] == 4 and expected["handled"] == 0

    monkeypatch.setattr(counts, "FOLD_AFTER", 2)
    real()  # folds the deltas
    with site.sessions() as session:
        rows = session.execute(select(func.count()).select_from(ItemCountRow)).scalar_one()
    assert rows <= 2
    expected, kept = real()
    assert kept == expected
    login(client, "agent")
    page = client.get("/file?statut=tous")
    assert tab_count(page.text, "Confirmé") == 4 and tab_count(page.text, "Tous") == 5


def test_a_search_past_the_cap_is_not_counted_but_paged(site, client, letters, monkeypatch):
    from pipeline.store import counts
    monkeypatch.setattr(counts, "CAP", 3)
    site.app.state.settings.web.page_size = 2
    login(client, "agent")
    page = client.get("/file", params={"q": "demande"}).text  # four matches
    assert "Plus de 3 éléments" in page and 'class="count"' not in page
    following = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert len(rows(page)) == 2 and len(rows(client.get(following).text)) == 2
    narrow = client.get("/file", params={"q": "électricité"}).text
    assert "1 élément" in narrow and tab_count(narrow, "Confirmé") == 1


def test_a_prefix_past_the_cap_is_capped_though_its_whole_word_is_not(site, client, letters, monkeypatch):
    """PostgreSQL first counts the words matched whole (cheaper): "deman" is no whole word, its prefix
    matches are counted then, and found past the cap; a page still lists them in queue order."""
    from pipeline.store import counts
    monkeypatch.setattr(counts, "CAP", 3)
    site.app.state.settings.web.page_size = 2
    login(client, "agent")
    whole = client.get("/file", params={"q": "demande"}).text
    prefix = client.get("/file", params={"q": "deman"}).text
    assert "Plus de 3 éléments" in prefix and rows(prefix) == rows(whole) and len(rows(prefix)) == 2
