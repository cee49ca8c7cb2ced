"""The end of a real `triage run` tells the services of their urgent items at once (aiosmtpd on loopback)."""
from __future__ import annotations

from sqlalchemy import select

from pipeline.store.database import open_database
from pipeline.store.schema import NotificationRow
from tests.notify_seed import destination, entry, item
from tests.ops.conftest import drop_emails, smtp_section, triage, write_config


def test_a_night_run_mails_the_urgent_items_at_its_end(tmp_path, model_dir, smtp_server):
    port, inbox = smtp_server
    url = f"sqlite:///{tmp_path / 'triage.sqlite'}"
    config = write_config(tmp_path, model_dir, url, extra=smtp_section(port))
    drop_emails(tmp_path / "inbox", 1)
    database = open_database(url)
    with database() as s:  # an urgent item already distributed (the distribution is the directory's part)
        water = entry(s, "eau_assainissement", "Direction de l'eau", email="eau@test.local")
        destination(s, item(s, 900, subject="Inondation de cave", urgent=True), water)
        destination(s, item(s, 901, subject="Demande ordinaire"), water)
        s.commit()
    result = triage("run", "-c", str(config), "--oneline")
    assert result.returncode == 0, result.stderr
    assert [(rcpt, m["Subject"].startswith("URGENT")) for rcpt, m in inbox.messages] == [(["eau@test.local"], True)]
    assert "Inondation de cave" in inbox.messages[0][1].get_body(("plain",)).get_content()
    with database() as s:
        assert s.scalars(select(NotificationRow.kind)).all() == ["urgent"]  # the digest waits for the morning
    assert triage("run", "-c", str(config), "--oneline").returncode == 0
    assert len(inbox.messages) == 1  # told once
    database.kw["bind"].dispose()
