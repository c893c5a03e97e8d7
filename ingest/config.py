"""Configuration: TOML into frozen dataclasses, one per table. Unknown or mistyped keys are errors.

Tokens are never read from the file; only the *name* of the environment variable holding each
token is (``token_env``). ``config.example.toml`` documents every key.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from ingest.errors import ConfigError, TimeError
from ingest.times.durations import parse_duration

DEFAULT_KEYWORDS = (
    "rollback",
    "rolled back",
    "roll back",
    "revert",
    "mitigated",
    "mitigation",
    "recovered",
    "resolved",
    "status page",
    "statuspage",
    "incident declared",
    "declaring",
    "paging",
    "escalat",
    "customer",
    "impact",
    "outage",
)
DEFAULT_KEY_REACTIONS = ("pushpin", "rotating_light", "white_check_mark", "eyes")


@dataclass(frozen=True)
class WindowSettings:
    lookback: str = "2h"
    lookahead: str = "30m"
    quiet_threshold: str = "10m"


@dataclass(frozen=True)
class TimelineSettings:
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    key_reactions: tuple[str, ...] = DEFAULT_KEY_REACTIONS


@dataclass(frozen=True)
class RedactionPattern:
    name: str
    regex: str


@dataclass(frozen=True)
class RedactionSettings:
    patterns: tuple[RedactionPattern, ...] = ()
    emails: bool = True
    phones: bool = True


@dataclass(frozen=True)
class PagerDutySettings:
    base_url: str = "https://api.pagerduty.com"
    token_env: str = "PAGERDUTY_API_TOKEN"
    ca_bundle: str = ""
    timeout: float = 30.0
    proxy: str = ""
    severity_map: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GitHubSettings:
    base_url: str = "https://api.github.com"
    token_env: str = "GITHUB_TOKEN"
    ca_bundle: str = ""
    timeout: float = 30.0
    proxy: str = ""
    repos: tuple[str, ...] = ()
    branch: str = ""
    environments: tuple[str, ...] = ()
    services: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SlackSettings:
    base_url: str = "https://slack.com/api/"
    token_env: str = "SLACK_BOT_TOKEN"
    ca_bundle: str = ""
    timeout: float = 30.0
    proxy: str = ""
    workspace_url: str = ""
    channels: tuple[str, ...] = ()
    channel_template: str = ""
    comms_channels: tuple[str, ...] = ()
    thread_lookback: str = "7d"
    exact_permalinks: bool = False


@dataclass(frozen=True)
class ExportSettings:
    concurrency: int = 4
    max_age: str = "30d"


@dataclass(frozen=True)
class Config:
    """The whole configuration; every table optional."""

    path: str = ""
    window: WindowSettings = WindowSettings()
    timeline: TimelineSettings = TimelineSettings()
    redaction: RedactionSettings = RedactionSettings()
    pagerduty: PagerDutySettings = field(default_factory=PagerDutySettings)
    github: GitHubSettings = field(default_factory=GitHubSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    marks: dict[str, str] = field(default_factory=dict)
    roster: dict[str, str] = field(default_factory=dict)


_TABLES: dict[str, type] = {
    "window": WindowSettings,
    "timeline": TimelineSettings,
    "redaction": RedactionSettings,
    "pagerduty": PagerDutySettings,
    "github": GitHubSettings,
    "slack": SlackSettings,
    "export": ExportSettings,
}
_FREE_TABLES = ("marks", "roster")


def load_config(path: Path | None) -> Config:
    """Read a config file; None means ``./postmortem.toml`` if it exists, else the defaults."""
    if path is None:
        default = Path("postmortem.toml")
        if not default.exists():
            return Config()
        path = default
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: config file not found") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    return config_from_mapping(raw, source=str(path))


def config_from_mapping(raw: dict[str, Any], *, source: str = "config") -> Config:
    """Build a Config from parsed TOML, naming the key and file of any mistake."""
    known = sorted([*_TABLES, *_FREE_TABLES])
    values: dict[str, Any] = {"path": source}
    for table, body in raw.items():
        if table not in known:
            raise ConfigError(
                f"{source}: unknown table [{table}]; known tables: {', '.join(known)}"
            )
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{table}] must be a table")
        if table in _FREE_TABLES:
            values[table] = {
                str(k): _expect(str, v, f"{table}.{k}", source) for k, v in body.items()
            }
        else:
            values[table] = _build(_TABLES[table], body, table, source)
    return Config(**values)


def _build(cls: type, body: dict[str, Any], table: str, source: str) -> Any:
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs: dict[str, Any] = {}
    for key, value in body.items():
        where = f"{table}.{key}"
        if key not in names:
            raise ConfigError(f"{source}: unknown key {where}; known keys: {', '.join(names)}")
        hint = hints[key]
        if cls is RedactionSettings and key == "patterns":
            kwargs[key] = tuple(
                _pattern(item, where, source) for item in _expect(list, value, where, source)
            )
        elif hint == tuple[str, ...]:
            items = _expect(list, value, where, source)
            kwargs[key] = tuple(_expect(str, item, where, source) for item in items)
        elif hint is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{source}: {where} must be a number, not {value!r}")
            kwargs[key] = float(value)
        elif hint is bool:
            kwargs[key] = _expect(bool, value, where, source)
        elif hint is int:
            kwargs[key] = _expect(int, value, where, source)
        elif hint is str:
            kwargs[key] = _expect(str, value, where, source)
        else:
            kwargs[key] = _expect(dict, value, where, source)
    if table == "window":
        for key in ("lookback", "lookahead", "quiet_threshold"):
            if key in kwargs:
                _check_duration(kwargs[key], f"{source}: window.{key}")
    if table == "slack" and "thread_lookback" in kwargs:
        _check_duration(kwargs["thread_lookback"], f"{source}: slack.thread_lookback")
    if table == "export":
        if "max_age" in kwargs:
            _check_duration(kwargs["max_age"], f"{source}: export.max_age")
        if kwargs.get("concurrency", 1) < 1:
            raise ConfigError(f"{source}: export.concurrency must be 1 or more")
    return cls(**kwargs)


def _pattern(item: Any, where: str, source: str) -> RedactionPattern:
    if not isinstance(item, dict) or set(item) != {"name", "regex"}:
        raise ConfigError(f"{source}: each entry of {where} needs exactly 'name' and 'regex'")
    try:
        re.compile(item["regex"])
    except re.error as e:
        raise ConfigError(f"{source}: {where} {item['name']!r} is not a valid regex ({e})") from e
    return RedactionPattern(name=str(item["name"]), regex=str(item["regex"]))


def _expect(kind: type, value: Any, where: str, source: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"{source}: {where} must be a {kind.__name__}, not {value!r}")
    return value


def _check_duration(value: Any, what: str) -> None:
    try:
        parse_duration(value, what=what)
    except TimeError as e:
        raise ConfigError(str(e)) from None
