"""`make cluster`: the production layout on one machine, from the deploy/ templates.

Two gunicorn app servers behind nginx (the load balancer: TRUSTED_PROXIES=1,
X-Forwarded-Proto), two queue workers (`manage.py run_worker`, RQ) and the scheduler, the
machine's PostgreSQL (its own database, created if missing, migrated, the demo content
seeded as `make run` does) and a Redis of its own (`redis-server` on CLUSTER_REDIS_PORT,
its data in a temporary folder) for the cache and the queue. Sized for 2 cores: each app
server runs 2 gunicorn processes of 4 threads.

Everything is started from files rendered from deploy/templates/ (deploy/render.py): the
nginx configuration, the environment file, and the systemd units' ExecStart= and
WorkingDirectory= lines, which are run as written (with %i filled in). Ctrl-C (or SIGTERM)
stops everything it started, each process group, and removes the temporary folder.

    make cluster                                # nginx on 127.0.0.1:8080
    CLUSTER_PORT=9150 make cluster              # another port (the app servers take the next two)

The Cluster class is also what the through-nginx tests, the cluster soak and the cluster
bench start (with their own values).
"""

import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy import render  # noqa: E402

VENV = ROOT / ".venv"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
# What the cluster waits for on each app server, and through nginx, before it counts as up:
# the health check answers 200 once the process has loaded Django and reaches the database.
READY_PATH = "/healthz"
# Variables the caller's environment may set for the cluster (e.g. the Akismet stand-in).
PASSED_THROUGH = (
    "AKISMET_API_KEY",
    "AKISMET_API_URL",
    "AKISMET_BLOG_URL",
    "AKISMET_IS_TEST",
    "AKISMET_TIMEOUT",
    "EMAIL_URL",
    "LOG_LEVEL",
    "UNCHECKED_GRACE_SECONDS",
)


def nginx_binary():
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def wait_port(port, seconds=30, proc=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"{proc.args[0]} exited ({proc.returncode}) before listening on {port}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def wait_http(port, path=READY_PATH, seconds=60, host="127.0.0.1"):
    """Until GET path answers 200 (the app server has loaded Django and reaches its data)."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
                last = response.status
        except urllib.error.HTTPError as exc:
            last = exc.code
        except OSError as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"127.0.0.1:{port}{path} not ready after {seconds} s: {last}")


class Cluster:
    """The processes of one cluster. `environment` is the cluster's environment (written to
    its env file, as a server's /etc/newsroom/newsroom.env); the app servers listen on
    `app_ports`, nginx on `port`; `redis_port` is the Redis it starts, if any."""

    def __init__(
        self,
        folder,
        port,
        app_ports,
        environment,
        *,
        redis_port=None,
        workers=2,
        scheduler=True,
        gunicorn_args="--workers 2 --threads 4",
        log=None,
        also_listen=(),
        keepalive=0,
    ):
        self.folder = Path(folder)
        self.port = port
        self.app_ports = list(app_ports)
        self.redis_port = redis_port
        self.worker_count = workers
        self.with_scheduler = scheduler
        self.log = log  # an open file for every process's output, or None: the terminal
        self.also_listen = list(also_listen)  # more addresses for nginx (the tests)
        self.keepalive = keepalive  # idle connections nginx keeps to the app servers (0: none)
        self.environment = dict(environment)
        if gunicorn_args:
            self.environment["GUNICORN_CMD_ARGS"] = f'"{gunicorn_args}"'
        self.apps = {}  # port -> Popen
        self.workers = []  # Popen
        self.others = {}  # name -> Popen (redis, nginx, scheduler)
        self.render()

    # -- configuration ---------------------------------------------------------------------

    def render(self):
        """The env file, the units and nginx's configuration, from deploy/templates/."""
        etc = self.folder / "etc"
        nginx = self.folder / "nginx"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (nginx / sub).mkdir(parents=True, exist_ok=True)
        env_file = etc / "newsroom.env"
        if self.environment.get("PROMETHEUS_MULTIPROC_DIR"):
            Path(self.environment["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
        values = {
            "server_name": "127.0.0.1 localhost",
            "upstreams": [f"127.0.0.1:{p}" for p in self.app_ports],
            "tls": False,
            "keepalive": self.keepalive,
            "listen": [f"127.0.0.1:{self.port}", *self.also_listen],
            "static_root": self.environment["STATIC_ROOT"],
            "media_root": self.environment["MEDIA_ROOT"],
            "proxy_params": str(etc / "newsroom-proxy-params.conf"),
            "user": pwd.getpwuid(os.geteuid()).pw_name,
            "group": "",
            "checkout": str(ROOT),
            "venv": str(VENV),
            "env_file": str(env_file),
            "environment": list(self.environment.items()),
        }
        files = {
            "nginx-site.conf": "etc/newsroom-site.conf",
            "proxy-params.conf": "etc/newsroom-proxy-params.conf",
            "newsroom.env": "etc/newsroom.env",
            **{unit: f"etc/{unit}" for unit in render.UNITS},
        }
        self.files = render.render_all(values, self.folder, files)
        os.chmod(env_file, 0o600)
        main = {
            "prefix": str(nginx),
            "site": str(self.files["nginx-site.conf"]),
            "nginx_workers": 1,
            # nginx started by root drops its workers to `nobody`, who could not read the
            # temporary folder: keep them as the user who started the cluster.
            "user": values["user"] if os.geteuid() == 0 else "",
        }
        self.nginx_conf = nginx / "nginx.conf"
        self.nginx_conf.write_text(render.render("nginx.conf", main))
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))
        }
        self.env.update(render.read_env_file(env_file))
        self.env["ENV_FILE"] = str(env_file)

    def unit_command(self, unit, instance=""):
        """(argv, working directory) of a rendered unit's ExecStart=, %i filled in."""
        text = self.files[unit].read_text()
        line = next(x for x in text.splitlines() if x.startswith("ExecStart="))
        cwd = next(x for x in text.splitlines() if x.startswith("WorkingDirectory="))
        argv = shlex.split(line.split("=", 1)[1].replace("%i", str(instance)))
        return argv, cwd.split("=", 1)[1]

    def spawn(self, argv, cwd=ROOT, env=None):
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=env or self.env,
            start_new_session=True,  # its own process group: stopped as a whole, never orphaned
            stdout=self.log,
            stderr=self.log,
        )

    def manage(self, *args, capture=False):
        return subprocess.run(
            [str(VENV / "bin" / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=capture,
            text=True,
        )

    # -- the parts -------------------------------------------------------------------------

    def start_redis(self):
        data = self.folder / "redis"
        data.mkdir(exist_ok=True)
        argv = ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        argv += ["--dir", str(data), "--save", "", "--appendonly", "no"]
        self.others["redis"] = proc = self.spawn(argv)
        wait_port(self.redis_port, proc=proc)

    def stop_redis(self):
        self._stop(self.others.pop("redis", None))

    def start_app(self, port):
        """Start the app server on `port` and list it (in `apps`: for `stop`, the probes and
        the samplers) once it answers its health check, not while it boots."""
        argv, cwd = self.unit_command("newsroom-web@.service", port)
        proc = self.spawn(argv, cwd)
        try:
            wait_port(port, 60, proc)
            wait_http(port)
        except BaseException:
            self._stop(proc)
            raise
        self.apps[port] = proc
        return proc

    def stop_app(self, port, sig=signal.SIGTERM):
        """As `systemctl stop` does (KillMode=mixed): `sig` to gunicorn's master alone, which
        stops its workers (SIGTERM: they finish what they accepted, newsroom/gunicorn_worker.py);
        whatever is left of the group after TimeoutStopSec is killed. SIGKILL: an abrupt stop
        (the whole group, as systemd kills a unit's processes)."""
        self._stop(self.apps.pop(port, None), sig, seconds=40, group=sig == signal.SIGKILL)

    def start_worker(self):
        argv, cwd = self.unit_command("newsroom-worker@.service", len(self.workers) + 1)
        proc = self.spawn(argv, cwd)
        self.workers.append(proc)
        return proc

    def start_scheduler(self):
        argv, cwd = self.unit_command("newsroom-scheduler.service")
        self.others["scheduler"] = self.spawn(argv, cwd)

    def start_nginx(self):
        binary = nginx_binary()
        prefix = self.nginx_conf.parent
        argv = [binary, "-p", str(prefix), "-c", str(self.nginx_conf)]
        argv += ["-e", str(prefix / "error.log"), "-g", "daemon off;"]
        test = subprocess.run(argv[:-2] + ["-t"], capture_output=True, text=True)
        if test.returncode:
            raise RuntimeError(f"nginx refused its configuration: {test.stderr}")
        self.others["nginx"] = proc = self.spawn(argv)
        wait_port(self.port, proc=proc)

    def start(self):
        """Every part but the database's set-up (see `setup`), app servers before nginx."""
        for port in self.app_ports:
            self.start_app(port)
        for _ in range(self.worker_count):
            self.start_worker()
        if self.with_scheduler:
            self.start_scheduler()
        self.start_nginx()
        wait_http(self.port)

    @staticmethod
    def _stop(proc, sig=signal.SIGTERM, seconds=20, group=True):
        if proc is None or proc.poll() is not None:
            return
        try:
            if group:
                os.killpg(proc.pid, sig)
            else:
                os.kill(proc.pid, sig)
            proc.wait(seconds)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        # whatever else was in the group (RQ's work-horse, gunicorn's workers)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def stop(self):
        """nginx first (no new requests), then the app servers, the workers, the scheduler
        and Redis last."""
        self._stop(self.others.pop("nginx", None), signal.SIGQUIT)
        for port in list(self.apps):
            self.stop_app(port)
        for proc in self.workers:
            self._stop(proc)
        self.workers = []
        self._stop(self.others.pop("scheduler", None))
        self.stop_redis()

    def processes(self):
        return {
            **{f"app server :{p}": proc for p, proc in self.apps.items()},
            **{f"worker {i + 1}": proc for i, proc in enumerate(self.workers)},
            **self.others,
        }


def ensure_database(url):
    """Create the database of a postgres:// URL if missing (on the same server)."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    found = subprocess.run(
        ["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not found:
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
        print(f"created database {name}")


def cluster_environment(port, redis_port, folder, database_url):
    """The production environment of the README for a plain-HTTP cluster on loopback (no
    TLS in front: the HTTPS-only settings off, and said so); static files and the metrics'
    files under `folder`."""
    environment = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
        "TASKS_URL": f"redis://127.0.0.1:{redis_port}/1",
        "EMAIL_URL": "consolemail://",
        "TRUSTED_PROXIES": "1",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_PROXY_SSL_HEADER": "true",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        # /metrics sums every process of the machine (both app servers, the workers).
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "prometheus"),
    }
    environment.update({k: os.environ[k] for k in PASSED_THROUGH if k in os.environ})
    return environment


def main():
    sys.stdout.reconfigure(line_buffering=True)
    if nginx_binary() is None:
        sys.exit("make cluster needs nginx: apt-get install nginx (Debian's package).")
    if shutil.which("redis-server") is None:
        sys.exit("make cluster needs redis-server: apt-get install redis-server.")
    port = int(os.environ.get("CLUSTER_PORT", "8080"))
    app_ports = [port + 1, port + 2]
    redis_port = int(os.environ.get("CLUSTER_REDIS_PORT", "6391"))
    database_url = os.environ.get(
        "CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_cluster"
    )
    data_dir = Path(os.environ.get("CLUSTER_DATA", ROOT / ".cluster"))  # media
    (data_dir / "media").mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="newsroom_cluster_"))
    os.chmod(tmp, 0o755)
    environment = cluster_environment(port, redis_port, tmp, database_url)
    environment["MEDIA_ROOT"] = str(data_dir / "media")  # beside the database, kept
    cluster = Cluster(tmp, port, app_ports, environment, redis_port=redis_port)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    # Also when started in the background (where SIGINT arrives ignored) or the terminal closes.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    try:
        ensure_database(database_url)
        cluster.start_redis()
        cluster.manage("migrate", "--noinput")
        cluster.manage("collectstatic", "--noinput", "-v0")
        cluster.manage("seed_demo")
        cluster.manage("seed_demo_comments", "--login")
        cluster.manage("demo_login")
        cluster.start()
        url = f"http://127.0.0.1:{port}/"
        print(f"\nServing on {url}  (admin: {url}admin/) through nginx")
        print(f"  app servers (gunicorn, 2 × 4 threads each): {', '.join(map(str, app_ports))}")
        print(f"  queue workers: {cluster.worker_count} (RQ on redis :{redis_port}/1), scheduler")
        print(f"  database: {database_url}; cache: redis :{redis_port}/0 (its data in {tmp})")
        print(f"  configuration rendered from deploy/templates/ into {tmp}/etc")
        print("Plain HTTP on loopback: the HTTPS-only settings are off. Ctrl-C stops all.")
        reported = set()
        while True:
            time.sleep(1)
            for name, proc in cluster.processes().items():
                if proc.poll() is not None and proc.pid not in reported:
                    reported.add(proc.pid)
                    print(f"{name} exited ({proc.returncode})", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping the cluster")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        print("stopped")


if __name__ == "__main__":
    main()
