import tomllib
from pathlib import Path

import pytest

from ingest.config import Config, load_config, parse_duration
from ingest.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_example_config_loads_and_sets_every_table():
    config = load_config(ROOT / "config.example.toml")
    assert config.pagerduty.severity_map["P1"] == "SEV-1"
    assert config.slack.comms_channels == ("status-updates",)
    assert config.window.lookback == "2h"


def test_example_config_documents_every_key():
    raw = tomllib.loads((ROOT / "config.example.toml").read_text())
    text = (ROOT / "config.example.toml").read_text()
    import dataclasses

    for table in ("window", "timeline", "redaction", "pagerduty", "github", "slack"):
        settings = getattr(Config(), table)
        for field in dataclasses.fields(settings):
            assert field.name in raw.get(table, {}) or f"# {field.name}" in text, (
                table,
                field.name,
            )


def write(tmp_path, text):
    path = tmp_path / "postmortem.toml"
    path.write_text(text)
    return path


def test_unknown_key_names_key_and_file(tmp_path):
    path = write(tmp_path, "[slack]\nchanels = ['inc']\n")
    with pytest.raises(
        ConfigError, match=r"postmortem.toml: unknown key slack.chanels; known keys: base_url"
    ):
        load_config(path)


def test_unknown_table(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown table \[pager\]"):
        load_config(write(tmp_path, "[pager]\nx = 1\n"))


def test_wrong_type(tmp_path):
    with pytest.raises(ConfigError, match="slack.channels must be a list"):
        load_config(write(tmp_path, "[slack]\nchannels = 'inc'\n"))


def test_bad_duration(tmp_path):
    with pytest.raises(ConfigError, match="window.lookback '2 hours' is not a duration"):
        load_config(write(tmp_path, "[window]\nlookback = '2 hours'\n"))


def test_bad_regex_pattern(tmp_path):
    with pytest.raises(ConfigError, match="'x' is not a valid regex"):
        load_config(write(tmp_path, "[redaction]\npatterns = [{name='x', regex='('}]\n"))


def test_invalid_toml(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[slack\n"))


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_durations():
    assert parse_duration("90s").total_seconds() == 90
    assert parse_duration("2h").total_seconds() == 7200
    assert parse_duration("7d").days == 7
