"""Password checks off the event loop, a few at a time: each argon2 verification takes 64 MiB.

Without a bound, sixty parallel bogus logins ran sixty verifications at once (1.2 GB). Here at
most `at_once` run, at most `waiting` more wait their turn (holding only their arguments), and
the rest are refused at once with `Busy`. Unknown names go through the same queue and cost the
same verification (pipeline/store/users.py), so timing tells nothing.
"""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

VERIFY_AT_ONCE = 2
WAITING_MAX = 32


class Busy(Exception):
    """Too many logins in progress: try again in a moment."""


class PasswordChecks:
    def __init__(self, at_once: int = VERIFY_AT_ONCE, waiting: int = WAITING_MAX):
        self._pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="argon2")
        self._lock = threading.Lock()
        self._admitted, self._limit = 0, at_once + waiting
        self.running = self.peak = 0  # verifications under way, and the most seen at once

    def _counted(self, check, *args):
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            return check(*args)
        finally:
            with self._lock:
                self.running -= 1

    async def run(self, check, *args):
        """check(*args) in one of the verification threads; Busy when the queue is full."""
        with self._lock:
            if self._admitted >= self._limit:
                raise Busy()
            self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, self._counted, check, *args)
        finally:
            with self._lock:
                self._admitted -= 1
