import pytest

from customers.models import CustodyPolicy


@pytest.fixture
def small_policy(db):
    """The export guard at 3 customer rows a window, so a test reaches it in a few rows."""
    policy = CustodyPolicy.current()
    policy.export_row_limit = 3
    policy.save()
    return policy
