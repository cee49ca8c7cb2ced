"""Keys a clerk presses per item on the review page: confirm, correct the competence, correct the commune.

    .venv/bin/python bench/review_keys.py [--root DIR] [--items 15]

Seeds a temporary SQLite database with items whose top-3 suggestions vary, starts the review page
on loopback and drives Chromium like a clerk who uses the keyboard only, with the fewest keys the
page allows; every decision is checked in the database. `--root` runs the same measurement
against another checkout (e.g. `git archive main` unpacked in /tmp) to compare before and after.

Strategies: confirm = Enter. Competence = its key when the page shows one, else Tab into the
list, arrows to it, Enter. Commune = `c`, then the letters of its name one by one until the
picker lists it first (arrows if it never does), Enter to choose, Enter to validate.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
parser.add_argument("--items", type=int, default=15)
args = parser.parse_args()
sys.path.insert(0, str(args.root))

from pipeline.config import load_settings  # noqa: E402
from pipeline.reference import load_reference  # noqa: E402
from pipeline.store.database import open_database  # noqa: E402
from pipeline.store.schema import ItemRow  # noqa: E402
from pipeline.store.users import add_user  # noqa: E402
from pipeline.web.app import create_app  # noqa: E402
from tests.web.seed import email_bytes, email_item, store  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "mot-de-passe-de-mesure"


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


def seed(sessions, settings, reference, count: int) -> list[int]:
    codes = [c.code for c in reference.competences]
    items = []
    for n in range(count):
        top = [codes[(n * 2) % len(codes)], codes[(n * 2 + 5) % len(codes)], codes[(n * 2 + 9) % len(codes)]]
        items.append(email_item(email_bytes(f"Demande {n}", f"Bonjour, voici la demande {n}."),
                                competences=list(zip(top, (0.5, 0.3, 0.1))), name=f"demande-{n}.eml",
                                due=date(2027, 1, 1) + timedelta(days=n)))
    return store(sessions, settings.file_store_dir, items)


def value(sessions, item_id: int, column: str):
    with sessions() as session:
        return getattr(session.get(ItemRow, item_id), column)


def wait_list(page, typed: str) -> None:
    """The new picker fills its list from the server: wait until it shows what was typed."""
    if page.evaluate("'fuzzy' in document.getElementById('commune-search').dataset"):
        page.wait_for_function("q => document.getElementById('commune-list').dataset.query === q", arg=typed)


def competence_keys(page, target: str) -> int:
    key = page.get_attribute(f'input[name="competence"][value="{target}"]', "data-key")
    if key:
        page.keyboard.press(key)
        page.keyboard.press("Enter")
        return 2
    presses = 0
    while not page.evaluate("document.activeElement && document.activeElement.name === 'competence'"):
        page.keyboard.press("Tab")
        presses += 1
        if presses > 80:
            raise RuntimeError("compétence inaccessible au clavier")
    while page.evaluate("document.activeElement.value") != target:
        page.keyboard.press("ArrowDown")
        presses += 1
    page.keyboard.press("Enter")
    return presses + 1


def commune_keys(page, insee: str, name: str) -> int:
    page.keyboard.press("c")
    presses = 1
    typed = ""
    for char in fold(name):
        page.keyboard.type(char)
        typed += char
        presses += 1
        wait_list(page, typed)
        if page.get_attribute("#commune-list li >> nth=0", "data-value") == insee:
            break
    options = page.locator("#commune-list li")
    values = [options.nth(i).get_attribute("data-value") for i in range(options.count())]
    presses += values.index(insee)  # arrows down to it
    for _ in range(values.index(insee)):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    return presses + 2


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="triage-keys-"))
    url = f"sqlite:///{work}/keys.db"
    settings = load_settings(args.root / "config/triage.toml", database_url=url, data_dir=work / "var",
                             reference_dir=args.root / "data/reference", routing_file=args.root / "config/routing.toml",
                             folders=[])
    sessions = open_database(url)
    reference = load_reference(settings.reference_dir)
    with sessions() as session:
        add_user(session, "mesure", PASSWORD, "agent")
    app = create_app(settings, database=sessions, secret_key="k" * 40)
    import uvicorn
    from playwright.sync_api import sync_playwright
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8765, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = "http://127.0.0.1:8765"
    codes = [c.code for c in reference.competences]
    communes = sorted(reference.communes, key=lambda c: c.insee)
    picked = [communes[(n * 7) % len(communes)] for n in range(args.items)]
    figures = {"confirmation": [], "compétence": [], "commune": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(10_000)
        page.goto(f"{base}/connexion")
        page.fill('input[name="username"]', "mesure")
        page.fill('input[name="password"]', PASSWORD)
        page.click('button[type="submit"]')
        page.wait_for_url(f"{base}/file")
        for kind in figures:
            for n, item_id in enumerate(seed(sessions, settings, reference, args.items)):
                page.goto(f"{base}/elements/{item_id}")
                page.evaluate("document.activeElement && document.activeElement.blur()")
                if kind == "confirmation":
                    page.keyboard.press("Enter")
                    keys, column, expected = 1, "status", "confirmed"
                elif kind == "compétence":
                    current = value(sessions, item_id, "competence")
                    expected = next(c for c in codes[n % len(codes):] + codes if c != current)
                    keys, column = competence_keys(page, expected), "competence"
                else:
                    keys, column, expected = commune_keys(page, picked[n].insee, picked[n].name), "commune", picked[n].insee
                page.wait_for_url(lambda u, i=item_id: not u.split("?")[0].endswith(f"/elements/{i}"))
                got = value(sessions, item_id, column)
                if got != expected:
                    raise SystemExit(f"{kind} : attendu {expected}, obtenu {got} (élément {item_id})")
                figures[kind].append(keys)
        browser.close()
    server.should_exit = True
    print(f"code mesuré : {args.root} · {args.items} éléments par cas (machine chargée : les temps ne comptent pas ici)")
    for kind, keys in figures.items():
        print(f"{kind:13} touches par élément : moyenne {statistics.mean(keys):.1f} · "
              f"min {min(keys)} · max {max(keys)}")


if __name__ == "__main__":
    main()
