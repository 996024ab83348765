"""Time checking and importing a large generated course set, then a no-change re-import.

50 courses x 20 lessons, each lesson with a 10-question quiz (10,000 questions), into a
fresh SQLite database (or DATABASE_URL). Last line:
import_seconds=<first import> reimport_seconds=<no-change re-import>
Both include reading and validating the files, as `flask courses import` does.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms import create_app  # noqa: E402
from lms.courses.importer import import_tree  # noqa: E402
from lms.domain.course_format import load_tree  # noqa: E402
from lms.extensions import db  # noqa: E402
from tests.course_builder import write_course, write_tracks  # noqa: E402

COURSES, LESSONS, QUESTIONS = 50, 20, 10
BODY = (
    "Bullying is repeated, deliberate and uses an imbalance of power.\n\n"
    "| sign | example |\n|---|---|\n| repeated | every day |\n| deliberate | on purpose |\n\n"
    "!!! note \"For the facilitator\"\n    Keep the group safe.\n\n"
    "- listen\n- stay calm\n- tell an adult\n\n" + "A longer paragraph of lesson text. " * 40 + "\n"
)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        root = tmp_path / "courses"
        slugs = [f"course-{n:02d}" for n in range(COURSES)]
        write_tracks(root, slugs)
        for slug in slugs:
            write_course(root, slug, lessons=LESSONS, questions=0, lesson_quiz_questions=QUESTIONS, body=BODY)
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bench.sqlite3'}", "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            tree, problems = load_tree(root, display_root=root)
            check_seconds = time.perf_counter() - start
            assert not problems, problems[:5]
            questions = sum(len(q.questions) for c in tree.courses for q in c.quizzes["en"])
            print(f"generated: {COURSES} courses, {COURSES * LESSONS} lessons, {questions} questions")
            print(f"check_seconds={check_seconds:.2f}")

            start = time.perf_counter()
            tree, _ = load_tree(root, display_root=root)
            import_tree(tree)
            import_seconds = time.perf_counter() - start
            print(f"first import (check + import, one transaction): {import_seconds:.2f} s")

            start = time.perf_counter()
            tree, _ = load_tree(root, display_root=root)
            _, reports = import_tree(tree)
            reimport_seconds = time.perf_counter() - start
            assert all(r.status == "unchanged" for r in reports)
            print(f"no-change re-import: {reimport_seconds:.2f} s")
    print(f"import_seconds={import_seconds:.2f} reimport_seconds={reimport_seconds:.2f}")


if __name__ == "__main__":
    main()
