import tomllib
from pathlib import Path

import pytest

from ingest.config import Config, load_config, parse_duration, parse_size
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
    import msgspec

    for table in ("window", "timeline", "redaction", "pagerduty", "github", "slack", "limits"):
        settings = getattr(Config(), table)
        for field in msgspec.structs.fields(settings):
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


# -- nested tables are checked at load, naming the file and the key -------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[github.services.checkout-api]\nrepo = ['acme/checkout-api']\n",
            r"postmortem.toml: unknown key github.services.checkout-api.repo; known keys: repos",
        ),
        (
            "[github.services]\n\"checkout api\" = { repos = 'acme/checkout-api' }\n",
            r'postmortem.toml: github.services."checkout api".repos must be a list',
        ),
        (
            "[github.services.payments]\nrepos = ['payments']\n",
            r"postmortem.toml: github.services.payments.repos entry 'payments' is not owner/name",
        ),
        (
            "[github.services]\npayments = ['acme/payments']\n",
            r"postmortem.toml: github.services.payments must be a table with keys repos",
        ),
        (
            "[github.services.payments]\nbranch = 1\n",
            r"postmortem.toml: github.services.payments.branch must be a str",
        ),
        (
            "[pagerduty.severity_map]\nP1 = 1\n",
            r"postmortem.toml: pagerduty.severity_map.P1 must be a str, not 1",
        ),
        (
            "[pagerduty]\nseverity_map = ['P1']\n",
            r"postmortem.toml: pagerduty.severity_map must be a dict",
        ),
        (
            "[slack]\nchannel_template = 'inc-{numbr}'\n",
            r"postmortem.toml: slack.channel_template names \{numbr\}",
        ),
        ("[roster]\nU07ANA = ['IC']\n", r"postmortem.toml: roster.U07ANA must be a str"),
        ("[marks]\nmitigate = '2024-05-01T10:00:00Z'\n", r"unknown key marks.mitigate; known"),
        ("[marks]\nmitigated = 'soon'\n", r"postmortem.toml: marks.mitigated"),
        ("[limits]\nmax_file_size = 'huge'\n", r"limits.max_file_size 'huge' is not a size"),
        ("[limits]\nmax_depth = 100000\n", r"limits.max_depth must be from 1 to 250"),
        ("[limits]\nmax_dept = 10\n", r"unknown key limits.max_dept; known keys: max_file_size"),
    ],
)
def test_nested_typo_or_wrong_type_names_file_and_key(tmp_path, toml, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, toml))


def test_good_nested_tables_load(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "[github.services.checkout-api]\nrepos = ['acme/checkout-api']\nbranch = 'main'\n"
            "[limits]\nmax_file_size = '2GB'\nmax_depth = 50\n",
        )
    )
    assert config.github.services["checkout-api"] == {
        "repos": ["acme/checkout-api"],
        "branch": "main",
    }
    assert parse_size(config.limits.max_file_size) == 2_000_000_000
    assert config.limits.max_depth == 50


def test_nested_typo_stops_a_live_pull_before_any_request(tmp_path, fake_pagerduty):
    from click.testing import CliRunner

    from timeline.cli import main

    config = write(
        tmp_path,
        f'[pagerduty]\nbase_url = "{fake_pagerduty.origin}"\n'
        "[github.services.checkout-api]\nenvironment = ['production']\n",
    )
    result = CliRunner().invoke(
        main,
        ["pull", "PXM2K7Q", "--config", str(config), "--out", str(tmp_path / "out")],
        env={"PAGERDUTY_API_TOKEN": "u+pdTestToken0123456789"},
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "github.services.checkout-api.environment" in lines[0]
    assert str(config) in lines[0]
    assert fake_pagerduty.requests_to("/incidents") == []
    assert not (tmp_path / "out").exists()
