"""The words of the services' emails, in French, plain text: subject and body from plain data.

Every item comes with the link to its page in the service's basket, so one click opens it.
"""
from __future__ import annotations

import html
import re
from datetime import date

from pipeline.notify import Entry, Line

URL = re.compile(r"https?://\S+")

FOOTER = ("\n--\nMessage automatique du service Accueil et courrier (triage). Pour changer les destinataires, "
          "les absences ou les suppléants, voyez l'annuaire avec le service courrier.\n")


def link(base_url: str, item_id: int) -> str:
    return f"{base_url.rstrip('/')}/corbeille/items/{item_id}"


def day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _line(line: Line, base_url: str) -> str:
    marks = (["URGENT"] if line.urgent else []) + (["en copie"] if line.role == "copy" else [])
    head = f"- {line.chrono} : {line.subject or '(sans objet)'}" + (f" [{', '.join(marks)}]" if marks else "")
    details = [f"de {line.sender}" if line.sender else "", f"reçu le {day(line.received)}" if line.received else "",
               f"échéance le {day(line.due)}" if line.due and line.role == "principal" else ""]
    return f"{head}\n  {' · '.join(d for d in details if d)}\n  {link(base_url, line.item_id)}"


def _list(lines: list[Line], base_url: str) -> str:
    return "\n\n".join(_line(line, base_url) for line in lines)


def digest(entry: Entry, lines: list[Line], base_url: str, today: date) -> tuple[str, str]:
    principal = [line for line in lines if line.role == "principal"]
    copies = [line for line in lines if line.role != "principal"]
    subject = f"Courrier du {day(today)} pour {entry.name} : {plural(len(lines), 'nouvel élément', 'nouveaux éléments')}"
    parts = [f"Bonjour,\n\nLe service courrier a orienté vers {entry.name} "
             f"{plural(len(lines), 'nouvel élément', 'nouveaux éléments')}."]
    if principal:
        parts.append(f"À traiter ({len(principal)}) :\n\n" + _list(principal, base_url))
    if copies:
        parts.append(f"Pour information, en copie ({len(copies)}) :\n\n" + _list(copies, base_url))
    parts.append("Sur chaque élément : « Pris en charge » dès que vous le traitez, « Répondu » avec la date et le "
                 "moyen de la réponse, ou « Réorienter » s'il n'est pas pour vous (le service courrier le reprend).")
    return subject, "\n\n".join(parts) + "\n" + FOOTER


def urgent(entry: Entry, line: Line, base_url: str) -> tuple[str, str]:
    subject = f"URGENT — {line.chrono} pour {entry.name} : {line.subject or '(sans objet)'}"
    body = (f"Bonjour,\n\nUn courrier urgent vient d'être orienté vers {entry.name}"
            f"{' (en copie)' if line.role == 'copy' else ''} :\n\n{_line(line, base_url)}\n\n"
            "Merci de le prendre en charge dès que possible.\n")
    return subject, body + FOOTER


def reminder(entry: Entry, lines: list[Line], base_url: str) -> tuple[str, str]:
    first = min(line.due for line in lines if line.due)
    subject = (f"Rappel : {plural(len(lines), 'courrier')} de {entry.name} à échéance "
               f"{'le ' + day(first) if len(lines) == 1 else 'à partir du ' + day(first)}")
    body = (f"Bonjour,\n\nCes courriers adressés à {entry.name} arrivent à échéance et n'ont pas encore de réponse "
            f"enregistrée :\n\n{_list(lines, base_url)}\n\nSi la réponse est partie, indiquez-la sur la page de "
            "l'élément (« Répondu ») : ce rappel ne sera plus envoyé.\n")
    return subject, body + FOOTER


def escalation(entry: Entry, lines: list[Line], base_url: str, today: date) -> tuple[str, str]:
    subject = f"Échéance dépassée : {plural(len(lines), 'courrier')} sans réponse à {entry.name}"
    late = "\n\n".join(f"{_line(line, base_url)}\n  en retard de {(today - line.due).days} jour(s)"
                       for line in lines if line.due)
    body = (f"Bonjour,\n\nVous êtes responsable de {entry.name}. L'échéance de ces courriers est passée sans "
            f"réponse enregistrée :\n\n{late}\n\nMerci de veiller à ce qu'une réponse parte, puis qu'elle soit "
            "indiquée sur la page de l'élément (« Répondu »).\n")
    return subject, body + FOOTER


def as_html(text: str) -> str:
    """The plain text as a simple HTML part: same words, links clickable, lines kept."""
    def linked(line: str) -> str:
        parts, last = [], 0
        for found in URL.finditer(line):
            parts += [html.escape(line[last:found.start()]),
                      f'<a href="{html.escape(found.group(), quote=True)}">{html.escape(found.group())}</a>']
            last = found.end()
        return "".join(parts) + html.escape(line[last:])
    body = "<br>\n".join(linked(line) for line in text.splitlines())
    return f'<!doctype html><html lang="fr"><body style="font-family:sans-serif">{body}</body></html>\n'
