"""A transport for tests: records what it was asked to send (across threads), and
can be told to fail or to wait."""

from __future__ import annotations

import threading
import time

from tongban.notify.transports import Outgoing, Transport, TransportError

sent: list[Outgoing] = []
lock = threading.Lock()
behaviour = {"fail": None, "delay": 0.0}


def reset() -> None:
    with lock:
        sent.clear()
    behaviour.update(fail=None, delay=0.0)


class Recording(Transport):
    def send(self, outgoing: Outgoing) -> str:
        if behaviour["delay"]:
            time.sleep(behaviour["delay"])
        failure = behaviour["fail"]
        if failure is not None:
            raise TransportError(failure[0], permanent=failure[1])
        with lock:
            sent.append(outgoing)
            return f"rec-{len(sent)}"
