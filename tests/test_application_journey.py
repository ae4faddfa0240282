"""The applicant's journey through HTTP: start, fill the form over several sittings,
check answers, submit, follow the status, withdraw, change and resubmit.

Each rule of the application pages has a test here that fails without it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.accounts.models import User, UserStatus
from app.applications.models import Application, AppStatus, Gender
from app.cohorts.models import Cohort
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.extensions import db
from app.organisations.models import Organisation, OrgKind
from tests.helpers import last_email, text

# --- answers, section by section, as a browser posts them ---------------------------

PERSONAL = {"phone": "07700 900123", "gender": "female"}
QUALIFICATIONS = {
    "professional_qualification": "MA Social Work",
    "highest_degree": "masters",
    "years_qualified": "7",
    "prior_research": "ma_dissertation",
    "prior_research_details": "A dissertation on kinship care.",
}
RESEARCH = {
    "research_question": "How do carers experience hospital discharge planning?",
    "background": "Discharge planning is quick and carers report feeling left out.",
    "strategic_relevance": "Our carers strategy names discharge as a priority.",
    "methods": "Semi-structured interviews with ten carers.",
    "expected_impact": "A practice guide for discharge teams.",
}
DECLARATIONS = {"declare_accurate": "y", "declare_commitment": "y"}


def employment(employer) -> dict:
    return {
        "employer_id": str(employer.id),
        "service_area": "adults",
        "team": "Hospital discharge team",
        "current_role": "Senior social worker",
        "is_social_worker": "yes",
    }


@pytest.fixture
def world(make):
    employer = make.org(name="Ashworth Metropolitan Borough Council")
    return SimpleNamespace(
        employer=employer,
        applicant=make.user(Role.APPLICANT, orgs=[employer], name="Alex Morgan"),
        psw=make.user(Role.PSW, orgs=[employer], name="Helen Brooks"),
        manager=make.user(Role.LINE_MANAGER, orgs=[employer], name="Jordan Lee"),
        cohort=make.cohort(name="2026-27"),
    )


def people(w) -> dict:
    return {"line_manager": str(w.manager.id), "psw": str(w.psw.id)}


def start(browser, cohort):
    return browser.post(f"/applications/cohorts/{cohort.id}/start", token_from="/applications/")


def start_ok(browser, cohort) -> str:
    resp = start(browser, cohort)
    assert resp.status_code == 302, text(resp)[:2000]
    url = resp.headers["Location"]
    assert re.fullmatch(r"/applications/\d+", url), url
    return url


def save(browser, url: str, slug: str, data: dict, later: bool = False, token_from=None):
    button = {"later": "1"} if later else {"continue": "1"}
    return browser.post(f"{url}/{slug}", {**data, **button}, token_from=token_from)


def save_ok(browser, url: str, slug: str, data: dict, later: bool = False):
    resp = save(browser, url, slug, data, later)
    assert resp.status_code == 302, text(resp)[:3000]
    return resp


def fill_everything(browser, url: str, w) -> None:
    save_ok(browser, url, "personal", PERSONAL)
    save_ok(browser, url, "employment", employment(w.employer))
    save_ok(browser, url, "qualifications", QUALIFICATIONS)
    save_ok(browser, url, "research", RESEARCH)
    save_ok(browser, url, "people", people(w))
    save_ok(browser, url, "declarations", DECLARATIONS)


def app_id(url: str) -> int:
    return int(url.rsplit("/", 1)[-1])


def load(make, ident: int) -> Application:
    return make.reload(Application, ident)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def emails_to(app, address: str) -> int:
    return count(app, OutboxMessage, OutboxMessage.to_address == address)


def main(resp) -> str:
    """The page's <main> only (the header names the signed-in person)."""
    page = text(resp)
    return page[page.index("<main") : page.index("</main>")]


def row(page: str, field: str) -> str:
    """One check-your-answers row's HTML."""
    start_at = page.index(f'id="answer-{field}"')
    end = page.find("nhsuk-summary-list__row", start_at + 20)
    return page[start_at : end if end != -1 else None]


def after_close(cohort):
    return cohort.applications_close + timedelta(days=1)


# --- the whole journey ------------------------------------------------------------------


def test_an_applicant_applies_over_several_sittings(app, make, browser, world):
    w = world
    browser.sign_in(w.applicant.email)
    home = text(browser.get("/"))
    assert "Your applications" in home  # the menu
    assert "Apply to the 2026-27 programme" in home  # the home card

    page = text(browser.get("/applications/"))
    assert "2026-27" in page and "Start an application" in page
    url = start_ok(browser, w.cohort)
    page = text(browser.get(url))
    assert "Your application to 2026-27 has been started" in page
    assert "Draft" in page and "Cannot start yet" not in page  # employer pre-filled

    # Sitting 1: a phone number only, then "save and come back later".
    resp = save_ok(browser, url, "personal", {"phone": "07700 900123"}, later=True)
    assert resp.headers["Location"] == "/applications/"
    assert "You can come back and finish your application" in text(browser.get("/applications/"))
    saved = load(make, app_id(url))
    assert saved.phone == "07700 900123" and saved.gender is None
    browser.sign_out()

    # Sitting 2: the phone number is still there; three sections completed.
    browser.sign_in(w.applicant.email)
    assert 'value="07700 900123"' in text(browser.get(f"{url}/personal"))
    save_ok(browser, url, "personal", PERSONAL)
    page = text(browser.get(url))
    assert "Personal details: your answers have been saved." in page
    save_ok(browser, url, "employment", employment(w.employer))
    save_ok(browser, url, "qualifications", QUALIFICATIONS)
    page = text(browser.get(url))
    assert "You have completed 3 of 6 sections" in page
    assert "3 of 6 sections complete" in text(browser.get("/"))
    browser.sign_out()

    # Sitting 3: check answers shows what is missing; submitting is refused.
    browser.sign_in(w.applicant.email)
    page = text(browser.get(f"{url}/check-answers"))
    assert "Enter your research question" in row(page, "research_question")
    assert f"{url}/research#research_question" in row(page, "research_question")
    assert "Change" in row(page, "phone") and "07700 900123" in row(page, "phone")
    resp = browser.post(f"{url}/check-answers")
    assert resp.status_code == 200
    page = text(resp)
    summary = page[page.index("nhsuk-error-summary") : page.index("</h1>")]
    assert "There are 9 answers still needed" in summary
    for message, href in (
        ("Enter your research question", f"{url}/research#research_question"),
        ("Choose or invite your Principal Social Worker", f"{url}/people#psw"),
        ("Confirm you can commit to the programme", f"{url}/declarations#declare_commitment"),
    ):
        assert f'<a href="{href}"' in summary and message in summary
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert load(make, app_id(url)).status == AppStatus.DRAFT
    assert count(app, OutboxMessage, OutboxMessage.to_address == w.psw.email) == 0

    save_ok(browser, url, "research", RESEARCH)
    save_ok(browser, url, "people", people(w))
    save_ok(browser, url, "declarations", DECLARATIONS)
    page = text(browser.get(url))
    assert "You have completed 6 of 6 sections" in page

    resp = browser.post(f"{url}/check-answers")
    assert resp.status_code == 302 and resp.headers["Location"] == f"{url}/submitted"
    page = text(browser.get(f"{url}/submitted"))
    assert "Application submitted" in page and "nhsuk-panel" in page
    assert f"PRP-{app_id(url):05d}" in page and "Helen Brooks" in page

    assert "Sign-off needed" in last_email(app, w.psw.email).subject
    assert "Alex Morgan has applied" in last_email(app, w.manager.email).subject
    assert last_email(app, w.applicant.email).subject == "Your application has been submitted"

    page = text(browser.get(url))
    assert "Waiting for PSW sign-off" in page
    history = page[page.index('id="history"') :]
    assert "Application started" in history
    assert "Submitted for Principal Social Worker sign-off" in history
    assert re.search(r"\d{1,2} \w+ 20\d\d at \d{1,2}:\d\d[ap]m", history)
    assert "Waiting for your PSW to sign off" in text(browser.get("/"))
    submitted = load(make, app_id(url))
    assert submitted.status == AppStatus.SUBMITTED and submitted.version == 1


# --- starting -------------------------------------------------------------------------


def test_a_second_application_to_the_same_cohort_is_refused(app, browser, world):
    browser.sign_in(world.applicant.email)
    start_ok(browser, world.cohort)
    resp = start(browser, world.cohort)
    assert resp.headers["Location"] == "/applications/"
    page = text(browser.get("/applications/"))
    assert "You have already started an application to 2026-27" in page
    assert count(app, Application, Application.applicant_id == world.applicant.id) == 1


def test_no_application_can_be_started_once_the_window_has_closed(app, make, browser, world):
    closed = make.cohort(
        name="Closed cohort",
        applications_open=world.cohort.applications_open - timedelta(days=60),
        applications_close=world.cohort.applications_open - timedelta(days=30),
    )
    browser.sign_in(world.applicant.email)
    assert "Closed cohort" not in text(browser.get("/applications/"))
    resp = start(browser, closed)
    assert resp.status_code == 302
    assert "Applications for Closed cohort closed on" in text(browser.get("/applications/"))
    assert count(app, Application) == 0


def test_starting_an_unknown_cohort_is_not_found(browser, world):
    browser.sign_in(world.applicant.email)
    resp = browser.post("/applications/cohorts/999999/start", token_from="/applications/")
    assert resp.status_code == 404


def test_a_cohort_not_yet_open_can_be_started_but_not_submitted(app, make, browser, world):
    later = make.cohort(
        name="Next year",
        applications_open=world.cohort.applications_close + timedelta(days=5),
        applications_close=world.cohort.applications_close + timedelta(days=30),
        programme_start=world.cohort.applications_close + timedelta(days=60),
    )
    browser.sign_in(world.applicant.email)
    assert "You can start your application now" in text(browser.get("/applications/"))
    url = start_ok(browser, later)
    fill_everything(browser, url, world)
    resp = browser.post(f"{url}/check-answers")
    assert resp.status_code == 200
    assert "Applications open on" in text(resp)
    assert load(make, app_id(url)).status == AppStatus.DRAFT


# --- saving sections ----------------------------------------------------------------


def test_a_part_filled_section_can_be_saved(make, browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    save_ok(browser, url, "qualifications", {"years_qualified": "0"})
    saved = load(make, app_id(url))
    assert saved.years_qualified == 0 and saved.highest_degree is None
    page = text(browser.get(url))
    assert "Qualifications and research experience: your answers have been saved" in page
    assert "You have completed 0 of 6 sections" in page


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("personal", {"phone": "call me maybe", "gender": "male"}, "Enter a phone number, like"),
        ("personal", {"phone": "07700 900123", "gender": "robot"}, "Select your gender from"),
        ("personal", {"gender": "self_describe", "gender_self": "x" * 101}, "100 characters"),
        ("qualifications", {"years_qualified": "61"}, "must be between 0 and 60"),
        ("qualifications", {"years_qualified": "-1"}, "must be between 0 and 60"),
        ("qualifications", {"years_qualified": "seven"}, "as a whole number, like 5"),
        ("qualifications", {"years_qualified": "9" * 5000}, "as a whole number, like 5"),
        ("qualifications", {"highest_degree": "phd-ish"}, "Select your highest degree"),
        ("employment", {"team": "t" * 201}, "Team must be 200 characters or fewer"),
        ("employment", {"service_area": "pets"}, "Select adults or children and families"),
        ("employment", {"is_social_worker": "maybe"}, "Select yes if you are a registered"),
        (
            "research",
            {"research_question": "Why?", "background": "b" * 2001},
            "Background must be 2,000 characters or fewer",
        ),
        ("research", {"research_question": "q" * 501}, "500 characters or fewer"),
        ("research", {"priority_area_id": "12345"}, "Choose one of your employer's priority"),
        ("people", {"line_manager": "999999"}, "Choose your line manager from the list"),
        ("people", {"line_manager": "invite"}, "Enter your line manager's full name"),
        (
            "people",
            {"psw": "invite", "psw_name": "P", "psw_email": "not-an-email"},
            "Enter an email address in the correct format",
        ),
    ],
)
def test_malformed_or_over_long_answers_are_refused_and_nothing_is_saved(
    app, make, browser, world, slug, data, message
):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    before = load(make, app_id(url))
    resp = save(browser, url, slug, {**data, "team": data.get("team", "Changed team")})
    assert resp.status_code == 200
    page = text(resp)
    assert "There is a problem" in page and message in page
    assert "<title>Error: " in page
    after = load(make, app_id(url))
    for column in Application.__table__.columns.keys():  # noqa: SIM118
        assert getattr(after, column) == getattr(before, column), column
    assert count(app, User, User.status == UserStatus.INVITED) == 0


def test_long_text_is_counted_as_the_browser_counts_it(make, browser, world):
    """Browsers send CRLF line breaks but count each as one character."""
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    background = "ab\r\n" * 600  # 2,400 characters with CRLF, 1,799 once normalised
    save_ok(browser, url, "research", {"background": background})
    assert load(make, app_id(url)).background == ("ab\n" * 600).strip()


def test_control_characters_are_removed_not_an_error(make, browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    save_ok(browser, url, "employment", {"team": "Hospital\x00 discharge\x07 team"})
    save_ok(browser, url, "research", {"methods": "Interviews\x00\r\nand a survey"})
    saved = load(make, app_id(url))
    assert saved.team == "Hospital discharge team"
    assert saved.methods == "Interviews\nand a survey"


def test_follow_up_answers_are_kept_only_when_asked_for(make, browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    save_ok(browser, url, "personal", {"gender": "self_describe", "gender_self": "Agender"})
    saved = load(make, app_id(url))
    assert saved.gender == Gender.SELF_DESCRIBE and saved.gender_self == "Agender"
    save_ok(browser, url, "personal", {"gender": "female", "gender_self": "Agender"})
    assert load(make, app_id(url)).gender_self == ""

    save_ok(browser, url, "employment", {"is_social_worker": "no", "profession": "OT"})
    saved = load(make, app_id(url))
    assert saved.is_social_worker is False and saved.profession == "OT"
    save_ok(browser, url, "employment", {"is_social_worker": "yes", "profession": "OT"})
    saved = load(make, app_id(url))
    assert saved.is_social_worker is True and saved.profession == ""


def test_a_non_social_worker_must_give_their_profession_before_submitting(make, browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    fill_everything(browser, url, world)
    save_ok(browser, url, "employment", {**employment(world.employer), "is_social_worker": "no"})
    page = text(browser.post(f"{url}/check-answers"))
    assert "Enter your profession" in page
    assert load(make, app_id(url)).status == AppStatus.DRAFT


def test_extra_posted_fields_change_nothing(app, make, browser, world):
    other = make.user(Role.APPLICANT)
    other_org = make.org()
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    sneaky = {
        "status": "awarded",
        "applicant_id": str(other.id),
        "version": "9",
        "cohort_id": "999",
        "employer_id": str(other_org.id),
        "decision_message": "Awarded!",
        "submitted_at": "2020-01-01",
    }
    save_ok(browser, url, "personal", {**PERSONAL, **sneaky})
    saved = load(make, app_id(url))
    assert saved.phone == PERSONAL["phone"]
    assert saved.status == AppStatus.DRAFT and saved.version == 0
    assert saved.applicant_id == world.applicant.id and saved.cohort_id == world.cohort.id
    assert saved.employer_id == world.employer.id and saved.decision_message == ""
    assert saved.submitted_at is None


# --- employer, priority areas and people ----------------------------------------------


def test_employers_offered_are_the_applicants_own(app, make, browser):
    first, second = make.org(name="First Council"), make.org(name="Second Council")
    uni = make.org(name="A University", kind=OrgKind.UNIVERSITY)
    stranger = make.org(name="Stranger Council")
    applicant = make.user(Role.APPLICANT, orgs=[first, second, uni])
    cohort = make.cohort()
    browser.sign_in(applicant.email)
    url = start_ok(browser, cohort)
    assert load(make, app_id(url)).employer_id is None  # two employers: no guess
    page = text(browser.get(f"{url}/employment"))
    assert f'type="radio" value="{first.id}"' in page
    assert "Second Council" in page
    assert "A University" not in page and "Stranger Council" not in page
    for bad in (uni, stranger):
        resp = save(browser, url, "employment", {"employer_id": str(bad.id)})
        assert "Select your employer from the list" in text(resp)
    assert load(make, app_id(url)).employer_id is None
    save_ok(browser, url, "employment", {"employer_id": str(second.id)})
    assert load(make, app_id(url)).employer_id == second.id


def test_without_an_employer_every_active_employer_is_offered(app, make, browser):
    make.org(name="Active Council")
    trust = make.org(name="Northern Care NHS Trust", kind=OrgKind.NHS_TRUST)
    archived = make.org(name="Archived Council")
    make.org(name="Some University", kind=OrgKind.UNIVERSITY)
    with app.app_context():
        db.session.get(Organisation, archived.id).is_active = False
        db.session.commit()
    applicant = make.user(Role.APPLICANT, orgs=[])
    browser.sign_in(applicant.email)
    url = start_ok(browser, make.cohort())
    page = text(browser.get(f"{url}/employment"))
    assert '<select class="nhsuk-select' in page
    assert "Active Council" in page and "Northern Care NHS Trust" in page
    assert "Archived Council" not in page and "Some University" not in page
    # Without an employer, people cannot be chosen yet.
    assert "Cannot start yet" in text(browser.get(url))
    resp = browser.get(f"{url}/people")
    assert resp.headers["Location"] == f"{url}/employment"
    assert "Tell us who your employer is first" in text(browser.get(f"{url}/employment"))
    save_ok(browser, url, "employment", {"employer_id": str(trust.id)})
    assert load(make, app_id(url)).employer_id == trust.id
    assert browser.get(f"{url}/people").status_code == 200


def publish_area(app, make, cohort, employer, title: str) -> int:
    from app.cohorts.services import publish_priority_area

    psw = make.user(Role.PSW, orgs=[employer])
    with app.app_context():
        area = publish_priority_area(
            db.session.get(User, psw.id),
            db.session.get(Cohort, cohort.id),
            db.session.get(Organisation, employer.id),
            title,
            "Published by our PSW",
            db.session.get(Cohort, cohort.id).applications_open,
        )
        db.session.commit()
        return area.id


def test_priority_areas_come_from_the_employer_for_this_cohort(app, make, browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    page = text(browser.get(f"{url}/research"))
    assert "Your employer has not published priority areas" in page

    ours = publish_area(app, make, world.cohort, world.employer, "Carers and discharge")
    theirs = publish_area(app, make, world.cohort, make.org(), "Someone else's area")
    page = text(browser.get(f"{url}/research"))
    assert "Carers and discharge" in page and "Someone else's area" not in page
    assert "has not published" not in page

    resp = save(browser, url, "research", {"priority_area_id": str(theirs)})
    assert "Choose one of your employer's priority areas" in text(resp)
    assert load(make, app_id(url)).priority_area_id is None
    save_ok(browser, url, "research", {"priority_area_id": str(ours)})
    assert load(make, app_id(url)).priority_area_id == ours
    save_ok(browser, url, "research", {"priority_area_id": "none"})
    assert load(make, app_id(url)).priority_area_id is None


def test_line_manager_and_psw_are_chosen_from_the_employers_people(app, make, browser, world):
    elsewhere = make.org()
    outsider = make.user(Role.LINE_MANAGER, orgs=[elsewhere], name="Outside Manager")
    not_a_psw = make.user(Role.LINE_MANAGER, orgs=[world.employer], name="Another Manager")
    # an applicant who is also a line manager cannot name themselves
    applicant = make.user(
        Role.APPLICANT, Role.LINE_MANAGER, orgs=[world.employer], name="Alex Manager"
    )
    browser.sign_in(applicant.email)
    url = start_ok(browser, world.cohort)
    page = main(browser.get(f"{url}/people"))
    assert "Jordan Lee" in page and "Helen Brooks" in page and "Another Manager" in page
    assert "Outside Manager" not in page and "Alex Manager" not in page

    for data in (
        {"line_manager": str(outsider.id)},
        {"line_manager": str(applicant.id)},
        {"psw": str(not_a_psw.id)},
    ):
        resp = save(browser, url, "people", data)
        assert "from the list" in text(resp)
    assert load(make, app_id(url)).line_manager_id is None
    save_ok(browser, url, "people", people(world))
    saved = load(make, app_id(url))
    assert (saved.line_manager_id, saved.psw_id) == (world.manager.id, world.psw.id)


def test_people_not_yet_registered_can_be_invited(app, make, browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    resp = save_ok(
        browser,
        url,
        "people",
        {
            "line_manager": "invite",
            "line_manager_name": "Sam New",
            "line_manager_email": "Sam.New@Ashworth.example.test",
            "psw": str(world.psw.id),
        },
    )
    page = text(browser.get(resp.headers["Location"]))
    assert "We have emailed an invitation to Sam New" in page
    with app.app_context():
        sam = db.session.scalar(select(User).where(User.email == "sam.new@ashworth.example.test"))
        assert sam.status == UserStatus.INVITED and sam.granted_roles == {Role.LINE_MANAGER}
        assert sam.roles == set()  # until programme staff confirm it
        assert [o.id for o in sam.organisations] == [world.employer.id]
        sam_id = sam.id
    assert load(make, app_id(url)).line_manager_id == sam_id
    assert "invited" in last_email(app, "sam.new@ashworth.example.test").subject
    assert "Alex Morgan has invited you" in last_email(app, "sam.new@ashworth.example.test").body
    # Now they are in the list, marked as invited.
    assert "has not yet set up their account" in text(browser.get(f"{url}/people"))


def test_one_person_invited_as_both_gets_one_account_with_both_roles(app, make, browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    both = {
        "line_manager": "invite",
        "line_manager_name": "Pat Both",
        "line_manager_email": "pat@example.test",
        "psw": "invite",
        "psw_name": "Pat Both",
        "psw_email": "PAT@example.test",
    }
    save_ok(browser, url, "people", both)
    with app.app_context():
        pat = db.session.scalar(select(User).where(User.email == "pat@example.test"))
        assert pat.granted_roles == {Role.LINE_MANAGER, Role.PSW}
        pat_id = pat.id
    saved = load(make, app_id(url))
    assert saved.line_manager_id == saved.psw_id == pat_id


def test_inviting_someone_who_already_has_an_account_is_explained(app, make, browser, world):
    existing = make.user(Role.COACH, email="taken@example.test")
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    users_before = count(app, User)
    resp = save(
        browser,
        url,
        "people",
        {
            "line_manager": str(world.manager.id),
            "psw": "invite",
            "psw_name": "Taken Person",
            "psw_email": existing.email,
        },
    )
    assert resp.status_code == 200
    page = text(resp)
    assert "Someone with this email address already has an account" in page
    assert 'href="#psw_email"' in page
    assert count(app, User) == users_before
    saved = load(make, app_id(url))
    assert saved.line_manager_id is None and saved.psw_id is None  # nothing saved


# --- after submission ---------------------------------------------------------------


def submitted_application(make, w, status="submitted"):
    return make.application(
        w.cohort,
        applicant=w.applicant,
        employer=w.employer,
        psw=w.psw,
        manager=w.manager,
        status=status,
    )


def test_a_submitted_application_cannot_be_edited(app, make, browser, world):
    a = submitted_application(make, world)
    url = f"/applications/{a.id}"
    browser.sign_in(world.applicant.email)
    resp = browser.get(f"{url}/personal")
    assert resp.headers["Location"] == url
    assert "has been submitted, so it cannot be changed" in text(browser.get(url))
    resp = save(browser, url, "personal", {"phone": "01632 960001"}, token_from="/applications/")
    assert resp.status_code == 302
    assert load(make, a.id).phone == "07700 900123"
    psw_mail = emails_to(app, world.psw.email)
    resp = browser.post(f"{url}/check-answers", token_from="/applications/")
    assert resp.status_code == 302 and emails_to(app, world.psw.email) == psw_mail
    assert load(make, a.id).version == 1
    page = text(browser.get(f"{url}/check-answers"))  # read-only
    assert "Your application" in page and "Submit application" not in page
    assert ">Change<" not in page


def test_withdrawing_with_a_reason(app, make, browser, world):
    a = submitted_application(make, world)
    url = f"/applications/{a.id}"
    browser.sign_in(world.applicant.email)
    page = text(browser.get(f"{url}/withdraw"))
    assert "Are you sure you want to withdraw your application?" in page
    resp = browser.post(f"{url}/withdraw", {"reason": "x" * 1001})
    assert resp.status_code == 200 and "1,000 characters or fewer" in text(resp)
    assert load(make, a.id).status == AppStatus.SUBMITTED

    resp = browser.post(f"{url}/withdraw", {"reason": "My team is short-staffed this year."})
    assert resp.headers["Location"] == url
    page = text(browser.get(url))
    assert "has been withdrawn" in page and "Withdrawn" in page
    assert "My team is short-staffed this year." in page[page.index('id="history"') :]
    assert "Withdraw my application" not in page and "Change my application" not in page
    assert load(make, a.id).status == AppStatus.WITHDRAWN
    # ... and they cannot start again for the same cohort
    start(browser, world.cohort)
    assert "already started an application" in text(browser.get("/applications/"))


def test_a_decided_application_cannot_be_withdrawn(make, browser, world):
    a = submitted_application(make, world, status="awarded")
    url = f"/applications/{a.id}"
    browser.sign_in(world.applicant.email)
    assert browser.get(f"{url}/withdraw").headers["Location"] == url
    resp = browser.post(f"{url}/withdraw", {"reason": "no"}, token_from=url)
    assert resp.headers["Location"] == url
    assert load(make, a.id).status == AppStatus.AWARDED
    page = text(browser.get(url))
    assert "awarded, so it cannot be withdrawn" in page
    assert "Message from programme staff" in page and "Thank you" in page
    assert "You have been awarded a place on 2026-27" in text(browser.get("/"))


def test_change_and_resubmit_needs_a_new_sign_off(app, make, browser, world):
    a = submitted_application(make, world, status="endorsed")
    url = f"/applications/{a.id}"
    browser.sign_in(world.applicant.email)
    page = text(browser.get(url))
    assert "Signed off by PSW" in page and "Change my application" in page
    page = text(browser.get(f"{url}/change"))
    assert "will need to sign off your application again" in page
    resp = browser.post(f"{url}/change")
    assert resp.headers["Location"] == url
    assert "back in draft" in text(browser.get(url))
    assert load(make, a.id).status == AppStatus.DRAFT

    new_question = {**RESEARCH, "research_question": "What helps carers at discharge?"}
    save_ok(browser, url, "research", new_question)
    requests_before = emails_to(app, world.psw.email)
    resp = browser.post(f"{url}/check-answers")
    assert resp.headers["Location"] == f"{url}/submitted"
    saved = load(make, a.id)
    assert saved.status == AppStatus.SUBMITTED and saved.version == 2
    assert saved.research_question == "What helps carers at discharge?"
    assert emails_to(app, world.psw.email) == requests_before + 1
    history = text(browser.get(url))
    assert "Returned to draft by the applicant" in history


def test_no_changes_once_the_window_has_closed(app, make, browser, world, monkeypatch):
    a = submitted_application(make, world)
    url = f"/applications/{a.id}"
    monkeypatch.setitem(app.config, "FROZEN_TODAY", after_close(world.cohort))
    browser.sign_in(world.applicant.email)
    page = text(browser.get(url))
    assert "Change my application" not in page
    assert "Applications have closed, so you can no longer change your application" in page
    assert browser.get(f"{url}/change").headers["Location"] == url
    browser.post(f"{url}/change", token_from=url)
    assert load(make, a.id).status == AppStatus.SUBMITTED


def test_late_submission_is_refused_with_the_reason(app, make, browser, world, monkeypatch):
    a = make.application(
        world.cohort,
        applicant=world.applicant,
        employer=world.employer,
        psw=world.psw,
        manager=world.manager,
        status="draft",
    )
    url = f"/applications/{a.id}"
    monkeypatch.setitem(app.config, "FROZEN_TODAY", after_close(world.cohort))
    browser.sign_in(world.applicant.email)
    page = text(browser.get(url))
    assert "This application was not submitted" in page
    assert "Check your answers and submit" not in page
    resp = browser.post(f"{url}/check-answers")
    assert resp.status_code == 200
    assert "Late applications cannot be accepted" in text(resp)
    assert load(make, a.id).status == AppStatus.DRAFT
    assert emails_to(app, world.psw.email) == 0
    assert "was not submitted" in text(browser.get("/"))


def test_the_psws_reason_for_not_endorsing_is_shown(make, browser, world):
    a = submitted_application(make, world, status="psw_declined")
    url = f"/applications/{a.id}"
    browser.sign_in(world.applicant.email)
    page = text(browser.get(url))
    assert "Not endorsed by PSW" in page
    assert "Your Principal Social Worker's reason" in page
    assert "Not a priority this year" in page and "Helen Brooks" in page
    assert "Change my application" in page
    assert "Your PSW did not endorse your application" in text(browser.get("/"))
    browser.post(f"{url}/change")
    assert "Not a priority this year" in text(browser.get(url))  # still there while editing


# --- who may see what --------------------------------------------------------------------


def test_another_applicant_gets_404_and_changes_nothing(app, make, browser, world):
    draft = make.application(world.cohort, status="draft")
    mine = make.user(Role.APPLICANT, orgs=[world.employer])
    browser.sign_in(mine.email)
    url = f"/applications/{draft.id}"
    for path in ("", "/personal", "/check-answers", "/submitted", "/withdraw", "/change"):
        assert browser.get(url + path).status_code == 404, path
    for path, data in (
        ("/personal", {"phone": "01632 960001"}),
        ("/check-answers", {}),
        ("/withdraw", {"reason": "x"}),
        ("/change", {}),
    ):
        resp = browser.post(url + path, data, token_from="/applications/")
        assert resp.status_code == 404, path
    after = load(make, draft.id)
    assert after.status == AppStatus.DRAFT and after.phone == "07700 900123"


def test_an_award_holder_can_reach_their_applications(make, browser):
    holder = make.user(Role.AWARD_HOLDER)
    browser.sign_in(holder.email)
    assert browser.get("/applications/").status_code == 200


def test_unknown_ids_and_section_names_are_not_found(browser, world):
    browser.sign_in(world.applicant.email)
    url = start_ok(browser, world.cohort)
    assert browser.get("/applications/999999").status_code == 404
    assert browser.get("/applications/999999/personal").status_code == 404
    assert browser.get(f"{url}/no-such-section").status_code == 404
    resp = browser.post(f"{url}/status", {"status": "awarded"}, token_from=url)
    assert resp.status_code == 404


def test_other_roles_see_no_application_cards(make, browser, world):
    browser.sign_in(world.psw.email)
    page = text(browser.get("/"))
    assert "Apply to the 2026-27 programme" not in page
    assert "Your applications" not in page
