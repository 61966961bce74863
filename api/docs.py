"""A browsable API documentation page rendered on the server from the OpenAPI document (no CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template_string

docs_bp = Blueprint("docs", __name__)

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Tài liệu API — CCHC Flow</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1f2937}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}.op{border:1px solid #e5e7eb;border-radius:8px;
margin:.6rem 0;padding:.6rem 1rem}.m{display:inline-block;min-width:4.5rem;font-weight:700}
.get{color:#2563eb}.post{color:#059669}.patch{color:#d97706}.delete{color:#dc2626}h2{margin-top:2rem}</style>
</head><body><h1>Tài liệu API — CCHC Flow {{ spec.info.version }}</h1>
<p>Tài liệu OpenAPI đầy đủ: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a>.
Mọi địa chỉ (trừ <code>/health</code> và <code>/auth/login</code>) cần tiêu đề
<code>Authorization: Bearer &lt;token&gt;</code>. Lỗi trả về dạng
<code>{"error": {"code", "message", "details"}}</code>.</p>
{% for tag in spec.tags %}<h2>{{ tag.description or tag.name }}</h2>
{% for path, item in spec.paths.items() %}
{% for method, op in item.items()
   if method in methods and tag.name in op.get('tags', []) %}
<div class="op"><span class="m {{ method }}">{{ method.upper() }}</span> <code>{{ path }}</code>
<div>{{ op.get('summary', '') }}</div>
<small>Mã trạng thái: {{ op.responses.keys()|join(', ') }}</small></div>
{% endfor %}{% endfor %}{% endfor %}
</body></html>"""


@docs_bp.route("/api/v1/docs")
def api_docs() -> str:
    """The API documentation page."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return render_template_string(PAGE, spec=spec, methods=("get", "post", "patch", "put", "delete"))


def file_upload_doc(**other_content: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of a route that takes one file in the multipart field ``file`` (and, as
    ``other_content``, the same file sent raw under other media types)."""
    multipart = {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        }
    }
    return {"requestBody": {"required": True, "content": {"multipart/form-data": multipart, **other_content}}}
