"""``cchc``: init (migrate + demo data), migrate (the schema alone), serve (web server + deadline worker, or
``--workers N``: gunicorn web processes alone), worker (the worker alone)."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from workflows.schema import upgrade

DEFAULT_HOST = "127.0.0.1"


def _app_and_url() -> tuple[object, str]:
    from . import create_app

    app = create_app()
    return app, app.config["DATABASE_URL"]


def cmd_init(_: argparse.Namespace) -> int:
    """Bring the database to the newest schema and load the demo data that is missing."""
    from workflows.demo import launch_demo, load_demo

    app, url = _app_and_url()
    upgrade(url)
    counts = load_demo(app.extensions["cchc"])  # type: ignore[attr-defined]
    started = launch_demo(app.extensions["cchc"])  # type: ignore[attr-defined]
    print(f"Cơ sở dữ liệu: {url}")
    print(
        f"Đã nạp: {counts['units']} đơn vị, {counts['users']} tài khoản, {counts['definitions']} quy trình mới, "
        f"{counts['plans']} kế hoạch mới, {counts['criteria_sets']} bộ tiêu chí riêng; "
        f"{started} hồ sơ mới được triển khai."
    )
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    """Bring the database to the newest schema, nothing else (production: no demo data)."""
    from workflows.bootstrap import database_url

    url = database_url(Path(__file__).resolve().parents[1] / "instance")
    upgrade(url)
    print("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app with waitress on 127.0.0.1:CCHC_PORT, with the worker in a thread unless CCHC_NO_WORKER=1;
    with ``--workers N``: gunicorn, N web processes and no worker (docs/operations.md)."""
    if args.workers is not None:
        _exec_gunicorn(args)
    from waitress import create_server

    from workflows import worker

    app, _ = _app_and_url()
    services = app.extensions["cchc"]  # type: ignore[attr-defined]
    services.start_wal_checkpoints()  # SQLite: the log checkpointed beside the requests, not inside their commits
    gc.freeze()  # the app's long-lived heap out of the collector's walks, as gunicorn_conf.post_worker_init does
    port = args.port or int(os.environ.get("CCHC_PORT", "5000"))
    server = create_server(app, host=args.host, port=port, threads=8)
    background = None
    if os.environ.get("CCHC_NO_WORKER") != "1":
        background = worker.start_in_thread(services)
    _raise_on_sigterm()
    print(f"CCHC Flow đang chạy tại http://127.0.0.1:{port}  (Ctrl+C để dừng)")
    if background is not None:
        print("Bộ xử lý hạn (worker) chạy kèm; đặt CCHC_NO_WORKER=1 để tắt.")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        if background is not None:
            thread, stop = background
            stop.set()
            thread.join(timeout=60)
        services.close()
    return 0


def _exec_gunicorn(args: argparse.Namespace) -> None:
    """Replace this process by a gunicorn master (settings: ``api/gunicorn_conf.py``): signals reach it directly."""
    if args.workers < 1 or (args.threads is not None and args.threads < 1):
        raise SystemExit("Số tiến trình web (--workers) và số luồng (--threads) phải lớn hơn 0.")
    argv = [sys.executable, "-m", "gunicorn", "--config", "python:api.gunicorn_conf", "--workers", str(args.workers)]
    if args.threads is not None:
        argv += ["--threads", str(args.threads)]
    if args.port is not None or args.host != DEFAULT_HOST:
        port = args.port or int(os.environ.get("CCHC_PORT", "5000"))
        argv += ["--bind", f"{args.host}:{port}"]
    print(
        f"CCHC Flow: {args.workers} tiến trình web (gunicorn); bộ xử lý hạn không chạy kèm — hãy chạy “cchc worker”.",
        flush=True,
    )
    os.execv(sys.executable, argv)


def _raise_on_sigterm() -> None:
    """SIGTERM stops like Ctrl+C (the worker finishes its batch)."""

    def _handler(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _handler)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the deadline worker until SIGTERM/SIGINT: timers, reminders, escalations, e-mail."""
    from workflows import worker
    from workflows.bootstrap import create_services, database_url

    services = create_services(database_url(Path(__file__).resolve().parents[1] / "instance"))
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()  # the current batch finishes and commits, then the loop ends

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    poll = args.poll if args.poll is not None else worker.poll_interval()
    if not args.quiet:
        print(f"Bộ xử lý hạn đang chạy (mỗi {poll:g} giây), cơ sở dữ liệu: {services.sql.url.render_as_string()}")
    try:
        if args.once:
            report = worker.tick(services, services.clock.now())
        else:
            report = worker.run_forever(
                services,
                stop,
                poll=poll,
                on_tick=None if args.quiet else (lambda r: print(f"[worker] {r.summary()}", flush=True)),
            )
    finally:
        services.close()
    if not args.quiet:
        print(f"Đã dừng. Tổng: {report.summary()}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cchc", description="CCHC Flow")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="tạo/nâng cấp cơ sở dữ liệu và nạp dữ liệu mẫu").set_defaults(func=cmd_init)
    migrate_help = "nâng cấp cơ sở dữ liệu lên phiên bản mới nhất (không nạp dữ liệu mẫu)"
    sub.add_parser("migrate", help=migrate_help).set_defaults(func=cmd_migrate)
    serve_p = sub.add_parser("serve", help="chạy máy chủ web")
    serve_p.add_argument("--host", default=DEFAULT_HOST)
    serve_p.add_argument("--port", type=int, default=None)
    serve_p.add_argument(
        "--workers", type=int, default=None, help="số tiến trình web (gunicorn, không chạy bộ xử lý hạn kèm theo)"
    )
    serve_p.add_argument("--threads", type=int, default=None, help="số luồng mỗi tiến trình web (với --workers)")
    serve_p.set_defaults(func=cmd_serve)
    worker_p = sub.add_parser("worker", help="chạy bộ xử lý hạn: hẹn giờ, nhắc việc, cảnh báo, gửi thư")
    worker_p.add_argument(
        "--poll", type=float, default=None, help="số giây giữa hai lượt (CCHC_WORKER_POLL, mặc định 2)"
    )
    worker_p.add_argument("--once", action="store_true", help="chạy một lượt rồi thoát")
    worker_p.add_argument("--quiet", action="store_true")
    worker_p.set_defaults(func=cmd_worker)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
