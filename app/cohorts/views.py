"""Cohorts: staff set them up; anyone can read a cohort's public page; PSWs publish
their authority's priority research areas."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")
