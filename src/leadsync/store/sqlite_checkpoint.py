"""The SQLite store's WAL checkpoints: beside the writers, in one process per file.

SQLite's own autocheckpoint runs inside the committing call and stalls it, so the store
turns it off and this thread checkpoints instead (docs/architecture.md, "SQLite: WAL
checkpoints beside the writers, and a WAL that starts again", has the measurements).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

CHECKPOINT_EVERY_S = 0.05
RESTART_FRAMES = 4096  # 16 MiB of 4 KiB pages: about a dozen 300-lead calls
CHASE_PASSES = 2  # passes right after commits before one behind the write gate


def _passive(conn: sqlite3.Connection) -> int:
    """One PASSIVE checkpoint; the WAL's length in frames (less after it started again)."""
    _, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(frames)


class Checkpointer:
    """Keeps the WAL short with checkpoints that run beside the writers.

    A checkpoint inside a committing call (SQLite's autocheckpoint) stalls that call.
    Here PASSIVE checkpoints copy the WAL into the database on their own connection
    while commits keep coming: often, so that each one writes (and fsyncs) little and
    a commit's own fsync never queues behind a large one. A PASSIVE checkpoint only
    copies what was committed before it began, so under a steady writer the WAL is
    never all copied back, never starts again from its first frame, and grows without
    bound (1.3 MB a 300-lead call), every commit appending to the file, whose fsync
    costs about three times an overwrite. A writer starts the WAL again, overwriting
    the file it has, when everything in it had been copied before the writer began. So
    once the WAL is RESTART_FRAMES long, passes run right after commits, in the gap
    while the writer answers its caller and the next call is read: one that finishes
    before the next writer begins lets it start again, and no one waits. Writers that
    leave no such gap get, after CHASE_PASSES tries, one pass behind the store's write
    gate right after a commit: it copies the last frames, and the next writer starts
    the WAL again.
    """

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        gated: Callable[[], AbstractContextManager[None]],
        lead_path: str,
    ) -> None:
        self._connect = connect
        self._gated = gated
        # One checkpointer per database, whatever the number of processes on it: the one
        # holding an flock on this file. The others try again each interval, so one takes
        # over when its process exits (the kernel drops the lock with the process).
        self._lead = os.open(lead_path, os.O_CREAT | os.O_RDWR, 0o600)
        self._leading = False
        self.rounds = 0  # intervals run (lead taken or tried): what tests wait on
        self.passes = 0  # checkpoint passes made
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        self._dirty.set()

    def _take_lead(self) -> bool:
        if not self._leading:
            try:
                fcntl.flock(self._lead, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            self._leading = True
        return True

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while not self._stop.wait(CHECKPOINT_EVERY_S):
                # Every interval, not on this process's commits: the others' count too.
                if self._take_lead():
                    conn = conn or self._connect()
                    self.checkpoint(conn)
                self.rounds += 1
        finally:
            if conn is not None:
                conn.close()
            os.close(self._lead)

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """Copy what the WAL holds into the database; let a long WAL start again."""
        frames = self._pass(conn)
        if frames < RESTART_FRAMES:
            return
        for _ in range(CHASE_PASSES):
            # Right after a commit, while its writer answers: if this pass has copied
            # everything before the next writer begins, that writer starts the WAL
            # again, and no one waited.
            if not self._next_commit():
                return
            now = self._pass(conn)
            if now < frames:
                return  # it did
            frames = now
        # Writers that leave no gap: one pass behind the write gate, right after a commit.
        if self._next_commit():
            with self._gated():
                self._pass(conn)

    def _pass(self, conn: sqlite3.Connection) -> int:
        frames = _passive(conn)
        self.passes += 1
        return frames

    def _next_commit(self) -> bool:
        """Wait for a commit (or an interval: other processes' commits are not seen
        here); False when the store is closing."""
        self._dirty.clear()
        self._dirty.wait(CHECKPOINT_EVERY_S)
        return not self._stop.is_set()

    def close(self) -> None:
        self._stop.set()
        self._dirty.set()
        self._thread.join(timeout=10)
