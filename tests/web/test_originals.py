"""The original as received: scan pages rendered as images on the server, attachments only as downloads."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from pipeline.item import Document, Item, Part, Routing, Scored
from pipeline.store.schema import ItemFileRow
from pipeline.extract.mail import read_email
from tests.conftest import DATA
from tests.web.conftest import login
from tests.web.seed import store

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _scan_item(raw: bytes, name: str, content_type: str) -> Item:
    document = Document(source="scanner", ref=name, filename=name, raw=raw)
    return Item(document=document, channel="courrier",
                parts=(Part(name=name, content_type=content_type, role="scan", raw=raw,
                            text="Objet : Demande de composteur\n25220 Thise"),),
                competences=(Scored("dechets", 0.7),), commune="25560", commune_evidence="25220 Thise",
                routing=Routing("metropole", "Direction de la gestion des déchets", "to_review", None, ()))


def _png(width=1200, height=1700) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 235).save(buffer, "PNG")
    return buffer.getvalue()


def test_scan_pages_are_rendered_as_images_on_the_server(site, client):
    [item_id] = store(site.sessions, site.settings.file_store_dir, [_scan_item(_png(), "courrier.png", "image/png")])
    login(client, "agent")
    page = client.get(f"/elements/{item_id}").text
    assert "Demande de composteur" in page  # the heading comes from the letter's "Objet :" line
    src = re.search(r'src="(/elements/\d+/fichiers/\d+/pages/1\.png)"', page).group(1)
    image = client.get(src)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).width == 1000  # scaled for the screen
    assert client.get(src.replace("/1.png", "/2.png")).status_code == 404


def test_pdf_attachment_pages_render_and_attachments_only_download(site, client):
    raw = (DATA / "email_with_pdf.eml").read_bytes()
    item = read_email(Document(source="eml", ref="pdf.eml", filename="pdf.eml", raw=raw)).with_(
        competences=(Scored("eau_assainissement", 0.8),),
        routing=Routing("metropole", "Direction de l'eau et de l'assainissement", "to_review", None, ()))
    [item_id] = store(site.sessions, site.settings.file_store_dir, [item])
    login(client, "agent")
    page = client.get(f"/elements/{item_id}").text
    src = re.search(r'src="(/elements/\d+/fichiers/\d+/pages/1\.png)"', page).group(1)
    assert client.get(src).headers["content-type"] == "image/png"
    with site.sessions() as session:
        attachment = session.query(ItemFileRow).filter_by(item_id=item_id, role="attachment").one()
    download = client.get(f"/elements/{item_id}/fichiers/{attachment.id}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.content.startswith(b"%PDF")
    assert client.get(f"/elements/{item_id + 99}/fichiers/{attachment.id}").status_code == 404


def _two_frame_tiff() -> bytes:
    """A small first page and a 144-million-pixel second one, 9 KB in all (group 4 compresses white well)."""
    buffer = io.BytesIO()
    Image.new("1", (600, 800), 1).save(buffer, "TIFF", compression="group4", save_all=True,
                                       append_images=[Image.new("1", (12000, 12000), 1)])
    return buffer.getvalue()


def test_oversized_tiff_frame_is_refused_from_its_header_and_the_small_one_shown(site, client):
    [item_id] = store(site.sessions, site.settings.file_store_dir,
                      [_scan_item(_two_frame_tiff(), "double.tif", "image/tiff")])
    login(client, "agent")
    page = client.get(f"/elements/{item_id}").text
    src = re.search(r'src="(/elements/\d+/fichiers/\d+/pages/1\.png)"', page).group(1)
    assert client.get(src).status_code == 200
    assert client.get(src.replace("/1.png", "/2.png")).status_code == 404

