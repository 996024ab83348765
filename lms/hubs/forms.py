from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from lms.auth.forms import LANGUAGE_CHOICES, ContactMixin
from lms.form_fields import RegionField


class VolunteerForm(ContactMixin, FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)


class VolunteerCsvForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class HubSettingsForm(FlaskForm):
    helpline = StringField(_l("Child helpline shown in courses"), validators=[Length(max=200)])
    contact = StringField(_l("How to reach the hub coordinator"), validators=[Length(max=300)])
    safeguarding = StringField(
        _l("Designated safeguarding person and how to reach them"), validators=[Length(max=300)],
        description=_l("Courses tell volunteers to report any worry about a child to this person the same day."),
    )
    emergency = StringField(
        _l("Out-of-hours and emergency route"), validators=[Length(max=300)],
        description=_l("Whom volunteers call when a child is in danger now or the safeguarding person cannot be reached."),
    )


class HubForm(HubSettingsForm):
    slug = StringField(
        _l("Short name (Latin letters, digits, hyphens)"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lowercase Latin letters, digits, hyphens.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_kk = StringField(_l("Name in Kazakh (optional)"), validators=[Length(max=200)])
    name_ru = StringField(_l("Name in Russian (optional)"), validators=[Length(max=200)])
    region = RegionField(_l("Region"))
