"""The routing table (config/routing.toml): services, delays, and administrations for redirection."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import holidays
from dateutil.relativedelta import relativedelta

from pipeline.errors import ConfigError

DELAY = re.compile(r"^\s*(\d+)\s+(working days?|days?|months?)\s*$")
UNITS = {"day": "days", "days": "days", "working day": "working_days", "working days": "working_days",
         "month": "months", "months": "months"}


@dataclass(frozen=True)
class Delay:
    amount: int
    unit: str  # days, working_days, months

    @classmethod
    def parse(cls, text: str) -> "Delay":
        match = DELAY.match(text)
        if not match:
            raise ConfigError(f"délai illisible dans la table de routage : {text!r} (ex. « 2 months », « 10 working days »)")
        return cls(int(match.group(1)), UNITS[match.group(2)])

    def after(self, start: date) -> date:
        if self.unit == "months":
            return start + relativedelta(months=self.amount)
        if self.unit == "days":
            return start + timedelta(days=self.amount)
        public_holidays = holidays.France(years=range(start.year, start.year + 2))
        day, left = start, self.amount
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in public_holidays:
                left -= 1
        return day


@dataclass(frozen=True)
class RoutingTable:
    services: dict[str, str]
    delays: dict[str, Delay]
    default_delay: Delay
    urgent_delay: Delay
    administrations: tuple[tuple[str, tuple[str, ...]], ...]
    mairies: dict[str, str] = field(default_factory=dict)  # INSEE → town hall's name, from the directory

    def delay_for(self, competence: str | None) -> Delay:
        return self.delays.get(competence or "", self.default_delay)


@cache
def load_routing_table(path: Path) -> RoutingTable:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"table de routage illisible ({path}) : {exc}") from exc
    competences = raw.get("competences", {})
    return RoutingTable(
        services={code: spec["service"] for code, spec in competences.items()},
        delays={code: Delay.parse(spec["delay"]) for code, spec in competences.items() if "delay" in spec},
        default_delay=Delay.parse(raw.get("default_delay", "2 months")),
        urgent_delay=Delay.parse(raw.get("urgent_delay", "2 working days")),
        administrations=tuple((a["name"], tuple(w.lower() for w in a["words"])) for a in raw.get("administrations", [])),
    )
