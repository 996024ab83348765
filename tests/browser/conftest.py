"""A real server and headless Chromium (Debian's package, driven by Playwright).

The site runs as in production: gunicorn behind Debian's nginx with the shipped site file
(deploy/nginx/lms.conf), over HTTPS with a throwaway self-signed certificate, CSRF on,
PUBLIC_URL and PROXY_FIX_HOPS set as docs/deploy.md says. Chromium trusts exactly that
certificate (by its key's hash), nothing else.

The test command installs Chromium and nginx when it can; without Chromium these tests
are skipped with the reason; without nginx they run against gunicorn over plain HTTP
and the HTTPS tests (test_https.py) are skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lms import create_app
from lms.courses.importer import import_tree
from lms.domain.course_format import load_tree
from lms.extensions import db

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, and the base64 SHA-256 of its public key."""
    import base64
    import datetime
    import hashlib
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"cert": cert_path, "key": key_path, "spki": base64.b64encode(hashlib.sha256(spki).digest()).decode()}


@pytest.fixture(scope="session")
def browser(tls_certificate):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package 'chromium'); scripts/test installs it where it can")
    # Playwright's own requests (page.request, downloads checked by tests) come from its
    # Node driver, which trusts this certificate through NODE_EXTRA_CA_CERTS.
    os.environ["NODE_EXTRA_CA_CERTS"] = str(tls_certificate["cert"])
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run",
                  # Trust the test's own certificate (pinned by its key), not every certificate.
                  f"--ignore-certificate-errors-spki-list={tls_certificate['spki']}"],
        )
        yield launched
        launched.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process, log_path: Path) -> None:
    deadline = time.time() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert time.time() < deadline and process.poll() is None, log_path.read_text()[-2000:]
        time.sleep(0.1)


def nginx_site(folder: Path, tls_port: int, http_port: int, app_port: int, tls_certificate) -> Path:
    """The shipped deploy/nginx/lms.conf with this machine's ports, paths and certificate,
    inside a throwaway main config (its own prefix, pid, logs and temp folders)."""
    site = (ROOT / "deploy" / "nginx" / "lms.conf").read_text()
    replacements = {
        "ssl_certificate     /etc/letsencrypt/live/learn.example.kz/fullchain.pem;": f"ssl_certificate {tls_certificate['cert']};",
        "ssl_certificate_key /etc/letsencrypt/live/learn.example.kz/privkey.pem;": f"ssl_certificate_key {tls_certificate['key']};",
        "server_name learn.example.kz;": "server_name 127.0.0.1;",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{tls_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/var/log/nginx/": f"{folder}/",
        "/srv/lms/static/": f"{ROOT}/static/",
        "/var/www/letsencrypt": str(folder),
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx/lms.conf no longer has {old!r}: update this test with the file"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir()
    # Run as root (CI containers), the workers would switch to "nobody" and could not
    # read the test's private folders; they stay the test's own user instead.
    user = "user root root;" if os.geteuid() == 0 else ""
    main = f"""daemon off;
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/site.conf;
}}
"""
    (folder / "nginx.conf").write_text(main)
    return folder / "nginx.conf"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, tls_certificate):
    """The app under gunicorn on 127.0.0.1 behind nginx over HTTPS (plain gunicorn when nginx
    is missing), with the shipped courses and one account per role.

    The test reads the same SQLite file through its own app object (`live_app_db`).
    """
    folder = tmp_path_factory.mktemp("live")
    app_port, tls_port, http_port = free_port(), free_port(), free_port()
    public_url = f"https://127.0.0.1:{tls_port}" if NGINX else f"http://127.0.0.1:{app_port}"
    settings = {"DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}", "SECRET_KEY": "browser-tests",
                "PUBLIC_URL": public_url, "PROXY_FIX_HOPS": "1" if NGINX else "0",
                # The demo's explicit setting: the journeys log staff in with a password alone.
                "REQUIRE_2FA_FOR_STAFF": "0",
                # As in the other tests: scrypt would cost 0.16 s per login of every journey.
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    app = create_app({"SQLALCHEMY_DATABASE_URI": settings["DATABASE_URL"], "SECRET_KEY": settings["SECRET_KEY"],
                      "PUBLIC_URL": public_url, "LOGGING_CONFIGURE": False,
                      "PASSWORD_HASH_METHOD": settings["PASSWORD_HASH_METHOD"]})
    with app.app_context():
        db.create_all()
        tree, problems = load_tree(ROOT / "courses", display_root=ROOT)
        assert not problems
        import_tree(tree)
        from tests.factories import make_hub, make_user

        hub = make_hub("kokshetau", name="Kokshetau Volunteer Hub")
        users = {role: make_user(hub, roles=(role,), email=f"{role}@browser.example.org", name=f"Test {role.title()}")
                 for role in ("volunteer", "trainer", "coordinator", "admin")}
        emails = {role: user.email for role, user in users.items()}
        db.session.remove()
    env = {**os.environ, **settings}
    env.pop("DATABASE_TEST_URL", None)
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 - open for the server's lifetime
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2", "-b",
         f"127.0.0.1:{app_port}", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    processes = [server]
    try:
        wait_for_port(app_port, server, folder / "gunicorn.log")
        if NGINX:
            config = nginx_site(folder, tls_port, http_port, app_port, tls_certificate)
            proxy = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
                                     stdout=log, stderr=log)
            processes.append(proxy)
            wait_for_port(tls_port, proxy, folder / "error.log")
        yield {"url": public_url, "emails": emails, "app": app, "over_tls": bool(NGINX), "folder": folder,
               "http_url": f"http://127.0.0.1:{http_port}"}
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)
        log.close()


@pytest.fixture
def live_app_db(live_server):
    """Read the live server's database from the test (a context manager giving `db`)."""
    from contextlib import contextmanager

    @contextmanager
    def opened():
        with live_server["app"].app_context():
            yield db
            db.session.remove()

    return opened


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    yield tab
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
