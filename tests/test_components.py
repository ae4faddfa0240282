"""The cached NHS.UK components give exactly the macros' HTML, and never mix up entries."""

from __future__ import annotations

from markupsafe import Markup

from app.core.components import Components


def _macro_html(app, template: str, name: str, params: dict) -> str:
    with app.app_context():
        return str(getattr(app.jinja_env.get_template(template).module, name)(params))


def test_same_html_as_the_macro(app):
    nhsuk = Components(app.jinja_env)
    params = {"text": "At risk", "colour": "red"}
    direct = _macro_html(app, "nhsuk/components/tag/macro.jinja", "tag", params)
    with app.app_context():
        first, second = nhsuk.tag(params), nhsuk.tag(dict(params))
    assert str(first) == direct == str(second)
    assert isinstance(first, Markup) and len(nhsuk) == 1


def test_text_is_escaped_and_html_is_not_confused_with_text(app):
    nhsuk = Components(app.jinja_env)
    with app.app_context():
        as_text = str(nhsuk.tag({"text": "<b>x</b>"}))
        as_html = str(nhsuk.tag({"text": Markup("<b>x</b>")}))
    assert "&lt;b&gt;x&lt;/b&gt;" in as_text and "<b>" not in as_text
    assert "<b>x</b>" in as_html


def test_kebab_case_templates_and_bounded_size(app):
    nhsuk = Components(app.jinja_env, max_entries=3)
    with app.app_context():
        back = str(nhsuk.backLink({"href": "/x", "text": "Back"}))
        for i in range(10):
            nhsuk.tag({"text": f"Tag {i}"})
    assert 'href="/x"' in back and "nhsuk-back-link" in back
    assert len(nhsuk) == 3


def test_one_header_link_is_current(app, make, browser):
    """Someone with two roles in the release part of the service sees one current link."""
    from app.core.roles import Role

    user = make.user(Role.STAFF, Role.LINE_MANAGER)
    browser.sign_in(user.email)
    html = browser.get("/release/at-risk").get_data(as_text=True)
    assert html.count('aria-current="page"') == 1


def test_warning_callout_heading_has_no_invalid_role(app):
    """nhsuk-frontend's `<span role="text">` is not valid HTML: the role goes, the
    visually hidden "Important: " stays, and the heading level is the caller's."""
    nhsuk = Components(app.jinja_env)
    with app.app_context():
        html = str(nhsuk.warningCallout({"heading": "Keep it private", "headingLevel": 2}))
    assert 'role="text"' not in html
    assert '<span class="nhsuk-u-visually-hidden">Important: </span>Keep it private' in html
    assert "<h2" in html


def test_a_form_field_with_a_value_is_never_kept(app):
    """Blank fields are cached; one holding what someone typed is drawn afresh, so answers
    are not kept in the worker's memory (nor fill the cache one entry per answer)."""
    nhsuk = Components(app.jinja_env)
    field = {"id": "note", "name": "note", "label": {"text": "Note"}}
    date = {"id": "on", "namePrefix": "on", "items": [{"name": "day", "value": "15"}]}
    with app.app_context():
        blank = str(nhsuk.field("input", {**field, "value": ""}))
        assert len(nhsuk) == 1
        typed = str(nhsuk.field("input", {**field, "value": "My own words"}))
        nhsuk.field("textarea", {**field, "value": "More of them"})
        day = str(nhsuk.field("dateInput", date))
    assert len(nhsuk) == 1
    assert 'value="My own words"' in typed and "My own words" not in blank
    assert typed == _macro_html(
        app, "nhsuk/components/input/macro.jinja", "input", {**field, "value": "My own words"}
    )
    assert 'value="15"' in day
