"""Local servers for the browser and hub tests: a free port, and waiting until a server answers."""

import socket
import time
import urllib.request


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answers(url, process, what, log, seconds=60):
    """Return once url answers; raise, naming what and its log, if process ends or seconds pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start; see {log}") from None
            time.sleep(0.3)
