from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "tongban.interop"
    label = "interop"
    verbose_name = _("Other systems")
    default_auto_field = "django.db.models.BigAutoField"
