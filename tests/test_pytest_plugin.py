"""The ``leadsync`` pytest plugin, run by pytester in a scratch project: its fixtures
start a real server, reset it between tests, seed it, read its journal and make it
fail on purpose."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.e2e

SCRATCH = '''
import httpx
from leadsync import Client


def test_soap_and_rest_see_one_store(leadsync):
    with Client(leadsync.soap_endpoint, leadsync.soap_user, leadsync.soap_key) as soap:
        [made] = soap.sync_multiple_leads([{"Email": "a@plugin.test", "FirstName": "Ann"}])
    token = httpx.get(
        f"{leadsync.identity_endpoint}/oauth/token",
        params={"grant_type": "client_credentials", "client_id": leadsync.client_id,
                "client_secret": leadsync.client_secret},
    ).json()["access_token"]
    read = httpx.get(
        f"{leadsync.rest_endpoint}/v1/lead/{made.lead_id}.json",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert read["result"][0]["firstName"] == "Ann"
    assert [e["operation"] for e in leadsync.journal()] == ["syncMultipleLeads", "get_lead"]


def test_each_test_starts_empty_and_can_seed(leadsync):
    assert leadsync.journal() == []
    ids = leadsync.seed([{"Email": "s@plugin.test"}, {"Email": "t@plugin.test"}])
    assert len(ids) == 2 and all(ids)
    with Client(leadsync.soap_endpoint, leadsync.soap_user, leadsync.soap_key) as soap:
        assert soap.get_lead("EMAIL", "a@plugin.test") == []  # the first test's lead is gone
        assert soap.get_lead("EMAIL", "s@plugin.test")[0].id == ids[0]


def test_fail_on_purpose(leadsync):
    from leadsync.client.types import RemoteFault, RetryPolicy

    leadsync.fail("syncMultipleLeads", 20023, count=1)
    no_retry = RetryPolicy(max_retries=0)
    user, key = leadsync.soap_user, leadsync.soap_key
    with Client(leadsync.soap_endpoint, user, key, retry=no_retry) as soap:
        try:
            soap.sync_multiple_leads([{"Email": "f@plugin.test"}])
        except RemoteFault as fault:
            assert fault.code == 20023
        else:
            raise AssertionError("the fault did not fire")
        [made] = soap.sync_multiple_leads([{"Email": "f@plugin.test"}])
        assert made.status.value == "CREATED"
'''


def _doc_examples() -> str:
    """The Python blocks of docs/testing.md, as a test module: the page's examples run."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text()
    blocks = text.split("```python\n")[1:]
    code = [block.split("```", 1)[0].replace("    ...\n", "    pass\n") for block in blocks]
    return "\n\n".join(code)


def test_the_plugin_in_a_scratch_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_scratch=SCRATCH, test_docs=_doc_examples())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=6)
