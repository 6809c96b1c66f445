"""Several worker processes behind one port, with connections dealt round-robin.

uvicorn's own multi-worker mode lets every worker accept on the shared socket; which one
wins an incoming connection is a race, and two keep-alive clients land on the same worker
about half the time, leaving the other idle (measured: ~13,000 against ~26,000 leads/s;
docs/performance.md). Here the parent process accepts and hands each connection's file
descriptor to the next worker over a Unix socket (SCM_RIGHTS); a worker serves it with
uvicorn's own HTTP protocol, exactly as if it had accepted it. The parent also restarts
a worker that dies, and on SIGTERM stops accepting, lets the workers finish their
in-flight calls, and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import signal
import socket
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from types import FrameType

import uvicorn

log = logging.getLogger("leadsync.http.balancer")


class HandoffServer(uvicorn.Server):
    """A uvicorn server that takes its connections from a channel, not a listener."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self._channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        self._channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self._channel.fileno(), self._take)

    def _take(self) -> None:
        try:
            message, fds, _, _ = socket.recv_fds(self._channel, 16, 16)
        except BlockingIOError:
            return
        if not message:  # the parent is gone or stopping
            asyncio.get_running_loop().remove_reader(self._channel.fileno())
            self.should_exit = True
            return
        for fd in fds:
            conn = socket.socket(fileno=fd)
            conn.setblocking(False)
            asyncio.get_running_loop().create_task(self._serve_connection(conn))

    async def _serve_connection(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        await loop.connect_accepted_socket(self._protocol, conn, ssl=self.config.ssl)

    def _protocol(self) -> asyncio.Protocol:
        # What uvicorn's own startup builds for each accepted connection.
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        return protocol

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().remove_reader(self._channel.fileno())
        await super().shutdown(sockets)


def _work(config: uvicorn.Config, channel: socket.socket) -> None:
    HandoffServer(config, channel).run()


@dataclass
class _Worker:
    process: SpawnProcess
    channel: socket.socket


class Balancer:
    """The parent: accepts on ``sock`` and deals connections to ``workers`` processes."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket, workers: int) -> None:
        self._config = config
        self._sock = sock
        self._count = workers
        self._stopping = False
        self._context = multiprocessing.get_context("spawn")

    def _start(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = self._context.Process(target=_work, args=(self._config, theirs), daemon=False)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        workers = [self._start() for _ in range(self._count)]
        self._sock.setblocking(False)
        turn = 0
        while not self._stopping:
            ready, _, _ = select.select([self._sock], [], [], 0.5)
            for index, worker in enumerate(workers):
                if not worker.process.is_alive():
                    log.warning(
                        "worker %s exited (%s); starting another",
                        worker.process.pid,
                        worker.process.exitcode,
                    )
                    worker.channel.close()
                    workers[index] = self._start()
            if not ready:
                continue
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                continue
            with conn:
                for _ in range(len(workers)):
                    worker = workers[turn % len(workers)]
                    turn += 1
                    try:
                        socket.send_fds(worker.channel, [b"c"], [conn.fileno()])
                        break
                    except OSError:  # that worker is going away: the next one
                        continue
        self._sock.close()  # new connections are refused from here on
        for worker in workers:
            if worker.process.pid is not None:
                os.kill(worker.process.pid, signal.SIGTERM)
        for worker in workers:
            worker.process.join(self._config.timeout_graceful_shutdown or 30)
            worker.channel.close()
