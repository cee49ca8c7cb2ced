"""The demo emails: 12 MIME shapes and charsets, with their labels."""
from __future__ import annotations

from html import escape

from samples.common import SEED
from samples.layout import Letter, layout
from samples.mime import address, b64, enc, entity, headers, html_page, multipart, pdf_part, qp, text_part
from samples.pdf import scanned_pdf, text_pdf


def sample_emails() -> list[tuple[str, bytes, dict]]:
    out = []

    # 01 plain, utf-8 quoted-printable
    text = """Bonjour,

Notre bac jaune n'a pas été collecté mardi 11 mars, alors qu'il était sorti la veille au soir devant le 14 rue Champrond, comme d'habitude. Les voisins du 10 et du 12 sont dans le même cas.

Le bac déborde maintenant et les sacs de tri commencent à s'entasser à côté, sur le trottoir. Pouvez-vous faire repasser le camion de collecte cette semaine, ou m'indiquer si le jour de ramassage du tri a changé dans le quartier des Chaprais ?

Merci d'avance,

Martine Girardot
14 rue Champrond
25000 Besançon
06 31 48 27 90
"""
    out.append(("sample-01.eml", entity(
        headers(address("Martine Girardot", "martine.girardot@orange.fr"), "Bac jaune non collecté rue Champrond",
                "Wed, 12 Mar 2025 08:41:17 +0100", "20250312084117.4F21@smtp.orange.fr",
                extra=[("X-Mailer", "Orange Messagerie")])
        + [("Content-Type", 'text/plain; charset="utf-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(text)), {"competence": "dechets", "commune": "25056", "urgent": False, "shape": "plain"}))

    # 02 HTML only, utf-8 base64 (webmail), an alias (Auxon-Dessous) and no postcode
    html = html_page([
        "Bonjour,",
        "Depuis la rentrée de septembre, le bus de <b>7 h 12</b> qui partait de l'arrêt <i>Église</i> à "
        "Auxon-Dessous a été supprimé. Le suivant passe à 7 h 58, ce qui ne me permet plus d'arriver à "
        "l'heure au travail. Plusieurs voisins qui ont un abonnement Ginko annuel sont dans la même situation.",
        "Serait-il possible de rétablir ce départ, au moins les jours de semaine, ou de prévoir une solution "
        "de transport à la demande sur ce créneau&nbsp;?",
        "Je vous remercie de votre réponse.",
        "Julien Mougin<br>3 impasse des Vergers<br>Auxon-Dessous",
    ])
    out.append(("sample-02.eml", entity(
        headers(address("Julien Mougin", "julien.mougin@gmail.com"), "Suppression du bus de 7h12 à Auxon-Dessous",
                "Mon, 15 Sep 2025 19:03:52 +0200",
                "CAF7x2kq9Z+Lm3vQ-8sYw1pR@mail.gmail.com")
        + [("Content-Type", 'text/html; charset="UTF-8"'), ("Content-Transfer-Encoding", "base64")],
        b64(html.encode("utf-8"))), {"competence": "mobilites", "commune": "25035", "urgent": False,
                                     "shape": "html_only"}))

    # 03 multipart/alternative, urgent: no water at all
    plain = """Bonjour,

Depuis ce matin 6 heures, nous n'avons plus une goutte d'eau au robinet au 8 chemin des Prés à Saône. Nos voisins du 6 et du 10 sont dans la même situation. Nous n'avons reçu aucun avis de coupure ni de travaux.

Ma mère, âgée de 87 ans, vit avec nous et a besoin d'eau pour ses soins. Pouvez-vous intervenir en urgence et nous dire quand l'eau sera rétablie ?

Sophie Cuenot
8 chemin des Prés
25660 Saône
Tél. 06 12 57 83 40
"""
    html = html_page([
        "Bonjour,",
        "Depuis ce matin 6 heures, nous n'avons <b>plus une goutte d'eau</b> au robinet au 8 chemin des Prés "
        "à Saône. Nos voisins du 6 et du 10 sont dans la même situation. Nous n'avons reçu aucun avis de "
        "coupure ni de travaux.",
        "Ma mère, âgée de 87 ans, vit avec nous et a besoin d'eau pour ses soins. Pouvez-vous intervenir "
        "<u>en urgence</u> et nous dire quand l'eau sera rétablie&nbsp;?",
        "Sophie Cuenot<br>8 chemin des Prés<br>25660 Saône<br>Tél. 06 12 57 83 40",
    ])
    out.append(("sample-03.eml", entity(
        headers(address("Sophie Cuenot", "sophie.cuenot25@laposte.net"), "URGENT - plus d'eau depuis ce matin à Saône",
                "Tue, 22 Jul 2025 07:26:04 +0200", "a81c55e0-7d2e-4f61-9a3b-52e3c1d0f7a2@laposte.net",
                extra=[("Importance", "high"), ("X-Priority", "1")])
        + [("Content-Type", 'multipart/alternative; boundary="----=_Part_48213_1093542761.1753161964120"')],
        multipart("----=_Part_48213_1093542761.1753161964120", [text_part(plain), text_part(html, "html")], None)),
        {"competence": "eau_assainissement", "commune": "25532", "urgent": True, "shape": "alternative"}))

    # 04 ISO-8859-1, 8bit: a plot in Pouilley-les-Vignes, sender living in Besançon
    text = """Madame, Monsieur,

Je suis propriétaire d'un terrain d'environ 1 100 m² cadastré section AB n° 112, lieu-dit « Les Champs Longs », sur la commune de Pouilley-les-Vignes.

Je souhaiterais savoir si ce terrain est constructible au regard du plan local d'urbanisme intercommunal, et déposer une demande de certificat d'urbanisme opérationnel pour la construction d'une maison individuelle. Pourriez-vous m'indiquer le zonage de la parcelle ainsi que les pièces à joindre à ma demande ?

Avec mes remerciements,

Bernard Pernot
31 rue Mégevand
25000 Besançon
"""
    out.append(("sample-04.eml", entity(
        headers(address("Bernard Pernot", "b.pernot@free.fr", "iso-8859-1"),
                "Constructibilité d'un terrain - parcelle AB 112", "Thu, 10 Apr 2025 21:17:45 +0200",
                "67F81A29.3040501@free.fr", charset="iso-8859-1",
                extra=[("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Thunderbird/128.9.0")])
        + [("Content-Type", 'text/plain; charset=ISO-8859-1; format=flowed'), ("Content-Transfer-Encoding", "8bit")],
        text.encode("iso-8859-1")), {"competence": "urbanisme", "commune": "25467", "urgent": False,
                                     "shape": "latin1"}))

    # 05 forwarded by the town hall, urgent: a collapsing river bank
    plain = """Bonjour,

Je vous transfère le message d'un habitant concernant la berge du Doubs, qui relève de la compétence GEMAPI de la métropole. Monsieur le Maire a fait poser des barrières provisoires ce matin mais la situation nous semble préoccupante.

Cordialement,

Nathalie Vauthier
Secrétariat de mairie
Mairie de Novillars

---------- Message transféré ----------
De : Alain Bourgeois <alain.bourgeois70@orange.fr>
Date : lun. 7 avr. 2025 à 18:42
Objet : Berge effondrée le long du chemin de halage
À : Mairie de Novillars <accueil.mairie.novillars@orange.fr>

Bonjour,

Ce week-end, une partie de la berge du Doubs s'est effondrée le long du chemin de halage, à hauteur de l'ancienne papeterie. Le chemin est fissuré sur plusieurs mètres et un grand frêne penche maintenant au-dessus de l'eau, ses racines à nu.

Des enfants passent à vélo tous les jours à cet endroit et des pêcheurs s'installent juste en dessous. Il faudrait intervenir rapidement avant un accident.

Alain Bourgeois
"""
    lines = [escape(line) for line in plain.split("\n")]
    html = ('<div dir="ltr">' + "<br>".join(lines[:11]) + '<br><div class="gmail_quote">'
            + "<br>".join(lines[11:]) + "</div></div>\n")
    out.append(("sample-05.eml", entity(
        headers(address("Mairie de Novillars", "accueil.mairie.novillars@orange.fr"),
                "TR: Berge effondrée le long du chemin de halage", "Tue, 08 Apr 2025 09:12:30 +0200",
                "CAM4nT0vQp8s7YkR2e_Wd=Jx5Lb@mail.orange.fr")
        + [("Content-Type", 'multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"')],
        multipart("000000000000a1b2c3d4e5f60718", [text_part(plain), text_part(html, "html")], None)),
        {"competence": "environnement", "commune": "25429", "urgent": True, "shape": "forwarded"}))

    # 06 the letter as a born-digital PDF attachment (pothole damage in Besançon, sender in Thise)
    letter = Letter(
        sender=["Karim Benali", "5 rue des Tilleuls", "25220 Thise", "karim.benali@free.fr"],
        place_date="Thise, le 3 mars 2025",
        objet="Demande d'indemnisation – dommages causés à mon véhicule par un nid-de-poule",
        body=[
            "Le 18 février 2025 vers 19 heures, alors que je circulais avenue Carnot à Besançon en direction "
            "du centre-ville, mon véhicule (Peugeot 308 immatriculée FG-482-KT) a heurté un nid-de-poule "
            "profond et non signalé, situé sur la voie de droite à la hauteur de l'arrêt de bus.",
            "Le choc a déformé la jante et détruit le pneu avant droit. Le garage a facturé la réparation "
            "412,60 € TTC. Un témoin, dont je vous communique les coordonnées, était présent et a constaté "
            "la présence du trou.",
            "Estimant que ce dommage résulte d'un défaut d'entretien de la voie publique, je vous demande de "
            "bien vouloir m'indemniser de ce montant. Vous trouverez ci-joint la facture du garage, des "
            "photographies du trou et de la roue ainsi que l'attestation du témoin.",
        ],
        signature=["Karim Benali"],
        pj="P.J. : facture n° 2025-1187 du garage, 4 photographies, attestation de témoin",
    )
    attachment = text_pdf(layout(letter, "sans"), "sans", "Demande d'indemnisation", "20250303101522+01'00'")
    body = """Bonjour,

Veuillez trouver ci-joint mon courrier de demande d'indemnisation à la suite des dommages subis par mon véhicule le 18 février.

Les pièces justificatives suivront par courrier postal.

Cordialement,
Karim Benali
"""
    out.append(("sample-06.eml", entity(
        headers(address("Karim Benali", "karim.benali@free.fr"), "Demande d'indemnisation - véhicule endommagé",
                "Mon, 03 Mar 2025 10:18:09 +0100", "1741000689.3321.karim.benali@free.fr")
        + [("Content-Type", 'multipart/mixed; boundary="=_b8a5e3c2d1f04e7a9c6b"')],
        multipart("=_b8a5e3c2d1f04e7a9c6b", [text_part(body), pdf_part(attachment, "courrier_indemnisation.pdf")])),
        {"competence": "juridique_assurances", "commune": "25056", "urgent": False, "shape": "attached_letter"}))

    # 07 the letter as a scanned image-only PDF attachment (France Rénov', Saint-Vit / Boismurie)
    letter = Letter(
        sender=["Monique Jacquot", "4 rue du Moulin – Boismurie", "25410 Saint-Vit"],
        place_date="Saint-Vit, le 11 mars 2025",
        objet="Demande d'aide pour la rénovation énergétique de ma maison",
        body=[
            "Retraitée, je suis propriétaire d'une maison construite en 1974 dans le hameau de Boismurie. "
            "Les combles ne sont pas isolés, les fenêtres sont d'origine et la chaudière au fioul a plus de "
            "vingt-cinq ans. Mes factures de chauffage sont devenues très lourdes pour mes revenus.",
            "J'ai entendu parler des aides France Rénov' et des permanences de conseillers de la métropole. "
            "Je souhaiterais savoir si je peux en bénéficier et obtenir un rendez-vous avec un conseiller pour "
            "m'aider à monter mon dossier et à choisir les travaux prioritaires.",
            "Je vous remercie par avance de l'attention que vous porterez à ma demande.",
        ],
        signature=["Monique Jacquot"],
    )
    attachment = scanned_pdf(letter, "serif", 200, SEED + 7, 55, "scan_20250312", "20250312094402+01'00'", 11.5)
    plain = "Bonjour,\n\nJe vous envoie ma demande scannée en pièce jointe.\n\nBien cordialement,\nMonique Jacquot\n\nEnvoyé de mon iPhone\n"
    alt = multipart("Apple-Mail=_5C1E9F2B-2A44-4B0D-9E51-7A3E8D2C6F10",
                    [text_part(plain), text_part(html_page([p for p in plain.strip().split("\n\n")]), "html")], None)
    alt_part = entity([("Content-Type", 'multipart/alternative; boundary="Apple-Mail=_5C1E9F2B-2A44-4B0D-9E51-7A3E8D2C6F10"')], alt)
    out.append(("sample-07.eml", entity(
        headers(address("Monique Jacquot", "monique.jacquot@laposte.net"), "Demande d'aide rénovation",
                "Wed, 12 Mar 2025 09:47:31 +0100", "6E0B2D6A-91C4-4F0E-8A57-2C1B3D9E4F55@laposte.net",
                extra=[("X-Mailer", "iPhone Mail (21D61)")])
        + [("Content-Type", 'multipart/mixed; boundary="Apple-Mail=_0D7C4A11-6B38-4E2F-B7A9-3F5E2C1D8A90"')],
        multipart("Apple-Mail=_0D7C4A11-6B38-4E2F-B7A9-3F5E2C1D8A90", [alt_part, pdf_part(attachment, "scan_20250312.pdf")], None)),
        {"competence": "habitat", "commune": "25527", "urgent": False, "shape": "attached_letter"}))

    # 08 plain, utf-8 8bit, sender outside the territory (Roulans shares 25640 with member communes) => HORS
    text = """Bonjour,

Nous venons d'emménager au 6 rue de l'Église à Roulans (25640). Le précédent propriétaire a emporté les poubelles et nous n'avons plus aucun bac.

Pourriez-vous nous livrer un bac pour les ordures ménagères et un bac jaune pour le tri, et nous indiquer les jours de collecte ainsi que l'adresse de la déchèterie la plus proche ?

Merci d'avance,

Thomas et Léa Marguet
6 rue de l'Église
25640 Roulans
"""
    out.append(("sample-08.eml", entity(
        headers(address("Thomas Marguet", "thomas.marguet@gmail.com"), "Demande de bacs - nouveaux arrivants",
                "Sat, 05 Jul 2025 11:30:12 +0200", "d4b1c2a3-5e6f-4a7b-8c9d-0e1f2a3b4c5d@gmail.com",
                extra=[("User-Agent", "Mozilla Thunderbird")])
        + [("Content-Type", 'text/plain; charset=UTF-8; format=flowed'), ("Content-Transfer-Encoding", "8bit")],
        text.encode("utf-8")), {"competence": "dechets", "commune": "HORS", "urgent": False, "shape": "plain"}))

    # 09 HTML only, quoted-printable, company wanting a plot in the "zone d'activités de Valentin"
    html = html_page([
        "Madame, Monsieur,",
        "La société <b>Microméca Précision</b>, spécialisée dans l'usinage de pièces pour l'horlogerie et le "
        "médical, emploie aujourd'hui 34 salariés dans des locaux devenus trop petits. Nous envisageons de "
        "construire un nouveau bâtiment d'environ 2 500 m² et souhaiterions nous implanter dans la "
        "<b>zone d'activités de Valentin</b>.",
        "Pourriez-vous nous indiquer les terrains encore disponibles dans cette zone (surface souhaitée : "
        "6 000 à 8 000 m²), leur prix, ainsi que les aides à l'implantation et à l'investissement "
        "auxquelles notre projet pourrait prétendre&nbsp;?",
        "Nous serions heureux de vous rencontrer pour vous présenter le projet.",
        "Bien cordialement,",
        "<table style=\"border-top:1px solid #1f4e79;font-size:9pt;color:#1f4e79\"><tr><td>"
        "<b>Vincent Roussel</b><br>Directeur général<br>Microméca Précision SAS<br>"
        "Tél. 03 81 47 22 90</td></tr></table>",
    ])
    out.append(("sample-09.eml", entity(
        headers(address("Vincent Roussel", "v.roussel@micromeca-precision.fr"),
                "Projet d'implantation - zone d'activités de Valentin", "Thu, 20 Feb 2025 14:05:41 +0000",
                "PR3P281MB1234ABCD5678EF90A1B2C3D4E5F6@PR3P281MB1234.FRAP281.PROD.OUTLOOK.COM",
                extra=[("Thread-Topic", enc("Projet d'implantation - zone d'activités de Valentin")),
                       ("Content-Language", "fr-FR")])
        + [("Content-Type", 'text/html; charset="utf-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(html)), {"competence": "economie", "commune": "25212", "urgent": False, "shape": "html_only"}))

    # 10 ISO-8859-1 quoted-printable: a company's question on a public tender (no euro sign in latin-1)
    text = """Madame, Monsieur,

Notre société souhaite répondre à votre consultation n° 2025-017 relative à la fourniture de mobilier de bureau (marché à procédure adaptée publié le 3 juin).

Nous avons deux questions sur le dossier de consultation :
- le bordereau des prix unitaires mentionne 180 sièges ergonomiques, alors que le CCTP en prévoit 150 : quelle quantité faut-il chiffrer ?
- une visite des locaux est-elle obligatoire avant la remise des offres, fixée au 4 juillet à 12 h ?

Nous vous remercions de votre réponse et vous prions d'agréer nos salutations distinguées.

François Lhomme
Responsable commercial
Bureautique Lhomme & Fils
5 rue des Artisans
25480 Miserey-Salines
Tél. 03 81 58 09 66
"""
    out.append(("sample-10.eml", entity(
        headers(address("François Lhomme", "f.lhomme@bureautique-lhomme.fr", "iso-8859-1"),
                "Consultation 2025-017 - mobilier de bureau - questions", "Tue, 17 Jun 2025 16:48:03 +0200",
                "000001dbdf93$4a1c2e60$de548b20$@bureautique-lhomme.fr", charset="iso-8859-1",
                extra=[("X-Mailer", "Microsoft Outlook 16.0")])
        + [("Content-Type", 'text/plain; charset="iso-8859-1"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(text, "iso-8859-1")), {"competence": "finances_achats", "commune": "25381", "urgent": False,
                                  "shape": "latin1"}))

    # 11 multipart/alternative from an association (hiking trail in Montfaucon)
    plain = """Madame, Monsieur,

L'association Les Sentiers de Montfaucon entretient depuis quinze ans la boucle de randonnée qui relie le village aux ruines du château de Montfaucon et au belvédère sur la vallée du Doubs.

Le balisage a beaucoup souffert des dernières coupes forestières et plusieurs panneaux ont disparu. Nous souhaiterions savoir si la métropole peut prendre en charge le renouvellement de la signalétique, et si cette boucle pourrait figurer dans les itinéraires de randonnée mis en avant par l'office de tourisme.

Nos bénévoles sont prêts à participer aux travaux de balisage.

Avec nos remerciements,

Gilles Vernerey
Président des Sentiers de Montfaucon
"""
    html = html_page([p.replace("\n", "<br>") for p in plain.strip().split("\n\n")],
                     "font-family: Verdana, sans-serif; font-size: 10pt; color: #222;")
    out.append(("sample-11.eml", entity(
        headers(address("Les Sentiers de Montfaucon", "sentiers.montfaucon@gmail.com"),
                "Balisage de la boucle du château de Montfaucon", "Fri, 16 May 2025 18:22:57 +0200",
                "CAB9kPq1Tz_8vW3xYn4uR6sE2mJ0=hLd@mail.gmail.com")
        + [("Content-Type", 'multipart/alternative; boundary="00000000000077f3e1062b9c4d1e"')],
        multipart("00000000000077f3e1062b9c4d1e", [text_part(plain), text_part(html, "html")], None)),
        {"competence": "culture_sport_tourisme", "commune": "25395", "urgent": False, "shape": "alternative"}))

    # 12 plain, no place at all => null
    text = """Madame, Monsieur,

Étudiante en deuxième année de BUT Information-Communication, je recherche un stage de dix semaines à partir du 14 avril 2025.

Le travail d'une direction de la communication dans une grande collectivité m'intéresse particulièrement : relations presse, réseaux sociaux, préparation des supports d'information pour les habitants. Je maîtrise les logiciels de PAO et j'ai déjà réalisé un stage dans une agence de communication l'été dernier.

Je me permets donc de vous adresser cette candidature spontanée et peux vous transmettre mon CV et ma lettre de motivation sur simple demande.

Je vous remercie de l'attention portée à ma demande.

Camille Roussel
07 68 21 39 54
"""
    out.append(("sample-12.eml", entity(
        headers(address("Camille Roussel", "camille.roussel.pro@gmail.com"), "Candidature spontanée - stage en communication",
                "Sun, 26 Jan 2025 20:09:33 +0100", "CAHf3k2Wq8nV9Lp0xR5tY7uB1cD@mail.gmail.com")
        + [("Content-Type", 'text/plain; charset="UTF-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(text)), {"competence": "ressources_humaines", "commune": None, "urgent": False, "shape": "plain"}))
    return out
