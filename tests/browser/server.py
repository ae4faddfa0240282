"""Runs the real app for the browser tests, in its own process.

    python -m tests.browser.server <workdir>

Builds a fresh SQLite database in <workdir> with the Alembic migrations, loads the
demo programme, then serves on a free loopback port and prints ``READY <port>``.
Running in a separate process keeps Alembic's logging setup, the app's database and
its environment away from the pytest process and the `app` fixture.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from werkzeug.serving import make_server

from tests.conftest import settings_for

HOST = "127.0.0.1"


def create(workdir: Path):
    os.environ["INSTANCE_PATH"] = str(workdir / "instance")
    # The app reads these only when no config dict is given; keep them out anyway.
    for key in ("DATABASE_URL", "MAIL_SERVER", "TEST_DATABASE_URL"):
        os.environ.pop(key, None)

    from app import create_app

    settings = settings_for(
        workdir,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'browser.db'}",
        TESTING=False,  # behave like the real service: error pages, not tracebacks
    )
    return create_app(settings)


def build_database(application) -> None:
    """Migrations, then the demo programme, as `flask db upgrade && flask demo` would."""
    import flask_migrate

    from app.demo.loader import load_demo
    from app.extensions import db

    with application.app_context():
        flask_migrate.upgrade(directory=str(Path(__file__).parents[2] / "migrations"))
    # The services build links for emails, which needs a request context.
    with application.test_request_context(base_url=application.config["BASE_URL"]):
        load_demo()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str]) -> int:
    workdir = Path(argv[1])
    application = create(workdir)
    server = make_server(HOST, 0, application, threaded=True)  # binds a free port now
    application.config["BASE_URL"] = f"http://{HOST}:{server.server_port}"
    build_database(application)
    print(f"READY {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
