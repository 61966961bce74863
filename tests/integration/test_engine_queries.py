"""The read side with extreme paging values: an empty page, not a database error."""

from __future__ import annotations

from engine import queries
from tests.engine_support import EngineRig, actor


def test_paging_beyond_any_sql_integer_is_an_empty_page(rig: EngineRig) -> None:
    rig.deploy_fixture("approval5")
    with rig.uow() as uow:
        rig.engine.start(uow, "approval5", unit_code="PNV", actor=actor("cv.pnv", "staff"))
        uow.commit()
    with rig.sessions() as s:
        assert len(queries.instances(s, limit=2**64)) == 1
        assert queries.instances(s, offset=2**63) == []
        assert queries.instances(s, offset=2**63 - 1) == []
