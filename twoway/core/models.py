from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. The person behind it (name, phone, roles) is `org.Person`."""

    elder_mode = models.BooleanField(_("elder mode"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
