#!/usr/bin/env python3
"""Generate the demo samples (data/samples) and the small real test inputs (tests/data).

Everything is synthetic (invented people, companies and addresses) but shaped like the mail
Grand Besançon Métropole really receives: emails in several MIME shapes and charsets, scanned
letters (image-only PDFs), phone photos (JPG/PNG) and born-digital PDFs with a text layer.

Reproducible: fixed random seeds, fixed dates, fixed MIME boundaries and Message-IDs, and PDFs
written by hand (no timestamps). Only Pillow and numpy are needed.

    .venv/bin/python tools/make_samples.py            # both sets
    .venv/bin/python tools/make_samples.py --only samples
    .venv/bin/python tools/make_samples.py --only tests

Files are overwritten, nothing else in the target folders is touched.
"""
from __future__ import annotations

import argparse
import json

from samples.common import SAMPLES, TESTS
from samples.emails import sample_emails
from samples.fixtures import write_tests
from samples.letters import sample_letters


def write_samples() -> None:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    labels = []
    for name, data, label in sample_emails() + sample_letters():
        (SAMPLES / name).write_bytes(data)
        labels.append({"file": name, **label})
    with open(SAMPLES / "labels.jsonl", "w", encoding="utf-8") as handle:
        for row in labels:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["samples", "tests"], help="ne générer qu'un des deux jeux")
    args = parser.parse_args()
    if args.only in (None, "samples"):
        write_samples()
        print(f"exemples écrits dans {SAMPLES}")
    if args.only in (None, "tests"):
        write_tests()
        print(f"fichiers de test écrits dans {TESTS}")


if __name__ == "__main__":
    main()
