from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "tongban.archive"
    verbose_name = "文书与签章"
