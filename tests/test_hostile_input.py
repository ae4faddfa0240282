"""Hostile input gets a clear answer, never a 500, on SQLite and PostgreSQL.

PostgreSQL refuses a NUL byte in text and an integer past 2**31 - 1; SQLite stores the
first and overflows past 2**63 - 1. The tests walk the URL map (every GET route with
huge ids and hostile query parameters) and every form on every page of the access
matrix (tests/matrix), signed in as a role that reaches it, plus the forms only a
record's owner sees; each posts a NUL byte, a huge number and an over-long string into
every field. None may answer 500, and no control character may reach the database.
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from sqlalchemy import String, Text, select

from app.accounts.models import User
from app.applications.sections import SECTIONS
from app.core.params import INT_MAX
from app.core.roles import Role
from app.extensions import db
from app.release.forms import APPROVE, DECLINE
from tests.matrix import ALL, all_pages, all_records

NUL = "Bad\x00input\x01here"
HUGE = str(2**70)  # past SQLite's 2**63 - 1 too
BIG_IDS = (INT_MAX + 1, 2**63, 2**70)
LONG = "x" * 20_000
# What the app's GET forms and links send (each view reads some of these).
QUERY_NAMES = (
    "q", "to", "status", "action", "object_type", "object_id", "actor", "from", "page",
    "kind", "role", "unconfirmed", "employer", "service_area", "sign_off", "sort", "dir",
    "population", "cohort", "at_risk", "days", "next",
)  # fmt: skip
_seq = itertools.count(1)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Forms(HTMLParser):
    """The POST forms of a page: [{action, fields: {name: [value, ...]}}]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = None
            if a.get("method", "get").lower() == "post":
                self._form = {"action": a.get("action", ""), "fields": {}}
                self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select and self._select_first is None:
                self._select_first = a.get("value", "")
            return
        fields, name = self._form["fields"], a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                if kind == "submit":
                    fields.setdefault(name, [a.get("value", "1")])
                return
            if kind in ("radio", "checkbox"):
                if "checked" in a or name not in fields:
                    fields[name] = [a.get("value", "on")]
                return
            fields[name] = [a.get("value", "")]
        elif tag == "textarea":
            fields[name], self._textarea = [""], name
        elif tag == "select":
            self._select, self._select_first = name, None
        elif tag == "button" and a.get("type", "submit") == "submit":
            fields.setdefault(name, [a.get("value", "")])

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] = [data]

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select:
            self._form["fields"].setdefault(self._select, [self._select_first or ""])
            self._select = None
        elif tag == "form":
            self._form = None


def post_forms(browser) -> list[dict]:
    parser = Forms()
    parser.feed(browser.page)
    return [
        f
        for f in parser.forms
        if "sign-out" not in f["action"] and set(f["fields"]) - {"csrf_token"}
    ]


def _get(browser, url):
    resp = browser.get(url)
    # downloads (a receipt, an Excel workbook) hold no forms and need not be text
    browser.page = resp.get_data(as_text=True) if resp.mimetype.startswith("text/") else ""
    return resp


def _plausible(name: str) -> str:
    """A value that passes its field's checks, for a field the page leaves empty (so a
    post can reach the database with only the field under test bad)."""
    for part, value in (("-day", "15"), ("-month", "6"), ("-year", "2030"), ("time", "10:00")):
        if name.endswith(part) or part == name[-4:]:
            return value
    if "email" in name:
        return f"hostile-{next(_seq)}@example.test"
    if "password" in name:
        return "correct-horse-battery-staple"
    return "12"  # as good a name as a number


def fuzz_forms(browser, url: str, failures: list[str]) -> int:
    """For every field of every POST form on `url`, one at a time (the others keep the
    page's values, so the post can get past the other fields' checks): post a NUL byte,
    a huge number and an over-long string; record any 500. Returns the number of posts."""
    posts = 0
    if _get(browser, url).status_code != 200:
        return posts
    forms = post_forms(browser)
    for index in range(len(forms)):
        form = forms[index]
        for name in [n for n in form["fields"] if n != "csrf_token"]:
            for bad in (NUL, HUGE, LONG):
                data = {k: v[0] or _plausible(k) for k, v in form["fields"].items()}
                data[name] = bad
                target = form["action"] or url
                resp = browser.client.post(target, data=data)
                posts += 1
                if resp.status_code >= 500:
                    failures.append(f"POST {target} {name}={bad[:12]!r}...: {resp.status_code}")
                if resp.status_code in (301, 302, 303):  # saved: carry on from the new state
                    if _get(browser, url).status_code != 200:
                        return posts
                    forms = post_forms(browser)
                    if index >= len(forms):
                        return posts
                    form = forms[index]
    return posts


def assert_no_control_characters_stored(app) -> None:
    with app.app_context():
        found = []
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String | Text):
                    rows = db.session.execute(select(column).where(column.is_not(None))).scalars()
                    found += [
                        f"{table.name}.{column.name}"
                        for value in rows
                        if isinstance(value, str) and CONTROL.search(value)
                    ]
        assert not found, f"control characters stored in {sorted(set(found))}"


def _email(make, user_id: int) -> str:
    return make.reload(User, user_id).email


@pytest.fixture
def records(make, app):
    return all_records(make, app)


def _browser_for(allowed, not_found_for, make, browser_factory, cache):
    """A browser signed in as a role that reaches the page (staff when it may)."""
    if allowed is None:
        role = None
    else:
        usable = [
            r for r in (allowed if allowed != ALL else {Role.STAFF}) if r not in not_found_for
        ]
        if not usable:
            return None
        role = Role.STAFF if Role.STAFF in usable else sorted(usable, key=lambda r: r.value)[0]
    if role not in cache:
        b = browser_factory()
        if role is not None:
            b.sign_in(make.user(role).email)
        cache[role] = b
    return cache[role]


def test_ids_past_an_integer_column_are_404(app, make, browser_factory):
    """Every GET route with an <int:...> part, signed out and signed in with every role."""
    signed_in = browser_factory()
    signed_in.sign_in(make.user(*Role).email)
    routes = [r for r in app.url_map.iter_rules() if "GET" in r.methods and "<int:" in r.rule]
    assert len(routes) > 10
    failures = []
    for rule in routes:
        ints = re.findall(r"<int:(\w+)>", rule.rule)
        for name in ints:
            for big in BIG_IDS:
                values = {n: (big if n == name else 1) for n in rule.arguments}
                url = "/" + rule.rule.lstrip("/")
                for n, v in values.items():
                    url = re.sub(rf"<(?:[^:>]+:)?{n}>", str(v), url)
                for who, b in (("signed out", browser_factory()), ("signed in", signed_in)):
                    status = b.get(url).status_code
                    if status != 404:
                        failures.append(f"{who} GET {url}: {status}")
    assert not failures, "\n".join(failures)


def test_hostile_query_parameters_never_give_a_500(app, make, browser_factory, records):
    pages = all_pages()
    cache: dict = {}
    failures = []
    string_args = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static"):
            continue
        page = pages.get(rule.endpoint)
        if page is None:
            string_args.append(rule)
            continue
        b = _browser_for(page.allowed, page.not_found_for, make, browser_factory, cache)
        if b is None:
            continue
        url = page.url.format(**records)
        for bad in (NUL, HUGE, "-1", LONG[:3000]):
            query = urlencode({name: bad for name in QUERY_NAMES})
            status = b.get(f"{url}?{query}").status_code
            if status >= 500:
                failures.append(f"GET {url}?...={bad[:12]!r}: {status}")
    # Routes whose parts are strings (tokens, scopes): a NUL in the path itself.
    for rule in string_args:
        url = re.sub(r"<(?:int:)?[^>]+>", "a%00b", rule.rule)
        for b in (browser_factory(), *cache.values()):
            status = b.get(url).status_code
            if status >= 500:
                failures.append(f"GET {url}: {status}")
    assert not failures, "\n".join(failures)


def test_hostile_form_posts_never_give_a_500(app, make, browser_factory, records):
    """Every form on every page of the access matrix, as a role that reaches it."""
    cache: dict = {}
    failures: list[str] = []
    posts = 0
    for page in all_pages().values():
        b = _browser_for(page.allowed, page.not_found_for, make, browser_factory, cache)
        if b is not None:
            posts += fuzz_forms(b, page.url.format(**records), failures)
    assert posts > 30  # the walk really found forms
    assert not failures, "\n".join(failures)
    assert_no_control_characters_stored(app)


def test_hostile_posts_to_forms_only_an_owner_sees(app, make, browser_factory):
    """Application sections, withdrawal and sign-off; a ledger's request, cancel and
    confirm pages; the manager's approvals (a huge day id)."""
    failures: list[str] = []
    employer = make.org()
    draft = make.application(make.cohort(), employer=employer)
    applicant = browser_factory()
    applicant.sign_in(_email(make, draft.applicant_id))
    urls = [f"/applications/{draft.id}/{s.slug}" for s in SECTIONS]
    urls += [f"/applications/{draft.id}/withdraw", f"/applications/{draft.id}/check-answers"]
    for url in urls:
        fuzz_forms(applicant, url, failures)

    submitted = make.application(make.cohort(), status="submitted")
    psw = browser_factory()
    psw.sign_in(_email(make, submitted.psw_id))
    fuzz_forms(psw, f"/applications/{submitted.id}/sign-off", failures)

    award = make.award(cohort=make.running_cohort())
    holder = browser_factory()
    holder.sign_in(_email(make, award.holder_id))
    for url in (f"/release/awards/{award.id}/request", "/release/", "/release/calendar"):
        fuzz_forms(holder, url, failures)
    manager = browser_factory()
    manager.sign_in(_email(make, award.line_manager_id))
    for url in ("/release/approvals", "/release/delegations"):
        fuzz_forms(manager, url, failures)
    for days in (HUGE, str(INT_MAX + 1), "-1", NUL):
        for action in (APPROVE, DECLINE):
            resp = manager.post(
                "/release/approvals", {"days": days, "action": action, "reason": NUL}
            )
            if resp.status_code >= 500:
                failures.append(f"POST /release/approvals days={days[:12]!r}: 500")
    assert not failures, "\n".join(failures)
    assert_no_control_characters_stored(app)


# The boundary's rules at their edges -------------------------------------------------


def test_get_or_404_refuses_ids_an_integer_column_cannot_hold(app, make):
    from werkzeug.exceptions import NotFound

    from app.core.access import get_or_404

    user = make.user()
    with app.test_request_context():
        assert get_or_404(User, user.id).id == user.id
        for ident in (INT_MAX + 1, 2**70, 0, -1, "x\x00"):
            with pytest.raises(NotFound):
                get_or_404(User, ident)


def test_arg_int_keeps_only_what_a_column_holds(app):
    from app.core.params import arg_int, arg_str

    cases = {
        str(INT_MAX): INT_MAX,
        str(INT_MAX + 1): None,
        HUGE: None,
        "0": None,
        "1": 1,
        "-1": None,
        "1e3": None,
        " 7": None,
        "\u0663": None,
    }
    for raw, expected in cases.items():
        with app.test_request_context("/?" + urlencode({"n": raw})):
            assert arg_int("n") == expected, raw
    with app.test_request_context("/?" + urlencode({"q": " a\x00b\tc\x7f ", "long": LONG})):
        assert arg_str("q") == "ab c"
        assert len(arg_str("long", 100)) == 100


def test_the_form_base_cleans_text_and_refuses_numbers_past_an_integer(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField

    from app.core.forms import BaseForm

    class Sample(BaseForm):
        class Meta:
            csrf = False

        line = StringField("Name")
        text = TextAreaField("Notes")
        number = IntegerField("Number")
        picks = SelectMultipleField("Days", coerce=int, validate_choice=False)

    with app.test_request_context(method="POST"):
        ok = Sample(
            MultiDict(
                [("line", "A\x00b\nc\td"), ("text", "One\x00\r\ntwo\tthree\x1b"),
                 ("number", str(INT_MAX)), ("picks", "1"), ("picks", str(INT_MAX))]
            )
        )  # fmt: skip
        assert ok.validate(), ok.errors
        assert ok.line.data == "Ab c d"
        assert ok.text.data == "One\r\ntwo\tthree"
        assert ok.number.data == INT_MAX and ok.picks.data == [1, INT_MAX]

        too_big = Sample(MultiDict([("number", str(INT_MAX + 1)), ("picks", HUGE)]))
        assert not too_big.validate()
        assert too_big.number.errors == [f"Number must be {INT_MAX:,} or less"]
        assert too_big.number.data is None
        assert too_big.picks.errors == ["Select one of the options for days"]
        assert too_big.picks.data == []
        too_small = Sample(MultiDict([("number", str(-(2**31) - 1))]))
        assert not too_small.validate()
        assert too_small.number.errors == [f"Number must be {-(2**31):,} or more"]
