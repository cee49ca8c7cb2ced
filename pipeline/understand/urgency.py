"""Urgency: danger, an outage, a legal deadline or a deadline under eight days, with the reason."""
from __future__ import annotations

import re

from pipeline.understand.nlp import fold

# (pattern on folded text, reason shown to the clerk)
SIGNS = (
    (r"\b(danger|dangereu|risque d accident|menace de s effondrer|effondre|s effondre|"
     r"chute (de pierres|d arbre|de branches?)|blesse|electrocut|incendie|explosion|(fuite|odeur) de gaz)",
     "danger pour les personnes ou les biens"),
    (r"\b(plus d eau|pas d eau|sans eau|coupure d eau|privee? d eau|prives d eau|inond|fuite (importante|enorme)|"
     r"refoul|egouts? bouches?|(egout|cave|riviere|canalisation)s? (qui )?deborde)", "coupure ou sinistre en cours"),
    (r"\b(mise en demeure|mettons en demeure|met en demeure|tribunal|assignation|refere\b|contentieux|"
     r"huissier|commissaire de justice|audience)", "procédure ou délai légal"),
    (r"\b(urgent|urgence|au plus vite|immediatement|des que possible|sous (48|24) ?h|"
     r"avant (demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)|dans les (\d|huit) jours|"
     r"sous (\d|huit) jours|d ici (demain|la fin de (la|cette) semaine))", "délai court demandé"),
)
COMPILED = tuple((re.compile(pattern), reason) for pattern, reason in SIGNS)


def urgency(text: str) -> tuple[bool, tuple[str, ...]]:
    """Whether the item is urgent, and why (French, with the words that triggered it)."""
    folded = fold(text)
    reasons = []
    for pattern, reason in COMPILED:
        match = pattern.search(folded)
        if match:
            reasons.append(f"{reason} (« {text[match.start():match.end()].strip()} »)")
    return bool(reasons), tuple(reasons)
