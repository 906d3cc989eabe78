"""Sessions read from Redis (when REDIS_URL is set, accounts/sessions.py): signed-in
pages go on from the database when Redis fails, a logout then still ends the session,
and a cached copy is kept at most CACHED_SECONDS."""

import pytest
import redis
from django.test import Client, override_settings

from tongban.accounts.sessions import CACHED_SECONDS

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/14"


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _on(location: str):
    return override_settings(SESSION_ENGINE="tongban.accounts.sessions", CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}})


def test_when_the_cache_fails_signed_in_pages_go_on_from_the_database_and_logout_ends_the_session(world):
    with _on("redis://127.0.0.1:1/0"):  # nothing listens there
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(world.applicant)
        assert client.get("/cases/").status_code == 200
        assert client.post("/accounts/logout/").status_code == 302
        assert client.get("/cases/").status_code == 302  # to the login page


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_with_redis_a_session_is_read_from_it_kept_a_short_while_and_gone_at_logout(world):
    store = redis.Redis.from_url(REDIS)
    store.flushdb()
    with _on(REDIS):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(world.applicant)
        assert client.get("/cases/").status_code == 200
        keys = list(store.scan_iter("*session*"))
        assert len(keys) == 1 and 0 < store.ttl(keys[0]) <= CACHED_SECONDS
        client.post("/accounts/logout/")
        assert not list(store.scan_iter("*session*"))
        assert client.get("/cases/").status_code == 302
    store.flushdb()
