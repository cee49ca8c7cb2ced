"""Structured logs for unattended runs: plain or JSON lines, to stderr or a file.

Every record carries what the code passed in `extra` (the item's chrono number, the run id...):
plain lines append it as key=value, JSON lines as fields, so `jq 'select(.item == "A-2026-000042")'`
finds everything about one item.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path

from pipeline.config import LoggingSettings
from pipeline.errors import ConfigError

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
FORMATS = ("plain", "json")


def _extra(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(), **_extra(record)}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = _extra(record)
        return line + "".join(f" {k}={v}" for k, v in extra.items()) if extra else line


def configure_logging(settings: LoggingSettings, *, verbose: bool = False, fmt: str | None = None,
                      file: Path | None = None) -> None:
    """Install one handler on the root logger; command-line options win over the [logging] section."""
    fmt = fmt or settings.format
    if fmt not in FORMATS:
        raise ConfigError(f"format de journal inconnu : {fmt!r} (plain ou json)")
    file = file or settings.file
    level = logging.INFO if verbose else getattr(logging, settings.level.upper(), None)
    if not isinstance(level, int):
        raise ConfigError(f"niveau de journal inconnu : {settings.level!r} (DEBUG, INFO, WARNING, ERROR)")
    if file is not None:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("matplotlib", "PIL", "fontTools", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def structured(settings: LoggingSettings, fmt: str | None, file: Path | None) -> bool:
    """Whether logs go somewhere a machine reads (JSON or a file): then progress goes to the log, not the terminal."""
    return (fmt or settings.format) == "json" or (file or settings.file) is not None


def machine_readable_logs() -> bool:
    """Whether a handler writes JSON or to a file: then fatal errors are logged too, not only printed."""
    return any(isinstance(h, logging.FileHandler) or isinstance(h.formatter, JsonFormatter)
               for h in logging.getLogger().handlers)
