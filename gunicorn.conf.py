"""gunicorn's settings for production (read from the working directory; README, Production).

Pages are CPU-bound (cached, no I/O to wait for); a comment POST waits on Akismet for tens
of milliseconds. Threaded workers (gthread) keep the CPUs busy while posts wait: a few
processes (one or two per core) with several threads each. Override with GUNICORN_CMD_ARGS.
"""

import multiprocessing

workers = multiprocessing.cpu_count() + 1
worker_class = "gthread"
threads = 4
# Keep-alive connections from a proxy or a CDN are reused instead of reopened.
keepalive = 5
