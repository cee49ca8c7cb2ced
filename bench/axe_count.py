"""WCAG 2.1 AA violations found by axe-core on the queue, an item and the debrief, for before/after figures.

    .venv/bin/python bench/axe_count.py [--root DIR]

Seeds a temporary SQLite database (the web tests' sample items and the report tests' known day),
starts the review page, and runs axe-core (node_modules, from `scripts/setup.sh --tests`) in
Chromium on each page at 1366×768; prints the rules violated and the number of elements.
`--root` measures another checkout with this checkout's axe-core.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--root", type=Path, default=HERE)
args = parser.parse_args()
sys.path.insert(0, str(args.root))

from pipeline.config import load_settings  # noqa: E402
from pipeline.store.database import open_database  # noqa: E402
from pipeline.store.users import add_user  # noqa: E402
from pipeline.web.app import create_app  # noqa: E402
from tests.ops.seed import seed as seed_day  # noqa: E402
from tests.web.seed import sample_items, store  # noqa: E402

AXE = HERE / "node_modules/axe-core/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="triage-axe-"))
    url = f"sqlite:///{work}/axe.db"
    settings = load_settings(args.root / "config/triage.toml", database_url=url, data_dir=work / "var",
                             reference_dir=args.root / "data/reference", routing_file=args.root / "config/routing.toml",
                             folders=[])
    sessions = open_database(url)
    with sessions() as session:
        add_user(session, "mesure", "mot-de-passe-de-mesure", "agent")
    item = store(sessions, settings.file_store_dir, sample_items(4))[0]
    seed_day(sessions)
    app = create_app(settings, database=sessions, secret_key="k" * 40)
    import uvicorn
    from playwright.sync_api import sync_playwright
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8766, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = "http://127.0.0.1:8766"
    pages = {"file": "/file?statut=tous", "élément": f"/elements/{item}", "débrief": "/debrief?jour=2026-11-24"}
    total = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True, locale="fr-FR").new_page()
        page.goto(f"{base}/connexion")
        page.fill('input[name="username"]', "mesure")
        page.fill('input[name="password"]', "mot-de-passe-de-mesure")
        page.click('button[type="submit"]')
        page.wait_for_url(f"{base}/file")
        for name, path in pages.items():
            page.goto(base + path)
            page.add_script_tag(path=str(AXE))
            found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                                  ".then(r => r.violations.map(v => [v.id, v.nodes.length]))", TAGS)
            nodes = sum(n for _, n in found)
            total += nodes
            print(f"{name:8} : {len(found)} règle(s) enfreinte(s), {nodes} élément(s) "
                  + (", ".join(f"{rule} ×{n}" for rule, n in found) or "—"))
        browser.close()
    server.should_exit = True
    print(f"total : {total} élément(s) en infraction (code : {args.root})")


if __name__ == "__main__":
    main()
