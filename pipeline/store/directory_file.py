"""The directory to and from its CSV file (pipeline/directory.py reads and writes the text).

An import is one transaction, checked whole before anything is written: entries are matched by code
(created or updated, each change in the history), the agents of every entry the file lists are
replaced by the file's (matched by name, so accounts and substitutes stay linked), and the copy
rules are replaced by the file's when it has any.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pipeline.directory import AgentData, CopyData, DirectoryData, DirectoryFileError, EntryData
from pipeline.store import directory as store


@dataclass(frozen=True)
class Imported:
    created: int
    updated: int
    agents: int
    copies: int


def export_data(session: Session) -> DirectoryData:
    entries = store.entries(session)
    by_id = {e.id: e for e in entries}
    people = store.persons(session)
    names = {p.id: p.name for p in people}
    return DirectoryData(
        entries=[EntryData(e.kind, e.code, e.name, e.email, e.phone, e.address, e.head_name, e.head_email,
                           e.engagement_days, list(e.words or []), e.active) for e in entries],
        agents=[AgentData(by_id[p.entry_id].code, p.name, p.email, p.username, p.is_head, p.absent_from,
                          p.absent_until, names.get(p.substitute_id, "")) for p in
                sorted(people, key=lambda p: (by_id[p.entry_id].code, not p.is_head, p.name))],
        copies=[CopyData(r.competence, by_id[r.entry_id].code) for r in store.copy_rules(session)])


def import_data(session: Session, data: DirectoryData, user: str) -> Imported:
    """Write a parsed file (DirectoryFileError, nothing written, when a copy names an unknown entry); commits."""
    known = {e.code: e for e in store.entries(session)}
    targets = {c.entry_code for c in data.copies} - known.keys() - {e.code for e in data.entries}
    if targets:
        raise DirectoryFileError(f"copie vers un code inconnu : {', '.join(sorted(targets))} ; rien n'a été importé")
    created = updated = 0
    ids = {}
    for entry in data.entries:
        values = {"name": entry.name, "email": entry.email, "phone": entry.phone, "address": entry.address,
                  "head_name": entry.head_name, "head_email": entry.head_email,
                  "engagement_days": entry.engagement_days, "words": entry.words, "active": entry.active}
        old = known.get(entry.code)
        if old is None:
            ids[entry.code] = store.create_entry(session, {"kind": entry.kind, "code": entry.code, **values}, user,
                                                 "imported").id
            created += 1
        else:
            if old.kind != entry.kind:
                session.rollback()
                raise DirectoryFileError(f"le code « {entry.code} » est un(e) {old.kind} dans l'annuaire, pas un(e) "
                                         f"{entry.kind} ; rien n'a été importé")
            new = store.update_entry(session, old.id, None, values, user, "imported")
            updated += new.version != old.version
            ids[entry.code] = old.id
    agents = _replace_agents(session, data.agents, ids, user)
    wanted = {(c.competence, ids.get(c.entry_code) or known[c.entry_code].id) for c in data.copies}
    if wanted:  # only the differences, so that the history shows what the file changed
        for rule in store.copy_rules(session):
            if (rule.competence, rule.entry_id) not in wanted:
                store.remove_copy_rule(session, rule.id, user)
        for competence, entry_id in sorted(wanted):
            store.add_copy_rule(session, competence, entry_id, user)
    copies = len(wanted)
    session.commit()
    return Imported(created, updated, agents, copies)


def _replace_agents(session: Session, agents: list[AgentData], ids: dict[str, int], user: str) -> int:
    by_entry: dict[int, list[AgentData]] = {ids[code]: [] for code in ids}
    for agent in agents:
        by_entry[ids[agent.entry_code]].append(agent)
    kept = {}
    for entry_id, wanted in by_entry.items():
        current = {p.name: p for p in store.persons(session, entry_id)}
        for name, person in current.items():
            if name not in {a.name for a in wanted}:
                store.remove_person(session, person.id, user)
        for agent in wanted:
            values = {"email": agent.email, "username": agent.username, "is_head": agent.is_head,
                      "absent_from": agent.absent_from, "absent_until": agent.absent_until}
            person = current.get(agent.name)
            person = store.update_person(session, person.id, user, **values) if person else \
                store.add_person(session, entry_id, user, name=agent.name, **values)
            kept[(entry_id, agent.name)] = person
    everyone = {p.name: p.id for p in store.persons(session)}
    for (entry_id, name), person in kept.items():
        agent = next(a for a in by_entry[entry_id] if a.name == name)
        substitute = kept.get((entry_id, agent.substitute)) if agent.substitute else None
        substitute_id = substitute.id if substitute else everyone.get(agent.substitute)
        if agent.substitute and substitute_id is None:
            session.rollback()
            raise DirectoryFileError(f"suppléant « {agent.substitute} » de « {name} » introuvable ; rien n'a été importé")
        if substitute_id != person.substitute_id:
            store.update_person(session, person.id, user, substitute_id=substitute_id)
    return len(kept)
