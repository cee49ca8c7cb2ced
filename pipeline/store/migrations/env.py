"""Alembic environment: migrations run on the connection triage hands over (see store/database.py)."""
from alembic import context

from pipeline.store.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
