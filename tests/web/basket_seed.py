"""Directory rows, destinations and service accounts for the basket tests, written directly (the
directory's own store arrives with helper "directory"; these rows follow the shared schema)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from pipeline.store.schema import DirectoryEntryRow, DirectoryPersonRow, ItemDestinationRow, ItemRow
from pipeline.store.users import add_user

PASSWORDS = {"eau": "eau-mot-de-passe", "dechets": "dechets-mot-de-passe", "thise": "thise-mot-de-passe"}
ENTRIES = {"eau": ("service", "eau_assainissement", "Direction de l'eau et de l'assainissement"),
           "dechets": ("service", "dechets", "Direction de la gestion des déchets"),
           "thise": ("mairie", "25560", "Mairie de Thise"),
           "prefecture": ("administration", "prefecture-doubs", "Préfecture du Doubs")}


def add_entries(sessions) -> dict[str, int]:
    """The four entries; returns their ids by short name."""
    now = datetime.now(timezone.utc)
    with sessions() as session:
        rows = {name: DirectoryEntryRow(kind=kind, code=code, name=label, updated_at=now)
                for name, (kind, code, label) in ENTRIES.items()}
        session.add_all(rows.values())
        session.commit()
        return {name: row.id for name, row in rows.items()}


def route(sessions, item_id: int, entry_id: int, role: str = "principal", status: str = "routed") -> None:
    """An item addressed to an entry (and, for a principal, settled as the night run would leave it)."""
    with sessions() as session:
        session.add(ItemDestinationRow(item_id=item_id, entry_id=entry_id, role=role,
                                       added_at=datetime.now(timezone.utc), added_by="triage"))
        if role == "principal":
            session.get(ItemRow, item_id).status = status
        session.commit()


def add_accounts(sessions, entries: dict[str, int]) -> None:
    with sessions() as session:
        for name in PASSWORDS:
            add_user(session, name, PASSWORDS[name], "service", entry_id=entries[name], email=f"{name}@example.org")


def absent(sessions, entry_id: int, substitute_entry: int, substitute_username: str,
           start: date, end: date) -> None:
    """An agent of `entry_id` absent from start to end, stood in for by the account `substitute_username`."""
    with sessions() as session:
        substitute = DirectoryPersonRow(entry_id=substitute_entry, name="Remplaçant", username=substitute_username)
        session.add(substitute)
        session.flush()
        session.add(DirectoryPersonRow(entry_id=entry_id, name="Agent absent", username="", absent_from=start,
                                       absent_until=end, substitute_id=substitute.id))
        session.commit()


def seed_baskets(site) -> dict[str, int]:
    """item 0 → eau (principal) + déchets (copy); item 1 → déchets; item 2 → Thise; item 3 → nobody."""
    entries = add_entries(site.sessions)
    first, second, third, _ = site.items
    route(site.sessions, first, entries["eau"])
    route(site.sessions, first, entries["dechets"], "copy")
    route(site.sessions, second, entries["dechets"])
    route(site.sessions, third, entries["thise"])
    add_accounts(site.sessions, entries)
    return entries


def chrono_of(site, item_id: int) -> str:
    with site.sessions() as session:
        return session.get(ItemRow, item_id).chrono
