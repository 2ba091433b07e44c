from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DESCRIPTION_MAX, Score


class AppealForm(forms.Form):
    category = forms.TypedChoiceField(label=_("What is it about?"), coerce=int, choices=())
    description = forms.CharField(
        label=_("Describe the problem"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    place = forms.CharField(label=_("Where? (building, unit, spot)"), max_length=100, required=False)
    for_household = forms.BooleanField(label=_("On behalf of my whole household"), required=False)
    mediation = forms.BooleanField(label=_("A neighbour or family dispute: I would like mediation"), required=False)
    lat = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    lng = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    idem_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories


class RateForm(forms.Form):
    score = forms.ChoiceField(
        label=_("How satisfied are you with the outcome?"), choices=Score.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
