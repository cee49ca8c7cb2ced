"""How new messages are grouped into FETCH commands, so that a fetch holds a bounded number of bytes.

The sizes come from a cheap `UID FETCH RFC822.SIZE` first; three 54 MB emails in one FETCH of
their bodies once held 1.14 GB in memory.
"""
from __future__ import annotations


def plan_batches(uids: list[int], sizes: dict[int, int], max_count: int, max_bytes: int,
                 max_message_bytes: int) -> list[list[int]]:
    """UIDs grouped, in order, into FETCH batches of at most `max_count` messages and `max_bytes` bytes.

    A message larger than `max_bytes` comes alone; one larger than `max_message_bytes` too (it is
    not downloaded). An unknown size counts as 0: the server will say what became of it."""
    batches: list[list[int]] = []
    current: list[int] = []
    current_bytes = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if current and (len(current) >= max_count or current_bytes + size > max_bytes or size > max_message_bytes):
            batches.append(current)
            current, current_bytes = [], 0
        current.append(uid)
        current_bytes += size
        if size > max_message_bytes:
            batches.append(current)
            current, current_bytes = [], 0
    if current:
        batches.append(current)
    return batches
