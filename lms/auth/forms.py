from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from lms.domain.contacts import classify_login, normalise_email, normalise_phone
from lms.domain.passwords import password_problems
from lms.form_fields import PlaceholderSelectField

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least 8 characters."),
    "too_long": _l("Use at most 256 characters."),
    "common": _l("This password is too common; choose another."),
    "same_as_login": _l("The password must differ from your email or phone."),
}

LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]


class NewPasswordMixin:
    """A new password, typed twice, checked against the policy."""

    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def login_identifiers(self) -> tuple[str, ...]:
        return ()

    def validate_password(self, field):
        problems = password_problems(field.data or "", identifiers=self.login_identifiers())
        if problems:
            raise ValidationError(" ".join(str(PASSWORD_MESSAGES[p]) for p in problems))


class ContactMixin:
    """Email and phone: each optional, at least one required, both checked."""

    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone number"), validators=[Optional(), Length(max=32)])

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


class RegisterForm(NewPasswordMixin, ContactMixin, FlaskForm):
    name = StringField(
        _l("Full name (as it should appear on certificates)"),
        validators=[DataRequired(), Length(max=200)],
    )
    # No default: the first hub alphabetically is nobody's choice.
    hub_id = PlaceholderSelectField(_l("Your hub"), coerce=int, placeholder=_l("Choose your hub"),
                                    required_message=_l("Choose your hub from the list."))
    locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(_l("Password"), validators=[DataRequired()])

    def login_identifiers(self):
        return (self.email.data or "", self.phone.data or "")



class LoginForm(FlaskForm):
    login = StringField(_l("Email or phone number"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))

    def validate_login(self, field):
        if classify_login(field.data or "") is None:
            raise ValidationError(_l("Enter an email address or a phone number."))


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class ResetRequestForm(FlaskForm):
    login = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)


class ReauthForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class CodeForm(FlaskForm):
    code = StringField(_l("6-digit code from your authenticator app"), validators=[DataRequired(), Length(max=12)])
