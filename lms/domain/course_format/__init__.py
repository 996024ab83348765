"""The course source format (docs/authoring.md): parsing and validation, pure Python.

Everything here reads text and returns frozen values plus a list of Problems with
`path:line` positions; nothing touches Flask or the database.
"""

from lms.domain.course_format.course import CourseSource, LessonSource, load_course_dir
from lms.domain.course_format.problems import Problem
from lms.domain.course_format.quiz import Choice, Pool, Question, QuizSource, parse_quiz
from lms.domain.course_format.tracks import TrackSource, load_tracks
from lms.domain.course_format.tree import CourseTree, check_tree, load_tree

__all__ = [
    "Choice",
    "CourseSource",
    "CourseTree",
    "LessonSource",
    "Pool",
    "Problem",
    "Question",
    "QuizSource",
    "TrackSource",
    "check_tree",
    "load_course_dir",
    "load_tracks",
    "load_tree",
    "parse_quiz",
]
