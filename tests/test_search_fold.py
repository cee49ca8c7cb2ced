"""Migration 0010_scale's accent folding on PostgreSQL, with and without the unaccent extension."""
import importlib

from sqlalchemy import create_engine, text

from pipeline.store.database import open_database

MIGRATION = importlib.import_module("pipeline.store.migrations.versions.0010_scale")
FRENCH = "Élodie Bœuf, Chalèze : électricité, façade, Noël, déjà, où, Æsop, ÇA"


def test_without_unaccent_the_migration_folds_french_letters_itself(postgres_url):
    open_database(postgres_url)  # the real migrations
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE FUNCTION fold_by_hand(text) RETURNS text LANGUAGE sql IMMUTABLE "
                                f"AS $$ {MIGRATION.TRANSLATE_BODY} $$"))
        by_hand = connection.execute(text("SELECT fold_by_hand(:s)"), {"s": FRENCH}).scalar()
        installed = connection.execute(text("SELECT triage_unaccent(:s)"), {"s": FRENCH}).scalar()
        volatility = connection.execute(text("SELECT provolatile FROM pg_proc WHERE proname = 'triage_unaccent'")).scalar()
    engine.dispose()
    assert by_hand == "Elodie Boeuf, Chaleze : electricite, facade, Noel, deja, ou, AEsop, CA"
    assert installed == by_hand  # the unaccent extension, available on this server, agrees
    assert volatility == "i"  # immutable: usable in the generated search column
