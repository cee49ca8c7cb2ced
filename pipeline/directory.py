"""The directory ("annuaire") without the database: what it is seeded with, its CSV file, its checks.

One CSV holds the whole directory, one row per line of the file, its `type` saying what the row is:
an entry (service, mairie, administration), an agent of an entry (agent), or a default copy (copie:
every item of competence `code` also goes, in copy, to the entry `cible`). Separator ";" (what a
French spreadsheet writes), "," accepted on import. Errors name the line, as the clerk's spreadsheet
numbers it (the header is line 1).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

KINDS = {"service": "Service de la métropole", "mairie": "Mairie", "administration": "Autre administration"}
COLUMNS = ("type", "code", "nom", "courriel", "telephone", "adresse", "responsable", "courriel_responsable",
           "delai_jours", "mots", "actif", "identifiant", "absent_du", "absent_au", "suppleant", "cible")
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
PHONE = re.compile(r"^[0-9+ .()\-]{0,40}$")
YES = {"oui", "o", "1", "vrai", "true", "x", "yes"}

# The administrations of config/routing.toml under their directory codes, and who else mail is sent to.
# Only national switchboard numbers and postal addresses of public offices known for certain are
# given; everything else is left empty, for the administrator to complete on the page.
ADMINISTRATIONS = {
    "Préfecture du Doubs (ANTS)": ("prefecture-doubs", {"address": "8 bis rue Charles Nodier\n25035 Besançon Cedex"}),
    "Conseil départemental du Doubs": ("departement-doubs",
                                       {"address": "7 avenue de la Gare d'Eau\n25031 Besançon Cedex"}),
    "Région Bourgogne-Franche-Comté": ("region-bfc", {}),
    "Caisse d'allocations familiales du Doubs": ("caf-doubs", {"phone": "3230"}),
    "France Travail": ("france-travail", {"phone": "3949"}),
    "Direction des finances publiques": ("dgfip", {"phone": "0 809 401 401"}),
    "CPAM du Doubs": ("cpam-doubs", {"phone": "3646"}),
}
OTHER_ADMINISTRATIONS = (
    ("enedis", "Enedis (réseau électrique)", ("enedis", "linky", "compteur électrique"), {}),
)


@dataclass
class EntryData:
    kind: str
    code: str
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    head_name: str = ""
    head_email: str = ""
    engagement_days: int | None = None
    words: list[str] = field(default_factory=list)
    active: bool = True


@dataclass
class AgentData:
    entry_code: str
    name: str
    email: str = ""
    username: str = ""
    is_head: bool = False
    absent_from: date | None = None
    absent_until: date | None = None
    substitute: str = ""  # the substitute's name (an agent of the same entry, else of any entry)


@dataclass
class CopyData:
    competence: str
    entry_code: str


@dataclass
class DirectoryData:
    entries: list[EntryData] = field(default_factory=list)
    agents: list[AgentData] = field(default_factory=list)
    copies: list[CopyData] = field(default_factory=list)


class DirectoryFileError(ValueError):
    """A CSV the directory cannot take; the message (French) names the line."""


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60]


def entry_problems(entry: EntryData) -> list[str]:
    """What is wrong with an entry, in French (empty: it may be saved)."""
    problems = []
    if entry.kind not in KINDS:
        problems.append(f"type inconnu « {entry.kind} » (service, mairie ou administration)")
    if not entry.code.strip():
        problems.append("code manquant")
    if not entry.name.strip():
        problems.append("nom manquant")
    for label, value in (("courriel", entry.email), ("courriel du responsable", entry.head_email)):
        if value and not EMAIL.match(value):
            problems.append(f"{label} invalide « {value} »")
    if not PHONE.match(entry.phone or ""):
        problems.append(f"téléphone invalide « {entry.phone} »")
    if entry.engagement_days is not None and not 0 < entry.engagement_days <= 365:
        problems.append("délai d'engagement hors limites (1 à 365 jours ouvrés)")
    return problems


def agent_problems(agent: AgentData) -> list[str]:
    problems = [] if agent.name.strip() else ["nom de l'agent manquant"]
    if agent.email and not EMAIL.match(agent.email):
        problems.append(f"courriel de l'agent invalide « {agent.email} »")
    if agent.absent_from and agent.absent_until and agent.absent_until < agent.absent_from:
        problems.append("absence : la date de fin précède la date de début")
    return problems


def seed_data(services: dict[str, str], competences: dict[str, str], communes: list[tuple[str, str, str]],
              administrations: list[tuple[str, tuple[str, ...]]], organisation_address: str,
              service_contacts: dict[str, dict[str, str]],
              authority_contacts: dict[str, dict[str, str]]) -> list[EntryData]:
    """What the directory starts with: the routing table's services (one per metropolitan competence,
    `competences` code → handled_by), one town hall per member commune (INSEE, name, first postcode)
    and the administrations, with what config's [letters] contacts know. Unknown details stay empty."""
    entries = []
    for code, handled_by in competences.items():
        if handled_by != "metropole":
            continue
        name = services.get(code, code)
        contact = service_contacts.get(name, {})
        entries.append(EntryData("service", code, name, email=contact.get("email", ""), phone=contact.get("phone", ""),
                                 address=contact.get("address", "").replace(", ", "\n") or
                                 organisation_address.replace(", ", "\n")))
    for insee, name, postcode in communes:
        title = f"Mairie de {name}"
        contact = authority_contacts.get(title, {})
        entries.append(EntryData("mairie", insee, title, email=contact.get("email", ""), phone=contact.get("phone", ""),
                                 address=contact.get("address", "").replace(", ", "\n")
                                 or f"Mairie\n{postcode} {name}".strip()))
    for name, words in administrations:
        code, known = ADMINISTRATIONS.get(name, (slug(name), {}))
        contact = {**known, **authority_contacts.get(name, {})}
        entries.append(EntryData("administration", code, name, email=contact.get("email", ""),
                                 phone=contact.get("phone", ""), address=contact.get("address", ""),
                                 words=list(words)))
    listed = {entry.code for entry in entries}
    entries += [EntryData("administration", code, name, words=list(words), **known)
                for code, name, words, known in OTHER_ADMINISTRATIONS if code not in listed]
    return entries


# --- The CSV file ---

def write_csv(data: DirectoryData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in data.entries:
        writer.writerow([e.kind, e.code, e.name, e.email, e.phone, e.address.replace("\n", " / "), e.head_name,
                         e.head_email, "" if e.engagement_days is None else e.engagement_days, " | ".join(e.words),
                         "oui" if e.active else "non", "", "", "", "", ""])
    for a in data.agents:
        writer.writerow(["agent", a.entry_code, a.name, a.email, "", "", "oui" if a.is_head else "", "", "", "", "",
                         a.username, a.absent_from.isoformat() if a.absent_from else "",
                         a.absent_until.isoformat() if a.absent_until else "", a.substitute, ""])
    for c in data.copies:
        writer.writerow(["copie", c.competence, "", "", "", "", "", "", "", "", "", "", "", "", "", c.entry_code])
    return out.getvalue()


def read_csv(text: str) -> DirectoryData:
    """Parse and check a whole file; DirectoryFileError names every bad line (nothing is half-read)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ",")
    missing = [c for c in ("type", "code", "nom") if c not in (reader.fieldnames or [])]
    if missing:
        raise DirectoryFileError(f"ligne 1 : colonne(s) manquante(s) : {', '.join(missing)} "
                                 f"(attendu : {';'.join(COLUMNS)})")
    data, errors = DirectoryData(), []
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        try:
            _read_row(cells, data)
        except ValueError as exc:
            errors.append(f"ligne {line} : {exc}")
    codes = {e.code for e in data.entries}
    seen: set[str] = set()
    for e in data.entries:
        if e.code in seen:
            errors.append(f"code « {e.code} » présent deux fois")
        seen.add(e.code)
    errors += [f"agent « {a.name} » : code « {a.entry_code} » absent du fichier" for a in data.agents
               if a.entry_code not in codes]
    if errors:
        raise DirectoryFileError("fichier refusé, rien n'a été importé :\n" + "\n".join(errors[:20])
                                 + (f"\n… et {len(errors) - 20} autre(s) erreur(s)" if len(errors) > 20 else ""))
    return data


def _read_row(cells: dict, data: DirectoryData) -> None:
    kind = cells.get("type", "").lower()
    if kind == "agent":
        agent = AgentData(cells.get("code", ""), cells.get("nom", ""), cells.get("courriel", ""),
                          cells.get("identifiant", ""), cells.get("responsable", "").lower() in YES,
                          _day(cells.get("absent_du", "")), _day(cells.get("absent_au", "")), cells.get("suppleant", ""))
        if problems := agent_problems(agent):
            raise ValueError(" ; ".join(problems))
        data.agents.append(agent)
        return
    if kind == "copie":
        if not cells.get("code") or not cells.get("cible"):
            raise ValueError("copie : il faut la compétence (colonne code) et l'entrée destinataire (colonne cible)")
        data.copies.append(CopyData(cells["code"], cells["cible"]))
        return
    days = cells.get("delai_jours", "")
    if days and not days.isdigit():
        raise ValueError(f"délai en jours invalide « {days} » (un nombre de jours ouvrés, ou vide)")
    entry = EntryData(kind, cells.get("code", ""), cells.get("nom", ""), cells.get("courriel", ""),
                      cells.get("telephone", ""), cells.get("adresse", "").replace(" / ", "\n"),
                      cells.get("responsable", ""), cells.get("courriel_responsable", ""),
                      int(days) if days else None,
                      [w.strip() for w in cells.get("mots", "").split("|") if w.strip()],
                      cells.get("actif", "oui").lower() in YES | {""})
    if problems := entry_problems(entry):
        raise ValueError(" ; ".join(problems))
    data.entries.append(entry)


def _day(text: str) -> date | None:
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: date(*reversed([int(p) for p in t.split("/")]))):
        try:
            return parse(text)
        except (ValueError, TypeError):
            continue
    raise ValueError(f"date invalide « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA)")


def routing_overlay(table, entries: list) -> "RoutingTable":  # noqa: F821 (pipeline.routing_table)
    """The routing table with the directory's names and words: services by competence, town halls by
    INSEE, administrations (in the directory's order, first match wins; without words, only chosen by hand). Without
    entries of a kind, the table's own stay (a directory not yet seeded routes as config says)."""
    from dataclasses import replace
    active = [e for e in entries if e.active]
    services = {e.code: e.name for e in active if e.kind == "service"}
    mairies = {e.code: e.name for e in active if e.kind == "mairie"}
    administrations = tuple((e.name, tuple(w.lower() for w in e.words)) for e in active
                            if e.kind == "administration")
    return replace(table, services={**table.services, **services}, mairies=mairies or table.mairies,
                   administrations=administrations or table.administrations)
