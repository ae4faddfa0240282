"""Styled error pages. The 500 handler rolls back so the next request starts clean."""

from __future__ import annotations

from flask import Flask, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db

TITLES = {
    400: "Sorry, there is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, that action is not allowed here",
    413: "The file you chose is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def _page(code: int, message: str | None = None):
    return (
        render_template(
            "errors/error.html", code=code, title=TITLES.get(code, TITLES[500]), message=message
        ),
        code,
    )


def _waiting_for_staff() -> bool:
    """A person whose invited role staff have not confirmed yet is told so, not refused
    bluntly: the sign-off link in their email leads here until staff act."""
    return bool(current_user.is_authenticated and current_user.pending_roles)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err):
        db.session.rollback()
        return _page(
            400,
            "The form you sent had expired or was not from this service. Nothing was changed. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        db.session.rollback()
        if err.code == 403 and _waiting_for_staff():
            return render_template("errors/waiting_for_staff.html", user=current_user), 403
        return _page(err.code or 500)

    @app.errorhandler(Exception)
    def server_error(err: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return _page(500)
