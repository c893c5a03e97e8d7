"""dateutil is read in one place: every other module reads times through ``ingest.times``.

The shipped packages and the examples are checked; ``bench/`` holds naive baselines that
imitate scripts written without this tool, and those may read times their own way.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("ingest", "timeline", "render", "examples")


def _imports_dateutil(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(name == "dateutil" or name.startswith("dateutil.") for name in names):
            return True
    return False


def test_dateutil_is_imported_only_under_ingest_times():
    sources = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    assert len(sources) > 50, "the source tree was not found"
    importing = {p.relative_to(ROOT).as_posix() for p in sources if _imports_dateutil(p)}
    assert importing, "ingest/times reads free-form times with dateutil"
    assert {p for p in importing if not p.startswith("ingest/times/")} == set()
