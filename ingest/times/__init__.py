"""Every time the tool reads: ISO 8601, Slack `ts`, zone abbreviations and offsets, clock times."""

from ingest.times.parse import iso_to_utc, parse_one, slack_ts_to_utc, to_iso, zone

__all__ = ["iso_to_utc", "parse_one", "slack_ts_to_utc", "to_iso", "zone"]
