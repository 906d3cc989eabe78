"""Reading the catalog: the published services someone may see, and the frozen
configuration of a version."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.catalog import eligibility
from tongban.catalog.models import ServiceItem, ServiceVersion
from tongban.lib.configcache import ConfigCache

# A version never changes once published (catalog.services.publish makes a new one), so
# its configuration is kept in the process for as long as the cache keeps anything.
_CONFIGS = ConfigCache("version configs", watch=(ServiceVersion,), ttl=3600)


def version_config(version_id: int) -> dict:
    """The frozen configuration of a published version (read-only: shared by every
    reader in the process)."""
    return _CONFIGS.get(version_id, lambda: ServiceVersion.objects.values_list("config", flat=True).get(pk=version_id))


def published(*, query: str = "", category: str = "") -> QuerySet[ServiceItem]:
    """Every published service, found by a part of its name, category or code."""
    qs = ServiceItem.objects.filter(is_published=True, current_version__isnull=False).select_related(
        "org_unit", "current_version")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(category__icontains=query) | Q(code__icontains=query))
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("category", "code")


def services_for(*, user, query: str = "", category: str = "") -> list[ServiceItem]:
    """The published services the user is among the audience of (anyone not signed in:
    the services open to visitors), for the lists, the search and the API. Filtered
    here rather than in SQL: a JSON list's containment is not asked alike on SQLite
    and PostgreSQL, and the catalog is a few hundred rows at most."""
    audiences = eligibility.audiences_of(user)
    return [item for item in published(query=query, category=category) if eligibility.is_for(item, audiences)]
