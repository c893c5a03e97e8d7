"""The package layout rules: import direction, and a --help that does not import pandas."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_import_direction():
    forbidden = {"ingest": {"timeline", "render"}, "render": {"timeline"}, "timeline": {"render"}}
    offenders = []
    for package, banned in forbidden.items():
        for path in (ROOT / package).rglob("*.py"):
            if path.name in ("cli.py", "cli_export.py", "cli_common.py") and package == "timeline":
                continue
            bad = imports_of(path) & banned
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_only_the_cli_prints_or_exits():
    offenders = []
    for package in ("ingest", "timeline", "render"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name in ("cli.py", "cli_export.py", "cli_common.py", "__main__.py"):
                continue
            text = path.read_text()
            for needle in ("print(", "sys.exit(", "import click"):
                if needle in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert offenders == []


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
