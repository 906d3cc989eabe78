from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "tongban.archive"
    verbose_name = _("Documents and seals")
