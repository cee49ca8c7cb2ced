"""Precision and recall of follow-up links on a labelled set (tests/data/followups.jsonl by default).

Each line is an item in order of arrival with the chrono number of the earlier item it follows
(`followup_of`, null when it follows none). Every item is matched, as `triage run` does, against the
items received before it; a link is right only when it names the labelled earlier item.

    .venv/bin/python bench/followup_links.py [--labelled FILE] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.followups import Mail, find_link  # noqa: E402

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "followups.jsonl"


def load(path: Path) -> list[tuple[Mail, str | None]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(Mail(n, r["chrono"], r.get("sender", ""), r.get("email", ""), r.get("postcode", ""), r.get("subject", ""),
                  r.get("text", ""), datetime.fromisoformat(r["received"]),
                  date.fromisoformat(r["letter_date"]) if r.get("letter_date") else None, r.get("message_id"),
                  tuple(r.get("thread_ids", ()))), r.get("followup_of")) for n, r in enumerate(rows, 1)]


def measure(cases: list[tuple[Mail, str | None]], verbose: bool = False) -> dict:
    found = right = expected = 0
    for mail, label in cases:
        earlier = [m for m, _ in cases if m.received < mail.received]
        link = find_link(mail, earlier)
        expected += label is not None
        found += link is not None
        right += link is not None and link.chrono == label
        if verbose and (link.chrono if link else None) != label:
            print(f"{mail.chrono}: attendu {label}, trouvé {link.chrono if link else None}"
                  + (f" ({link.reason})" if link else ""))
    return {"items": len(cases), "links_expected": expected, "links_found": found, "links_right": right,
            "precision": round(right / found, 3) if found else None,
            "recall": round(right / expected, 3) if expected else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=Path, default=DEFAULT)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    result = measure(load(args.labelled), args.verbose)
    print(json.dumps(result, ensure_ascii=False))
    print(f"Liens de suite : précision {result['precision']}, rappel {result['recall']} "
          f"({result['links_right']} justes sur {result['links_found']} trouvés, {result['links_expected']} attendus)")


if __name__ == "__main__":
    main()
