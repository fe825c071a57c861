from __future__ import annotations

import pytest

from tests.auth.support import REDIS_URI, redis_answers


@pytest.fixture(scope="session")
def redis_client():
    """A client of the tests' Redis database; the test is skipped when no Redis answers."""
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1)
    yield client
    client.close()
