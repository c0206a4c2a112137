"""deploy/: the committed examples are their templates rendered with the documented
production values, nginx accepts the rendered site, systemd accepts the rendered units."""

import subprocess
from pathlib import Path

import pytest

from deploy import render
from deploy.render import FILES, PRODUCTION, UNITS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", FILES)
def test_committed_example_is_the_template_rendered_with_production_values(name):
    committed = (render.DEPLOY / FILES[name]).read_text()
    assert committed == render.render(name, PRODUCTION)


def test_check_mode_names_a_stale_example(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "DEPLOY", tmp_path)
    render.render_all(PRODUCTION, tmp_path)
    assert render.differences() == []
    (tmp_path / FILES["newsroom.env"]).write_text("DEBUG=true\n")
    assert render.differences() == [FILES["newsroom.env"]]


def test_production_environment_is_the_readme_block_plus_the_proxy():
    """Every variable of the README's production `export` is in the env file, and
    TRUSTED_PROXIES=1 (nginx appends to X-Forwarded-For)."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Production", 1)[1].split("```", 2)[1]
    exported = " ".join(line.strip(" \\") for line in block.splitlines() if "=" in line)
    names = {part.split("=", 1)[0] for part in exported.replace("export ", "").split()}
    names = {n for n in names if n.isupper()}
    env = dict(PRODUCTION["environment"])
    assert names <= set(env), names - set(env)
    assert env["TRUSTED_PROXIES"] == "1"
    assert env["SECURE_PROXY_SSL_HEADER"] == "true"


def test_env_file_is_read_as_systemd_reads_it(tmp_path):
    path = tmp_path / "newsroom.env"
    path.write_text('# a comment\n\nA=1\nGUNICORN_CMD_ARGS="--workers 2 --threads 4"\nB=x=y\n')
    assert render.read_env_file(path) == {
        "A": "1",
        "GUNICORN_CMD_ARGS": "--workers 2 --threads 4",
        "B": "x=y",
    }


def test_production_site_has_the_proxy_rules():
    site = render.render("nginx-site.conf", PRODUCTION)
    params = render.render("proxy-params.conf", PRODUCTION)
    for upstream in PRODUCTION["upstreams"]:
        assert f"server {upstream} max_fails=1 fail_timeout=10s;" in site
    assert "proxy_next_upstream error timeout http_502 http_503;" in params
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in params
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in params
    assert "proxy_set_header Host $http_host;" in params
    assert "client_max_body_size 1m;" in site
    metrics = site.split("location = /metrics {", 1)[1].split("}", 1)[0]
    assert "allow 127.0.0.1;" in metrics and "deny all;" in metrics
    static = site.split("location /static/ {", 1)[1].split("}", 1)[0]
    assert f"alias {PRODUCTION['static_root']}/;" in static
    assert "max-age=31536000" in static


def rendered_nginx(tmp_path, values):
    """The site and its proxy parameters, in a whole nginx.conf under tmp_path."""
    values = dict(values, proxy_params=str(tmp_path / "proxy-params.conf"))
    (tmp_path / "site.conf").write_text(render.render("nginx-site.conf", values))
    (tmp_path / "proxy-params.conf").write_text(render.render("proxy-params.conf", values))
    main = {"prefix": str(tmp_path), "site": str(tmp_path / "site.conf"), "nginx_workers": 1}
    (tmp_path / "nginx.conf").write_text(render.render("nginx.conf", main))
    return tmp_path / "nginx.conf"


def self_signed(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=news.example.com"],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def test_nginx_accepts_the_production_site(nginx, tmp_path):
    """The production values, the certificate paths aside (nginx opens them)."""
    cert, key = self_signed(tmp_path)
    values = dict(PRODUCTION, ssl_certificate=cert, ssl_certificate_key=key)
    conf = rendered_nginx(tmp_path, values)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_refuses_a_broken_site(nginx, tmp_path):
    """The check above can fail: a site with a directive misspelt is refused."""
    conf = rendered_nginx(tmp_path, dict(PRODUCTION, tls=False, listen=["127.0.0.1:1"]))
    site = tmp_path / "site.conf"
    site.write_text(site.read_text().replace("client_max_body_size 1m;", "client_max_body 1m;"))
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "client_max_body" in result.stderr


@pytest.mark.parametrize("name", UNITS)
def test_systemd_accepts_the_units(systemd_analyze, tmp_path, name):
    """The production units with this checkout's paths (verify wants ExecStart's program to
    exist); a template unit is checked as an instance of it."""
    values = dict(PRODUCTION, checkout=str(ROOT), venv=str(ROOT / ".venv"))
    unit = tmp_path / name.replace("@.", "@8001.")
    unit.write_text(render.render(name, values))
    result = subprocess.run(
        [systemd_analyze, "verify", str(unit)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_systemd_verify_catches_a_misspelt_key(systemd_analyze, tmp_path):
    values = dict(PRODUCTION, checkout=str(ROOT), venv=str(ROOT / ".venv"))
    unit = tmp_path / "newsroom-scheduler.service"
    unit.write_text(
        render.render("newsroom-scheduler.service", values).replace("Restart=", "Restrat=")
    )
    result = subprocess.run([systemd_analyze, "verify", str(unit)], capture_output=True, text=True)
    assert "Restrat" in result.stderr


def test_production_site_keeps_no_connections_to_the_app_servers():
    """Production: a new connection per request (a stopping server refuses it before the
    request is written, so nginx passes a POST on); kept connections only when asked."""
    site = render.render("nginx-site.conf", PRODUCTION)
    params = render.render("proxy-params.conf", PRODUCTION)
    assert "keepalive " not in site.replace("keep-alive", "")
    assert 'Connection ""' not in params
    kept = dict(PRODUCTION, keepalive=16)
    assert "    keepalive 16;\n}" in render.render("nginx-site.conf", kept)
    assert 'proxy_set_header Connection "";' in render.render("proxy-params.conf", kept)


def test_nginx_accepts_the_site_with_kept_connections(nginx, tmp_path):
    values = dict(PRODUCTION, tls=False, listen=["127.0.0.1:1"], keepalive=16)
    conf = rendered_nginx(tmp_path, values)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
