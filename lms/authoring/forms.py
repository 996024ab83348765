from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from lms.domain.course_format.course import SLUG_RE

LANGUAGE_CHOICES = [("en", "English"), ("ru", "Русский"), ("kk", "Қазақша")]
SLUG_HINT = _l("Lowercase Latin letters, digits and hyphens. Left empty, it is made from the title.")
_slug_check = Regexp(SLUG_RE, message=_l("Use lowercase Latin letters, digits and hyphens."))


class NewCourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name in links"), validators=[Optional(), Length(max=60), _slug_check])
    track = SelectField(_l("Training area"), validators=[DataRequired()])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=300)])


class NewLessonForm(FlaskForm):
    title = StringField(_l("Lesson title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Short name in links"), validators=[Optional(), Length(max=60), _slug_check])


class NewFileForm(FlaskForm):
    name = StringField(_l("File name"), validators=[DataRequired(), Length(max=120)])


class EditFileForm(FlaskForm):
    text = TextAreaField(_l("Markdown"), render_kw={"rows": 24, "spellcheck": "true"})
    file_id = HiddenField()
    revision = HiddenField()


class PublishForm(FlaskForm):
    note = StringField(_l("What changed (for the history)"), validators=[Optional(), Length(max=300)])
    overwrite = BooleanField(_l("Publish anyway, replacing the newer published version"))


class ImageForm(FlaskForm):
    image = FileField(_l("Image (PNG, JPEG or WebP)"), validators=[FileRequired()])


class ZipForm(FlaskForm):
    archive = FileField(_l("Course zip"), validators=[FileRequired()])


class AuthorForm(FlaskForm):
    email = EmailField(_l("Trainer's email"), validators=[DataRequired(), Email()])
