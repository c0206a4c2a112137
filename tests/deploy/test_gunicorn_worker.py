"""The app server's gunicorn worker (newsroom/gunicorn_worker.py) when it stops accepting:
to stop, it takes what is queued on the port and closes it (the port then refuses); when
it is only full, it leaves the port alone."""

import logging
import selectors
import socket

import pytest

from newsroom import gunicorn_worker
from newsroom.gunicorn_worker import ThreadWorker


@pytest.fixture
def worker(monkeypatch):
    """A worker's accept-side state around a real listening socket (no process, no app)."""
    monkeypatch.setattr(gunicorn_worker, "TConn", lambda cfg, sock, client, server: sock)
    listener = socket.create_server(("127.0.0.1", 0))
    w = ThreadWorker.__new__(ThreadWorker)
    w.cfg, w.log = None, logging.getLogger("tests.gunicorn")
    w.sockets, w.poller, w._accepting = [listener], selectors.DefaultSelector(), False
    w.alive, w.nr_conns, w.worker_connections = True, 0, 10
    w.taken = []
    w.enqueue_req = w.taken.append
    w.set_accept_enabled(True)
    w.port = listener.getsockname()[1]
    clients = []
    w.connect = lambda: clients.append(socket.create_connection(("127.0.0.1", w.port)))
    yield w
    for c in [*clients, *w.taken, listener]:
        c.close()
    w.poller.close()


def refuses(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_stopping_it_serves_the_queued_connections_and_closes_the_port(worker):
    worker.connect()
    worker.connect()  # queued: the loop has not accepted them
    worker.alive = False  # SIGTERM
    worker.set_accept_enabled(False)
    assert len(worker.taken) == 2 and worker.nr_conns == 2
    assert refuses(worker.port)


def test_with_its_master_gone_it_closes_the_port_too(worker):
    worker.connect()
    worker.set_accept_enabled(False)  # the loop ended on "parent changed": alive, not full
    assert len(worker.taken) == 1
    assert refuses(worker.port)


def test_when_only_full_it_keeps_the_port(worker):
    worker.connect()
    worker.nr_conns = worker.worker_connections
    worker.set_accept_enabled(False)
    assert worker.taken == []
    assert not refuses(worker.port)
