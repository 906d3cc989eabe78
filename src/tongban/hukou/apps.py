from django.apps import AppConfig


class HukouConfig(AppConfig):
    name = "tongban.hukou"
    verbose_name = "集体户口"
