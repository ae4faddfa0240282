"""Meetings and member training (members only): the list, one meeting with its joining
link, booking with accessibility requests, a calendar file; facilitators schedule,
record attendance, notes and follow-up actions."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from icalendar import Calendar
from sqlalchemy.orm import joinedload

from app.communities import meetings as svc
from app.communities import policy
from app.communities.blueprint import bp
from app.communities.calendar import PRODID, meeting_event
from app.communities.forms import (
    AttendanceForm,
    BookingForm,
    FollowUpForm,
    MeetingForm,
    NotesForm,
)
from app.communities.loading import FAILED, attempt, facilitator_or_404, me, member_or_404
from app.communities.models import CommunityMeeting, MeetingKind
from app.core.access import get_or_404, signed_in
from app.core.db import utcnow
from app.core.forms import ActionForm


@bp.route("/<int:community_id>/meetings")
@signed_in
def meetings(community_id: int):
    c, m = member_or_404(community_id)
    rows = svc.meetings_of(c)
    now = utcnow()
    return render_template(
        "communities/meetings.html",
        community=c,
        me_member=m,
        upcoming=sorted((r for r in rows if r.starts_at >= now), key=lambda r: r.starts_at),
        past=[r for r in rows if r.starts_at < now],
    )


@bp.route("/<int:community_id>/meetings/new", methods=["GET", "POST"])
@signed_in
def new_meeting(community_id: int):
    c, _f = facilitator_or_404(community_id)
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = attempt(
            lambda: svc.schedule(
                c,
                me(),
                svc.MeetingData(
                    kind=MeetingKind(form.kind.data),
                    day=form.day.data,
                    at=form.at.value,
                    minutes=form.minutes.data,
                    topic=form.topic.data,
                    speaker_name=form.speaker_name.data or "",
                    speaker_user_id=svc.speaker_account(form.speaker_email.data),
                    join_link=(form.join_link.data or "").strip(),
                ),
            ),
            form=form,
        )
        if meeting is not FAILED:
            flash("Scheduled. Members can book a place.", "success")
            return redirect(url_for("communities.meeting", meeting_id=meeting.id))
    return render_template("communities/new_meeting.html", community=c, form=form), (
        400 if request.method == "POST" else 200
    )


def _meeting_or_404(meeting_id: int):
    meeting = get_or_404(
        CommunityMeeting, meeting_id, options=[joinedload(CommunityMeeting.community)]
    )
    c, m = member_or_404(meeting.community_id)
    return c, m, meeting


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@signed_in
def meeting(meeting_id: int):
    c, m, meeting = _meeting_or_404(meeting_id)
    booking = svc.booking_of(meeting, m)
    form = BookingForm(
        data={
            "needs": [col for col, _l in svc.ACCESS_NEEDS if getattr(booking, col)],
            "access_note": booking.access_note,
        }
        if booking
        else None
    )
    if form.validate_on_submit():
        result = attempt(
            lambda: svc.book(meeting, m, set(form.needs.data or []), form.access_note.data or ""),
            form=form,
        )
        if result is not FAILED:
            flash("Your place is booked." if booking is None else "Saved.", "success")
            return redirect(url_for("communities.meeting", meeting_id=meeting.id))
    bookings = svc.bookings_for(meeting) if policy.can_see_access_requests(m) else []
    attendance = AttendanceForm(data={"attended": [b.id for b in bookings if b.attended]})
    attendance.attended.choices = [(b.id, b.member.user.name) for b in bookings]
    return render_template(
        "communities/meeting.html",
        community=c,
        me_member=m,
        meeting=meeting,
        booking=booking,
        form=form,
        bookings=bookings,
        started=meeting.starts_at <= utcnow(),
        attendance=attendance,
        notes_form=NotesForm(data={"notes": meeting.notes}),
        action_form=FollowUpForm(),
        cancel_form=ActionForm(),
    ), (400 if request.method == "POST" else 200)


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@signed_in
def cancel_booking(meeting_id: int):
    _c, m, meeting = _meeting_or_404(meeting_id)
    booking = svc.booking_of(meeting, m)
    if booking is not None and ActionForm().validate_on_submit():
        attempt(lambda: svc.cancel(booking, m), "Your booking is cancelled.")
    return redirect(url_for("communities.meeting", meeting_id=meeting.id))


def _facilitated(meeting_id: int):
    meeting = get_or_404(CommunityMeeting, meeting_id)
    facilitator_or_404(meeting.community_id)
    return meeting


def _done(meeting, form, call, message):
    if form.validate_on_submit():
        attempt(lambda: call(), message)
    else:
        flash(form.error_list()[0]["text"] if form.error_list() else "Try again.", "error")
    return redirect(url_for("communities.meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@signed_in
def attendance(meeting_id: int):
    meeting = _facilitated(meeting_id)
    form = AttendanceForm()
    return _done(
        meeting,
        form,
        lambda: svc.record_attendance(meeting, me(), set(form.attended.data or [])),
        "Attendance saved.",
    )


@bp.route("/meetings/<int:meeting_id>/notes", methods=["POST"])
@signed_in
def notes(meeting_id: int):
    meeting = _facilitated(meeting_id)
    form = NotesForm()
    return _done(
        meeting, form, lambda: svc.save_notes(meeting, me(), form.notes.data or ""), "Notes saved."
    )


@bp.route("/meetings/<int:meeting_id>/actions", methods=["POST"])
@signed_in
def add_action(meeting_id: int):
    meeting = _facilitated(meeting_id)
    form = FollowUpForm()
    return _done(
        meeting,
        form,
        lambda: svc.add_action(
            meeting, me(), form.text.data, form.owner.data or "", form.due_on.data
        ),
        "Action added.",
    )


@bp.route("/meetings/<int:meeting_id>/calendar.ics")
@signed_in
def meeting_ics(meeting_id: int):
    """The meeting for a member's own calendar (with the joining link: members only)."""
    _c, _m, meeting = _meeting_or_404(meeting_id)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add_component(meeting_event(meeting, request.host.split(":")[0] or "localhost"))
    return Response(
        cal.to_ical(),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'},
    )
