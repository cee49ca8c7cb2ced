"""The night run and `triage migrate` seed the directory; every stored routed item gets its destinations."""
from __future__ import annotations

from pipeline.config import load_settings
from pipeline.errors import ExitCode
from pipeline.store import directory, distribution
from pipeline.store.database import open_database
from pipeline.store.schema import ItemRow
from tests.ops.conftest import drop_emails, triage, write_config


def test_migrate_then_run_seed_once_and_distribute_what_is_routed(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}")
    migrated = triage("migrate", "-c", str(config))
    assert migrated.returncode == 0, migrated.stderr
    assert "Annuaire : " in migrated.stdout and "entrée(s) ajoutée(s)" in migrated.stdout
    assert "Annuaire" not in triage("migrate", "-c", str(config)).stdout  # seeded once
    drop_emails(tmp_path / "inbox", 2)
    result = triage("run", "-c", str(config), "--oneline")
    assert result.returncode == ExitCode.OK, result.stderr
    database = open_database(load_settings(config).database_url)
    with database() as session:
        assert len(directory.entries(session, "mairie")) == 67
        rows = session.query(ItemRow).all()
        assert any(row.status == "routed" for row in rows)  # the sample leak is routed with confidence
        for row in rows:
            found = distribution.destinations(session, row.id)
            if row.status == "routed":
                assert [d.entry_name for d in found if d.role == "principal"] == [row.destination]
            else:
                assert found == []
