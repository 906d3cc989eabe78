"""Sessions read from the shared cache (Redis) and kept in the database: Django's
cached_db, made to carry on from the database when the cache fails instead of failing
every signed-in request, and to keep each copy in the cache for at most
CACHED_SECONDS, so that a copy a failed logout could not delete lives no longer."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

log = logging.getLogger(__name__)

CACHED_SECONDS = 300


class SessionStore(cached_db.SessionStore):
    def _keep(self, data: dict, age: int) -> None:
        try:
            self._cache.set(self.cache_key, data, min(age, CACHED_SECONDS))
        except Exception:
            log.warning("session cache unavailable: sessions are read from the database", exc_info=True)

    def load(self) -> dict:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            log.warning("session cache unavailable: sessions are read from the database", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        self._keep(data, self.get_expiry_age(expiry=stored.expire_date))
        return data

    def exists(self, session_key: str) -> bool:
        # asked only when a new session key is drawn: the database, which has every one
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create: bool = False) -> None:
        super(cached_db.SessionStore, self).save(must_create)  # the database's save
        self._keep(self._session, self.get_expiry_age())

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)  # the database's delete
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            log.error("session cache unavailable: an ended session stays readable there for at most "
                      "%s s", CACHED_SECONDS, exc_info=True)
