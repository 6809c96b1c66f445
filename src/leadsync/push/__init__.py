"""``leadsync push FILE``: the bulk loader. The command and its run (``command.py``), the
files it reads and writes (``files.py``: rows, checkpoint, report) and the dry run
(``check.py``)."""

from __future__ import annotations

from leadsync.push.command import push

__all__ = ["push"]
