"""Search by registration number, or full text over subject, sender and text: FTS5 on SQLite, a
French tsvector on PostgreSQL.

A query that is a chrono number ("A-2026-000013", any case) finds that item through the unique
index. Both engines match every word of the query as a prefix, accents aside
("besancon" finds "Besançon": FTS5's remove_diacritics, and migration 0010_scale's
triage_unaccent() on both sides of PostgreSQL's match); PostgreSQL also stems French words
("fuites" finds "fuite"). A database whose search index is missing (created without the
migrations) falls back to a slower LIKE scan.
"""
from __future__ import annotations

import re

from sqlalchemy import Engine, and_, event, func, literal_column, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from pipeline.store.schema import ItemRow

MAX_TERMS = 8
PG_DOCUMENT = "search_vector"  # generated column of migration 0002_review: subject, sender, text
SQLITE_TRIGGERS = ("item_fts_insert", "item_fts_delete", "item_fts_update")


def terms(query: str) -> list[str]:
    """The words of a query, without any operator syntax of either engine."""
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


def _engine(database) -> Engine:
    with database() as session:
        return session.get_bind()


def search_mode(database) -> str:
    """fts5, postgresql or like: what this database offers."""
    engine = _engine(database)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_item_fulltext'")).first()
            folds = connection.execute(text("SELECT to_regprocedure('triage_unaccent(text)')")).scalar()
        return ("postgresql" if folds else "postgresql-plain") if found else "like"
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            names = {r[0] for r in connection.execute(text(
                "SELECT name FROM sqlite_master WHERE name = 'item_fts' OR name LIKE 'item_fts_%'"))}
        return "fts5" if "item_fts" in names and set(SQLITE_TRIGGERS) <= names else "like"
    return "like"


def _no_jit(connection, _record) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        # A search's bitmap of matching rows stays exact (not lossy, whole pages rechecked) past 4 MB.
        cursor.execute("SET work_mem = '32MB'")
    connection.commit()


def tune_for_queries(database) -> None:
    """PostgreSQL's JIT compiles expensive-looking queries for hundreds of milliseconds: not worth it here."""
    engine = _engine(database)
    if engine.dialect.name != "postgresql" or event.contains(engine, "connect", _no_jit):
        return
    event.listen(engine, "connect", _no_jit)
    engine.pool.dispose()  # connections opened before (migrations) would keep the default


def condition(mode: str, query: str, materialize: bool = False, walk: bool = False) -> ColumnElement[bool] | None:
    """A WHERE clause selecting the items that match, or None when the query has no word.

    On PostgreSQL, `materialize` finds every match once through the GIN index first: right when
    the matches are few (else the planner may walk the whole queue order testing each row),
    wrong for counting or for a word found everywhere (the plain condition is faster then).
    `walk` is the opposite, for a page of a search known to match more than counts.CAP items:
    the condition is hidden from the GIN index, so the page walks the queue order and stops at
    its last row. PostgreSQL underestimates prefix matches (1,439 guessed for 37,545 found at a
    million items) and would otherwise read every match to sort them: 1 s against 9 ms.
    """
    words = terms(query)
    if not words:
        return None
    chrono = chrono_asked(query)
    if chrono:  # its pieces ("a", "2026") as words would match most of the database
        return ItemRow.chrono == chrono
    return _text_condition(mode, words, materialize, walk)


CHRONO_LIKE = re.compile(r"^[A-Za-z]{0,6}[-/_.]?\d{4}[-/_.]\d{1,9}$")  # A-2026-000013, 2026-000013, C/2026/12


def chrono_asked(query: str) -> str | None:
    """The registration number a query is (letters, a year and a number), upper-cased, or None."""
    token = query.strip()
    return token.upper() if CHRONO_LIKE.match(token) else None


def whole_words(mode: str, query: str) -> ColumnElement[bool] | None:
    """On PostgreSQL, the items where every word of the query is a whole word: a subset of `condition`'s
    matches that the GIN index finds by intersecting its lists, where a prefix (`word:*`) makes it
    gather every item of every word it begins (for "Jeanne Martin" in a million items: 16 ms against
    430 ms). So when this subset alone is past a count's cap, so is the search. None elsewhere."""
    words = terms(query)
    if mode not in ("postgresql", "postgresql-plain") or not words or chrono_asked(query):
        return None
    tsquery = " & ".join(words)
    if mode == "postgresql":
        query_ = func.to_tsquery(literal_column("'french'::regconfig"), func.triage_unaccent(tsquery))
    else:
        query_ = func.to_tsquery("french", tsquery)
    return literal_column(PG_DOCUMENT).op("@@")(query_)


def _text_condition(mode: str, words: list[str], materialize: bool, walk: bool = False) -> ColumnElement[bool]:
    if mode == "fts5":
        expression = " ".join(f'"{word}"*' for word in words)
        matching = select(literal_column("rowid")).select_from(text("item_fts")).where(
            text("item_fts MATCH :expression").bindparams(expression=expression))
        return ItemRow.id.in_(matching)
    if mode in ("postgresql", "postgresql-plain"):
        tsquery = " & ".join(f"{word}:*" for word in words)
        if mode == "postgresql":  # folded like the document (migration 0010_scale) before stemming
            query = func.to_tsquery(literal_column("'french'::regconfig"), func.triage_unaccent(tsquery))
        else:
            query = func.to_tsquery("french", tsquery)
        if walk:
            return func.coalesce(literal_column(PG_DOCUMENT), literal_column("''::tsvector")).op("@@")(query)
        matches = literal_column(PG_DOCUMENT).op("@@")(query)
        if not materialize:
            return matches
        found = select(ItemRow.id).where(matches).cte("fulltext_matches").prefix_with("MATERIALIZED")
        return ItemRow.id.in_(select(found.c.id))
    clauses = []
    for word in words:
        pattern = f"%{word}%"
        clauses.append(or_(ItemRow.subject.ilike(pattern), ItemRow.sender.ilike(pattern),
                           ItemRow.sender_email.ilike(pattern), ItemRow.text.ilike(pattern)))
    return and_(*clauses)
