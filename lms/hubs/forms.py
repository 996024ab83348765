from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from lms.auth.forms import LANGUAGE_CHOICES
from lms.domain.contacts import normalise_email, normalise_phone


class VolunteerForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=32)])
    locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)

    def validate_email(self, field):
        if field.data and not normalise_email(field.data):
            raise ValidationError(_l("This is not a valid email address."))

    def validate_phone(self, field):
        if field.data and not normalise_phone(field.data):
            raise ValidationError(_l("Write the number with its code, e.g. +7 701 234 5678."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors = list(self.email.errors) + [
                _l("Give an email or a phone number (or both).")
            ]
            return False
        return ok


class VolunteerCsvForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class HubSettingsForm(FlaskForm):
    helpline = StringField(_l("Child helpline shown in courses"), validators=[Length(max=200)])
    contact = StringField(_l("How to reach the hub coordinator"), validators=[Length(max=300)])


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
    region = StringField(_l("Region"), validators=[Length(max=200)])
