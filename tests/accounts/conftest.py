import pytest
from django.core.cache import cache

from tests.conftest import token_client
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # The login throttle counts failures in the cache; each test starts from none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(staff):
    return token_client(staff)
