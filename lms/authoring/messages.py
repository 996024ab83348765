"""The checker's messages in the trainer's language, translated when they are shown.

The checker (lms.domain.course_format) writes its messages in English for every tool
that reads them (the command line, CI, the editor). The editor translates the common
ones here by pattern; a message no pattern knows is shown as the checker wrote it, so a
new or reworded message is never lost, only left in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.i18n import current_locale

Q = r"'(?P<id>[^']+)'"
PATTERNS = [
    (rf"single-choice question {Q} has (?P<n>\d+) correct answers; use \[ \]/\[x\] for several",
     _l("question “%(id)s” has one answer to pick but %(n)s are marked right; for several right answers "
        "write the choices as [ ] and [x]")),
    (rf"quiz question {Q} has no correct answer",
     _l("question “%(id)s” has no right answer: mark one with (x), or several with [x]")),
    (rf"question {Q} has no answers", _l("question “%(id)s” has no answers yet")),
    (rf"question {Q} has no text", _l("question “%(id)s” has no text: write the question under its heading")),
    (rf"question {Q} needs at least two choices", _l("question “%(id)s” needs at least two choices")),
    (rf"question {Q} has an empty choice", _l("question “%(id)s” has an empty choice")),
    (rf"question {Q} mixes kinds of answer \((?P<names>.*)\)",
     _l("question “%(id)s” mixes kinds of answer (%(names)s); use one kind per question")),
    (rf"question {Q} has more than one truefalse line", _l("question “%(id)s” has more than one truefalse line")),
    (r"truefalse must be 'true' or 'false', not '(?P<value>.*)'",
     _l("after truefalse: write true or false, not “%(value)s”")),
    (r"numeric answer '(?P<value>.*)' is not a number.*",
     _l("the answer “%(value)s” is not a number (write e.g. number: 54 or number: 30 +- 5)")),
    (rf"duplicate question id {Q} \(first on line (?P<line>\d+)\)",
     _l("two questions are called “%(id)s” (the first on line %(line)s); give each its own name")),
    (rf"unexpected line in the answers of question {Q}: .*",
     _l("a line among the answers of question “%(id)s” is neither a choice nor feedback: answers are "
        "( ), (x), [ ], [x], truefalse:, text: or number: lines, feedback starts with >, + or -")),
    (r"the '::: quiz' block is not closed with a ':::' line",
     _l("the lesson's quiz is not closed: add a line ::: after its last question")),
    (r"broken image link '(?P<target>.*)': no such file in the course folder",
     _l("the image “%(target)s” is not among the course's images: upload it, or correct the name")),
    (r"image '(?P<target>.*)' must be a file in the course folder, not a web address",
     _l("the image “%(target)s” is a web address: upload the picture to the course instead")),
    (r"'(?P<target>.*)' is not a PNG, JPEG, WebP or GIF image",
     _l("“%(target)s” is not a PNG, JPEG, WebP or GIF image")),
    (r"unknown placeholder '(?P<name>\{hub:[^}]*\})' \(known: (?P<known>.*)\)",
     _l("unknown hub setting %(name)s (these exist: %(known)s)")),
    (r"unknown key '(?P<key>[^']*)'", _l("unknown setting “%(key)s”")),
    (r"unknown track '(?P<track>[^']*)'", _l("unknown training area “%(track)s”")),
    (r"missing lesson title \('title: \.\.\.' in the front matter\)",
     _l("the lesson has no title: add a line title: ... between the --- lines at the top")),
    (r"missing '(?P<key>[^']*)' in the front matter", _l("“%(key)s” is missing between the --- lines at the top")),
    (r"missing '(?P<key>[^']*)'", _l("“%(key)s” is missing")),
    (r"missing front matter: .*",
     _l("the file must start with a line ---, then title: ..., then another line ---")),
    (r"front matter is not closed: .*", _l("the settings at the top are not closed: add a line --- after them")),
    (r"invalid YAML: (?P<what>.*)", _l("the settings at the top cannot be read: %(what)s")),
    (r"pass mark (?P<value>.*) is outside 0-100", _l("the pass mark %(value)s must be between 0 and 100")),
    (r"'(?P<key>[^']*)' must be a whole number from (?P<low>\d+) to (?P<high>\d+), not '(?P<value>.*)'",
     _l("“%(key)s” must be a whole number from %(low)s to %(high)s, not “%(value)s”")),
    (r"the code block opened here with '(?P<fence>[^']*)' is not closed: .*",
     _l("the code block opened here with %(fence)s is not closed: add a line %(fence)s after it")),
    (r"lesson '(?P<slug>[^']*)' has no '(?P<lang>[a-z]+)' translation \((?P<file>[^)]*)\)",
     _l("the lesson “%(slug)s” is not translated into %(lang)s yet")),
    (r"the quiz has no '(?P<lang>[a-z]+)' translation \((?P<file>[^)]*)\)",
     _l("the final quiz is not translated into %(lang)s yet")),
    (rf"question {Q} differs from the default language in kind, points, choices or correct answers",
     _l("question “%(id)s” must have the same kind, points, choices and right answers as in the original "
        "language; only the texts are translated")),
    (rf"question {Q} is not in the default language's quiz",
     _l("question “%(id)s” is not in the original language's quiz")),
    (r"a question heading outside a '::: quiz' block would be shown to learners as text, .*",
     _l("this question is outside a quiz: learners would read it, answers included; put it between a line "
        "::: quiz and a line :::")),
    (r"an indented '::: quiz' line is shown to learners as text, .*",
     _l("the ::: quiz line must start at the beginning of the line, with no spaces before it")),
    (r"the course has no lessons .*", _l("the course has no lessons yet")),
    (r"every lesson is hidden; .*", _l("every lesson is hidden: learners would see an empty course")),
]
_COMPILED = [(re.compile(pattern + r"\Z"), template) for pattern, template in PATTERNS]
_SUGGESTION = re.compile(r"(?P<head>.*), did you mean '(?P<word>[^']*)'\?\Z")
_KNOWN = re.compile(r"(?P<head>.*) \(known: (?P<known>[^)]*)\)\Z")


def translate(message: str) -> str:
    """The message in the current interface language, or as written when no pattern knows it.
    English readers get the checker's own words, the same as the command line prints."""
    if current_locale() == "en":
        return message
    head, suffix = message, ""
    if found := _SUGGESTION.match(message):
        head, suffix = found["head"], _("; did you mean “%(word)s”?", word=found["word"])
    elif (found := _KNOWN.match(message)) and not message.startswith("unknown placeholder"):
        head, suffix = found["head"], _(" (known: %(known)s)", known=found["known"])
    for pattern, template in _COMPILED:
        if match := pattern.match(head):
            return str(template) % match.groupdict() + suffix
    return message


@dataclass(frozen=True)
class ShownProblem:
    """A checker problem as the editor shows it: the same place, the message translated."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def shown(problems) -> list[ShownProblem]:
    return [ShownProblem(p.path, p.line, translate(p.message)) for p in problems]
