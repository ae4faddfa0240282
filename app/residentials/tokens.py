"""Signed links for residentials: the QR code staff show at the venue (one workshop, one
day, read only on that day) and the presentation-day invitation's reply link (one
invitation, one reply). Both are signed with the app's secret key, each with its own salt,
so neither can be forged nor passed off as the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

CHECK_IN = "residentials.check-in"
INVITATION = "residentials.presentation-invitation"


class BadToken(Exception):
    """The link was not made by this service, or says something it cannot mean."""


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


@dataclass(frozen=True)
class CheckIn:
    workshop_id: int
    day: date
    shown_by_id: int  # the member of staff who put the code up: the ledger's recorder


def check_in_token(workshop_id: int, day: date, shown_by_id: int) -> str:
    return _serializer(CHECK_IN).dumps([workshop_id, day.isoformat(), shown_by_id])


def read_check_in(token: str) -> CheckIn:
    try:
        workshop_id, day, shown_by_id = _serializer(CHECK_IN).loads(token)
        return CheckIn(int(workshop_id), date.fromisoformat(day), int(shown_by_id))
    except (BadSignature, ValueError, TypeError) as exc:
        raise BadToken from exc


def invitation_token(invitation_id: int, reply_count: int) -> str:
    return _serializer(INVITATION).dumps([invitation_id, reply_count])


def read_invitation(token: str) -> tuple[int, int]:
    """The invitation's id and the reply it was made for."""
    try:
        invitation_id, reply_count = _serializer(INVITATION).loads(token)
        return int(invitation_id), int(reply_count)
    except (BadSignature, ValueError, TypeError) as exc:
        raise BadToken from exc
