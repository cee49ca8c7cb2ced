"""Writes the held-out letters (emails) of this folder and their labels.jsonl.

Written by hand for the knowledge base and the places (issue 14), never from the evaluation sets:
who is competent (the commune, another administration, the cabinet), close neighbours, and the
places a clerk must read right (CEDEX, streets, tram stops, a former address, a postcode shared
with non-members, a writer from outside). Run it again after editing: python make_letters.py
"""
import json
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent

LETTERS = [
    # --- the commune's matters, in words the métropole's services share ---
    ("commune", "25560", "Julie Marchal", "julie.marchal@example.fr", "Repas de la cantine de l'école",
     "Bonjour,\n\nMa fille mange à la cantine de l'école de Thise et les repas servis ces dernières semaines sont "
     "souvent froids. Plusieurs parents ont constaté des quantités insuffisantes. Pouvez-vous faire le point avec "
     "le prestataire de la restauration scolaire ?\n\nCordialement,\nJulie Marchal\n8 rue du Stade\n25220 Thise"),
    ("commune", "25448", "Karim Benali", "k.benali@example.com", "Inscription scolaire rentrée prochaine",
     "Madame, Monsieur,\n\nNous emménageons à Pelousey en juillet et souhaitons inscrire notre fils en petite section "
     "à l'école maternelle. Quels documents faut-il fournir pour l'inscription scolaire ?\n\nMerci d'avance,\n"
     "Karim Benali\n3 impasse des Chênes\n25170 Pelousey"),
    ("commune", "25056", "Odile Perrin", "odile.perrin@example.org", "Copie d'acte de naissance",
     "Bonjour,\n\nJe suis née à Besançon en 1962 et j'ai besoin d'une copie intégrale de mon acte de naissance pour "
     "un dossier de retraite. Pouvez-vous me l'adresser par courrier ?\n\nBien à vous,\nOdile Perrin\n"
     "14 avenue de Montrapon\n25000 Besançon"),
    ("commune", "25532", "Gérard Vuillemin", "gerard.vuillemin@example.fr", "Concession au cimetière de Saône",
     "Monsieur le Maire,\n\nLa concession funéraire de mes parents au cimetière arrive à échéance. Je souhaite la "
     "renouveler pour trente ans. Pouvez-vous m'indiquer la marche à suivre et le tarif ?\n\nRespectueusement,\n"
     "Gérard Vuillemin\n2 chemin des Prés\n25660 Saône"),
    ("commune", "25454", "Association Les Amis du Vieux Pirey", "amisvieuxpirey@example.org",
     "Réservation de la salle des fêtes",
     "Bonjour,\n\nNotre association voudrait réserver la salle des fêtes de Pirey le samedi 14 mars pour son "
     "assemblée annuelle et un repas. La salle est-elle libre et quelles sont les conditions de location ?\n\n"
     "Cordialement,\nLe bureau de l'association"),
    ("commune", "25036", "Paul Girardot", "paul.girardot@example.fr", "Lampadaire éteint rue du Doubs",
     "Bonjour,\n\nLe lampadaire devant le 5 rue du Doubs à Avanne-Aveney est éteint depuis trois semaines : la rue est "
     "entièrement dans le noir le soir et les enfants rentrent de l'arrêt de bus sans éclairage.\n\n"
     "Merci de faire intervenir quelqu'un,\nPaul Girardot"),
    ("commune", "25542", "Nadia Roux", "nadia.roux@example.fr", "Chiens errants dans le lotissement",
     "Bonjour,\n\nDeux chiens errants divaguent tous les jours dans notre lotissement à Serre-les-Sapins et ont "
     "renversé des poubelles. Ils effraient les enfants. La police municipale peut-elle intervenir ?\n\n"
     "Nadia Roux\n11 rue des Lilas\n25770 Serre-les-Sapins"),
    ("commune", "25058", "Sophie Garnier", "s.garnier@example.com", "Accueil périscolaire du mercredi",
     "Bonjour,\n\nJe souhaiterais connaître les horaires et les tarifs de l'accueil périscolaire et du centre de "
     "loisirs du mercredi pour mes deux enfants scolarisés à Beure.\n\nMerci,\nSophie Garnier\n25720 Beure"),
    # --- another administration ---
    ("hors_competence", "25056", "Thomas Petit", "thomas.petit@example.fr", "Carte grise",
     "Bonjour,\n\nJ'ai acheté une voiture d'occasion et je n'arrive pas à obtenir le certificat d'immatriculation à "
     "mon nom. Le site me renvoie une erreur. Pouvez-vous m'aider à faire ma carte grise ?\n\nThomas Petit\n"
     "27 rue de Dole\n25000 Besançon"),
    ("hors_competence", "25527", "Marie-Claude Jacquot", "mc.jacquot@example.fr", "Taxe foncière 2026",
     "Madame, Monsieur,\n\nMa taxe foncière a augmenté de 18 % cette année alors que rien n'a changé dans ma maison. "
     "Je conteste le montant de cet avis d'imposition et demande un dégrèvement.\n\n"
     "Marie-Claude Jacquot\n4 rue de la Gare\n25410 Saint-Vit"),
    ("hors_competence", "25056", "Lucas Moreau", "lucas.moreau@example.com", "Dossier RSA",
     "Bonjour,\n\nJ'ai déposé une demande de revenu de solidarité active il y a deux mois et je n'ai aucune nouvelle. "
     "Mon référent ne répond pas. Pouvez-vous me dire où en est mon RSA ?\n\nLucas Moreau\n"
     "5 rue de Cologne, Planoise\n25000 Besançon"),
    ("hors_competence", "25212", "Famille Colin", "famille.colin@example.fr", "Place au lycée",
     "Bonjour,\n\nNotre fille n'a pas obtenu de place dans le lycée de notre secteur malgré la proximité. Nous souhaitons faire "
     "appel de cette affectation.\n\nFamille Colin\n9 rue des Vergers\n25480 École-Valentin"),
    ("hors_competence", "25410", "Henri Bouvard", "h.bouvard@example.fr", "Coupure d'électricité à répétition",
     "Bonjour,\n\nDepuis un mois, le courant est coupé presque chaque nuit dans notre rue à Morre. Nos congélateurs "
     "ont souffert. Enedis ne nous répond pas. Pouvez-vous intervenir auprès d'eux ?\n\nHenri Bouvard\n25660 Morre"),
    ("hors_competence", "25056", "Amina Diallo", "amina.diallo@example.fr", "APL",
     "Bonjour,\n\nMon aide personnalisée au logement a été suspendue sans explication depuis mars. La CAF me dit de "
     "patienter. Pouvez-vous m'aider ?\n\nAmina Diallo\n18 rue de Savoie\n25000 Besançon"),
    # --- the cabinet: invitations, thanks, petitions to the President ---
    ("cabinet", "25084", "Comité des fêtes de Boussières", "cdf.boussieres@example.org",
     "Invitation : inauguration du nouveau terrain de football",
     "Monsieur le Président,\n\nNous avons le plaisir de vous inviter à l'inauguration du terrain de football "
     "synthétique de Boussières le samedi 6 juin à 11 h. Votre présence honorerait les bénévoles.\n\n"
     "Le président du comité"),
    ("cabinet", "25056", "Jeanne Faivre", "jeanne.faivre@example.fr", "Remerciements",
     "Monsieur le Président,\n\nJe tenais à vous adresser mes remerciements pour la rapidité avec laquelle vos "
     "équipes sont intervenues après la fuite d'eau de notre quartier des Chaprais. Bravo à tous.\n\n"
     "Jeanne Faivre\n25000 Besançon"),
    ("cabinet", "25598", "Collectif des habitants de Venise", "collectif.venise@example.org",
     "Pétition : pour un meilleur dialogue avec la métropole",
     "Monsieur le Président,\n\nVeuillez trouver ci-jointe une pétition signée par 214 habitants de Venise qui "
     "demandent à être mieux associés aux décisions de la métropole et à rencontrer les élus.\n\nLe collectif"),
    # --- close neighbours ---
    ("economie", "25056", "Lucie Robert", "lucie.robert@exemple-boulangerie.fr", "Implantation d'une boulangerie artisanale",
     "Bonjour,\n\nJe souhaite ouvrir une boulangerie artisanale et cherche un local commercial dans le quartier de "
     "Battant. Existe-t-il des aides à l'installation des commerces et artisans ?\n\nLucie Robert"),
    ("finances_achats", "25056", "SARL Menuiserie Comtoise", "compta@menuiserie-comtoise.example",
     "Relance facture n° 2026-114",
     "Madame, Monsieur,\n\nSauf erreur de notre part, notre facture n° 2026-114 du 12 janvier relative au marché de "
     "menuiseries du groupe scolaire reste impayée malgré l'échéance. Merci de procéder au règlement.\n\n"
     "Service comptabilité\nMenuiserie Comtoise\nBP 2207\n25042 Besançon Cedex"),
    ("finances_achats", "HORS", "Bureau d'études Hydra", "contact@hydra-etudes.example",
     "Question sur l'appel d'offres voirie 2026",
     "Bonjour,\n\nDans le cadre de l'appel d'offres relatif à l'entretien de la voirie, le règlement de consultation "
     "ne précise pas la date limite de remise des offres pour le lot 2. Pouvez-vous nous la confirmer ?\n\n"
     "Bureau d'études Hydra\n12 rue de la République\n21000 Dijon"),
    ("juridique_assurances", "25056", "Michel Duval", "michel.duval@example.fr", "Demande d'indemnisation",
     "Madame, Monsieur,\n\nLe 3 février, ma voiture a été endommagée par un nid-de-poule avenue de Montrapon. Je "
     "vous demande l'indemnisation des réparations (factures jointes : 640 euros). Mon assureur m'a conseillé de "
     "vous écrire.\n\nMichel Duval\n25000 Besançon"),
    ("juridique_assurances", "25056", "Cabinet Arnoux", "contact@arnoux-avocats.example", "Recours gracieux",
     "Monsieur le Président,\n\nAu nom de mon client, je forme un recours gracieux contre la décision de refus de "
     "raccordement du 2 mars. À défaut de réponse, nous saisirons le tribunal administratif.\n\nMe Arnoux\n"
     "25000 Besançon"),
    # --- places: CEDEX, streets, tram stops, former address, shared postcode, outside ---
    ("mobilites", "25056", "Claire Mathieu", "claire.mathieu@example.fr", "Arrêt de tram Croix de Palente",
     "Bonjour,\n\nLe distributeur de titres de l'arrêt de tram Croix de Palente est en panne depuis dix jours. "
     "Impossible d'acheter un ticket le soir.\n\nClaire Mathieu"),
    ("voirie", "25056", "Société Comtoise de Transports", "contact@sct.example", "Chaussée dégradée rue de Belfort",
     "Madame, Monsieur,\n\nNos chauffeurs signalent une chaussée très dégradée rue de Belfort, à hauteur du numéro "
     "60 : plusieurs trous profonds se sont formés.\n\nSCT\nBP 1205\n25003 Besançon Cedex"),
    ("dechets", "25448", "Hélène Boillot", "helene.boillot@example.fr", "Bac jaune non collecté",
     "Bonjour,\n\nQuand nous habitions à Besançon, la collecte se faisait le lundi. Depuis que nous avons emménagé à "
     "Pelousey, notre bac jaune n'a jamais été vidé. Pouvez-vous vérifier ?\n\nHélène Boillot\n"
     "2 rue des Grands Champs\n25170 Pelousey"),
    ("eau_assainissement", "HORS", "Bernard Tissot", "bernard.tissot@example.fr", "Facture d'eau",
     "Bonjour,\n\nJe reçois une facture d'eau à mon nom alors que je n'habite plus le logement depuis un an. Merci de "
     "clôturer cet abonnement.\n\nBernard Tissot\n7 rue de l'Église\n25170 Émagny"),
    ("habitat", "HORS", "Yvette Roy", "yvette.roy@example.fr", "Aides à la rénovation énergétique",
     "Bonjour,\n\nJ'habite dans le Jura et je voudrais savoir, de façon générale, quelles aides à la rénovation "
     "énergétique des logements la métropole propose, pour comparer avec celles de mon département.\n\n"
     "Yvette Roy\n39100 Dole"),
    ("voirie", "25112", "Cédric Laurent", "cedric.laurent@example.fr", "Trottoir dangereux",
     "Bonjour,\n\nLe trottoir de la rue de Besançon à Chalezeule est défoncé sur vingt mètres devant la boulangerie : "
     "les poussettes doivent passer sur la route.\n\nCédric Laurent\n25220 Chalezeule"),
    ("mobilites", "25056", "Inès Barbier", "ines.barbier@example.fr", "Bus en retard à Temis",
     "Bonjour,\n\nLe bus de la ligne 3 arrive régulièrement avec vingt minutes de retard à l'arrêt Temis le matin. "
     "Les étudiants ratent leurs cours.\n\nInès Barbier"),
    ("environnement", "25575", "Amis de la source d'Arcier", "arcier@example.org", "Berges et crue",
     "Bonjour,\n\nAprès la dernière crue, les berges près de la source d'Arcier se sont effondrées et des arbres "
     "menacent de tomber dans la rivière.\n\nL'association"),
    ("cabinet", "HORS", "Lucien Marchand", "lucien.marchand@example.fr", "Félicitations",
     "Monsieur le Président,\n\nLors de mon séjour à Besançon pour un congrès, j'ai découvert votre plan pour le "
     "climat : je tiens à vous adresser mes félicitations pour cette politique ambitieuse.\n\nLucien Marchand\n15 rue Victor Hugo\n69002 Lyon"),
    # --- harder: the words of one service, the competence of another authority ---
    ("commune", "25245", "Didier Grosjean", "didier.grosjean@example.fr", "Poteau incendie qui fuit",
     "Bonjour,\n\nLe poteau incendie situé au carrefour de la rue des Vergers à Fontain fuit depuis une semaine : "
     "l'eau coule en continu dans le caniveau. Pouvez-vous le faire réparer ?\n\nDidier Grosjean"),
    ("commune", "25133", "Anne Cuenot", "anne.cuenot@example.fr", "Bruit à la salle des fêtes",
     "Bonjour,\n\nChaque samedi, la musique de la salle des fêtes de Châtillon-le-Duc s'entend jusqu'à 3 heures "
     "du matin. Les locataires de la salle ne respectent pas le règlement.\n\nAnne Cuenot"),
    ("commune", "25381", "Robert Millet", "robert.millet@example.fr", "Inscription sur les listes électorales",
     "Bonjour,\n\nJe viens d'arriver à Miserey-Salines. Puis-je encore m'inscrire sur les listes électorales pour "
     "les prochaines élections ?\n\nRobert Millet"),
    ("commune", "25056", "Denise Bourgeois", "denise.bourgeois@example.fr", "Entretien des allées du cimetière",
     "Bonjour,\n\nLes allées du cimetière Saint-Claude sont envahies par les herbes et la tombe de mon mari "
     "est difficile d'accès. Un désherbage est-il prévu ?\n\nDenise Bourgeois\n3 rue de Vesoul\n25000 Besançon"),
    ("commune", "25056", "Parents d'élèves de l'école Fourier", "ape.fourier@example.org",
     "Menus de la cantine",
     "Bonjour,\n\nLes parents d'élèves de l'école Fourier, à Besançon, s'inquiètent du gaspillage alimentaire à la "
     "cantine : beaucoup de repas finissent à la poubelle. Pouvez-vous revoir les menus ?\n\nL'association"),
    ("hors_competence", "25105", "Famille Billot", "famille.billot@example.fr", "Transport scolaire vers le collège",
     "Bonjour,\n\nLe car Mobigo qui emmène notre fils au collège depuis Byans-sur-Doubs passe trop tôt, à 6 h 40. "
     "Peut-on décaler l'horaire ?\n\nFamille Billot"),
    ("hors_competence", "25364", "Pascal Roy", "pascal.roy@example.fr", "Route départementale dégradée",
     "Bonjour,\n\nLa route départementale entre Mamirolle et Étalans est pleine de nids-de-poule. Un accident va "
     "finir par arriver.\n\nPascal Roy\n25620 Mamirolle"),
    ("hors_competence", "25560", "Sandrine Faivre", "sandrine.faivre@example.fr", "Compteur Linky",
     "Bonjour,\n\nMa facture d'électricité a doublé depuis la pose du compteur Linky. Enedis refuse de vérifier "
     "le compteur. Que faire ?\n\nSandrine Faivre\n25220 Thise"),
    # --- the cabinet, on a service's topic ---
    ("cabinet", "25056", "Marcel Henriot", "marcel.henriot@example.fr", "Remerciements",
     "Monsieur le Président,\n\nJe tiens à remercier les équipes de la collecte des encombrants, venues très vite "
     "et très aimables. C'est un service public dont on peut être fier.\n\nMarcel Henriot\n25000 Besançon"),
    ("cabinet", "25056", "Association Vélo Besançon", "contact@velo-besancon.example",
     "Invitation à notre assemblée générale",
     "Monsieur le Président,\n\nNous avons le plaisir de vous convier à l'assemblée générale de notre association, "
     "le 12 avril à 18 h, salle Battant à Besançon, où nous parlerons des pistes cyclables.\n\nLe bureau"),
    # --- close neighbours ---
    ("finances_achats", "HORS", "Collecte Services SAS", "marches@collecte-services.example",
     "Candidature au marché public de collecte des déchets",
     "Madame, Monsieur,\n\nVous trouverez ci-joint notre offre pour le marché public de collecte des ordures "
     "ménagères, lot 1, avec le mémoire technique et l'attestation d'assurance.\n\nCollecte Services\n"
     "ZI Nord\n21000 Dijon"),
    ("economie", "25527", "Julien Tournier", "julien.tournier@example.fr", "Création d'entreprise",
     "Bonjour,\n\nJe prépare la création d'entreprise d'un atelier de réparation de vélos à Saint-Vit et je "
     "cherche des aides au démarrage et un local d'activité.\n\nJulien Tournier"),
    ("juridique_assurances", "25056", "Éric Boichard", "eric.boichard@example.fr",
     "Chute à vélo : demande d'indemnisation",
     "Madame, Monsieur,\n\nJe suis tombé à vélo le 2 mars sur la piste cyclable du quai Veil-Picard à cause d'une "
     "plaque d'égout descellée. Je demande l'indemnisation de mon préjudice (casque, vélo, soins).\n\n"
     "Éric Boichard\n25000 Besançon"),
    ("ressources_humaines", "25056", "Léa Simon", "lea.simon@example.fr", "Demande de stage",
     "Madame, Monsieur,\n\nÉlève de troisième, je souhaite effectuer mon stage d'observation au service de "
     "gestion des déchets du 2 au 6 février. Vous trouverez ma lettre de motivation ci-jointe.\n\nLéa Simon\n"
     "25000 Besançon"),
    # --- places ---
    ("voirie", "25056", "Olivier Jeannin", "olivier.jeannin@example.fr", "Trou dans la chaussée",
     "Bonjour,\n\nUn trou profond s'est formé dans la chaussée chemin des Montboucons, juste après le virage. "
     "Les voitures font des écarts dangereux.\n\nOlivier Jeannin"),
    ("mobilites", "25056", "Chloé Renaud", "chloe.renaud@example.fr", "Abri de l'arrêt Polygone",
     "Bonjour,\n\nL'abri de l'arrêt Polygone a une vitre cassée depuis des semaines et il pleut à l'intérieur. "
     "Les voyageurs du tram attendent sous la pluie.\n\nChloé Renaud"),
    ("dechets", "25454", "Maxime Guyon", "maxime.guyon@example.fr", "Badge de déchèterie",
     "Bonjour,\n\nJe suis originaire de Saint-Vit mais j'habite désormais à Pirey. Comment obtenir un badge pour "
     "la déchèterie ?\n\nMaxime Guyon"),
    ("habitat", "25056", "CHU de Besançon", "social@chu-besancon.example", "Logement d'un patient",
     "Madame, Monsieur,\n\nUn de nos patients, qui sortira bientôt de l'hôpital, vit dans un logement insalubre. "
     "Pouvez-vous déclencher une visite de contrôle ?\n\nService social\nCHU de Besançon\n25030 Besançon Cedex"),
    ("eau_assainissement", "25112", "Laurent Bailly", "laurent.bailly@example.fr", "Pas d'eau depuis ce matin",
     "Bonjour,\n\nNous n'avons plus d'eau au robinet depuis ce matin. Quand nous habitions à Besançon, on nous "
     "prévenait des coupures : ici rien.\n\nLaurent Bailly\n5 rue des Vignes\n25220 Chalezeule"),
]


def main() -> None:
    labels = []
    for number, (competence, commune, name, address, subject, body) in enumerate(LETTERS, 1):
        message = EmailMessage()
        message["From"] = f"{name} <{address}>"
        message["To"] = "courrier@grandbesancon.example"
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime(2026, 3, number % 28 + 1, 9, 30, tzinfo=timezone.utc))
        message["Message-ID"] = f"<heldout-{number:03d}@places.example>"
        message.set_content(body)
        file = f"heldout-{number:03d}.eml"
        (HERE / file).write_bytes(bytes(message))
        labels.append({"file": file, "competence": competence, "commune": commune if commune != "null" else None,
                       "shape": "plain"})
    (HERE / "labels.jsonl").write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in labels),
                                       encoding="utf-8")


if __name__ == "__main__":
    main()
