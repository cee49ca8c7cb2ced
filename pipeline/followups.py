"""Is a new item the follow-up of an earlier one? The matching rules, on plain data (no database).

A false link sends a letter to the wrong desk and hides a new request, so only these count:
1. the same email thread: In-Reply-To or References names the earlier message's Message-ID;
2. an earlier chrono number quoted in the text ("votre référence A-2026-000013");
3. the same sender (same email address, or same family name and postcode) within `WINDOW_DAYS`,
   about the same thing: subjects sharing most of their words, or words of reminder ("relance",
   "toujours pas de réponse", "suite à mon courrier du 3 mars") with a subject or body in common,
   or with the date they recall being the earlier letter's.
A reminder from someone else, or the same person on another subject, is not linked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pipeline.understand.french_dates import find_date
from pipeline.understand.nlp import fold
from pipeline.understand.postal import family_name

WINDOW_DAYS = 183
CHRONO = re.compile(r"\b[A-Z]{1,5}-20\d\d-\d{3,8}\b")
REMINDER = re.compile(r"\b(relance|relancer|rappel|toujours (pas|aucune?|sans)|reste(e|s)? sans reponse|"
                      r"sans (aucune )?reponse|pas (eu|recu) de reponse|aucune reponse|"
                      r"suite a (mon|ma|notre|nos|mes|votre) (courrier|courriel|lettre|mail|message|demande|appel|"
                      r"envoi|precedent)|je vous (ai|avais) (deja )?(ecrit|adresse|envoye|signale)|"
                      r"(mon|ma|notre) (precedent|precedente|premier|premiere) (courrier|courriel|lettre|demande|mail)|"
                      r"(deuxieme|second|seconde|troisieme|nouvelle?) (courrier|lettre|demande|relance)|"
                      r"revenir vers vous|je reviens vers vous)\b")
RECALLED = re.compile(r"(courrier|courriel|lettre|mail|message|demande|envoi)s?\s+(du|en date du|dat[ee]e? du)\s+")
STOP = set("demande demandes courrier courriel objet suite relance rappel votre notre madame monsieur concernant "
           "concerne votre vos nos pour dans avec sans plus sur sous aux des les une mon mes son ses leur leurs "
           "cette ceci cela elle elles nous vous ils tout tous toujours reponse reponses merci bonjour "
           "encore avoir etre fait faire".split())
NUMBER = re.compile(r"\d[\d\-/.]{1,}\d")
YEAR = re.compile(r"^(?:19|20)\d\d$")
SAME_SUBJECT = 0.6  # share of the shorter subject's words found in the other
SOME_SUBJECT = 0.34
SOME_BODY = 0.12  # Jaccard of the first words of the two texts


@dataclass(frozen=True)
class Mail:
    """One item as the matching sees it."""

    id: int
    chrono: str
    sender: str
    sender_email: str
    postcode: str
    subject: str
    text: str
    received: datetime | None
    letter_date: date | None = None
    message_id: str | None = None
    thread_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    earlier: int
    chrono: str
    reason: str  # French, shown on the item page


def find_link(new: Mail, candidates: list[Mail]) -> Link | None:
    """The earlier item this one follows, or None; candidates are older items (any order)."""
    older = sorted((c for c in candidates if c.id != new.id), key=lambda c: (_when(c), c.id), reverse=True)
    threads = set(new.thread_ids)
    for earlier in older:
        if earlier.message_id and earlier.message_id in threads:
            return Link(earlier.id, earlier.chrono, f"réponse dans le fil du courriel {earlier.chrono}")
    quoted = set(CHRONO.findall(new.text)) | set(CHRONO.findall(new.subject))
    for earlier in older:
        if earlier.chrono in quoted:
            return Link(earlier.id, earlier.chrono, f"cite le numéro {earlier.chrono}")
    folded = fold(f"{new.subject}\n{new.text[:3000]}")
    reminder = REMINDER.search(folded)
    recalled = _recalled_date(folded)
    for earlier in older:
        if not _same_sender(new, earlier) or not _within(new, earlier):
            continue
        subject = _overlap(_words(new.subject), _words(earlier.subject))
        if _other_numbers(new.subject, earlier.subject):
            continue  # "facture n° 2026-031" is not "facture n° 2026-018"
        body = _jaccard(_words(new.text[:600]), _words(earlier.text[:600]))
        if subject >= SAME_SUBJECT:
            return Link(earlier.id, earlier.chrono, f"même expéditeur, même objet que {earlier.chrono}")
        if reminder and (subject >= SOME_SUBJECT or body >= SOME_BODY or _recalls(recalled, earlier)):
            return Link(earlier.id, earlier.chrono,
                        f"relance du même expéditeur (« {reminder.group(0)} ») après {earlier.chrono}")
    return None


def _when(mail: Mail) -> datetime:
    return mail.received or datetime.min


def _within(new: Mail, earlier: Mail) -> bool:
    if new.received is None or earlier.received is None:
        return True
    gap = new.received - earlier.received
    return timedelta(0) <= gap <= timedelta(days=WINDOW_DAYS)


def _same_sender(a: Mail, b: Mail) -> bool:
    if a.sender_email and b.sender_email:
        return a.sender_email.lower() == b.sender_email.lower()
    if not (a.postcode and a.postcode == b.postcode):
        return False
    family_a, family_b = fold(family_name(a.sender)), fold(family_name(b.sender))
    return len(family_a) > 1 and family_a == family_b


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", fold(text)) if len(w) > 3 and w not in STOP and not YEAR.match(w)}


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text)) - set(YEAR.findall(text))


def _other_numbers(a: str, b: str) -> bool:
    """Both subjects name a number (an invoice, a dossier) and not the same one."""
    first, second = _numbers(a), _numbers(b)
    return bool(first and second and not first & second)


def _overlap(a: set[str], b: set[str]) -> float:
    shorter = min(len(a), len(b))
    return len(a & b) / shorter if shorter >= 2 else 0.0


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _recalled_date(folded: str) -> date | None:
    match = RECALLED.search(folded)
    return find_date(folded[match.end():match.end() + 40]) if match else None


def _recalls(recalled: date | None, earlier: Mail) -> bool:
    """The date a reminder recalls is the earlier letter's date or the day it arrived (three days' slack)."""
    if recalled is None:
        return False
    days = [d for d in (earlier.letter_date, earlier.received.date() if earlier.received else None) if d]
    return any(abs((recalled - d).days) <= 3 for d in days)
