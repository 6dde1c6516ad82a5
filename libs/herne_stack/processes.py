"""Child processes that start, report readiness and never outlive their parent."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

PR_SET_PDEATHSIG = 1


class ProcessFailed(RuntimeError):
    """A managed process died or did not become ready; the message carries its log tail."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


# Runs as the child's first program: ask for SIGTERM when the parent dies (even by kill -9), then
# exec the real argv. Not a preexec_fn: that forces fork(), and grpc's fork handlers in a parent
# that already uses gRPC (`up` probes health) make some children abort before exec with
# "epoll_wait error: Bad file descriptor" (grpc/grpc#43055; ~4 % measured here). Without a
# preexec_fn Python uses vfork/posix_spawn, which runs no fork handlers.
_DIE_WITH_PARENT_EXEC = (
    f"import ctypes, os, signal, sys; ctypes.CDLL('libc.so.6').prctl({PR_SET_PDEATHSIG}, signal.SIGTERM); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


class ManagedProcess:
    """A child process with its output in a log file."""

    def __init__(self, name: str, argv: list[str], log_path: Path, env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(  # noqa: S603 - argv is built by our own code
                [sys.executable, "-c", _DIE_WITH_PARENT_EXEC, *self.argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                # Own process group: Ctrl-C reaches only the supervisor, which then
                # stops the children in order (services before the broker they commit to).
                start_new_session=True,
            )
        finally:
            log.close()
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def tail(self, lines: int = 50) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def wait_ready(self, ready: Callable[[], bool], timeout: float) -> None:
        """Poll ``ready`` until true; ProcessFailed with the log tail if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                code = self.process.returncode if self.process else None
                raise ProcessFailed(f"{self.name} exited with code {code}; last log lines:\n{self.tail()}")
            # Readiness probes fail in many ways until the process is up.
            with contextlib.suppress(Exception):
                if ready():
                    return
            time.sleep(0.1)
        raise ProcessFailed(f"{self.name} not ready after {timeout:.0f} s; last log lines:\n{self.tail()}")

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL; returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL at once (fault-injection tests)."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


@contextlib.contextmanager
def managed(process: ManagedProcess, ready: Callable[[], bool], timeout: float = 30.0) -> Iterator[ManagedProcess]:
    """Start, wait until ready, and always stop."""
    process.start()
    try:
        process.wait_ready(ready, timeout)
        yield process
    finally:
        process.stop()
