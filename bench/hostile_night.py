"""Peak memory of a hostile night: `triage run` over every class of issue 9 mixed with good files.

Writes the hostile folder (tests/hostile/generate.py), a configuration (SQLite by default,
`--database-url` for PostgreSQL), runs `triage run` as a real process and samples the resident
memory (RSS, /proc/PID/status VmRSS) of that process and all its descendants every 50 ms; prints
the exit code, the counts, the wall time and the peak of the summed tree.

    .venv/bin/python bench/hostile_night.py --model-dir models [--database-url postgresql+psycopg://...]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile.generate import write_all  # noqa: E402
from tests.ops.conftest import write_config  # noqa: E402

LIMIT_BYTES = 3 * 1024 ** 3


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        stack.extend(_children(current))
    return pids


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(command: list[str]) -> tuple[int, int, float, str]:
    """Exit code, peak RSS of the process tree (bytes), wall seconds, stdout."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_rss(pid) for pid in _tree(process.pid)))
        time.sleep(0.05)
    return process.returncode, peak, time.monotonic() - started, process.stdout.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hostile-night-"))
    config = write_config(work, args.model_dir.resolve(), args.database_url or f"sqlite:///{work / 'triage.sqlite'}")
    good, hostile = write_all(work / "inbox")
    code, peak, seconds, out = measure([str(Path(sys.executable).parent / "triage"), "run", "-c", str(config),
                                        "--oneline"])
    left = [p.name for p in (work / "inbox").iterdir() if p.is_file()]
    print(out.strip())
    print(f"{len(good)} bons + {len(hostile)} hostiles ; code de sortie {code} ; {seconds:.0f} s ; "
          f"restés dans la boîte : {left or 'aucun'}")
    print(f"pic mémoire de l'arbre de processus (RSS, échantillonné toutes les 50 ms) : {peak / 1024 ** 3:.2f} Go "
          f"({'sous' if peak < LIMIT_BYTES else 'AU-DESSUS de'} la limite de 3 Go)")


if __name__ == "__main__":
    main()
