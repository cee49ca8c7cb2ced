"""Opening the database: engine, pending migrations, sessions. SQLite by default, PostgreSQL shared.

Each command opens it once (at the CLI) and passes the `Database` down. Commands that write
migrate it; read-only commands only check that its schema is the code's and refuse otherwise,
so that looking at a database never changes it.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from pipeline.errors import ConfigError, DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"
StoreFailure = SQLAlchemyError  # what any database operation may raise; callers outside store/ catch this name
SUPPORTED_DIALECTS = ("sqlite", "postgresql")


class Database(sessionmaker):
    """A session factory (`with database() as session:`) that also knows its dialect and its schema state."""

    def __init__(self, engine: Engine):
        super().__init__(engine, expire_on_commit=False)
        self.engine = engine
        self.dialect = engine.dialect.name
        self.missing_migrations = pending_revisions(engine)

    @property
    def schema_current(self) -> bool:
        return not self.missing_migrations

    def require_current_schema(self) -> None:
        """Refuse to read a database the code would misread; say which migration is missing."""
        if self.missing_migrations:
            raise DatabaseError(
                f"le schéma de la base est ancien : migration(s) non appliquée(s) {', '.join(self.missing_migrations)}",
                hint="lancez « triage migrate » (ou « triage run », qui l'applique) puis recommencez")


def make_engine(url: str) -> Engine:
    dialect = _dialect_of(url)
    if dialect == "sqlite":
        path = Path(url.partition(":///")[2]) if ":///" in url else Path("")
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
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ConfigError(f"adresse de base de données inutilisable ({_hidden(url)}) : {exc}",
                          hint="exemple : postgresql+psycopg://triage@localhost/triage") from exc


def _dialect_of(url: str) -> str:
    try:
        dialect = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError(f"adresse de base de données illisible : {url!r}",
                          hint="exemples : sqlite:///var/triage.sqlite, postgresql+psycopg://triage@localhost/triage"
                          ) from exc
    if dialect not in SUPPORTED_DIALECTS:
        raise ConfigError(f"base de données non prise en charge : {dialect} ({_hidden(url)}) ; "
                          "seules SQLite et PostgreSQL le sont",
                          hint="database_url = \"postgresql+psycopg://utilisateur@hôte/base\" ou "
                               "\"sqlite:///var/triage.sqlite\"")
    return dialect


def _hidden(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "?"


def _alembic_config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def pending_revisions(engine: Engine) -> list[str]:
    """The migrations of the code not yet applied to the database, oldest first."""
    script = ScriptDirectory.from_config(_alembic_config(None))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    applied = {rev.revision for rev in script.iterate_revisions(current, "base")} if current else set()
    return sorted(rev.revision for rev in script.walk_revisions() if rev.revision not in applied)


def pending_migrations(engine: Engine) -> bool:
    """Whether the database is behind the code's schema."""
    return bool(pending_revisions(engine))


def upgrade(engine: Engine) -> None:
    """Apply every pending migration; "heads" because features add their own branch off 0001."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "heads")


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Connect and return the Database; with `migrate`, apply pending migrations first.

    Read-only commands pass migrate=False and call `require_current_schema()`; DatabaseError when
    unreachable, ConfigError for a URL that is neither SQLite nor PostgreSQL."""
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
        return Database(engine)
    except OperationalError as exc:
        raise DatabaseError(f"base de données injoignable ({engine.url.render_as_string(hide_password=True)}) : "
                            f"{str(exc.orig).strip().splitlines()[0] if exc.orig else exc}") from exc
    except SQLAlchemyError as exc:
        raise DatabaseError(f"erreur de base de données : {exc}") from exc
