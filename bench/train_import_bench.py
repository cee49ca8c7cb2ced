"""`triage train --import` of a large standard CSV, end to end: wall time and peak memory of the process tree.

    .venv/bin/python bench/train_import_bench.py                    # 50,000 rows
    .venv/bin/python bench/train_import_bench.py --rows 5000 --keep /tmp/archive.csv

Writes an RFC 4180 CSV as a spreadsheet or a mail register (GEC) exports it: every field quoted,
texts holding commas, double quotes, semicolons and line breaks, dates spread over two years so
the held-out split is the most recent mail. The texts are the seed corpus's letters varied
(sender, address, reference number, sentence order), so the classes stay realistic. Then runs
the real command in a fresh SQLite database with a copy of the active model as champion, samples
the resident memory of the command and all its children every 50 ms, and prints the time of the
import alone (read + store, measured in the same process) next to the whole command. The goals
(issue 15) are under 60 s and 1.5 GB for 50,000 rows.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST = ["Jeanne", "Louis", "Camille", "Nicolas", "Sophie", "Gérard", "Martine", "Hugo", "Léa", "Paul", "Inès"]
LAST = ["Martin", "Faivre", "Girardot", "Cuenot", "Bourgeois", "Vuillemin", "Jacquot", "Roy", "Pétot", "Mougin"]
TOWNS = [("25000", "Besançon"), ("25220", "Thise"), ("25480", "École-Valentin"), ("25870", "Devecey"),
         ("25410", "Saint-Vit"), ("25770", "Serre-les-Sapins")]


def seed_examples() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "data/seed").glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def write_csv(path: Path, count: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    seeds = seed_examples()
    start = datetime(2024, 12, 1, 8, 0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)  # RFC 4180: CRLF, "" inside quotes
        writer.writerow(["text", "competence", "commune", "received_at"])
        for number in range(count):
            example = rng.choice(seeds)
            sentences = [s for s in example["text"].replace("\n\n", "\n").split("\n") if s.strip()]
            middle = sentences[1:-1]
            rng.shuffle(middle)
            postcode, town = rng.choice(TOWNS)
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            text = "\n".join([f'{name}\n{rng.randint(1, 90)}, rue des "Vergers"\n{postcode} {town}',
                              f"V/Réf. : D-{number:06d} ; dossier n° {rng.randint(100, 9999)}",
                              sentences[0], *middle, *sentences[-1:]])
            when = start + timedelta(minutes=number * 700_000 // max(count, 1) + rng.randint(0, 300))
            writer.writerow([text, example["competence"], example.get("commune") or "", when.isoformat(timespec="seconds")])


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(self.interval)

    def _tree_rss(self) -> int:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, frontier = {self.pid}, [self.pid]
        while frontier:
            current = frontier.pop()
            children = [p for p, parent in parents.items() if parent == current and p not in tree]
            tree.update(children)
            frontier += children
        total = 0
        for pid in tree:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        return total


def run_command(scratch: Path, csv_path: Path, models: Path) -> tuple[float, int, int, str, float]:
    config = scratch / "triage.toml"
    config.write_text(f'database_url = "sqlite:///{scratch / "triage.sqlite"}"\ndata_dir = "{scratch / "var"}"\n'
                      f'reference_dir = "{ROOT / "data/reference"}"\nseed_dir = "{ROOT / "data/seed"}"\n'
                      f'routing_file = "{ROOT / "config/routing.toml"}"\nfolders = []\n'
                      f'[classifier]\nmodel_dir = "{models}"\n', encoding="utf-8")
    command = [sys.executable, str(ROOT / "cli.py"), "train", "--config", str(config), "--import", str(csv_path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"}
    started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=scratch)
    with TreeMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU-seconds of the command and the processes it waited for: on a machine other work keeps
    # busy, the wall clock also counts the time they held the cores.
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.perf_counter() - started, memory.peak, process.returncode, stdout + stderr, cpu


def time_import_alone(csv_path: Path) -> tuple[float, int]:
    """Reading and checking the CSV alone (no database, no training), in this process."""
    sys.path.insert(0, str(ROOT))
    from pipeline.classify.dataset import read_csv
    from pipeline.reference import load_reference
    codes = {c.code for c in load_reference(ROOT / "data/reference").competences}
    started = time.perf_counter()
    examples = read_csv(csv_path, codes)
    return time.perf_counter() - started, len(examples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--models", type=Path, default=ROOT / "models", help="model folder copied as the champion")
    parser.add_argument("--keep", type=Path, help="also keep the generated CSV at this path")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="triage-train-bench-") as scratch:
        scratch = Path(scratch)
        csv_path = scratch / "archive.csv"
        started = time.perf_counter()
        write_csv(csv_path, args.rows)
        written = time.perf_counter() - started
        if args.keep:
            shutil.copy2(csv_path, args.keep)
        models = scratch / "models"
        shutil.copytree(args.models, models)
        os.chmod(models, 0o755)
        read_s, count = time_import_alone(csv_path)
        load = os.getloadavg()[0]
        seconds, peak, code, output, cpu = run_command(scratch, csv_path, models)
    size = os.path.getsize(args.keep) if args.keep else None
    print(f"CSV standard (RFC 4180, tout entre guillemets) : {number(args.rows)} lignes écrites en {written:.1f} s"
          + (f", {size / 1e6:.1f} Mo" if size else ""))
    print(f"  lecture et contrôle du CSV seuls        : {read_s:6.1f} s ({number(count)} exemples)")
    print(f"  triage train --import (de bout en bout) : {seconds:6.1f} s, pic mémoire de l'arbre de processus "
          f"{number(peak / 2**20)} Mo, code de sortie {code} ; CPU {cpu:.1f} s, "
          f"charge de la machine au départ {load:.1f} sur {os.cpu_count()} cœurs")
    met = seconds < 60 and peak < 1.5 * 2**30
    print(f"  objectifs (issue 15) : < 60 s et < 1 536 Mo → {'atteints' if met else 'NON atteints'}")
    if code != 0:
        print(output[-3000:])
    else:
        print(" ".join(output.split()).split("Décision")[0][-300:].strip())
        print("Décision" + " ".join(output.split()).split("Décision", 1)[-1][:300])


def number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


if __name__ == "__main__":
    main()
