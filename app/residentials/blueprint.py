"""The residentials blueprint, in a module of its own so its view modules import it and
never each other."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("residentials", __name__, url_prefix="/residentials")
