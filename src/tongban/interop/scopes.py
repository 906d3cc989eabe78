"""What a registered system may do: OAuth 2.0 scopes, granted per client, checked per call."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes


class Scope(models.TextChoices):
    PEOPLE_READ = "people:read", _("Read people's basic fields (ID numbers masked)")
    PEOPLE_READ_ID = "people:read_id", _("Read full ID numbers")
    CASES_READ = "cases:read", _("Read cases of a service")
    RESULTS_WRITE = "results:write", _("Write results back")
    EVENTS_RECEIVE = "events:receive", _("Receive events")
    TODOS_WRITE = "todos:write", _("Push to-dos to people")
    FEED_READ = "feed:read", _("Read a person's to-dos and unread messages")


class ClientScopes(BaseScopes):
    """django-oauth-toolkit's scopes backend: a token may carry only the scopes its client
    was granted; asked for none, it carries them all."""

    def get_all_scopes(self):
        return {scope.value: str(scope.label) for scope in Scope}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = getattr(application, "api_client", None)
        return list(client.scopes) if client is not None and client.is_active else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)
