"""Layout rules: the import contracts in pyproject.toml, and what only the CLI may do."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "timeline" / "cli"


def test_import_contracts_hold():
    """The layers and independence contracts of pyproject.toml (DESIGN.md §3)."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_only_the_cli_prints_or_exits():
    offenders = []
    for package in ("ingest", "timeline", "render"):
        for path in (ROOT / package).rglob("*.py"):
            if path.is_relative_to(CLI) or path.name == "__main__.py":
                continue
            text = path.read_text()
            for needle in ("print(", "sys.exit(", "import click"):
                if needle in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []


def test_no_module_is_long():
    long = []
    for package in ("ingest", "timeline", "render"):
        for path in (ROOT / package).rglob("*.py"):
            lines = path.read_text().count("\n")
            if lines > 450:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []


def test_help_does_not_import_pandas():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from timeline.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pull_from_files_imports_no_api_client(tmp_path: Path):
    """A pull from files starts fast: the live clients and their transports stay unloaded."""
    clients = [
        "slack_sdk",
        "github",
        "pagerduty",
        "aiohttp",
        "httpx",
        "requests",
        "urllib3",
        "rich",
    ]
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from timeline.cli import main\n"
        f"result = CliRunner().invoke(main, ['pull', '--example', '--out', {str(tmp_path)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        f"print(sorted(m for m in {clients!r} if m in sys.modules))\n"
        "print('jinja2' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"]  # and it did render the skeleton
