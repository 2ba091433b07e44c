"""The login backend: Django's model backend, reading the user together with their person.

Every request of a logged-in user loads the user; nearly every page then needs the person
behind it (scope, menu, name). One statement, compiled once per process, gives both: the user,
their person record with its unit and household, and whether the person has any role.
`scope_for` uses what this attached instead of asking again.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from twoway.core.prepared import Prepared

from .models import Role
from .scope import PERSON_ATTR


def _user_with_person(pk):
    return (
        get_user_model()
        ._default_manager.filter(pk=pk)
        .select_related("person__unit", "person__household")
        .annotate(_has_roles=Exists(Role.objects.filter(person__user=OuterRef("pk"))))[:1]
    )


_USER = Prepared(_user_with_person)


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _USER.first(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        person = getattr(user, "person", None)
        if person is not None:
            person._has_roles = user._has_roles
        setattr(user, PERSON_ATTR, person)
        return user
