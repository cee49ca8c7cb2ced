"""Screenshots of the review desk: the debrief's first screen on a seeded Monday, the queue at 1366×768 and at 200 %.

    .venv/bin/python scripts/desk_screens.py [--out docs/screenshots]

Seeds a temporary SQLite database with the web tests' Monday (tests/web/standup_seed.py) and a
morning's queue, starts the review page on loopback and saves PNGs taken by Chromium.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import load_settings  # noqa: E402
from pipeline.store.database import open_database  # noqa: E402
from pipeline.store.users import add_user  # noqa: E402
from pipeline.web.app import create_app  # noqa: E402
from tests.web.seed import email_bytes, email_item, store  # noqa: E402
from tests.web.standup_seed import MONDAY, seed  # noqa: E402

SUBJECTS = ["Fuite d'eau rue des Vergers", "Bac jaune non collecté", "Nid-de-poule avenue Clemenceau",
            "Demande de composteur", "Abonnement Ginko étudiant", "Certificat d'urbanisme", "Candidature spontanée",
            "Invitation du président", "Éclairage public en panne", "Carte grise perdue", "Facture d'eau contestée",
            "Encombrants devant l'immeuble", "Horaires de la déchèterie", "Travaux de voirie bruyants",
            "Aide à la rénovation énergétique", "Salle des fêtes : réservation", "Dépôt sauvage au bois",
            "Arrêt de bus déplacé", "Redevance incitative", "Trottoir impraticable", "Stationnement gênant",
            "Demande de logement social"]
COMPETENCES = ["eau_assainissement", "dechets", "voirie", "dechets", "mobilites", "urbanisme", "ressources_humaines",
               "cabinet", "commune", "hors_competence", "eau_assainissement"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs/screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="triage-desk-"))
    url = f"sqlite:///{work}/desk.db"
    settings = load_settings(ROOT / "config/triage.toml", database_url=url, data_dir=work / "var",
                             reference_dir=ROOT / "data/reference", routing_file=ROOT / "config/routing.toml", folders=[])
    sessions = open_database(url)
    with sessions() as session:
        add_user(session, "lea", "mot-de-passe-de-demo", "agent")
    seed(sessions)
    items = [email_item(email_bytes(subject, f"Bonjour, {subject.lower()}.", sender=f"Usager {n} <u{n}@example.org>"),
                        competences=[(COMPETENCES[n % len(COMPETENCES)], 0.35 + (n % 5) / 10), ("voirie", 0.1)],
                        urgent=n % 7 == 0, due=date(2026, 11, 20) + timedelta(days=3 * n), name=f"m{n}.eml")
             for n, subject in enumerate(SUBJECTS)]
    store(sessions, settings.file_store_dir, items)
    app = create_app(settings, database=sessions, secret_key="k" * 40)
    import uvicorn
    from playwright.sync_api import sync_playwright
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8767, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = "http://127.0.0.1:8767"
    shots = [("debrief-lundi-1366x768.png", f"/debrief?jour={MONDAY.isoformat()}", 1366, 768, 1),
             ("file-1366x768.png", "/file", 1366, 768, 1),
             ("file-zoom-200.png", "/file", 683, 384, 2),
             ("element-zoom-200.png", "/elements/28", 683, 384, 2)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--lang=fr-FR"])
        for name, path, width, height, scale in shots:
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale,
                                          locale="fr-FR", timezone_id="Europe/Paris")
            page = context.new_page()
            page.goto(f"{base}/connexion")
            page.fill('input[name="username"]', "lea")
            page.fill('input[name="password"]', "mot-de-passe-de-demo")
            page.click('button[type="submit"]')
            page.wait_for_url(f"{base}/file")
            page.goto(base + path)
            if path == "/file" and scale == 1:
                page.keyboard.press("j")
                page.keyboard.press("j")
            (args.out / name).write_bytes(page.screenshot())
            print(args.out / name)
            context.close()
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main()
