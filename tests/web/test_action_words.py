"""Every action written in the audit trail has French words on the debrief ("Qui fait quoi")."""
from __future__ import annotations

import pathlib
import re as regex

from pipeline.web.routes.debrief import ACTIONS_FR, action_count

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_recorded_action_has_french_words():
    """Each action a review_event is written with, anywhere in the store, reads in French on the debrief."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "pipeline").rglob("*.py"))
    calls = regex.findall(r'(?:_record|_event|_stamp)\(([^\n]*)', source)
    written = {word for call in calls for word in regex.findall(r'"([a-z_]+)"(?!\s*:)', call)}
    written |= set(regex.findall(r'"action": "([a-z_]+)"', source)) | {"confirm", "correct", "update", "comment"}
    written |= set(regex.findall(r'^ACTION = "([a-z_]+)"', source, regex.M))
    assert {"taken", "answered", "seen", "redirected", "copy_added", "copy_removed", "enregistrement"} <= written
    assert written <= set(ACTIONS_FR), written - set(ACTIONS_FR)
    assert action_count("correct", 1) == "1 correction" and action_count("correct", 2) == "2 corrections"
    assert action_count("taken", 3) == "3 prises en charge"
