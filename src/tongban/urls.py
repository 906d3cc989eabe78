from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tongban import health

admin.site.site_header = _("Tongban · administration")
admin.site.site_title = _("Tongban admin")
admin.site.index_title = _("Configuration and management")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("", include("tongban.portal.urls")),
    path("accounts/", include("tongban.accounts.urls")),
    path("workbench/", include("tongban.workbench.urls")),
    path("inbox/", include("tongban.notify.urls")),
    path("", include("tongban.cases.urls")),
    path("", include("tongban.hukou.urls")),
    path("workbench/restrictions/", include("tongban.restrictions.urls")),
    path("", include("tongban.booking.urls")),
    path("", include("tongban.loans.urls")),
    path("catalog/", include("tongban.catalog.urls")),
    path("archive/", include("tongban.archive.urls")),
    path("", include("tongban.api.urls")),
    path("admin/", admin.site.urls),
]
