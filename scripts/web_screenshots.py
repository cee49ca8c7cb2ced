"""Screenshots of the review page for the docs: the bundled samples run through the real pipeline.

    .venv/bin/python scripts/web_screenshots.py [--out docs/screenshots]

Copies data/samples into a temporary drop folder, runs `triage run` on it (OCR included) into a
temporary SQLite database, starts the review page on loopback, logs in with Chromium and saves
PNG screenshots of the queue and of two item pages (an email, a scanned letter).
"""
from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from sqlalchemy import select  # noqa: E402

from pipeline.config import FolderSource, load_settings  # noqa: E402
from pipeline.runner import run_configured  # noqa: E402
from pipeline.store.database import open_database  # noqa: E402
from pipeline.store.schema import ItemRow  # noqa: E402
from pipeline.store.users import add_user  # noqa: E402
from pipeline.web.app import create_app  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--lang=fr-FR"]
MAX_BYTES = 300_000


def save_small(png: bytes, path: Path) -> None:
    """Palette PNG when the full-colour one is over the size budget (text stays crisp)."""
    if len(png) > MAX_BYTES:
        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        png = buffer.getvalue()
    path.write_bytes(png)
    print(f"{path} : {len(png) // 1024} Ko")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs/screenshots")
    parser.add_argument("--samples", type=Path, default=ROOT / "data/samples")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="triage-shots-"))
    inbox = work / "inbox"
    inbox.mkdir()
    for path in sorted(args.samples.iterdir()):
        if path.suffix.lower() in (".eml", ".pdf", ".png", ".jpg"):
            shutil.copy2(path, inbox / path.name)
    settings = load_settings(ROOT / "config/triage.toml", database_url=f"sqlite:///{work / 'triage.sqlite'}",
                             data_dir=work / "var", folders=[FolderSource(name="demo", path=inbox)],
                             reference_dir=ROOT / "data/reference", routing_file=ROOT / "config/routing.toml",
                             classifier={"model_dir": ROOT / "models", "review_threshold": 0.55})
    summary = run_configured(settings)
    print(f"pipeline : {dict(summary.totals)}")
    sessions = open_database(settings.database_url)
    with sessions() as session:
        add_user(session, "marie.dupont", "mot-de-passe-de-demo", "admin")
        items = list(session.execute(select(ItemRow).order_by(ItemRow.id)).scalars())
    email = next((i for i in items if i.channel == "email" and i.commune_evidence and i.status == "to_review"),
                 next(i for i in items if i.channel == "email" and i.commune_evidence))
    scan = next(i for i in items if i.channel == "courrier" and i.commune_evidence)

    import uvicorn
    from playwright.sync_api import sync_playwright
    app = create_app(settings, database=sessions, secret_key="capture-" * 8)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860}, locale="fr-FR")
            page.goto(f"{base}/connexion")
            page.fill('input[name="username"]', "marie.dupont")
            page.fill('input[name="password"]', "mot-de-passe-de-demo")
            page.click('button[type="submit"]')
            page.goto(f"{base}/file?statut=tous")
            save_small(page.screenshot(), args.out / "file-de-relecture.png")
            for name, item in (("element-courriel.png", email), ("element-courrier-scanne.png", scan)):
                page.goto(f"{base}/elements/{item.id}?statut=tous")
                page.wait_for_load_state("networkidle")
                save_small(page.screenshot(), args.out / name)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
