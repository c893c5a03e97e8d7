"""Every command has help and is documented in the README; every config key in the example."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_and_a_readme_section(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert main.commands[name].help
    assert f"postmortem {name}" in README


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_option_is_named_in_the_readme(name):
    for param in main.commands[name].params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"{name} {opt} is not documented in README.md"
