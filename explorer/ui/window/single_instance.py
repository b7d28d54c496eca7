"""One process for all windows: a launch with files hands them to the running app.

The first app listens on a local socket named for this user (and settings folder); a later
launch with files connects, sends their paths as one JSON line, waits for "ok" and exits, and
the running app opens each file in a new window. A name left behind by an app that died (a
stale socket) is taken over by the next app to start.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_MS = 2000
REPLY_MS = 30_000  # a running app answers once its event loop runs: it may still be starting up
MAX_MESSAGE = 1 << 20  # bytes: a list of paths, never more


def instance_name() -> str:
    """The socket's name: one per user and settings folder (a test's temporary home gets its own)."""
    config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    digest = hashlib.sha1(f"{user}\0{config}".encode()).hexdigest()[:12]
    name = f"autograd-explorer-{digest}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform.startswith("linux") and runtime and Path(runtime).is_dir():
        return str(Path(runtime) / name)  # the user's own folder, rather than /tmp
    return name


def send_paths(name: str, paths: Sequence[Path], reply_ms: int = REPLY_MS) -> bool:
    """Hand ``paths`` to the app listening on ``name``; True once it answered that it took them."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    message = json.dumps({"open": [str(Path(path).resolve()) for path in paths]}) + "\n"
    socket.write(message.encode("utf-8"))
    socket.flush()
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(reply_ms):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.startswith(b"ok")


def answers(name: str, timeout_ms: int = 500) -> bool:
    """Whether an app is listening on ``name`` (a socket file alone may be stale)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    alive = socket.waitForConnected(timeout_ms)
    socket.abort()
    return alive


class QtInstanceServer(QObject):
    """Listens for later launches and passes on the paths they send."""

    pathsReceived = Signal(list)  # list[Path]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._on_new_connection)

    def listen(self) -> bool:
        """Take the name unless an app answers on it; a stale one is removed first.

        Asked first, not learnt from a failed listen(): with UserAccessOption, Qt makes the
        socket elsewhere and renames it over the name, so listen() succeeds even when taken.
        """
        if answers(self.name):
            return False
        QLocalServer.removeServer(self.name)  # a socket file nobody answers on: its app died
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            buffer = bytearray()
            socket.readyRead.connect(lambda s=socket, b=buffer: self._on_ready_read(s, b))
            socket.disconnected.connect(socket.deleteLater)

    def _on_ready_read(self, socket: QLocalSocket, buffer: bytearray) -> None:
        buffer += bytes(socket.readAll().data())
        if b"\n" not in buffer:
            if len(buffer) > MAX_MESSAGE:
                socket.abort()
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        paths = _paths(line)
        socket.write(b"ok\n" if paths is not None else b"error\n")
        socket.flush()
        socket.disconnectFromServer()
        if paths is not None:
            self.pathsReceived.emit(paths)


def _paths(line: bytes) -> list[Path] | None:
    """The paths of one message, or None if it is not one of ours."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    items = message.get("open") if isinstance(message, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return None
    return [Path(item) for item in items]


@dataclass
class Claim:
    """The outcome of starting: handed over to a running app, or ours to run (with a server)."""

    handed_over: bool
    server: QtInstanceServer | None = None


def claim(paths: Sequence[Path], name: str | None = None) -> Claim:
    """Hand ``paths`` to a running app if there is one; otherwise listen for later launches."""
    name = name or instance_name()
    if paths and send_paths(name, paths):
        return Claim(handed_over=True)
    server = QtInstanceServer(name)
    if server.listen():
        return Claim(handed_over=False, server=server)
    if paths and send_paths(name, paths):  # another app took the name a moment ago
        return Claim(handed_over=True)
    return Claim(handed_over=False)  # a running app without files asked: this one runs apart
