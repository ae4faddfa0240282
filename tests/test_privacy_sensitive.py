"""Sensitive fields (issue 20): health, access, dietary and equality details are seen by
the person and programme staff only, never in a line manager's or PSW's pages, exports
or emails. Values are planted in the demo; every page, CSV and download each role can
reach from its home page is fetched and searched for them."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.applications.models import Application
from app.awards.models import Award
from app.communities.models import Community, CommunityMeeting, CommunityMember, MeetingBooking
from app.core.mail import OutboxMessage
from app.extensions import db
from app.privacy.declare import Category, declaration
from app.residentials.models import Registration, Workshop
from tests.conftest import Browser

PASSWORD = "demo-password"
PLANTED = {
    "dietary": "PLANTED-DIET-5521",
    "access": "PLANTED-ACCESS-5521",
    "accommodation": "PLANTED-ROOM-5521",
    "gender_self": "PLANTED-GENDER-5521",
    "community_access": "PLANTED-COMMUNITY-ACCESS-5521",
}
HREF = re.compile(r'href="([^"#]+)"')
SKIP = ("/account/sign-out", "/static/", "/frontend/", "/assets/", "/privacy/your-data")
MAX_PAGES = 400


@pytest.fixture
def planted(app):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        holder = db.session.scalar(select(User).where(User.email == "holder@demo.test"))
        award = db.session.scalar(select(Award).where(Award.holder_id == holder.id))
        workshop = db.session.scalar(select(Workshop).where(Workshop.cohort_id == award.cohort_id))
        reg = db.session.scalar(
            select(Registration).where(
                Registration.award_id == award.id, Registration.workshop_id == workshop.id
            )
        )
        if reg is None:
            reg = Registration(workshop_id=workshop.id, award_id=award.id, attending=True)
            db.session.add(reg)
        reg.dietary, reg.access = PLANTED["dietary"], PLANTED["access"]
        reg.accommodation = PLANTED["accommodation"]
        reg.needs_cleared_at = None
        application = db.session.get(Application, award.application_id)
        application.gender_self = PLANTED["gender_self"]
        meeting = _plant_community_request(holder)
        db.session.commit()
        # where the needs are shown (to staff; the community request to the
        # facilitators): every crawl starts there too
        w = workshop.id
        seeds = [
            f"/residentials/workshops/{w}",
            f"/residentials/workshops/{w}/needs",
            f"/residentials/workshops/{w}/needs.csv",
            f"/applications/{award.application_id}",
            f"/applications/{award.application_id}/sign-off",
            f"/communities/meetings/{meeting}",
            f"/communities/{COMMUNITY_ID[0]}/meetings",
        ]
    return app, seeds


COMMUNITY_ID = [0]


def _plant_community_request(holder) -> int:
    """The holder's accessibility request for a meeting of the Workforce community, where
    the demo's line manager and PSW are members but not facilitators (coach@ facilitates).
    Returns the meeting's id."""
    community = db.session.scalar(select(Community).where(Community.name == "Workforce"))
    COMMUNITY_ID[0] = community.id
    member = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == holder.id
        )
    )
    meeting = db.session.scalar(
        select(CommunityMeeting)
        .where(CommunityMeeting.community_id == community.id)
        .order_by(CommunityMeeting.starts_at.desc())
    )
    booking = db.session.scalar(
        select(MeetingBooking).where(
            MeetingBooking.meeting_id == meeting.id, MeetingBooking.member_id == member.id
        )
    )
    if booking is None:
        booking = MeetingBooking(meeting_id=meeting.id, member_id=member.id)
        db.session.add(booking)
    booking.support_visit = True
    booking.access_note = PLANTED["community_access"]
    return meeting.id


def crawl(app, email: str, per_pattern: int = 12, seeds=()) -> dict[str, bytes]:
    """Every page and download reachable by following links from the home page; up to
    `per_pattern` of each kind of page (/awards/N/days: N one record after another) and
    one of each path's query strings past the first, so the crawl goes wide, not deep
    into one long list."""
    b = Browser(app.test_client())
    b.sign_in(email, PASSWORD)
    seen: dict[str, bytes] = {}
    patterns: Counter = Counter()
    queue = deque(["/", *seeds])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        pattern = re.sub(r"/\d+", "/N", urlsplit(url).path)
        if url in seen or patterns[pattern] >= per_pattern:
            continue
        patterns[pattern] += 1
        resp = b.get(url)
        seen[url] = resp.get_data()
        if resp.status_code != 200 or not resp.mimetype.startswith("text/html"):
            continue
        for href in HREF.findall(resp.get_data(as_text=True)):
            href = href.replace("&amp;", "&")
            parts = urlsplit(urljoin(url, href))
            if parts.netloc not in ("", "localhost") or parts.path.startswith(SKIP):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return seen


def _leaks(pages: dict[str, bytes]) -> list[tuple[str, str]]:
    return [
        (url, name)
        for url, body in pages.items()
        for name, value in PLANTED.items()
        if value.encode() in body
    ]


def test_the_planted_values_are_special_category_in_the_map(app):
    table = {
        "dietary": "workshop_registration",
        "access": "workshop_registration",
        "accommodation": "workshop_registration",
        "gender_self": "application",
        "access_note": "community_booking",
    }
    for column, name in table.items():
        decl = declaration(db.metadata.tables[name].c[column])
        assert decl.category is Category.SPECIAL and decl.sensitive


@pytest.mark.parametrize("email", ["manager@demo.test", "psw@demo.test"])
def test_managers_and_psws_never_see_sensitive_fields(planted, email):
    planted, seeds = planted
    pages = crawl(planted, email, seeds=seeds)
    assert len(pages) > 20  # the crawl really went round their pages
    assert _leaks(pages) == []
    with planted.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.to_address == email)
        )
        assert not any(v in body for body in bodies for v in PLANTED.values())


def test_staff_do_see_them_so_the_search_would_find_a_leak(planted):
    """The control: the same crawl as programme staff finds the planted needs."""
    planted, seeds = planted
    leaks = _leaks(crawl(planted, "staff@demo.test", per_pattern=3, seeds=seeds))
    assert {name for _url, name in leaks} >= {"dietary", "access"}


def test_a_facilitator_of_the_community_sees_its_access_requests(planted):
    """The control for community requests: the Workforce facilitator (who arranges them)
    finds the planted note where the line manager and PSW, members too, never do."""
    planted, seeds = planted
    leaks = _leaks(crawl(planted, "coach@demo.test", per_pattern=3, seeds=seeds))
    assert "community_access" in {name for _url, name in leaks}
    # and the dietary/access needs of workshops are still not theirs to see
    assert not {"dietary", "access", "accommodation", "gender_self"} & {n for _u, n in leaks}


def test_no_email_template_reads_a_sensitive_field(app):
    """Emails go to managers and PSWs as well as to the person: none reads a column the
    map calls special category (`reg.dietary`, `application.gender_self`...)."""
    from pathlib import Path

    from app.privacy.datamap import declared

    sensitive = {c.name for _t, c, d in declared(db.metadata) if d.sensitive}
    assert {"dietary", "access", "gender_self"} <= sensitive
    folder = Path(app.root_path).parent / "templates" / "email"
    found = [
        (path.name, name)
        for path in folder.iterdir()
        for name in sensitive
        if re.search(rf"\.{name}\b", path.read_text())
    ]
    assert found == []
