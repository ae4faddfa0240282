"""Private iCalendar feeds of approved release days.

An award holder subscribes to their own days ("self"); a line manager to the days of
the award holders they manage ("team"). The address holds a random secret: only its
SHA-256 is stored, so the address is shown once, when it is made. Making a new one
revokes the old one; a revoked, unknown or orphaned address answers 404.

Feeds are built with the `icalendar` library: one all-day event per approved or taken
day, with a stable UID so calendar apps update events rather than duplicate them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from flask import Response, current_app
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from app.accounts.models import User
from app.awards.models import Award
from app.cohorts.models import Cohort
from app.core import audit
from app.core.db import utcnow
from app.core.mail import DEFAULT_BASE_URL, external_url
from app.core.roles import Role
from app.extensions import db
from app.release.models import CalendarFeed, DayKind, DayStatus, ReleaseDay
from app.release.services import ReleaseError
from app.residentials.models import Workshop
from app.residentials.services import workshops_of_holder

SELF, TEAM = "self", "team"
# A community member's meetings and training (issue 19): any member, whatever their role.
COMMUNITIES = "communities"
# Who may have each kind of feed (communities: whoever is a member of one, see below).
SCOPE_ROLES = {SELF: Role.AWARD_HOLDER, TEAM: Role.LINE_MANAGER}
RELEASE_SCOPES = (SELF, TEAM)
SHOWN = (DayStatus.APPROVED, DayStatus.TAKEN)
PRODID = "-//NHS Social Care Practitioner Researcher Programme//Release days//EN"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def can_have_feed(user: User, scope: str) -> bool:
    if scope == COMMUNITIES:
        from app.communities.calendar import is_member_anywhere

        return user.is_active and is_member_anywhere(user.id)
    role = SCOPE_ROLES.get(scope)
    return role is not None and user.is_active and user.has_role(role)


def active_feed(user: User, scope: str) -> CalendarFeed | None:
    return db.session.scalar(
        select(CalendarFeed)
        .where(
            CalendarFeed.user_id == user.id,
            CalendarFeed.scope == scope,
            CalendarFeed.revoked_at.is_(None),
        )
        .order_by(CalendarFeed.id.desc())
        .limit(1)
    )


def _revoke_all(user: User, scope: str) -> int:
    now, n = utcnow(), 0
    for feed in db.session.scalars(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user.id,
            CalendarFeed.scope == scope,
            CalendarFeed.revoked_at.is_(None),
        )
    ):
        feed.revoked_at = now
        n += 1
    return n


def create_feed(user: User, scope: str) -> str:
    """A new private address (replacing any earlier one). Returns the secret, once."""
    if not can_have_feed(user, scope):
        raise ReleaseError("You cannot have this calendar.")
    replaced = _revoke_all(user, scope)
    db.session.flush()  # the old address is revoked before the new one exists
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, scope=scope, token_hash=_hash(secret))
    try:
        with db.session.begin_nested():
            db.session.add(feed)
            db.session.flush()
    except IntegrityError:
        # the same person made an address at the same moment (two tabs, a double click)
        raise ReleaseError(
            "Your calendar address was changed at the same moment somewhere else. "
            "Make a new address again if you need one."
        ) from None
    area = "communities" if scope == COMMUNITIES else "release"
    label = {TEAM: "Team", COMMUNITIES: "Communities"}.get(scope, "Own")
    audit.record(
        f"{area}.calendar_replaced" if replaced else f"{area}.calendar_created",
        feed,
        actor=user,
        summary=f"{label} calendar address",
    )
    return secret


def revoke_feed(user: User, scope: str) -> None:
    feed = active_feed(user, scope)
    if feed is None:
        raise ReleaseError("This calendar address has already been turned off.")
    _revoke_all(user, scope)
    audit.record(
        "communities.calendar_revoked" if scope == COMMUNITIES else "release.calendar_revoked",
        feed,
        actor=user,
        changes={"revoked_at": [None, feed.revoked_at]},
    )


def find_feed(secret: str, scopes: tuple[str, ...] = RELEASE_SCOPES) -> CalendarFeed | None:
    """The live feed for this secret, or None (unknown, revoked, of another kind than
    `scopes`, or its owner can no longer have it: deactivated, no longer holding the role,
    no longer a member of any community)."""
    if not secret or len(secret) > 100:
        return None
    feed = db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == _hash(secret), CalendarFeed.revoked_at.is_(None)
        )
    )
    if feed is None or feed.scope not in scopes or not can_have_feed(feed.user, feed.scope):
        return None
    return feed


def feed_url(secret: str, scope: str = SELF) -> str:
    endpoint = "communities.calendar_feed" if scope == COMMUNITIES else "release.calendar_feed"
    return external_url(endpoint, token=secret)


# Building the calendar ----------------------------------------------------------------


def _days(feed: CalendarFeed) -> list[ReleaseDay]:
    column = Award.holder_id if feed.scope == SELF else Award.line_manager_id
    return list(
        db.session.scalars(
            select(ReleaseDay)
            .join(Award, Award.id == ReleaseDay.award_id)
            .join(Cohort, Cohort.id == Award.cohort_id)
            .where(column == feed.user_id, ReleaseDay.status.in_(SHOWN))
            .options(
                contains_eager(ReleaseDay.award).contains_eager(Award.cohort),
                contains_eager(ReleaseDay.award).joinedload(Award.holder),
            )
            .order_by(ReleaseDay.day, ReleaseDay.id)
        ).unique()
    )


def _summary(row: ReleaseDay, team: bool) -> str:
    what = "Research study day" if row.kind == DayKind.STUDY else "Residential workshop"
    if row.half_days == 1:
        what += " (half day)"
    return f"{row.award.holder.name}: {what}" if team else what


def calendar_name(feed: CalendarFeed) -> str:
    if feed.scope == TEAM:
        return f"Research days: {feed.user.name}'s team"
    return "My research days"


def feed_host() -> str:
    """The host in event UIDs: the same whichever address a feed is fetched on."""
    host = urlsplit(current_app.config.get("BASE_URL") or DEFAULT_BASE_URL).hostname
    return host or "localhost"


def new_calendar(prodid: str, name: str, description: str) -> Calendar:
    """An empty subscribed calendar, asking calendar apps to check for changes twice a day."""
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    cal.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    return cal


def ics_response(body: bytes, filename: str) -> Response:
    """A feed for a calendar app: never cached on the way (the address is the secret)."""
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'inline; filename="{filename}"',
        },
    )


REVOKED = "The calendar address has been turned off. Calendars using it stop updating."


def build_calendar(feed: CalendarFeed) -> bytes:
    host = feed_host()
    team = feed.scope == TEAM
    cal = new_calendar(
        PRODID,
        calendar_name(feed),
        "Approved release days for the Social Care Practitioner Researcher Development "
        "Programme. Changes made in the service appear here when your calendar refreshes.",
    )
    workshops = [] if team else workshops_of_holder(feed.user_id)
    covered = {d for w in workshops for d in w.days}  # shown once, as the workshop
    for row in _days(feed):
        if row.kind == DayKind.RESIDENTIAL and row.day in covered:
            continue
        event = Event()
        event.add("uid", f"release-day-{row.id}@{host}")
        event.add("dtstamp", (row.decided_at or row.requested_at).replace(tzinfo=UTC))
        event.add("dtstart", row.day)
        event.add("dtend", row.day + timedelta(days=1))
        event.add("summary", _summary(row, team))
        event.add(
            "description",
            f"{row.kind.label}, {row.status.label.lower()}. Cohort {row.award.cohort.name}.\n"
            + external_url("release.ledger", award_id=row.award_id),
        )
        event.add("transp", "OPAQUE")
        event.add("status", "CONFIRMED")
        # Outlook shows protected time like leave.
        event.add("x-microsoft-cdo-busystatus", "OOF")
        cal.add_component(event)
    for w in workshops:
        cal.add_component(_workshop_event(w, host))
    if not team:  # the communities of practice the person is a member of (issue 19)
        from app.communities.calendar import meeting_event, member_meetings

        for meeting in member_meetings(feed.user_id):
            cal.add_component(meeting_event(meeting, host))
    return cal.to_ical()


def _workshop_event(w: Workshop, host: str) -> Event:
    event = Event()
    event.add("uid", f"workshop-{w.id}@{host}")
    event.add("dtstamp", w.created_at.replace(tzinfo=UTC))
    event.add("dtstart", w.starts_on)
    event.add("dtend", w.ends_on + timedelta(days=1))
    event.add("summary", w.title)
    event.add("location", ", ".join([w.venue, *w.address.splitlines()]))
    event.add(
        "description",
        f"Cohort {w.cohort.name}. Arrive by {w.arrival_time:%H:%M} on the first day; "
        f"leave at {w.departure_time:%H:%M} on the last.\n"
        + external_url("residentials.workshop", workshop_id=w.id),
    )
    event.add("transp", "OPAQUE")
    event.add("status", "CONFIRMED")
    event.add("x-microsoft-cdo-busystatus", "OOF")
    return event
