"""The limits of every value a course file can set: one table for the database columns
(lms/courses/models.py and lms/learning/models.py size their columns from here) and
the checker, so a course that passes the check always fits the database, on SQLite
and PostgreSQL alike. docs/authoring.md lists them for authors.
"""

from __future__ import annotations

# Column sizes, in characters (PostgreSQL VARCHAR counts characters, not bytes).
SLUG_MAX = 64  # course and track slugs (courses.slug, tracks.slug)
VERSION_MAX = 64  # courses.author_version
ITEM_ID_MAX = 100  # lesson ids, question ids, pool ids (lessons.slug, questions.slug, quizzes.slug, questions.pool)
TITLE_MAX = 300  # course_texts.title, lesson_texts.title
FILE_PATH_MAX = 300  # course_files.path, course_images.path
ATTEMPT_CHOICES_MAX = 200  # attempt_answers.choices: ticked choice indices, "0,2,5"

# An INTEGER column is 32 bits on PostgreSQL; SQLite takes 64 but we keep to the smaller.
INTEGER_MAX = 2**31 - 1

# Limits that keep the platform's arithmetic sane (date and time sums, JSON numbers).
MINUTES_MAX = 100_000  # a course or lesson estimate
POINTS_MAX = 1000  # points of one question
NUMBER_MAX = 10**12  # a numeric answer and its tolerance, either sign
MAX_ATTEMPTS_MAX = 1000
COOLDOWN_HOURS_MAX = 8760  # one year
TIME_LIMIT_MINUTES_MAX = 10_080  # one week
VALID_MONTHS_MAX = 600
POOL_DRAW_MAX = 1000

# Text files are read whole, parsed and rendered: a bound on their size bounds the work.
TEXT_FILE_BYTES_MAX = 128 * 1024  # four times the largest shipped file; rendering cost grows with size
FRONT_MATTER_BYTES_MAX = 16 * 1024


def max_choices(column_length: int = ATTEMPT_CHOICES_MAX) -> int:
    """How many choices a question may have so that ticking all of them ("0,1,...,n-1")
    still fits the attempt_answers.choices column."""
    count, used = 0, -1  # no comma before the first index
    while used + 1 + len(str(count)) <= column_length:
        used += 1 + len(str(count))
        count += 1
    return count


CHOICES_MAX = max_choices()
