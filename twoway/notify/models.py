from django.db import models
from django.utils.translation import gettext_lazy as _

# A notification is a pointer to a record: a longer text is cut short there (notify.send).
BODY_MAX = 2000


class Notification(models.Model):
    """One message in a person's in-app notification centre."""

    # Served by the (person, read_at, created_at) index.
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), max_length=BODY_MAX, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at", "-created_at"])]

    def __str__(self):
        return self.title
