"""`crisislink seed` loads the hospital register once; `crisislink hospitals import-have FILE` imports a report."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine
from tests.integration.test_cli import invoke, ok, url_of
from tests.support_hospitals import HAVE_FIXTURES, REAL_REPORTS


def hospitals_in(data_dir: Path) -> int:
    engine = make_engine(url_of(data_dir))
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(t.hospitals)).scalar_one()
    engine.dispose()
    return int(count)


def test_seed_loads_the_register_and_a_have_file_is_imported_once(tmp_path: Path) -> None:
    ok(invoke(tmp_path, "seed", "--no-demo-accounts"))
    ok(invoke(tmp_path, "seed", "--no-demo-accounts"))
    assert hospitals_in(tmp_path) == 3258
    first = ok(invoke(tmp_path, "hospitals", "import-have", str(HAVE_FIXTURES / REAL_REPORTS[0])))
    assert "RMApplication1@core1/DE_DISTRIBUTION_ID (Test): 2 hospitals, 2 new; 2 reports recorded" in first
    again = ok(invoke(tmp_path, "hospitals", "import-have", str(HAVE_FIXTURES / REAL_REPORTS[1])))
    assert "0 new; 0 reports recorded, 0 now current, 2 already known" in again
    assert hospitals_in(tmp_path) == 3260


def test_a_file_that_is_not_a_have_report_is_refused_in_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_text("<alert/>", encoding="utf-8")
    assert invoke(tmp_path / "node", "db", "upgrade").exit_code == 0
    result = invoke(tmp_path / "node", "hospitals", "import-have", str(junk))
    assert result.exit_code == 1
    assert "error:" in result.output
    assert "EDXL-HAVE" in result.output
    missing = invoke(tmp_path / "node", "hospitals", "import-have", str(tmp_path / "absent.xml"))
    assert missing.exit_code == 1
    assert "cannot read absent.xml" in missing.output
