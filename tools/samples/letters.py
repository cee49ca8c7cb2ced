"""The demo paper letters: scans, phone photos and text PDFs, with their labels."""
from __future__ import annotations

from samples.common import GBM_CEDEX, SEED
from samples.layout import Letter, layout
from samples.pdf import photo, scanned_pdf, text_pdf
from samples.raster import jpeg_bytes, png_bytes


def sample_letters() -> list[tuple[str, bytes, dict]]:
    out = []

    # 13 scan 300 dpi, urgent: a collapsed pavement in Battant
    letter = Letter(
        sender=["Gérard Faivre", "42 rue Battant", "25000 Besançon", "Tél. 03 81 52 47 19"],
        recipient=list(GBM_CEDEX),
        place_date="Besançon, le 14 mars 2025",
        objet="Affaissement du trottoir devant le 40 rue Battant – danger pour les piétons",
        body=[
            "Je me permets de vous signaler un affaissement important du trottoir devant le n° 40 de la rue "
            "Battant, à une vingtaine de mètres du pont Battant. Depuis les fortes pluies de la semaine "
            "dernière, le revêtement s'est enfoncé sur près d'un mètre de long et un trou d'une cinquantaine "
            "de centimètres de profondeur s'est formé le long de la façade.",
            "Les barrières qui avaient été posées ont été renversées dès le premier soir et ne protègent plus "
            "rien. Hier, une voisine âgée a failli y tomber en sortant de chez elle, et de nombreux enfants "
            "passent par ce trottoir tous les jours.",
            "Je vous demande donc de faire sécuriser ce passage en urgence, puis de faire réparer le trottoir "
            "dans les meilleurs délais. Je reste à la disposition de vos services pour leur montrer l'endroit "
            "exact.",
        ],
        signature=["Gérard Faivre"],
    )
    out.append(("sample-13.pdf", scanned_pdf(letter, "serif", 300, SEED + 13, 45, "Scan 14-03-2025",
                                             "20250314163011+01'00'", 11.5),
                {"competence": "voirie", "commune": "25056", "urgent": True, "shape": "scan_pdf"}))

    # 14 scan 200 dpi, two pages: the mayor of Chemaudin et Vaux asks the president for a meeting
    letter = Letter(
        letterhead=["MAIRIE DE CHEMAUDIN ET VAUX", "2 place de la Mairie – 25320 Chemaudin et Vaux",
                    "Tél. 03 81 58 61 20 – secretariat@mairie-chemaudin-vaux.fr"],
        sender=["Nos réf. : JLC/BP/2025-041", "Affaire suivie par : Brigitte Pourcelot"],
        recipient=["Monsieur le Président", "Grand Besançon Métropole", "4 rue Gabriel Plançon", "25043 Besançon Cedex"],
        place_date="Chemaudin et Vaux, le 3 février 2025",
        objet="Demande de rendez-vous – dossiers de la commune",
        salutation="Monsieur le Président,",
        body=[
            "Le conseil municipal de Chemaudin et Vaux m'a chargé, lors de sa séance du 27 janvier dernier, "
            "de vous solliciter pour un rendez-vous afin de faire le point sur plusieurs dossiers qui "
            "concernent directement nos habitants, en particulier ceux du village de Vaux-les-Prés.",
            "Je souhaiterais notamment aborder avec vous les points suivants :",
            "– la desserte en transports en commun de Vaux-les-Prés, dont les habitants regrettent la faible "
            "fréquence des bus en dehors des heures de pointe ;",
            "– le calendrier des travaux d'aménagement de la traversée du village, reportés à deux reprises ;",
            "– l'avenir de la zone d'activités et les projets d'implantation dont nous avons eu écho ;",
            "\f",
            "– enfin, la place de notre commune dans la révision du plan local d'urbanisme intercommunal, à "
            "laquelle le conseil municipal souhaite être étroitement associé.",
            "Ces sujets ont été évoqués à plusieurs reprises avec vos services, que je remercie pour leur "
            "disponibilité, mais il me semble aujourd'hui nécessaire d'en parler directement avec vous, en "
            "présence de mes adjoints.",
            "Je me tiens à votre disposition, ainsi que mon secrétariat, pour convenir d'une date qui vous "
            "conviendrait au cours des mois de février ou de mars.",
        ],
        closing="Je vous prie d'agréer, Monsieur le Président, l'expression de ma haute considération.",
        signature=["Le Maire,", "Jean-Luc Cuinet"],
    )
    out.append(("sample-14.pdf", scanned_pdf(letter, "serif", 200, SEED + 14, 55, "Scan mairie",
                                             "20250204110245+01'00'", 11.5),
                {"competence": "cabinet", "commune": "25147", "urgent": False, "shape": "scan_pdf"}))

    # 15 scan 200 dpi, typewriter-like font: street lights in Deluz (a town-hall matter)
    letter = Letter(
        sender=["Mme et M. Roland Chopard", "5 rue des Vignes", "25960 Deluz"],
        place_date="Deluz, le 20 novembre 2024",
        objet="Lampadaires éteints rue des Vignes",
        body=[
            "Nous vous écrivons car trois lampadaires de la rue des Vignes, entre le n° 1 et le n° 11, sont "
            "éteints depuis plus de trois semaines. Le soir, dès 17 heures, la rue est plongée dans le noir, "
            "ce qui est peu rassurant pour les piétons qui remontent de la gare.",
            "Nous ne savons pas si l'éclairage public dépend de la métropole ou de la mairie : nous vous "
            "remercions de bien vouloir transmettre notre demande au service concerné afin que ces "
            "lampadaires soient réparés.",
        ],
        closing="Veuillez agréer, Madame, Monsieur, nos salutations distinguées.",
        signature=["R. et M. Chopard"],
    )
    out.append(("sample-15.pdf", scanned_pdf(letter, "mono", 200, SEED + 15, 55, "Numérisation",
                                             "20241121083412+01'00'", 11.0),
                {"competence": "commune", "commune": "25197", "urgent": False, "shape": "scan_pdf"}))

    # 16 scan 200 dpi: APA is the Département's (hors compétence); sender writes the old village name
    letter = Letter(
        sender=["Colette Grosjean", "7 rue de la Fontaine", "25620 Le Gratteris"],
        place_date="Le Gratteris, le 6 mai 2025",
        objet="Demande d'allocation personnalisée d'autonomie pour ma mère",
        body=[
            "Ma mère, Madame Suzanne Grosjean, âgée de 91 ans, vit chez moi depuis l'automne dernier. Son "
            "état de santé s'est dégradé et elle a désormais besoin d'une aide quotidienne pour sa toilette, "
            "ses repas et ses déplacements.",
            "Son médecin traitant m'a conseillé de demander l'allocation personnalisée d'autonomie (APA) afin "
            "de financer le passage d'une aide à domicile. Pourriez-vous m'envoyer le dossier de demande et "
            "m'indiquer les pièces à fournir ?",
            "Je vous remercie par avance de votre aide et reste joignable au 06 72 18 44 09.",
        ],
        signature=["Colette Grosjean"],
    )
    out.append(("sample-16.pdf", scanned_pdf(letter, "dejavu", 200, SEED + 16, 55, "Scan",
                                             "20250507142230+02'00'", 11.0),
                {"competence": "hors_competence", "commune": "25364", "urgent": False, "shape": "scan_pdf"}))

    # 17 phone photo JPG: fly-tipping in Chalèze (not Chalezeule)
    letter = Letter(
        sender=["Pierre-Yves Monnier", "3 rue du Lavoir", "25220 Chalèze"],
        place_date="Chalèze, le 2 juin 2025",
        objet="Dépôt sauvage d'encombrants au bord du Doubs",
        body=[
            "Depuis le week-end dernier, un important dépôt sauvage a été abandonné sur le petit parking au "
            "bout du chemin du Port, au bord du Doubs : un canapé, deux matelas, des pots de peinture et une "
            "dizaine de sacs de gravats.",
            "Des promeneurs commencent à y ajouter leurs propres sacs poubelles et le tas grossit chaque jour. "
            "Pourriez-vous faire enlever ces déchets ? Je peux vous envoyer des photos si cela peut aider vos "
            "équipes.",
        ],
        signature=["P.-Y. Monnier"],
    )
    out.append(("sample-17.jpg", jpeg_bytes(photo(letter, "sans", SEED + 17, True, "tl"), 80, 150),
                {"competence": "dechets", "commune": "25111", "urgent": False, "shape": "photo_jpg"}))

    # 18 phone photo JPG: water bill dispute, Palente (Besançon)
    letter = Letter(
        sender=["Nadia Haddad", "12 rue des Roses", "25000 Besançon"],
        refs=["N° d'abonné : 0045 8812 07", "Compteur n° 17-AB-226431"],
        place_date="Besançon, le 9 septembre 2025",
        objet="Contestation de ma facture d'eau du premier semestre 2025",
        body=[
            "J'ai reçu ma facture d'eau et d'assainissement pour le premier semestre 2025, d'un montant de "
            "684,20 €, alors que mes factures précédentes ne dépassaient jamais 190 € pour la même période. "
            "Nous sommes deux personnes dans un appartement de Palente et notre consommation n'a pas changé.",
            "Aucune fuite n'est visible dans le logement et le plombier que j'ai fait venir n'a rien constaté. "
            "Je vous demande donc de bien vouloir faire vérifier le relevé et le fonctionnement du compteur, "
            "puis de corriger la facture.",
            "Dans l'attente, je souhaiterais pouvoir régler la partie non contestée en plusieurs fois.",
        ],
        signature=["Nadia Haddad"],
        pj="P.J. : copie de la facture, relevés des deux dernières années",
    )
    out.append(("sample-18.jpg", jpeg_bytes(photo(letter, "serif", SEED + 18, True, "tr", 12.0), 80, 150),
                {"competence": "eau_assainissement", "commune": "25056", "urgent": False, "shape": "photo_jpg"}))

    # 19 phone photo JPG: PMR transport, Boussières ("Grande Rue" is also a Besançon street)
    letter = Letter(
        sender=["Lucien Tissot", "18 Grande Rue", "25320 Boussières"],
        place_date="Boussières, le 15 octobre 2025",
        objet="Inscription au service de transport des personnes à mobilité réduite",
        body=[
            "À la suite d'un accident vasculaire, je me déplace désormais en fauteuil roulant et je ne peux "
            "plus conduire. Je dois pourtant me rendre trois fois par semaine à mes séances de rééducation, "
            "ainsi qu'à différents rendez-vous médicaux.",
            "Je souhaiterais bénéficier du service de transport à la demande réservé aux personnes à mobilité "
            "réduite sur le réseau Ginko. Pourriez-vous m'adresser le formulaire d'inscription et m'indiquer "
            "les justificatifs nécessaires ainsi que les tarifs ?",
        ],
        signature=["Lucien Tissot"],
    )
    out.append(("sample-19.jpg", jpeg_bytes(photo(letter, "dejavu", SEED + 19, True, "bottom"), 80, 150),
                {"competence": "mobilites", "commune": "25084", "urgent": False, "shape": "photo_jpg"}))

    # 20 PNG photo (grey): invasive plants on the Doubs banks at Aveney (alias of Avanne-Aveney)
    letter = Letter(
        sender=["Association Aveney Nature", "Hélène Belin, présidente", "9 chemin du Halage", "25720 Aveney"],
        place_date="Aveney, le 24 juin 2025",
        objet="Prolifération de la renouée du Japon sur les berges du Doubs",
        body=[
            "Notre association, qui organise chaque année des chantiers de nettoyage des bords du Doubs, "
            "constate une progression très rapide de la renouée du Japon le long de la véloroute, entre "
            "l'écluse et l'entrée du village. Sur certains tronçons, cette plante invasive recouvre désormais "
            "toute la berge et étouffe la végétation locale.",
            "Nos bénévoles ne peuvent pas lutter seuls contre cette espèce. Nous souhaiterions savoir si la "
            "métropole prévoit un plan de lutte contre les espèces invasives sur ce secteur et si notre "
            "association pourrait y être associée.",
        ],
        closing="Veuillez agréer, Madame, Monsieur, nos salutations respectueuses.",
        signature=["Pour l'association,", "Hélène Belin"],
    )
    out.append(("sample-20.png", png_bytes(photo(letter, "sans", SEED + 20, False, "tr"), 150),
                {"competence": "environnement", "commune": "25036", "urgent": False, "shape": "png"}))

    # 21 PNG photo: a lawyer's formal notice (8 days) about a sewer backflow in Thoraise
    letter = Letter(
        letterhead=["Cabinet Vernier Avocats", "8 rue de la Préfecture – 25000 Besançon",
                    "Tél. 03 81 65 20 48 – contact@vernier-avocats.fr"],
        sender=[],
        mention="LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION",
        recipient=["Grand Besançon Métropole", "Service des affaires juridiques", "4 rue Gabriel Plançon",
                   "25043 Besançon Cedex"],
        place_date="Besançon, le 4 juillet 2025",
        refs=["N/Réf. : 2025-0318 – Vuillemin c/ GBM"],
        objet="Mise en demeure – dommages causés par le refoulement du réseau d'assainissement",
        body=[
            "J'interviens en qualité de conseil de Monsieur et Madame Daniel Vuillemin, demeurant 14 rue du "
            "Pont à Thoraise (25320).",
            "Dans la nuit du 12 au 13 juin 2025, à la suite d'un violent orage, le réseau public "
            "d'assainissement a refoulé dans le sous-sol de leur maison. L'eau a atteint près de quarante "
            "centimètres, endommageant la chaudière et de nombreux biens. L'expert mandaté par leur assureur "
            "évalue le préjudice à 11 480 €.",
            "Mes clients vous ont adressé une première réclamation le 20 juin, restée sans réponse. Je vous "
            "mets donc en demeure de leur faire connaître, dans un délai de huit jours à compter de la "
            "réception de la présente, votre position sur l'indemnisation de ce sinistre. À défaut, j'ai reçu "
            "mandat de saisir le tribunal administratif.",
        ],
        closing="Je vous prie de croire, Madame, Monsieur, à l'assurance de mes sentiments distingués.",
        signature=["Claire Vernier", "Avocate au barreau de Besançon"],
    )
    out.append(("sample-21.png", png_bytes(photo(letter, "serif", SEED + 21, False, "tl", 11.0), 150),
                {"competence": "juridique_assurances", "commune": "25561", "urgent": True, "shape": "png"}))

    # 22 PNG photo: school canteen in Pirey (a town-hall matter)
    letter = Letter(
        sender=["Émilie Perrin", "21 rue des Jardins", "25480 Pirey"],
        place_date="Pirey, le 18 août 2025",
        objet="Inscription de ma fille à la cantine et au périscolaire",
        body=[
            "Nous venons d'emménager à Pirey et notre fille Léna, âgée de 7 ans, fera sa rentrée en CE1 à "
            "l'école du village le 1er septembre.",
            "Je souhaiterais l'inscrire à la cantine le midi ainsi qu'à l'accueil périscolaire du soir, quatre "
            "jours par semaine. Pouvez-vous m'indiquer la démarche à suivre, les tarifs et les documents à "
            "fournir ?",
        ],
        closing="Avec mes remerciements, veuillez agréer, Madame, Monsieur, mes salutations distinguées.",
        signature=["Émilie Perrin"],
    )
    out.append(("sample-22.png", png_bytes(photo(letter, "dejavu", SEED + 22, False, "bottom"), 150),
                {"competence": "commune", "commune": "25454", "urgent": False, "shape": "png"}))

    # 23 born-digital PDF: a supplier's payment reminder (Serre-les-Sapins)
    letter = Letter(
        letterhead=["ÉQUIPRO COMTOIS", "Vêtements et équipements de protection professionnels",
                    "12 rue de l'Industrie – 25770 Serre-les-Sapins – Tél. 03 81 59 14 72"],
        sender=[],
        recipient=["Grand Besançon Métropole", "Direction des finances – comptabilité", "4 rue Gabriel Plançon",
                   "25043 Besançon Cedex"],
        place_date="Serre-les-Sapins, le 23 avril 2025",
        refs=["Facture n° FA-2025-0098 du 24 janvier 2025", "Bon de commande n° 2024-BC-03871",
              "Montant : 3 912,00 € TTC – échéance : 25 février 2025"],
        objet="Relance – facture impayée",
        body=[
            "Sauf erreur de notre part, la facture référencée ci-dessus, correspondant à la livraison le 22 "
            "janvier 2025 de 60 parkas et 120 paires de gants de protection pour vos agents, reste impayée à "
            "ce jour, alors que son échéance était fixée au 25 février 2025.",
            "Nous vous remercions de bien vouloir procéder à son règlement dans les meilleurs délais par "
            "virement sur le compte indiqué sur la facture, ou de nous faire savoir si un élément fait "
            "obstacle au paiement (service fait non constaté, pièce manquante).",
            "Nous vous rappelons que le délai global de paiement des collectivités est de trente jours et que "
            "tout retard ouvre droit à des intérêts moratoires.",
        ],
        closing="Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.",
        signature=["Sandrine Cuenot", "Service comptabilité"],
        footer=["SARL Équipro Comtois au capital de 40 000 € – RCS Besançon 812 345 678 – "
                "TVA intracommunautaire FR12 812345678"],
    )
    out.append(("sample-23.pdf", text_pdf(layout(letter, "sans", 10.5), "sans", "Relance facture FA-2025-0098",
                                          "20250423091845+02'00'"),
                {"competence": "finances_achats", "commune": "25542", "urgent": False, "shape": "text_pdf"}))

    # 24 born-digital PDF: an association invites the president (Tallenay)
    letter = Letter(
        letterhead=["Foyer rural de Tallenay", "Association loi 1901 – 1 rue de la Mairie – 25870 Tallenay",
                    "foyerrural.tallenay@gmail.com"],
        sender=[],
        recipient=["Monsieur le Président", "Grand Besançon Métropole", "4 rue Gabriel Plançon", "25043 Besançon Cedex"],
        place_date="Tallenay, le 12 mai 2025",
        objet="Invitation – 50 ans du Foyer rural de Tallenay",
        salutation="Monsieur le Président,",
        body=[
            "Le Foyer rural de Tallenay fête cette année ses cinquante ans d'existence. À cette occasion, nous "
            "organisons une journée anniversaire le samedi 21 juin 2025 à la salle des fêtes, avec une "
            "exposition retraçant l'histoire de l'association, un concert et un repas partagé.",
            "Nous serions très honorés de votre présence lors de la partie officielle, prévue à 11 heures, en "
            "compagnie de Madame la Maire et des élus du secteur. Ce serait l'occasion de rencontrer les "
            "bénévoles qui font vivre notre village depuis un demi-siècle.",
            "Nous vous remercions de bien vouloir nous faire savoir si vous pourrez vous joindre à nous, ou "
            "vous faire représenter par un vice-président.",
        ],
        closing="Veuillez agréer, Monsieur le Président, l'expression de nos sentiments les plus respectueux.",
        signature=["Le président du Foyer rural,", "Michel Bourdenet"],
    )
    out.append(("sample-24.pdf", text_pdf(layout(letter, "serif", 11.5), "serif", "Invitation 50 ans",
                                          "20250512175003+02'00'"),
                {"competence": "cabinet", "commune": "25557", "urgent": False, "shape": "text_pdf"}))
    return out
