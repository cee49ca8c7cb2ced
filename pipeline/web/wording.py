"""Why an item waits for a clerk, said the way a clerk says it.

Routing stores its reasons in technical French ("confiance du classement faible (42% < 42%)",
"le modèle n'atteint pas la précision visée pour « voirie »"); the page translates them when it
shows them, so items stored long ago read the same as new ones.
"""
from __future__ import annotations

import re

LOW = re.compile(r"confiance du classement faible \((\d+) ?% < (\d+) ?%\)")
SYSTEMATIC = re.compile(r"le modèle n'atteint pas la précision visée pour « ([^»]+) »")
OCR = re.compile(r"lecture OCR peu fiable \(confiance (\d+) ?%\)")
SAID = {
    "aucun texte lisible": "Aucun texte n'a pu être lu : ouvrez l'original pour savoir de quoi il s'agit.",
    "compétence communale mais aucune commune membre détectée":
        "C'est une affaire de mairie, mais aucune commune de la métropole n'est citée : choisissez la commune.",
    "administration compétente non reconnue : à choisir":
        "La demande relève d'une autre administration, laquelle n'a pas été reconnue : choisissez-la (touche a).",
}


def clerk_reason(reason: str, competence_label) -> str:
    """One stored reason in a clerk's words; `competence_label(code)` names a competence."""
    if reason in SAID:
        return SAID[reason]
    if found := LOW.fullmatch(reason.strip()):
        return f"Le classement hésite (sûr à {found.group(1)} % seulement) : vérifiez la compétence proposée."
    if found := SYSTEMATIC.match(reason.strip()):
        return (f"Les courriers « {competence_label(found.group(1))} » sont toujours relus : le classement "
                "automatique n'est pas encore assez fiable pour ce service.")
    if found := OCR.fullmatch(reason.strip()):
        return f"Le scan est difficile à lire (lecture sûre à {found.group(1)} %) : comparez le texte à l'original."
    if reason.startswith("pièce illisible : "):
        return f"Une pièce jointe n'a pas pu être lue ({reason.removeprefix('pièce illisible : ')}) : ouvrez-la."
    return reason[:1].upper() + reason[1:]


def service_name(template: str, competence_label: str) -> str:
    """A service's name as the routing table spells it, without its placeholders ("{administration}")."""
    return re.sub(r"\s*:?\s*\{[a-z_]+\}", "", template).strip() or competence_label
