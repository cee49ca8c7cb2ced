"""Model versions recorded in the database (figures, digest), as the admin models page reads them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.schema import ModelVersionRow


@dataclass(frozen=True)
class ModelVersion:
    version: str
    digest: str
    metrics: dict
    active: bool
    created_at: datetime | None


def by_version(session: Session) -> dict[str, ModelVersion]:
    """Every recorded version, by its name."""
    return {row.version: ModelVersion(row.version, row.digest, row.metrics or {}, row.active, row.created_at)
            for row in session.execute(select(ModelVersionRow)).scalars()}
