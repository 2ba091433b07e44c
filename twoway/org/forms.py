from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Gender, Household, OrgUnit, RoleKind, UnitKind


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(
        label=_("Code"), max_length=32, required=False, help_text=_("Leave empty to have one made for you.")
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Office phone"), max_length=32, required=False)
    sort = forms.IntegerField(label=_("Order"), required=False, initial=0, min_value=0, max_value=100000)


class UnitCreateForm(UnitForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=())

    field_order = ["kind", "name", "code", "address", "phone", "sort"]

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class UnitMoveForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("New parent unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class HouseholdForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Resident group"), queryset=OrgUnit.objects.none())
    building = forms.CharField(label=_("Building"), max_length=20)
    entrance = forms.CharField(label=_("Unit (entrance)"), max_length=20)
    room = forms.CharField(label=_("Room"), max_length=20)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class PersonForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    household = forms.ModelChoiceField(label=_("Household"), queryset=Household.objects.none(), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit (for staff with no household)"), queryset=OrgUnit.objects.none(), required=False
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    relation = forms.CharField(label=_("Relation to head of household"), max_length=20, required=False)

    def __init__(self, *args, households, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if not data.get("household") and not data.get("unit"):
            self.add_error("household", _("Choose a household, or a unit for a worker with no household."))
        return data


class RoleForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=_("Role"), choices=RoleKind.choices)
    title = forms.CharField(label=_("Title"), max_length=50, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class GridForm(forms.Form):
    street = forms.ModelChoiceField(label=_("Street"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=100)
    units = forms.ModelMultipleChoiceField(label=_("Units covered"), queryset=OrgUnit.objects.none())

    def __init__(self, *args, streets, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
        self.fields["units"].queryset = units


def unit_label(unit: OrgUnit) -> str:
    return f"{unit.name}（{UnitKind(unit.kind).label}）"
