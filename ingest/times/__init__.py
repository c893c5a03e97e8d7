"""Every time the tool reads goes through here: ISO 8601 and free forms, zone abbreviations
with the date's daylight saving, offsets ("+02:00", "UTC+2"), Slack ``ts``, durations.

- :mod:`ingest.times.written`: one time as a person writes it (options, config, cells, drafts).
- :mod:`ingest.times.columns`: columns of times, vectorised (API payloads, tables).
- :mod:`ingest.times.slack_ts`: Slack ``ts`` strings, exact to the microsecond.
- :mod:`ingest.times.zones`: abbreviations, offsets and IANA names, and placing a wall time.
- :mod:`ingest.times.durations`: "90s", "2h", "7d" and back.
"""

from ingest.times.columns import CellTimeError, iso_to_utc, to_iso, written_to_utc
from ingest.times.durations import parse_duration
from ingest.times.slack_ts import slack_ts_second, slack_ts_to_utc
from ingest.times.written import (
    PartialDateError,
    WrittenTime,
    calendar_date,
    parse_one,
    read_time,
)
from ingest.times.zones import named_zone

zone = named_zone

__all__ = [
    "CellTimeError",
    "PartialDateError",
    "WrittenTime",
    "calendar_date",
    "iso_to_utc",
    "named_zone",
    "parse_duration",
    "parse_one",
    "read_time",
    "slack_ts_second",
    "slack_ts_to_utc",
    "to_iso",
    "written_to_utc",
    "zone",
]
