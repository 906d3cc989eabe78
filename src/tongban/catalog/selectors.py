"""Reading the catalog's frozen configuration."""

from __future__ import annotations

from tongban.catalog.models import ServiceVersion
from tongban.lib.configcache import ConfigCache

# A version never changes once published (catalog.services.publish makes a new one), so
# its configuration is kept in the process for as long as the cache keeps anything.
_CONFIGS = ConfigCache("version configs", watch=(ServiceVersion,), ttl=3600)


def version_config(version_id: int) -> dict:
    """The frozen configuration of a published version (read-only: shared by every
    reader in the process)."""
    return _CONFIGS.get(version_id, lambda: ServiceVersion.objects.values_list("config", flat=True).get(pk=version_id))
