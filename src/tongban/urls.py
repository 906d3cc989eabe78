from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from oauth2_provider import views as oauth

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
    path("", include("tongban.assistant.urls")),
    path("", include("tongban.campaigns.urls")),
    path("catalog/", include("tongban.catalog.urls")),
    path("archive/", include("tongban.archive.urls")),
    path("workbench/records/", include("tongban.records.urls")),
    path("api/oauth/token/", oauth.TokenView.as_view(), name="oauth-token"),
    path("api/oauth/revoke/", oauth.RevokeTokenView.as_view(), name="oauth-revoke"),
    path("workbench/interop/", include("tongban.interop.urls")),
    path("", include("tongban.api.urls")),
    path("admin/", admin.site.urls),
]
