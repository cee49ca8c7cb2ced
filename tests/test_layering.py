"""Only pipeline/store/ speaks SQL (issue 10): no other module imports SQLAlchemy or the ORM rows."""
from __future__ import annotations

import ast

from tests.conftest import ROOT


def _imports(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_module_outside_the_store_imports_sqlalchemy_or_the_orm_rows():
    speaking_sql = []
    for path in sorted([*(ROOT / "pipeline").rglob("*.py"), ROOT / "cli.py"]):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith("pipeline/store/"):
            continue
        if any(module.split(".")[0] in ("sqlalchemy", "alembic") or module == "pipeline.store.schema"
               for module in _imports(path)):
            speaking_sql.append(name)
    assert speaking_sql == []
