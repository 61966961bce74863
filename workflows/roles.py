"""Role codes and their Vietnamese names."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "admin": "Quản trị viên",
    "leader": "Chủ tịch / Phó Chủ tịch UBND",
    "head": "Trưởng / Phó Trưởng phòng",
    "staff": "Chuyên viên",
    "clerk": "Văn thư",
    "coordinator": "Cán bộ đầu mối CCHC (Phòng Nội vụ)",
    "appraiser": "Thành viên Hội đồng thẩm định",
    "province": "Sở Nội vụ (cấp tỉnh)",
}
