"""Opening the database: engine, pending migrations, sessions. SQLite by default, PostgreSQL shared."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from pipeline.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) not in ("", ":memory:"):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers (the review page) never block the batch
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def pending_migrations(engine: Engine) -> bool:
    """Whether the database is behind the code's schema."""
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(ScriptDirectory.from_config(_alembic_config(None)).get_heads())


def upgrade(engine: Engine) -> None:
    """Apply every pending migration; "heads" because features add their own branch off 0001."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "heads")


def open_database(url: str, *, migrate: bool = True) -> sessionmaker:
    """Connect, apply pending migrations, and return a session factory; DatabaseError when unreachable."""
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
        else:
            with engine.connect():
                pass
    except OperationalError as exc:
        raise DatabaseError(f"base de données injoignable ({engine.url.render_as_string(hide_password=True)}) : "
                            f"{str(exc.orig).strip().splitlines()[0] if exc.orig else exc}") from exc
    except SQLAlchemyError as exc:
        raise DatabaseError(f"erreur de base de données : {exc}") from exc
    return sessionmaker(engine, expire_on_commit=False)
