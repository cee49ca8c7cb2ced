"""Competence + commune → destination, status, due date, and the reasons a clerk can read."""
from __future__ import annotations

from datetime import date

from pipeline.item import Item, Routing, Scored
from pipeline.knowledge import Decision
from pipeline.reference import HORS, Reference
from pipeline.routing_table import RoutingTable
from pipeline.status import ItemStatus
from pipeline.understand.nlp import fold

LOW_OCR_CONFIDENCE = 55.0
# A deciding word of the subject that names the classifier's own choice stands in for part of the
# confidence the threshold asks: the two agree from independent evidence.
CONFIRMED_SHARE = 0.5


def destination(competence: str | None, commune: str | None, text: str, table: RoutingTable,
                reference: Reference, administration: str | None = None) -> tuple[str, str, str | None]:
    """(kind, destination, problem): a service, the commune's town hall, or the other administration
    (the one the knowledge base named, else the routing table's words)."""
    handled_by = reference.competence(competence).handled_by if competence else "metropole"
    service = table.services.get(competence or "", "Accueil et courrier")
    if handled_by == "commune":
        if commune and commune != HORS:
            named = table.mairies.get(commune) or service.format(commune=reference.commune_name(commune))
            return handled_by, named, None
        return handled_by, "Mairie à déterminer", "compétence communale mais aucune commune membre détectée"
    if handled_by == "autre":
        administration = administration or _administration(text, table)
        if administration is None:
            return handled_by, service.format(administration="à déterminer"), \
                "administration compétente non reconnue : à choisir"
        return handled_by, service.format(administration=administration), None
    return handled_by, service, None


def route(item: Item, table: RoutingTable, reference: Reference, threshold: float, today: date,
          knowledge: Decision | None = None) -> Item:
    """Decide where the item goes and whether a clerk must look at it first.

    A deciding topic of the knowledge base takes precedence over the classifier: the item goes to
    the competence it names; when the classifier had chosen another, a clerk checks it."""
    model_choice = item.competence
    item, overruled = _apply_knowledge(item, knowledge)
    competence = item.competence
    hit = knowledge.deciding if knowledge else None
    administration = hit.administration if hit and hit.competence == "hors_competence" else None
    handled_by, where, problem = destination(competence, item.commune, item.text, table, reference, administration)
    reasons = [problem] if problem else []
    top = item.competences[0].probability if item.competences else 0.0
    if overruled:
        proposed = reference.competence_by_code[model_choice].label if model_choice in reference.competence_by_code \
            else model_choice
        reasons.append(f"guide « Qui fait quoi » : {hit.reason} ; le classement proposait « {proposed} »")
    elif threshold > 1:
        reasons.append(f"le modèle n'atteint pas la précision visée pour « {competence} » : vérification systématique")
    elif top < threshold and not (knowledge and knowledge.confirmed and top >= threshold * CONFIRMED_SHARE):
        reasons.append(f"confiance du classement faible ({top:.0%} < {threshold:.0%})")
    if item.ocr_confidence is not None and item.ocr_confidence < LOW_OCR_CONFIDENCE:
        reasons.append(f"lecture OCR peu fiable (confiance {item.ocr_confidence:.0f} %)")
    reasons.extend(f"pièce illisible : {p.name} ({p.error})" for p in item.parts if p.error)
    if not item.text.strip():
        reasons.append("aucun texte lisible")
    start = (item.received_at.date() if item.received_at else today)
    delay = table.urgent_delay if item.urgent else table.delay_for(competence)
    return item.with_(routing=Routing(destination_kind=handled_by, destination=where,
                                      status=ItemStatus.TO_REVIEW if reasons else ItemStatus.ROUTED,
                                      due_date=delay.after(start), reasons=tuple(reasons)))


def _apply_knowledge(item: Item, knowledge: Decision | None) -> tuple[Item, bool]:
    """The item with the knowledge base's competence first (the classifier's probabilities kept);
    True when that overrules the classifier."""
    if knowledge is None or knowledge.competence is None or knowledge.competence == item.competence:
        return item, False
    ranked = {s.label: s for s in item.competences}
    first = ranked.pop(knowledge.competence, Scored(knowledge.competence, 0.0))
    return item.with_(competences=(first, *ranked.values())), True


def _administration(text: str, table: RoutingTable) -> str | None:
    folded = f" {fold(text)} "
    for name, words in table.administrations:
        if any(f" {fold(word)} " in folded for word in words):
            return name
    return None
