"""The supervision blueprint, in a module of its own so its view modules import it and
never each other."""

from __future__ import annotations

from flask import Blueprint

from app.core.roles import Role

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

SUPPORTERS = (Role.SUPERVISOR, Role.COACH, Role.LINE_MANAGER, Role.ASSISTANT_DIRECTOR)
KIND = "<any(supervisor,coach):kind>"
