from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, widgets

from lms.domain.roles import ALL_ROLES

ROLE_LABELS = {
    "volunteer": _l("Volunteer"),
    "trainer": _l("Trainer"),
    "coordinator": _l("Hub coordinator"),
    "admin": _l("Administrator"),
}


class UserAccessForm(FlaskForm):
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[(r, ROLE_LABELS[r]) for r in ALL_ROLES],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    hub_id = SelectField(_l("Hub"), coerce=int)
    active = BooleanField(_l("Account active"))
