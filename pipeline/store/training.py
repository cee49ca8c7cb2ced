"""Training examples in the database: the clerks' reviewed items and the imported labelled mail.

Plain `Example`s cross this boundary, so `pipeline/classify/` never sees an ORM row.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, insert, select

from pipeline.classify.dataset import Example
from pipeline.status import REVIEWED
from pipeline.store.baskets import BOOKKEEPING
from pipeline.store.items import now
from pipeline.store.schema import ItemRow, ReviewEventRow, TrainingExampleRow

BATCH = 1000


def reviewed_examples(database) -> list[Example]:
    """Every item a clerk confirmed or corrected: the final label (the clerk's) is the truth."""
    with database() as session:
        rows = session.execute(select(ItemRow.chrono, ItemRow.text, ItemRow.competence, ItemRow.commune,
                                      ItemRow.received_at)
                               .where(ItemRow.status.in_(REVIEWED), ItemRow.competence.is_not(None),
                                      ItemRow.purged_at.is_(None))).all()
    return [Example(r.text, r.competence, r.commune, f"review:{r.chrono}", r.received_at) for r in rows if r.text]


def imported_examples(database) -> list[Example]:
    with database() as session:
        rows = session.execute(select(TrainingExampleRow)).scalars().all()
    return [Example(r.text, r.competence, r.commune, f"import:{r.source}", r.received_at) for r in rows]


def store_imported(database, examples: list[Example]) -> int:
    """Store imported examples once each (by the sha256 of their text); returns how many were new.

    Looked up and inserted by batches: an archive of 50,000 rows is a few dozen statements, not
    100,000 round trips."""
    fresh: dict[str, Example] = {}
    for example in examples:
        fresh.setdefault(hashlib.sha256(example.text.encode()).hexdigest(), example)
    stamp = now()
    with database() as session:
        digests = list(fresh)
        for start in range(0, len(digests), BATCH):
            known = session.execute(select(TrainingExampleRow.sha256)
                                    .where(TrainingExampleRow.sha256.in_(digests[start:start + BATCH]))).scalars()
            for digest in known:
                del fresh[digest]
        rows = [{"source": e.origin.removeprefix("import:"), "sha256": digest, "text": e.text,
                 "competence": e.competence, "commune": e.commune, "received_at": e.received_at,
                 "imported_at": stamp} for digest, e in fresh.items()]
        for start in range(0, len(rows), BATCH):
            session.execute(insert(TrainingExampleRow), rows[start:start + BATCH])
        session.commit()
    return len(rows)


def review_events_since(database, since: datetime | None) -> int:
    """Review decisions recorded after `since` (all of them when None)."""
    query = select(func.count()).select_from(ReviewEventRow).where(ReviewEventRow.action.not_in(BOOKKEEPING))
    if since is not None:
        query = query.where(ReviewEventRow.at > since)
    with database() as session:
        return session.execute(query).scalar_one()
