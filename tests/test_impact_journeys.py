"""The impact log over HTTP: the holder adds (bad input changes nothing), the line
manager suggests and the holder confirms, someone else's log is a 404, the report page
and its CSV for staff and a PSW's own authority, and flat query counts."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import func, select

from app.awards.models import Award
from app.core.roles import Role
from app.extensions import db
from app.impact.models import Category, EntryStatus, ImpactEntry, Reach
from tests.helpers import text
from tests.test_impact import HTML, PDF, TODAY, finished
from tests.test_query_counts import assert_flat, page_queries

FORM = {
    "category": "tool",
    "occurred_on-day": "14",
    "occurred_on-month": "3",
    "occurred_on-year": "2025",
    "description": "A decision-making tool for family time, used by six authorities",
    "reach": "other_authorities",
    "evidence_url": "",
}


def _email(app, user_id):
    from app.accounts.models import User

    with app.app_context():
        return db.session.get(User, user_id).email


def _signed_in(app, browser_factory, user_id):
    b = browser_factory()
    b.sign_in(_email(app, user_id))
    return b


def _entries(app, award_id):
    with app.app_context():
        return db.session.scalars(
            select(ImpactEntry).where(ImpactEntry.award_id == award_id).order_by(ImpactEntry.id)
        ).all()


def _post(b, award_id, form, file=None):
    url = f"/impact/awards/{award_id}/new"
    data = dict(form)
    if file:
        data["evidence"] = (BytesIO(file[0]), file[1])
    return b.post(url, data, content_type="multipart/form-data")


def test_the_holder_adds_an_entry_and_bad_input_changes_nothing(
    app, make, browser_factory, monkeypatch
):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    award = finished(make, app)
    b = _signed_in(app, browser_factory, award.holder_id)
    for bad, message in [
        ({"occurred_on-year": "2022"}, "on or after your award on 31 January 2023"),
        ({"occurred_on-year": "2027"}, "today or in the past"),
        ({"category": "gossip"}, "Not a valid choice"),
        ({"description": ""}, "Describe what changed"),
        ({"evidence_url": "javascript:alert(1)"}, "Enter a web address"),
    ]:
        resp = _post(b, award.id, {**FORM, **bad})
        assert resp.status_code == 400 and "There is a problem" in text(resp), bad
        assert message in text(resp), bad
    resp = _post(b, award.id, FORM, (HTML, "tool.pdf"))
    assert resp.status_code == 400 and "must be a PDF" in text(resp)
    assert _entries(app, award.id) == []
    resp = _post(b, award.id, FORM, (PDF, "tool.pdf"))
    assert resp.status_code == 302
    [entry] = _entries(app, award.id)
    assert entry.status == EntryStatus.CONFIRMED and entry.reach == Reach.OTHER_AUTHORITIES
    page = text(b.get(f"/impact/awards/{award.id}"))
    assert "Practice tool or guidance, 14 March 2025" in page and "tool.pdf" in page
    resp = b.get(f"/impact/entries/{entry.id}/evidence")
    assert resp.status_code == 200 and resp.data == PDF
    assert resp.headers["Content-Disposition"].startswith("attachment")


def test_the_line_manager_suggests_and_the_holder_confirms(app, make, browser_factory, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    award = finished(make, app)
    manager = _signed_in(app, browser_factory, award.line_manager_id)
    assert _post(manager, award.id, FORM).status_code == 302
    [entry] = _entries(app, award.id)
    assert entry.status == EntryStatus.SUGGESTED
    holder = _signed_in(app, browser_factory, award.holder_id)
    log = f"/impact/awards/{award.id}"
    assert "waiting for you to confirm" in text(holder.get(log))
    # the manager cannot confirm for the holder
    assert manager.post(f"/impact/entries/{entry.id}/confirm", token_from=log).status_code == 403
    resp = holder.post(f"/impact/entries/{entry.id}/confirm", token_from=log)
    assert resp.status_code == 302
    resp = holder.post(f"/impact/entries/{entry.id}/decline", token_from=log, follow_redirects=True)
    assert "already confirmed" in text(resp)
    assert _entries(app, award.id)[0].status == EntryStatus.CONFIRMED


def test_someone_elses_log_is_a_404(app, make, browser_factory, monkeypatch):
    monkeypatch.setitem(app.config, "FROZEN_TODAY", TODAY)
    award = finished(make, app)
    other = finished(make, app)
    _post(_signed_in(app, browser_factory, award.holder_id), award.id, FORM, (PDF, "a.pdf"))
    [entry] = _entries(app, award.id)
    for user_id in (other.holder_id, other.line_manager_id):
        b = _signed_in(app, browser_factory, user_id)
        assert b.get(f"/impact/awards/{award.id}").status_code == 404
        assert b.get(f"/impact/awards/{award.id}/new").status_code == 404
        assert b.get(f"/impact/entries/{entry.id}/evidence").status_code == 404
    b = _signed_in(app, browser_factory, other.holder_id)
    resp = b.post(f"/impact/entries/{entry.id}/confirm", token_from=f"/impact/awards/{other.id}")
    assert resp.status_code == 404
    assert b.get("/impact/awards/99999999999").status_code == 404


def _seed(app, award_id, n):
    with app.app_context():
        a = db.session.get(Award, award_id)
        for i in range(n):
            db.session.add(
                ImpactEntry(
                    award_id=a.id,
                    category=list(Category)[i % 10],
                    reach=list(Reach)[i % 6],
                    occurred_on=TODAY.replace(day=1 + i % 28),
                    description=f"Impact {i}",
                    status=EntryStatus.CONFIRMED if i % 3 else EntryStatus.SUGGESTED,
                    created_by_id=a.holder_id if i % 3 else a.line_manager_id,
                )
            )
        db.session.commit()


def test_the_report_for_staff_and_a_psws_own_authority(app, make, browser_factory):
    la = make.org()
    mine = finished(make, app, employer=la)
    theirs = finished(make, app)
    _seed(app, mine.id, 4)  # 2 confirmed
    _seed(app, theirs.id, 7)  # 4 confirmed
    psw = make.user(Role.PSW, orgs=[la])
    staff = make.user(Role.STAFF)
    b = _signed_in(app, browser_factory, staff.id)
    page = text(b.get("/impact/report"))
    assert "6 entries from 2 award holders" in page and "Per cohort" in page
    csv = b.get("/impact/report.csv")
    assert csv.mimetype == "text/csv" and "Programme,,All,Award holders with entries,2" in (
        csv.get_data(as_text=True)
    )
    b = _signed_in(app, browser_factory, psw.id)
    assert "2 entries from 1 award holder" in text(b.get("/impact/report"))
    assert "Programme,,All,Award holders with entries,1" in b.get("/impact/report.csv").get_data(
        as_text=True
    )
    page = text(b.get(f"/impact/report?cohort={theirs.cohort_id}"))
    assert "0 entries from 0 award holders" in page


def test_log_and_report_pages_do_not_grow_with_entries(app, make, browser):
    award = finished(make, app)
    staff = make.user(Role.STAFF)
    browser.sign_in(_email(app, staff.id))
    urls = [f"/impact/awards/{award.id}", "/impact/report", "/impact/report.csv"]
    _seed(app, award.id, 10)
    at_10 = {u: page_queries(app, browser, u) for u in urls}
    _seed(app, award.id, 90)
    with app.app_context():
        assert db.session.scalar(select(func.count(ImpactEntry.id))) == 100
    at_100 = {u: page_queries(app, browser, u) for u in urls}
    for u in urls:
        assert_flat(u, at_10[u], at_100[u])
