"""Alembic: one linear history, and the migrated schema is exactly `tables.metadata`."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from lotline.adapters.migrate import alembic_config, current_revisions, head_revisions
from lotline.adapters.tables import metadata


def test_history_has_a_single_head() -> None:
    heads = head_revisions()
    assert len(heads) == 1, f"Alembic history forks: heads {heads}"


def test_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(script.walk_revisions())
    assert revisions, "no migrations"
    for revision in revisions:
        assert not revision.is_merge_point, revision.revision
        assert len(revision.nextrev) <= 1, f"{revision.revision} has several children"
    assert revisions[-1].down_revision is None


def _ignored(diff: Any) -> bool:
    """Search indexes that live outside `metadata` on purpose (DESIGN §7)."""
    kind = diff[0]
    if kind == "remove_table":
        return str(diff[1].name).startswith("serials_fts")
    if kind == "remove_index":
        return str(diff[1].name).endswith("_trgm")  # pg_trgm indexes (0001, 0024)
    return False


@pytest.mark.parametrize("fresh_database", ["sqlite", "postgresql"], indirect=True)
def test_migrated_schema_matches_the_tables(fresh_database: Any) -> None:
    engine = fresh_database.engine
    assert current_revisions(engine) == head_revisions()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True})
        differences = [d for d in compare_metadata(context, metadata) if not _ignored(d)]
    assert differences == []
