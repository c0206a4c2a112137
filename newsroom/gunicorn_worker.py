"""gunicorn's threaded worker, stopping without dropping a connection (gunicorn.conf.py).

On SIGTERM (`systemctl stop`; the master passes it on) gunicorn's gthread worker stops
accepting and finishes its requests in flight (up to `graceful_timeout`), but keeps its
listening socket open meanwhile: the kernel still completes connections to the port and
queues them, nobody accepts them, and when the last process closes the socket every queued
connection is reset. Behind a load balancer that is an error for a request that was never
processed: nginx writes the request to such a connection and reads a reset; it passes a GET
to the next app server, but never a POST (it cannot know the POST was not processed), so
the reader gets a 502.

This worker, when it stops accepting to stop, first accepts what is already queued (those
requests are served like the others) and then closes its listening sockets at once. When
every process of the server has closed them (the master closes its own on SIGTERM), the
port refuses connections: nginx, refused before it wrote anything, passes any request,
a POST too, to the next app server.
"""

import errno

from gunicorn.workers.gthread import TConn
from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


class ThreadWorker(GunicornThreadWorker):
    """gthread, with the listening sockets drained and closed as soon as it stops."""

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled)
        # Within its loop the worker stops accepting only when it is full; otherwise this is
        # the stop (SIGTERM, or the master gone).
        stopping = not self.alive or self.nr_conns < self.worker_connections
        if not enabled and stopping:
            self.drain_and_close_listeners()

    def drain_and_close_listeners(self):
        """Serve every connection already queued on the listening sockets, then close them.
        Returns how many were taken."""
        taken = 0
        for listener in self.sockets:
            listener.setblocking(False)
            while True:
                try:
                    client, address = listener.accept()
                except BlockingIOError:
                    break  # nothing queued any more
                except OSError as exc:
                    if exc.errno == errno.ECONNABORTED:  # the client gave up meanwhile
                        continue
                    self.log.warning("Stopping: accepting a queued connection failed: %s", exc)
                    break
                client.setblocking(True)
                self.nr_conns += 1
                self.enqueue_req(TConn(self.cfg, client, address, listener.getsockname()))
                taken += 1
            listener.close()
        if taken:
            self.log.info("Stopping: served %s connection(s) queued on the listener", taken)
        return taken
