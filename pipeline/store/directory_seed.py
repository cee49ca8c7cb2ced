"""Seeding the directory from config/routing.toml, the member communes and the known administrations.

Idempotent and cheap: only the codes the directory does not hold yet are added (an entry an
administrator deleted stays deleted; an edited one keeps its edits). Called by `triage migrate`,
by the first run and by the tests.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.directory import EntryData, seed_data
from pipeline.store.directory import create_entry
from pipeline.store.schema import DirectoryEntryRow, DirectoryEventRow

SEEDER = "triage"


def seed_entries(session: Session, entries: list[EntryData], user: str = SEEDER) -> int:
    """Add the entries whose code is neither in the directory nor deleted by an administrator; returns how many."""
    known = set(session.execute(select(DirectoryEntryRow.code)).scalars())
    if all(entry.code in known for entry in entries):
        return 0
    deleted = {event.before.get("code") for event in session.execute(
        select(DirectoryEventRow).where(DirectoryEventRow.action == "deleted")).scalars()}
    added = 0
    for entry in entries:
        if entry.code in known or entry.code in deleted:
            continue
        create_entry(session, {"kind": entry.kind, "code": entry.code, "name": entry.name, "email": entry.email,
                               "phone": entry.phone, "address": entry.address, "words": entry.words,
                               "engagement_days": entry.engagement_days, "active": entry.active}, user, "seeded")
        known.add(entry.code)
        added += 1
    return added


def seed_directory(session: Session, settings) -> int:
    """Seed from the settings' routing table, reference data and [letters] contacts; commits; returns how many."""
    from pipeline.reference import load_reference
    from pipeline.routing_table import load_routing_table
    table = load_routing_table(settings.routing_file)
    reference = load_reference(settings.reference_dir)
    letters = settings.letters
    data = seed_data(table.services, {c.code: c.handled_by for c in reference.competences},
                     [(c.insee, c.name, c.postcodes[0] if c.postcodes else "") for c in reference.communes],
                     list(table.administrations), letters.address, letters.service_contacts,
                     letters.authority_contacts)
    added = seed_entries(session, data)
    session.commit()
    return added


def seed_database(settings, database) -> int:
    """The same, in a session of its own (for the commands and the run)."""
    with database() as session:
        return seed_directory(session, settings)
