from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.form_fields import RegionField

# What a revocation's category is called; the category (not the reason) is public.
REVOCATION_LABELS = {
    "conduct": _l("Conduct"),
    "safeguarding": _l("Safeguarding concern"),
    "dishonesty": _l("Dishonesty in training or assessment"),
    "issued_in_error": _l("Issued in error"),
    "withdrawn": _l("Withdrawn at the holder's request"),
    "other": _l("Other"),
}


class RevokeForm(FlaskForm):
    category = SelectField(_l("Kind of reason (shown on the public check)"),
                           choices=[("", "—"), *REVOCATION_LABELS.items()], validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (kept on record, seen by staff only)"), validators=[DataRequired(), Length(max=2000)])


class LiftHoldForm(FlaskForm):
    requirement = RadioField(_l("Before a new certificate, the volunteer must"), choices=[
        ("retrain", _l("pass the courses of this area again")),
        ("reinstate", _l("do nothing more: their earlier passes count (e.g. revoked in error)")),
    ], validators=[DataRequired()])
    reason = TextAreaField(_l("Reason for this decision (kept on record)"), validators=[DataRequired(), Length(max=2000)])


class InPersonForm(FlaskForm):
    volunteer_id = SelectField(_l("Volunteer"), coerce=int, validators=[DataRequired()])
    track = SelectField(_l("Training area"), validators=[DataRequired()])
    note = TextAreaField(_l("Training and assessment (where, when, by whom)"), validators=[DataRequired(), Length(max=2000)])


class DeliveryForm(FlaskForm):
    track = SelectField(_l("Training area"), validators=[DataRequired()])
    led_on = DateField(_l("Date"), validators=[DataRequired()])
    school = StringField(_l("School or place"), validators=[DataRequired(), Length(max=300)])
    region = RegionField(_l("Region"))
    mode = RadioField(_l("Format"), choices=[("in_person", _l("Face to face")), ("online", _l("Online"))],
                      default="in_person", validators=[DataRequired()])
    children = IntegerField(_l("Children reached"), validators=[InputRequired(), NumberRange(min=0, max=5000)])
    parents = IntegerField(_l("Parents reached"), validators=[InputRequired(), NumberRange(min=0, max=5000)])
    co_leader = StringField(_l("Co-leader (optional)"), validators=[Optional(), Length(max=200)])
    notes = TextAreaField(_l("Notes (optional)"), validators=[Optional(), Length(max=2000)])


class ReviewForm(FlaskForm):
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=500)])
