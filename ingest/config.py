"""Configuration: TOML into frozen msgspec Structs, one per table.

Unknown or mistyped keys are errors. Tokens are never read from the file; only the *name* of the
environment variable holding each token is (``token_env``). ``config.example.toml`` documents
every key.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any, get_type_hints

import msgspec

from ingest.errors import ConfigError, PostmortemError, TimeError
from ingest.times import parse_one
from ingest.times.durations import parse_duration
from ingest.vocab import MILESTONES

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
# Reactions that mark a message as one to keep. Acknowledging reactions (eyes, +1,
# white_check_mark) say "seen" or "done", not "this matters", so they are not among them.
DEFAULT_KEY_REACTIONS = ("pushpin", "rotating_light")


class WindowSettings(msgspec.Struct, frozen=True):
    lookback: str = "2h"
    lookahead: str = "30m"
    quiet_threshold: str = "10m"


class TimelineSettings(msgspec.Struct, frozen=True):
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    key_reactions: tuple[str, ...] = DEFAULT_KEY_REACTIONS
    max_rows: int = 60  # the most timeline rows the skeleton shows; the rest are counted
    twin_window: str = "2m"  # a notes line and a record of the same kind this close are one event


class RedactionPattern(msgspec.Struct, frozen=True):
    name: str
    regex: str


class RedactionSettings(msgspec.Struct, frozen=True):
    patterns: tuple[RedactionPattern, ...] = ()
    emails: bool = True
    phones: bool = True


class PagerDutySettings(msgspec.Struct, frozen=True):
    base_url: str = "https://api.pagerduty.com"
    token_env: str = "PAGERDUTY_API_TOKEN"
    ca_bundle: str = ""
    timeout: float = 30.0
    proxy: str = ""
    severity_map: dict[str, str] = msgspec.field(default_factory=dict)


class GitHubSettings(msgspec.Struct, frozen=True):
    base_url: str = "https://api.github.com"
    token_env: str = "GITHUB_TOKEN"
    ca_bundle: str = ""
    timeout: float = 30.0
    proxy: str = ""
    repos: tuple[str, ...] = ()
    branch: str = ""
    environments: tuple[str, ...] = ()
    services: dict[str, Any] = msgspec.field(default_factory=dict)


class SlackSettings(msgspec.Struct, frozen=True):
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


class ExportSettings(msgspec.Struct, frozen=True):
    concurrency: int = 4
    max_age: str = "30d"


class LimitSettings(msgspec.Struct, frozen=True):
    """Bounds on each input file read (a file given to --from, or one file inside an export)."""

    max_file_size: str = "1GB"
    max_depth: int = 100


class Config(msgspec.Struct, frozen=True):
    """The whole configuration; every table optional."""

    path: str = ""
    window: WindowSettings = WindowSettings()
    timeline: TimelineSettings = TimelineSettings()
    redaction: RedactionSettings = RedactionSettings()
    pagerduty: PagerDutySettings = msgspec.field(default_factory=PagerDutySettings)
    github: GitHubSettings = msgspec.field(default_factory=GitHubSettings)
    slack: SlackSettings = msgspec.field(default_factory=SlackSettings)
    export: ExportSettings = msgspec.field(default_factory=ExportSettings)
    limits: LimitSettings = msgspec.field(default_factory=LimitSettings)
    marks: dict[str, str] = msgspec.field(default_factory=dict)
    roster: dict[str, str] = msgspec.field(default_factory=dict)


_TABLES: dict[str, type] = {
    "window": WindowSettings,
    "timeline": TimelineSettings,
    "redaction": RedactionSettings,
    "pagerduty": PagerDutySettings,
    "github": GitHubSettings,
    "slack": SlackSettings,
    "export": ExportSettings,
    "limits": LimitSettings,
}
_FREE_TABLES = ("marks", "roster")


def load_config(path: Path | None) -> Config:
    """Read a config file; None means ``./postmortem.toml`` if it exists, else the defaults."""
    if path is None:
        default = Path("postmortem.toml")
        if not default.exists():
            return Config()
        path = default
    import tomllib  # only when there is a file: its parser compiles regexes on import

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
            values[table] = _strings_table(body, table, source)
            if table == "marks":
                _check_marks(values[table], source)
        else:
            values[table] = _build(_TABLES[table], body, table, source)
    return Config(**values)


def _build(cls: type, body: dict[str, Any], table: str, source: str) -> Any:
    hints = get_type_hints(cls)
    names = [f.name for f in msgspec.structs.fields(cls)]
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
    if table == "timeline":
        if "twin_window" in kwargs:
            _check_duration(kwargs["twin_window"], f"{source}: timeline.twin_window")
        if kwargs.get("max_rows", 1) < 1:
            raise ConfigError(f"{source}: timeline.max_rows must be 1 or more")
    if table == "export":
        if "max_age" in kwargs:
            _check_duration(kwargs["max_age"], f"{source}: export.max_age")
        if kwargs.get("concurrency", 1) < 1:
            raise ConfigError(f"{source}: export.concurrency must be 1 or more")
    if table == "limits":
        if "max_file_size" in kwargs:
            parse_size(kwargs["max_file_size"], what=f"{source}: limits.max_file_size")
        if not 1 <= kwargs.get("max_depth", 1) <= MAX_DEPTH:
            raise ConfigError(f"{source}: limits.max_depth must be from 1 to {MAX_DEPTH}")
    if table == "pagerduty" and "severity_map" in kwargs:
        kwargs["severity_map"] = _strings_table(
            kwargs["severity_map"], f"{table}.severity_map", source
        )
    if table == "github" and "services" in kwargs:
        kwargs["services"] = _services(kwargs["services"], source)
    if table == "slack" and "channel_template" in kwargs:
        _check_template(kwargs["channel_template"], source)
    return cls(**kwargs)


def _strings_table(body: dict[str, Any], where: str, source: str) -> dict[str, str]:
    return {str(k): _expect(str, v, f"{where}.{_key(k)}", source) for k, v in body.items()}


def _key(name: str) -> str:
    """A TOML key as it is written: bare when it can be, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else f'"{name}"'


SERVICE_KEYS = ("repos", "environments", "branch")
_REPO_NAME = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def _services(body: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    """``github.services``: per PagerDuty service, a table of ``repos``, ``environments`` and
    ``branch``, each checked for its type, repos as ``owner/name``."""
    services: dict[str, dict[str, Any]] = {}
    for service, entry in body.items():
        where = f"github.services.{_key(service)}"
        if not isinstance(entry, dict):
            raise ConfigError(
                f"{source}: {where} must be a table with keys {', '.join(SERVICE_KEYS)}, "
                f"not {entry!r}"
            )
        for key, value in entry.items():
            if key not in SERVICE_KEYS:
                raise ConfigError(
                    f"{source}: unknown key {where}.{_key(key)}; known keys: "
                    f"{', '.join(SERVICE_KEYS)}"
                )
            if key == "branch":
                _expect(str, value, f"{where}.branch", source)
                continue
            for item in _expect(list, value, f"{where}.{key}", source):
                _expect(str, item, f"{where}.{key}", source)
                if key == "repos" and not _REPO_NAME.match(item):
                    raise ConfigError(
                        f"{source}: {where}.repos entry {item!r} is not owner/name (e.g. acme/api)"
                    )
        services[str(service)] = dict(entry)
    return services


def _check_marks(marks: dict[str, str], source: str) -> None:
    for name, text in marks.items():
        if name not in MILESTONES:
            raise ConfigError(
                f"{source}: unknown key marks.{_key(name)}; known milestones: "
                f"{', '.join(MILESTONES)}"
            )
        try:
            parse_one(text, what=f"marks.{name}")
        except PostmortemError as e:
            raise ConfigError(f"{source}: {e}") from None


def _check_template(template: str, source: str) -> None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:
        raise ConfigError(
            f"{source}: slack.channel_template {template!r} is malformed ({e})"
        ) from e
    for name in fields:
        if name not in ("number", "id"):
            raise ConfigError(
                f"{source}: slack.channel_template names {{{name}}}; "
                "it may use {number} and {id}"
            )


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


# orjson refuses to write records nested deeper than this, and every record is hashed as JSON.
MAX_DEPTH = 250
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)\s*$", re.IGNORECASE)
_UNIT_BYTES = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


def parse_size(text: str, *, what: str = "size") -> int:
    """'500MB', '2GB', '64KB' to bytes; ConfigError naming the value otherwise."""
    match = _SIZE.match(str(text))
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(f"{what} {text!r} is not a size such as '500MB' or '2GB'")
    return int(float(match.group(1)) * _UNIT_BYTES[match.group(2).upper()])


def _check_duration(value: Any, what: str) -> None:
    try:
        parse_duration(value, what=what)
    except TimeError as e:
        raise ConfigError(str(e)) from None
