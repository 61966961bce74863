"""``cchc``: init (migrate + demo data), serve (web server)."""

from __future__ import annotations

import argparse
import os
import sys

from workflows.schema import upgrade


def _app_and_url() -> tuple[object, str]:
    from . import create_app

    app = create_app()
    return app, app.config["DATABASE_URL"]


def cmd_init(_: argparse.Namespace) -> int:
    """Bring the database to the newest schema and load the demo data that is missing."""
    from workflows.demo import load_demo

    app, url = _app_and_url()
    upgrade(url)
    counts = load_demo(app.extensions["cchc"])  # type: ignore[attr-defined]
    print(f"Cơ sở dữ liệu: {url}")
    print(f"Đã nạp: {counts['units']} đơn vị, {counts['users']} tài khoản, {counts['definitions']} quy trình mới.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app with waitress on 127.0.0.1:CCHC_PORT."""
    from waitress import serve

    app, _ = _app_and_url()
    port = args.port or int(os.environ.get("CCHC_PORT", "5000"))
    print(f"CCHC Flow đang chạy tại http://127.0.0.1:{port}  (Ctrl+C để dừng)")
    serve(app, host=args.host, port=port, threads=8)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cchc", description="CCHC Flow")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="tạo/nâng cấp cơ sở dữ liệu và nạp dữ liệu mẫu").set_defaults(func=cmd_init)
    serve_p = sub.add_parser("serve", help="chạy máy chủ web")
    serve_p.add_argument("--host", default="127.0.0.1")
    serve_p.add_argument("--port", type=int, default=None)
    serve_p.set_defaults(func=cmd_serve)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
