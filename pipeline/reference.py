"""Facts about the territory, loaded from the CSV files in data/reference (copied from the shared set)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

HORS = "HORS"  # the request or the sender is outside the territory


@dataclass(frozen=True)
class Competence:
    code: str
    label: str
    handled_by: str  # metropole, commune, autre
    scope: str


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    postcodes: tuple[str, ...]
    population: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class OutsideTown:
    name: str
    postcodes: tuple[str, ...]


@dataclass(frozen=True)
class Stop:
    kind: str  # tram, bus
    name: str
    alone: bool  # distinctive enough to mean Besançon without "arrêt" before it


@dataclass(frozen=True)
class Reference:
    competences: tuple[Competence, ...]
    communes: tuple[Commune, ...]
    outside: tuple[OutsideTown, ...]
    besancon_places: tuple[tuple[str, str], ...]  # (kind, name)
    stops: tuple[Stop, ...] = ()
    member_places: tuple[tuple[str, str], ...] = ()  # (INSEE, name): a station, a site, a hamlet of a member
    cedex: tuple[tuple[str, str], ...] = ()  # (postcode, INSEE): CEDEX codes of members

    def competence(self, code: str) -> Competence:
        return self.competence_by_code[code]

    @cached_property
    def competence_by_code(self) -> dict[str, Competence]:
        return {c.code: c for c in self.competences}

    @cached_property
    def commune_by_insee(self) -> dict[str, Commune]:
        return {c.insee: c for c in self.communes}

    def commune_name(self, insee: str | None) -> str:
        if insee is None:
            return "Aucune"
        if insee == HORS:
            return "Hors territoire"
        commune = self.commune_by_insee.get(insee)
        return commune.name if commune else insee


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


@cache
def load_reference(directory: Path) -> Reference:
    directory = Path(directory)
    competences = tuple(Competence(r["code"], r["label"], r["handled_by"], r["scope"])
                        for r in _rows(directory / "competences.csv"))
    communes = tuple(Commune(r["insee"], r["name"], _split(r["postcodes"]), int(r["population"] or 0),
                             _split(r["aliases"])) for r in _rows(directory / "communes.csv"))
    outside = [OutsideTown(r["name"], _split(r["postcode"])) for r in _rows(directory / "neighbours.csv")]
    outside += [OutsideTown(r["name"], _split(r["postcode"])) for r in _rows(directory / "major_towns.csv")]
    places = tuple((r["kind"], r["name"]) for name in ("besancon_places.csv", "besancon_venues.csv",
                                                       "besancon_streets.csv")
                   for r in _optional_rows(directory / name))
    stops = tuple(Stop(r["kind"], r["name"], r["alone"].strip().lower() in ("yes", "oui", "1"))
                  for r in _optional_rows(directory / "besancon_stops.csv"))
    member_places = tuple((r["insee"], r["name"]) for r in _optional_rows(directory / "member_places.csv"))
    cedex = tuple((f"{code:05d}", r["insee"]) for r in _optional_rows(directory / "cedex.csv")
                  for code in range(int(r["first"]), int(r["last"]) + 1))
    return Reference(competences, communes, tuple(outside), places, stops, member_places, cedex)


def _optional_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a reference file added after the first release: a site without it keeps working."""
    return _rows(path) if path.exists() else []
