"""PostgreSQL connections plan for SSD storage unless told to leave the server alone."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.conftest import settings_for


def test_postgresql_connections_use_the_ssd_page_cost(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            assert "options" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {})
            return
        assert db.session.scalar(text("SHOW random_page_cost")) == "1.1"


def test_empty_setting_leaves_the_server_alone(_tmpdir):
    other = create_app(settings_for(_tmpdir, PG_RANDOM_PAGE_COST=""))
    args = other.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {})
    assert "options" not in args


def test_a_bad_value_stops_start_up(_tmpdir):
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/none"
    with pytest.raises(ValueError):
        create_app(settings_for(_tmpdir, SQLALCHEMY_DATABASE_URI=url, PG_RANDOM_PAGE_COST="x"))
