"""Fail closed at run time: an endpoint that declares no access rule answers 403 to
everyone, signed in or not, even if it slipped past the static check in test_access.py.

The routes are added to a fresh application (same settings and database as the one under
test), so they never leak into other tests.
"""

from __future__ import annotations

import logging

import pytest
from flask import Blueprint

from app import create_app
from app.core.access import public, signed_in
from app.core.roles import Role
from app.extensions import db
from tests.conftest import Browser, settings_for


@pytest.fixture
def fresh(app, _tmpdir):
    application = create_app(
        settings_for(_tmpdir, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    )

    @application.route("/test-only/undeclared")
    def undeclared():
        return "the undeclared view ran"

    @application.route("/test-only/public")
    @public
    def declared_public():
        return "public view ran"

    @application.route("/test-only/signed-in")
    @signed_in
    def declared_signed_in():
        return "signed-in view ran"

    bp = Blueprint("test_only", __name__, url_prefix="/test-only/bp")
    bp.add_url_rule(
        "/undeclared", "undeclared", lambda: "the undeclared blueprint view ran", methods=["GET"]
    )
    application.register_blueprint(bp)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


UNDECLARED = ["/test-only/undeclared", "/test-only/bp/undeclared"]


@pytest.mark.parametrize("url", UNDECLARED)
def test_an_undeclared_endpoint_answers_403_when_signed_out(fresh, url, caplog):
    with caplog.at_level(logging.ERROR):
        resp = fresh.test_client().get(url)
    assert resp.status_code == 403
    assert "view ran" not in resp.get_data(as_text=True)
    assert "declares no access rule" in caplog.text


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.STAFF])
def test_an_undeclared_endpoint_answers_403_when_signed_in(fresh, make, role):
    user = make.user(role)
    browser = Browser(fresh.test_client())
    browser.sign_in(user.email)
    # the declared neighbours answer, so the 403 is the missing declaration's
    assert browser.get("/test-only/signed-in").get_data(as_text=True) == "signed-in view ran"
    for url in UNDECLARED:
        resp = browser.get(url)
        assert resp.status_code == 403, url
        assert "view ran" not in resp.get_data(as_text=True)


def test_declared_routes_on_the_same_app_answer(fresh):
    client = fresh.test_client()
    assert client.get("/test-only/public").get_data(as_text=True) == "public view ran"
    assert client.get("/test-only/signed-in").status_code == 302  # to sign in


def test_the_test_routes_stay_off_the_app_under_test(app, fresh):
    assert "undeclared" in fresh.view_functions
    assert not [e for e in app.view_functions if "undeclared" in e or e.startswith("test_only")]
