"""Option types: each reads its text through ``ingest.times`` (or the milestone list), so a bad
time, zone, date, mark or duration is bad usage: exit 2 with one line naming the option.

``--tz`` is eager, so the time options read after it see the zone it names (for times written
without one). ``ingest`` is imported inside ``convert``: ``postmortem --help`` stays light.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import click


def _option_tz(ctx: click.Context | None) -> Any:
    from datetime import tzinfo

    value = ctx.params.get("tz") if ctx is not None else None
    return value if isinstance(value, tzinfo) else None  # not given: click's own placeholder


class _TimesType(click.ParamType, ABC):
    """Calls ``read`` and turns the library's one-line error into click's usage error."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ingest.errors import PostmortemError

        if not isinstance(value, str):
            return value
        try:
            return self.read(value, ctx)
        except PostmortemError as e:
            self.fail(str(e), param, ctx)

    @abstractmethod
    def read(self, text: str, ctx: click.Context | None) -> Any:
        """The option's value read from ``text``; PostmortemError when it cannot be."""


class ZoneType(_TimesType):
    """``--tz``: an IANA zone or a fixed offset."""

    name = "zone"

    def read(self, text: str, ctx: click.Context | None) -> Any:
        from ingest.times import named_zone

        return named_zone(text)


class TimeType(_TimesType):
    """A time with a date; the zone written in it wins, else ``--tz``."""

    name = "time"

    def read(self, text: str, ctx: click.Context | None) -> Any:
        from ingest.times import parse_one

        return parse_one(text, tz=_option_tz(ctx))


class DateType(_TimesType):
    """``--date``: a full calendar date."""

    name = "date"

    def read(self, text: str, ctx: click.Context | None) -> Any:
        from ingest.times import calendar_date

        return calendar_date(text)


class MarkType(_TimesType):
    """``--mark NAME=TIME``: a known milestone and a time (a written zone, else ``--tz``)."""

    name = "mark"

    def read(self, text: str, ctx: click.Context | None) -> Any:
        from ingest.errors import UsageError
        from ingest.times import parse_one
        from ingest.vocab import MILESTONES

        name, sep, when = (part.strip() for part in text.partition("="))
        if not sep or not name or not when:
            raise UsageError(f"{text!r}: write it as NAME=TIME, e.g. mitigated=2026-10-14T15:06Z")
        if name not in MILESTONES:
            raise UsageError(
                f"{text!r}: unknown milestone {name!r}; known milestones: {', '.join(MILESTONES)}"
            )
        return name, parse_one(when, tz=_option_tz(ctx))


class AgoOrTimeType(_TimesType):
    """A duration ago (``24h``, ``7d``) as a timedelta, or a time as a UTC timestamp."""

    name = "duration|time"

    def read(self, text: str, ctx: click.Context | None) -> Any:
        from ingest.errors import TimeError
        from ingest.times import parse_duration, parse_one, read_time

        try:
            return parse_duration(text)
        except TimeError:
            pass
        try:
            read_time(text)
        except TimeError:
            raise TimeError(
                f"{text!r} is neither a duration ago (90m, 24h, 7d) nor a time with a zone "
                "(2026-10-14T00:00:00Z, '2026-10-14 02:00 PDT')"
            ) from None
        return parse_one(text)


def resolve_ago(value: Any, now: Any) -> Any:
    """``now`` minus a duration from :class:`AgoOrTimeType`, or its time as it is."""
    from datetime import timedelta

    return now - value if isinstance(value, timedelta) else value


ZONE = ZoneType()
TIME = TimeType()
DATE = DateType()
MARK = MarkType()
AGO_OR_TIME = AgoOrTimeType()
