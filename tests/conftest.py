"""Shared fixtures. Each section belongs to one area; add yours as a new section."""

# --- fake API servers (tests/fakes) ---------------------------------------------------------
# Each fixture starts one fake on 127.0.0.1 (port 0) for one test and stops it afterwards.
# The tokens are test values; the fakes answer 401 / invalid_auth to any other.

import pytest
import trustme
from hypothesis import settings as hypothesis_settings

from tests.fakes import (
    GITHUB_TEST_TOKEN,
    PAGERDUTY_TEST_TOKEN,
    SLACK_TEST_TOKEN,
    FakeGitHub,
    FakePagerDuty,
    FakeSlack,
    tls_context,
)

# --- property tests (hypothesis) ------------------------------------------------------------
# No per-example wall-clock deadline: CI machines are small and shared, and a slow example is
# not a wrong one. Tests never assert wall-clock times.
hypothesis_settings.register_profile("no-deadline", deadline=None)
hypothesis_settings.load_profile("no-deadline")


@pytest.fixture(scope="session")
def test_ca() -> trustme.CA:
    """A certificate authority made for this test run."""
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle_path(test_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test CA's certificate as a PEM file, for ``ca_bundle`` settings."""
    path = tmp_path_factory.mktemp("ca") / "test-ca.pem"
    test_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def fake_pagerduty(test_ca: trustme.CA):
    """A running fake PagerDuty API over HTTPS (certificate from ``test_ca``)."""
    with FakePagerDuty(PAGERDUTY_TEST_TOKEN, tls=tls_context(test_ca, "127.0.0.1")) as fake:
        yield fake


@pytest.fixture
def fake_github():
    """A running fake GitHub Enterprise API over HTTP; its base URL is ``fake.base_url``."""
    with FakeGitHub(GITHUB_TEST_TOKEN) as fake:
        yield fake


@pytest.fixture
def fake_slack():
    """A running fake Slack Web API over HTTP; its base URL is ``fake.base_url``."""
    with FakeSlack(SLACK_TEST_TOKEN) as fake:
        yield fake


# --- compiled template cache (render.template_cache) ----------------------------------------
# The suite keeps its compiled templates in a folder of its own, never in the user's home.
@pytest.fixture(autouse=True, scope="session")
def template_cache_home(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
        yield
