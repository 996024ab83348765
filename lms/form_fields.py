"""Form fields shared by several features' forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import Choice
from wtforms.validators import StopValidation

from lms.domain import regions
from lms.i18n import current_locale


class PlaceholderSelectField(SelectField):
    """A select that starts on a "choose ..." line and refuses to be left there, so
    nobody is put in the first option (a hub, a region) without choosing it."""

    def __init__(self, label=None, validators=None, placeholder=None, required_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.placeholder = placeholder or _l("Choose…")
        self.required_message = required_message or _l("Choose one.")

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            self.data = None
            return
        super().process_formdata(valuelist)

    def iter_choices(self):
        choices = list(super().iter_choices())
        none_chosen = not any(c.selected for c in choices)
        return [Choice(value="", label=self.placeholder, selected=none_chosen, render_kw={}), *choices]

    def pre_validate(self, form):
        if self.data in (None, ""):
            raise StopValidation(str(self.required_message))
        # Only what was offered: a crafted value is refused like a wrong one.
        if not any(c.selected for c in super().iter_choices()):
            raise StopValidation(str(self.required_message))


class RegionField(PlaceholderSelectField):
    """One of Kazakhstan's regions (lms.domain.regions), named in the reader's language."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("placeholder", _l("Choose the region…"))
        kwargs.setdefault("required_message", _l("Choose the region from the list."))
        super().__init__(label, validators, **kwargs)

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        # Named in this request's language; a stored value from before the list stays offered.
        self.choices = regions.choices(current_locale(), keep=self.object_data)

