"""Documents under 20 parallel requests (both databases; run with TEST_DATABASE_URL for
PostgreSQL): one signatory pressing "Sign" twenty times at once signs once, and twenty
people asking for one unrendered handbook at once cause one render."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from app.accounts.models import User
from app.awards.models import Award
from app.core.audit import AuditEntry
from app.core.roles import Role
from app.documents import agreements, render
from app.documents.models import Signature
from app.extensions import db
from tests.test_concurrency import PARALLEL, _at_once, _signed_in


def test_twenty_parallel_signatures_by_one_signatory_make_one(app, make, browser_factory):
    award = make.award(cohort=make.running_cohort())
    staff = make.user(Role.STAFF)
    with app.test_request_context():
        a = db.session.get(Award, award.id)
        agreements.prepare(a, db.session.get(User, staff.id), notify=False)
        db.session.commit()
        email, name = a.holder.email, a.holder.name
    url = f"/documents/agreements/{award.id}"
    browsers, token = _signed_in(browser_factory, email, PARALLEL, url)
    page = browsers[0].get(url).get_data(as_text=True)
    content_hash = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page).group(1)
    data = {"csrf_token": token, "content_hash": content_hash, "confirm": "y", "name": name}
    responses = _at_once([lambda b=b: b.post(url + "/sign", data=data) for b in browsers])
    assert not [r for r in responses if isinstance(r, BaseException)], responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [400] * (PARALLEL - 1), codes
    with app.app_context():
        assert db.session.scalar(select(func.count(Signature.id))) == 1
        assert (
            db.session.scalar(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "agreement.signed")
            )
            == 1
        )


def test_twenty_parallel_requests_for_one_handbook_render_it_once(
    app, make, browser_factory, monkeypatch
):
    award = make.award()
    staff = make.user(Role.STAFF)
    made = []
    real = render.html_to_pdf

    def slow(html, seconds=None):
        made.append(1)
        time.sleep(0.5)  # long enough for the others to arrive while it renders
        return real(html, seconds)

    monkeypatch.setattr(render, "html_to_pdf", slow)
    url = f"/documents/cohorts/{award.cohort_id}/handbooks/holder.pdf"
    browsers, _token = _signed_in(browser_factory, staff.email, PARALLEL, "/documents/")

    def fetch(b):
        resp = b.get(url)
        return resp.status_code, resp.mimetype, len(resp.get_data())

    results = _at_once([lambda b=b: fetch(b) for b in browsers])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len(made) == 1
    kinds = {mimetype for _s, mimetype, _n in results}
    assert "application/pdf" in kinds and kinds <= {"application/pdf", "text/html"}
    assert {status for status, _m, _n in results} == {200}
