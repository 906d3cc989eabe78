"""django-oauth-toolkit's validator, told about tongban's clients: a revoked client gets no
token, and the previous secret still opens during a rotation's overlap."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator

from tongban.interop.models import ApiClient


class ClientValidator(OAuth2Validator):
    def _load_application(self, client_id, request):
        application = super()._load_application(client_id, request)
        client = getattr(application, "api_client", None) if application is not None else None
        if application is not None and (client is None or not client.is_active):
            request.client = None
            return None
        return application

    def _check_secret(self, provided_secret, stored_secret):
        if super()._check_secret(provided_secret, stored_secret):
            return True
        previous = (ApiClient.objects.filter(application__client_secret=stored_secret, revoked_at=None,
                                             previous_secret_until__gt=timezone.now())
                    .values_list("previous_secret", flat=True).first())
        return bool(previous) and check_password(provided_secret, previous)
