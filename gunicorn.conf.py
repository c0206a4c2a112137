"""gunicorn's settings for production (read from the working directory; README, Production).

Pages are CPU-bound (cached, no I/O to wait for); a comment POST waits on Akismet for tens
of milliseconds. Threaded workers (gthread) keep the CPUs busy while posts wait: a few
processes (one or two per core) with several threads each. Override with GUNICORN_CMD_ARGS.
"""

import multiprocessing

workers = multiprocessing.cpu_count() + 1
# gthread that stops without resetting connections queued on its port (a 502 behind nginx):
# newsroom/gunicorn_worker.py.
worker_class = "newsroom.gunicorn_worker.ThreadWorker"
threads = 4
# No control socket (gunicornc): every gunicorn of the machine would share its one default path
# ($HOME/.gunicorn/gunicorn.ctl), and stopping it delays a stopping master by up to 4 s
# before the master closes its listening socket.
control_socket_disable = True
# Keep-alive connections from a proxy or a CDN are reused instead of reopened.
keepalive = 5
