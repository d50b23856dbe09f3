"""Property-based requests from /openapi.json (schemathesis): no input makes the server fail."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Server, Tenant

EXAMPLES = 25  # per operation


@pytest.mark.slow
def test_no_request_makes_a_server_error(server: Server, tenant: Tenant) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    headers = {"Authorization": f"Bearer {tenant.tokens['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=server.url, headers=headers,
                                   checks=[not_a_server_error], timeout=10)

        no_server_error()
