"""Time a certificate PDF download through the app: the first (rendered) and the cached ones.

A temporary SQLite app with one hub, one volunteer and one certificate with a Cyrillic
name; the volunteer downloads the PDF through the test client (the whole request:
permission checks, the certificate's texts, rendering or the cache). The first figure
is the median of fresh renders (the cache is emptied before each), the second the
median of downloads served from the cache. Last line:
pdf_first_seconds=<n> pdf_cached_seconds=<n>

    .venv/bin/python bench/pdf_bench.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms import create_app  # noqa: E402
from lms.auth.models import User  # noqa: E402
from lms.certificates.models import Certificate  # noqa: E402
from lms.courses.models import Track  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.hubs.models import Hub  # noqa: E402

ROUNDS = 15


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}", "SERVER_NAME": "lms.test"})
    app.instance_path = str(workdir)  # the cache goes to the throwaway folder
    with app.app_context():
        db.create_all()
        hub = Hub(slug="kokshetau", name="Kokshetau Volunteer Hub")
        track = Track(slug="violence-prevention", title={"en": "Prevention of violence and bullying"}, summary={},
                      rule={"courses": [], "allows": {"en": "BeKind anti-bullying lessons for children and parents"}},
                      position=1)
        db.session.add_all([hub, track])
        db.session.flush()
        user = User(name="Айгерім Сәтбаева", email="bench@example.org", hub_id=hub.id)
        user.roles = {"volunteer"}
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.flush()
        cert = Certificate(serial="VH-2026-000001", code="ABCD-EFGH-JKMN-PQRS", user_id=user.id, track_id=track.id,
                           hub_id=hub.id, holder_name=user.name, course_versions={}, issued_on=date(2026, 11, 1),
                           expires_on=date(2028, 11, 1))
        db.session.add(cert)
        db.session.commit()
        cert_id = cert.id
    client = app.test_client()
    response = client.post("/login", data={"login": "bench@example.org", "password": "correct horse battery"})
    assert response.status_code == 302, response.status_code
    cache = workdir / "cache" / "certificates"

    def download() -> float:
        started = time.perf_counter()
        response = client.get(f"/certificates/{cert_id}.pdf")
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), response.status_code
        return elapsed

    download()  # warm up: imports, templates, the first font read
    first = []
    for _ in range(ROUNDS):
        shutil.rmtree(cache, ignore_errors=True)
        first.append(download())
    cached = [download() for _ in range(ROUNDS)]
    print(f"first: median {statistics.median(first):.4f} s, min {min(first):.4f} s ({ROUNDS} renders)")
    print(f"cached: median {statistics.median(cached):.4f} s, min {min(cached):.4f} s ({ROUNDS} downloads)")
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"pdf_first_seconds={statistics.median(first):.4f} pdf_cached_seconds={statistics.median(cached):.4f}")


if __name__ == "__main__":
    main()
