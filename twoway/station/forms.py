from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import SORT_MAX, TEXT_MAX, DutyRole, FeedbackKind, ItemKind, Mode, ServiceItem, Weekday


class ItemForm(forms.ModelForm):
    time_limit_days = forms.IntegerField(
        label=capfirst(_("time limit (working days)")),
        min_value=0,
        max_value=60,
        help_text=_("0 means settled on the spot."),
    )
    sort = forms.IntegerField(label=capfirst(_("order")), min_value=0, max_value=SORT_MAX, initial=0)

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "kind",
            "area",
            "name",
            "conditions",
            "materials",
            "time_limit_days",
            "fee",
            "handler",
            "guide",
            "sort",
        ]
        widgets = {
            "conditions": forms.Textarea(attrs={"rows": 2}),
            "materials": forms.Textarea(attrs={"rows": 4}),
            "guide": forms.Textarea(attrs={"rows": 3}),
        }

    def validate_unique(self):
        """Uniqueness of the code is checked by the domain function, which names the field."""


class AcceptForm(forms.Form):
    item = forms.TypedChoiceField(label=_("Service item"), coerce=int)
    resident = forms.TypedChoiceField(
        label=_("Registered resident"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Choose them if they live in this community; otherwise write the name below."),
    )
    resident_name = forms.CharField(label=_("Resident's name"), max_length=50, required=False)
    resident_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    mode = forms.ChoiceField(label=_("Service way"), choices=Mode.choices, initial=Mode.WINDOW)
    booked_for = forms.DateTimeField(
        label=_("Appointment"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("For door-to-door and out-of-hours services."),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    first_owner = forms.TypedChoiceField(
        label=_("First-inquiry owner"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Who received the resident first (首问负责). Leave empty if it was you."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    idem_key = forms.CharField(max_length=40, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, items=(), residents=(), staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        direct = [(i.pk, f"{i.code} {i.name}") for i in items if i.kind == ItemKind.DIRECT]
        proxy = [(i.pk, f"{i.code} {i.name}") for i in items if i.kind == ItemKind.PROXY]
        self.fields["item"].choices = [
            ("", "—"),
            (str(ItemKind.DIRECT.label), direct),
            (str(ItemKind.PROXY.label), proxy),
        ]
        self.fields["resident"].choices = [("", "—")] + [(p.pk, p.name) for p in residents]
        self.fields["first_owner"].choices = [("", "—")] + [(p.pk, p.name) for p in staff]
        for name, f in self.fields.items():
            if name != "idem_key":
                css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
                f.widget.attrs.setdefault("class", css)
        self.fields["item"].widget.attrs["class"] = "form-select form-select-lg"


class ResultForm(forms.Form):
    result = forms.CharField(label=_("Result"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FeedbackKind.choices)
    text = forms.CharField(label=_("What was said"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    by_name = forms.CharField(label=_("From"), max_length=50, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=50, required=False)
    about_station = forms.BooleanField(label=_("About the station's own work"), required=False, initial=True)


class ReplyForm(forms.Form):
    handling = forms.CharField(
        label=_("How it was handled"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply = forms.CharField(label=_("Reply given"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class RotaForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    role = forms.ChoiceField(label=_("A/B role"), choices=DutyRole.choices)
    person = forms.TypedChoiceField(label=_("Staff member"), coerce=int)
    work_phone = forms.CharField(label=_("Work phone (published)"), max_length=32, required=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [(p.pk, p.name) for p in staff]
