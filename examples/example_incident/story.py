"""The story of the example incident: its people, IDs, times, and the seeded ID source.

Times are authored to the second; ``Ids`` draws only IDs, hashes and sub-minute jitter from one
seeded generator, so every run writes the same bytes.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SEED = 2231
DAY = "2026-10-14"
REPO = "acme/checkout-api"
WORKSPACE = "https://acme.slack.com"
TEAM = "T07ACME001"
INCIDENT_CHANNEL = ("C07INC2231", "inc-2231-checkout-5xx")
STATUS_CHANNEL = ("C02STATUSUP", "status-updates")
PD_WEB = "https://acme.pagerduty.com"
PD_API = "https://api.pagerduty.com"
INCIDENT_ID = "PXM2K7Q"
INCIDENT_TITLE = "Checkout API elevated 5xx errors"

GOOD_SHA = "a1b2c3d8e4f5061728394a5b6c7d8e9f0a1b2c3d"
BAD_SHA = "e7f3a9c1d2b4e6f8091a2b3c4d5e6f708192a3b4"
REVERT_SHA = "5c9d0e2f7a3b1c4d6e8f9a0b1c2d3e4f5a6b7c8d"
OLDER_SHA = "3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"
POOL_CHANGE_TITLE = "Shorten DB pool max_lifetime and idle_timeout for checkout-api"

# fmt: off
# key: Slack ID, handle, real name, display name, title, zone, PagerDuty ID (or "")
PEOPLE: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "priya": ("U07A1PRAMN", "priya.raman", "Priya Raman", "priya", "Site Reliability Engineer",
              "America/New_York", "PR4M7NQ"),
    "marco": ("U07B2MSILV", "marco.silva", "Marco Silva", "marco",
              "Engineering Manager, Checkout", "America/Los_Angeles", "PM5S1LV"),
    "amara": ("U07C3AOKAF", "amara.okafor", "Amara Okafor", "amara", "Senior Engineer, Checkout",
              "Europe/London", ""),
    "kenji": ("U07D4KWATA", "kenji.watanabe", "Kenji Watanabe", "kenji",
              "Database Reliability Engineer", "America/Chicago", "PK3W9TB"),
    "ravi": ("U07E5RIYER", "ravi.iyer", "Ravi Iyer", "", "Database Engineer", "Asia/Kolkata", ""),
    "tom": ("U07F6TBROO", "tom.brooks", "Tom Brooks", "tomb", "Platform Engineer",
            "America/Denver", ""),
    "lena": ("U07G7LBERG", "lena.berg", "Lena Berg", "Lena (Support)", "Support Lead",
             "Europe/Berlin", ""),
    "david": ("U07H8DCHEN", "david.chen", "David Chen", "dchen", "Incident Communications",
              "America/New_York", ""),
    "sofia": ("U07J9SNOVA", "sofia.novak", "Sofia Novak", "sofia", "Product Manager, Payments",
              "Europe/Lisbon", ""),
    "jordan": ("U07K0JMORA", "jordan.morales", "Jordan Morales", "jordan", "Engineer, Checkout",
               "America/Los_Angeles", ""),
}
BOTS = {
    "datadog": ("U07DDOGBOT", "B07DDOG001", "Datadog", "A07DDOGAPP"),
    "pagerduty": ("U07PDUTYBT", "B07PDUTY01", "PagerDuty", "A07PDUTAPP"),
}
ZONE_LABELS = {
    "America/New_York": "Eastern Daylight Time", "America/Los_Angeles": "Pacific Daylight Time",
    "America/Chicago": "Central Daylight Time", "America/Denver": "Mountain Daylight Time",
    "Europe/London": "British Summer Time", "Europe/Berlin": "Central European Summer Time",
    "Europe/Lisbon": "Western European Summer Time", "Asia/Kolkata": "India Standard Time",
}
GITHUB_USERS = {
    "acme": (1843001, "Organization"), "acme-deployer[bot]": (91822731, "Bot"),
    "jmorales": (5120391, "User"),
    "aokafor": (4410027, "User"), "rIyer-db": (6630184, "User"), "kwatanabe": (3982240, "User"),
    "tbrooks": (2871993, "User"),
}
# fmt: on


def utc(text: str) -> datetime:
    """'2026-10-14 14:31:07' (UTC) to an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_eastern(moment: datetime) -> str:
    """The same instant rendered with a numeric offset, as PagerDuty does in account time."""
    return moment.astimezone(ZoneInfo("America/New_York")).isoformat()


class Ids:
    """Deterministic identifiers and fillers drawn from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def token(self, length: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def hex(self, length: int) -> str:
        return self.token(length, "0123456789abcdef")

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


TRIGGERED = utc(f"{DAY} 14:31:07")
RESOLVED = utc(f"{DAY} 15:48:20")
MONITOR = "[P1] checkout-api 5xx rate > 5% on env:production"
