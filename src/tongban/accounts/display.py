"""How an account wants its pages shown: large-type mode (适老化) for now.

The choice is remembered twice: on the account (a `DisplayPreference` row, written by
`set_large_type` with its audit entry) so it follows the person to another phone, and in
a cookie so it holds for a visitor who has not signed in. A signed-in account's saved
choice wins over the cookie; an account that never chose takes the browser's."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LARGE_TYPE_COOKIE = "tb_large_type"
LARGE_TYPE_COOKIE_AGE = 365 * 24 * 3600  # a year: older parents should not have to choose again


class DisplayPreference(models.Model):
    """An account's display choices, in a table of their own so that a choice of type
    size never rewrites the account's row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("account"),
                                on_delete=models.CASCADE, primary_key=True, related_name="display")
    large_type = models.BooleanField(gettext_lazy("large type"), default=False)
    updated_at = models.DateTimeField(gettext_lazy("changed at"), auto_now=True)

    class Meta:
        app_label = "accounts"
        verbose_name = gettext_lazy("display preference")
        verbose_name_plural = gettext_lazy("display preferences")

    def __str__(self) -> str:
        return str(self.user)


@transaction.atomic
def set_large_type(*, actor, user, on: bool) -> DisplayPreference:
    """Turn large-type mode on or off for `user`'s account (`actor` is the user
    themselves: nobody chooses another's type size). Writes the audit entry only when
    the choice changes; refuses nothing."""
    from tongban.audit.services import record  # audit's models load after these

    preference, _created = DisplayPreference.objects.select_for_update().get_or_create(user=user)
    if preference.large_type != on or _created:
        old = preference.large_type
        preference.large_type = on
        preference.save(update_fields=["large_type", "updated_at"])
        record(actor=actor, action="account.large_type", obj=user,
               summary=_("Large type turned on") if on else _("Large type turned off"),
               details={"old": old, "new": on})
    return preference


class LargeTypeForm(forms.Form):
    """The switch: on or off, and the page to go back to."""

    on = forms.BooleanField(required=False)
    next = forms.CharField(required=False, max_length=2000)


def large_type_of(request: HttpRequest) -> bool:
    """Whether the page answering `request` is shown in large type (cached on the request)."""
    if not hasattr(request, "_large_type"):
        saved = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            saved = DisplayPreference.objects.filter(user=user).values_list("large_type", flat=True).first()
        request._large_type = saved if saved is not None else request.COOKIES.get(LARGE_TYPE_COOKIE) == "1"
    return request._large_type


def is_staff_page(request: HttpRequest) -> bool:
    """Staff pages (the workbench and what lives under it, the catalog's preview) keep their
    dense look; every other page is an applicant's."""
    match = getattr(request, "resolver_match", None)
    return request.path.startswith(reverse("workbench:home")) or bool(
        match and match.view_name == "catalog:preview")


def display(request: HttpRequest) -> dict:
    """Context processor: `large_type` and `staff_page` for base.html's body class."""
    staff_page = is_staff_page(request)
    return {"staff_page": staff_page, "large_type": not staff_page and large_type_of(request)}
