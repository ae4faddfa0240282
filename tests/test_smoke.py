from app.core.roles import Role


def test_sign_in_reaches_home(browser, make):
    user = make.user(Role.STAFF, email="staff@example.test")
    browser.sign_in(user.email)
    page = browser.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Hello, " + user.name in html
    assert "Audit log" in html


def test_healthz(browser):
    assert browser.get("/healthz").status_code == 200
