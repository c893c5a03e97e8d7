"""Reading how long a server asks us to wait: one function for the three clients."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ingest.clients.retry import retry_after


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"RETRY-AFTER": ["3"]}, 3.0),  # slack_sdk: lists of values, any casing
        ({"Retry-After": "-4"}, 0.0),
        ({"ratelimit-reset": "11"}, 11.0),  # PagerDuty's own header
        ({"Retry-After": "5", "ratelimit-reset": "50"}, 5.0),
        ({"Retry-After": "soon", "ratelimit-reset": "9"}, 9.0),
        ({"Retry-After": ""}, None),
        ({"Retry-After": []}, None),
        ({"Content-Type": "application/json"}, None),
        ({}, None),
    ],
)
def test_seconds_from_headers(headers, seconds):
    assert retry_after(headers) == seconds


def test_http_date_is_read_as_time_from_now():
    later = datetime.now(UTC) + timedelta(seconds=120)
    wait = retry_after({"Retry-After": format_datetime(later, usegmt=True)})
    assert wait is not None and 100 < wait <= 120


def test_http_date_in_the_past_means_no_wait():
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
