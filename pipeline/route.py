"""Competence + commune → destination, status, due date, and the reasons a clerk can read."""
from __future__ import annotations

from datetime import date

from pipeline.item import Item, Routing
from pipeline.reference import HORS, Reference
from pipeline.routing_table import RoutingTable
from pipeline.status import ItemStatus
from pipeline.understand.nlp import fold

LOW_OCR_CONFIDENCE = 55.0


def destination(competence: str | None, commune: str | None, text: str, table: RoutingTable,
                reference: Reference) -> tuple[str, str, str | None]:
    """(kind, destination, problem): a service, the commune's town hall, or the other administration."""
    handled_by = reference.competence(competence).handled_by if competence else "metropole"
    service = table.services.get(competence or "", "Accueil et courrier")
    if handled_by == "commune":
        if commune and commune != HORS:
            return handled_by, service.format(commune=reference.commune_name(commune)), None
        return handled_by, "Mairie à déterminer", "compétence communale mais aucune commune membre détectée"
    if handled_by == "autre":
        administration = _administration(text, table)
        if administration is None:
            return handled_by, service.format(administration="à déterminer"), \
                "administration compétente non reconnue : à choisir"
        return handled_by, service.format(administration=administration), None
    return handled_by, service, None


def route(item: Item, table: RoutingTable, reference: Reference, threshold: float, today: date) -> Item:
    """Decide where the item goes and whether a clerk must look at it first."""
    competence = item.competence
    handled_by, where, problem = destination(competence, item.commune, item.text, table, reference)
    reasons = [problem] if problem else []
    top = item.competences[0].probability if item.competences else 0.0
    if threshold > 1:
        reasons.append(f"le modèle n'atteint pas la précision visée pour « {competence} » : vérification systématique")
    elif top < threshold:
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


def _administration(text: str, table: RoutingTable) -> str | None:
    folded = f" {fold(text)} "
    for name, words in table.administrations:
        if any(f" {fold(word)} " in folded for word in words):
            return name
    return None
