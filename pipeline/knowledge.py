"""Who does what: the reception team's procedures book as data, and the rules it gives routing.

Each authority (a service of the métropole, the commune's town hall, or another administration)
lists topics with deciding words. A deciding word found in the subject or body of a letter (never
in its address blocks) names the competent authority, with a one-line explanation for the clerk.
The book ships as data/knowledge.toml; admins edit the copy in the database (store/knowledge.py).
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.understand.nlp import fold
from pipeline.understand.zones import line_zones

KINDS = {"metropole": "Métropole", "commune": "Commune", "autre": "Autre administration"}
READ_ZONES = ("subject", "body")


@dataclass(frozen=True)
class Topic:
    topic: str
    words: tuple[str, ...]
    explanation: str
    unless: tuple[str, ...] = ()
    decides: bool = True


@dataclass(frozen=True)
class Authority:
    key: str
    name: str
    kind: str  # metropole, commune, autre
    competence: str  # the routing label its topics lead to
    covers: str = ""
    does_not_cover: str = ""
    topics: tuple[Topic, ...] = ()
    frame: bool = False  # its topics frame a request whatever it is about (an application, a claim, an invitation)


@dataclass(frozen=True)
class Hit:
    """A deciding topic found in a letter: where it sends the letter and why."""

    authority: str  # key
    administration: str  # the authority's name (the destination of a hors_competence letter)
    competence: str
    topic: str
    explanation: str
    words: tuple[str, ...]  # the deciding words as found
    in_subject: bool
    decides: bool
    frame: bool = False

    @property
    def reason(self) -> str:
        return f"{self.explanation} (mots : {', '.join(f'« {w} »' for w in self.words)})"


@dataclass(frozen=True)
class KnowledgeBase:
    authorities: tuple[Authority, ...] = ()

    @cached_property
    def _patterns(self) -> list[tuple[Authority, Topic, re.Pattern, re.Pattern | None]]:
        return [(authority, topic, _pattern(topic.words), _pattern(topic.unless) if topic.unless else None)
                for authority in self.authorities for topic in authority.topics if topic.words]

    def hits(self, text: str) -> list[Hit]:
        """The topics whose deciding words the letter's subject or body holds (and none of its "unless")."""
        subject, body = _readable(text)
        original = f" {subject} \n {body} "
        reading = fold(original)  # same offsets: the words are shown as the letter writes them
        found = []
        for authority, topic, words, unless in self._patterns:
            # a lookahead finds overlapping words too ("réservation de la salle des fêtes")
            matched = [" ".join(original[m.start(1):m.end(1)].split()) for m in words.finditer(reading)]
            if not matched or (unless and unless.search(reading)):
                continue
            in_subject = bool(words.search(fold(f" {subject} ")))
            found.append(Hit(authority.key, authority.name, authority.competence, topic.topic, topic.explanation,
                             tuple(dict.fromkeys(matched)), in_subject, topic.decides, authority.frame))
        return found

    def authority(self, key: str) -> Authority | None:
        return next((a for a in self.authorities if a.key == key), None)

    def to_dict(self) -> dict:
        """Plain JSON data (lists, not tuples): what a stored version holds."""
        return json.loads(json.dumps({"authorities": [asdict(a) for a in self.authorities]}))

    @classmethod
    def from_dict(cls, raw: dict, competences: frozenset[str] | None = None) -> "KnowledgeBase":
        """Build and check a base (from the shipped TOML or a stored version); bad data is a ConfigError."""
        authorities, keys = [], set()
        for number, spec in enumerate(raw.get("authorities", []), 1):
            where = f"autorité n° {number} ({spec.get('key') or spec.get('name') or '?'})"
            for required in ("key", "name", "kind", "competence"):
                if not str(spec.get(required, "")).strip():
                    raise ConfigError(f"base de connaissances : {where} sans « {required} »")
            if spec["kind"] not in KINDS:
                raise ConfigError(f"base de connaissances : {where}, genre inconnu « {spec['kind']} » "
                                  f"(attendu : {', '.join(KINDS)})")
            if competences is not None and spec["competence"] not in competences:
                raise ConfigError(f"base de connaissances : {where}, compétence inconnue « {spec['competence']} »")
            if spec["key"] in keys:
                raise ConfigError(f"base de connaissances : clé « {spec['key']} » en double")
            keys.add(spec["key"])
            topics = tuple(Topic(t["topic"].strip(), _words(t.get("words")), t.get("explanation", "").strip(),
                                 _words(t.get("unless")), bool(t.get("decides", True)))
                           for t in spec.get("topics", []))
            authorities.append(Authority(spec["key"].strip(), spec["name"].strip(), spec["kind"],
                                         spec["competence"], spec.get("covers", ""), spec.get("does_not_cover", ""),
                                         topics, bool(spec.get("frame", False))))
        return cls(tuple(authorities))


@dataclass(frozen=True)
class Decision:
    """What the book says about a letter: the competence it gives precedence to (if any), whether
    the classifier's own choice is confirmed by a deciding word of the subject, and the hits."""

    competence: str | None
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    confirmed: bool = False

    @property
    def deciding(self) -> Hit | None:
        chosen = [h for h in self.hits if h.competence == self.competence and h.decides]
        return max(chosen, key=lambda h: (h.in_subject, h.frame), default=None)


def decide(hits: list[Hit], probabilities: dict[str, float], confident: bool) -> Decision:
    """The competence the book gives precedence to over the classifier's choice (`confident`: that
    choice clears its review threshold).

    - a frame in the subject (an application, a claim, an invoice, an invitation) comes first;
    - a deciding word agrees with the classifier: its choice stands (confirmed when in the subject);
    - a deciding word in the subject (the main request) overrules it, the likeliest for the classifier;
    - a deciding word in the body only overrules a classifier that is not sure anyway: a letter
      mentions many things ("bénéficiaire du RSA" in a bus fare request)."""
    deciding = [h for h in hits if h.decides]
    best = max(probabilities, key=probabilities.get) if probabilities else None
    frames = [h for h in deciding if h.frame and h.in_subject]
    if frames and best not in {h.competence for h in frames}:
        deciding = frames  # "Candidature : agent de cantine" is an application before it is a canteen
    agreeing = [h for h in deciding if h.competence == best]
    if agreeing:
        return Decision(best, tuple(hits), confirmed=any(h.in_subject for h in agreeing))
    candidates = [h for h in deciding if h.in_subject] or ([] if confident else deciding)
    if not candidates:
        return Decision(None, tuple(hits))
    chosen = max(candidates, key=lambda h: (h.frame, probabilities.get(h.competence, 0.0), len(h.words)))
    return Decision(chosen.competence, tuple(hits))


def load_knowledge_file(path: Path, competences: frozenset[str] | None = None) -> KnowledgeBase:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"base de connaissances illisible ({path}) : {exc}") from exc
    return KnowledgeBase.from_dict(raw, competences)


def _words(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split("|") if "|" in value else value.split(",")
    return tuple(w.strip() for w in value or () if w and w.strip())


def _pattern(words: tuple[str, ...]) -> re.Pattern:
    """One alternation of folded words, whole words only; "inscri*" matches any ending."""
    alternatives = []
    for word in sorted({" ".join(fold(w).split()) for w in words}, key=len, reverse=True):
        if not word:
            continue
        stem = word.endswith("*")
        escaped = r"\s+".join(re.escape(part) for part in word.rstrip("*").split())
        alternatives.append(escaped + (r"\w*" if stem else ""))
    return re.compile(r"(?<![\w])(?=(" + "|".join(alternatives) + r")(?![\w]))")


def _readable(text: str) -> tuple[str, str]:
    """The subject and body of a letter: address blocks, dates and signatures left out."""
    subject, body = [], []
    for start, end, zone in line_zones(text):
        if zone in READ_ZONES:
            (subject if zone == "subject" else body).append(text[start:end])
    return "\n".join(subject), "\n".join(body)
