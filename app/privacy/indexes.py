"""Indexes the data map's reads need on other capabilities' tables: the erasure preview,
the erasure and the subject-access copy find a person's rows by every ACTOR column
("decided by", "marked by" ...). Without them each of those columns is a full scan of a
large table (72,000 release days at national scale) for every person looked at. Only
tables that grow with the programme are listed; imported by app/models.py after every
table is on the metadata."""

from __future__ import annotations

from sqlalchemy import Index

from app.extensions import db

ACTOR_INDEXES = {
    "user": ["access_confirmed_by_id"],
    "application_event": ["actor_id"],
    "backfill_entry": ["recorded_by_id"],
    "onboarding_tick": ["ticked_by_id"],
    "presentation_invitation": ["sent_by_id"],
    "receipt": ["uploaded_by_id"],
    "release_day": ["requested_by_id", "decided_by_id", "decided_for_id", "cancelled_by_id"],
    "spending_item": [
        "created_by_id",
        "submitted_by_id",
        "first_approver_id",
        "decided_by_id",
        "paid_by_id",
    ],
    "supervision_allocation": ["allocated_by_id", "ended_by_id"],
    "supervision_meeting": ["logged_by_id"],
    "workshop_attendance": ["marked_by_id"],
}

for _table, _columns in ACTOR_INDEXES.items():
    for _column in _columns:
        Index(f"ix_{_table}_{_column}", db.metadata.tables[_table].c[_column])
