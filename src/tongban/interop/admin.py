"""No admin pages here: systems are registered, rotated and revoked on the workbench
(interop's own pages, through its services). django-oauth-toolkit's admin pages would
write applications and tokens around them, so they are taken away."""

from django.contrib import admin
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

for model in (get_application_model(), get_access_token_model(), get_grant_model(), get_id_token_model(),
              get_refresh_token_model()):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
