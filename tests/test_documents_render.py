"""The PDF helper: real text in the PDF, the print stylesheet, a fetcher that reads only
the app's own static files and data: URLs, escaping, the time limit and the start-up load."""

from __future__ import annotations

import io
import sys
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents import render

HOSTILE = ("file:///etc/passwd", "http://127.0.0.1:1/x")
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for, and what the fetcher answered."""
    calls: list[tuple[str, str]] = []
    real = render.fetch_allowed

    def spy(fetcher, url, headers=None):
        try:
            response = real(fetcher, url, headers)
        except Exception as exc:
            calls.append((url, f"refused: {exc}"))
            raise
        calls.append((url, "fetched"))
        return response

    monkeypatch.setattr(render, "fetch_allowed", spy)
    return calls


def _doc(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"


def test_weasyprint_is_loaded_at_start_up_not_in_a_request(app):
    assert "weasyprint" in sys.modules
    assert render.ENGINE.font_config is not None and render.ENGINE.pool is not None


def test_the_pdf_holds_real_text_a_running_header_and_page_numbers(app):
    with app.test_request_context():
        data = render.html_to_pdf(
            _doc("<h1>Learning agreement</h1>" + "<p>Study days are protected.</p>" * 120)
        )
    text = pdf_text(data)
    assert data.startswith(b"%PDF-")
    assert "Study days are protected." in text
    assert pages(data) >= 2
    assert "Page 1 of" in text and f"Page {pages(data)} of {pages(data)}" in text
    # the running header repeats the title on the second page
    second = PdfReader(io.BytesIO(data)).pages[1].extract_text()
    assert "Learning agreement" in second


@pytest.mark.parametrize("url", HOSTILE)
def test_the_fetcher_refuses_local_files_and_network_addresses(app, url, fetched):
    html = _doc(
        f'<h1>Refused</h1><img src="{url}" alt="x">'
        f'<link rel="stylesheet" href="{url}">'
        f"<style>@import url({url}); p {{ background: url({url}) }}</style>"
        f'<link rel="attachment" href="{url}"><a rel="attachment" href="{url}">a</a>'
        "<p>body</p>"
    )
    with app.test_request_context():
        data = render.html_to_pdf(html)
    assert fetched, "WeasyPrint asked for nothing: the test shows nothing"
    assert all(a.startswith("refused: Documents may not fetch") for _u, a in fetched), fetched
    assert {u for u, _a in fetched} == {url}
    assert b"root:x:0:0" not in data and "root:" not in pdf_text(data)
    assert b"/EmbeddedFile" not in data  # no attachment made of the file


@pytest.mark.parametrize(
    "url",
    [
        "https://documents.invalid/static/../../../../etc/passwd",
        "https://documents.invalid/static/%2e%2e/%2e%2e/pyproject.toml",
        "https://documents.invalid/static/",
        "https://documents.invalid/other/app.css",
        "https://example.org/static/app.css",
        "FILE:///etc/passwd",
        "ftp://127.0.0.1/x",
    ],
)
def test_paths_out_of_the_static_folder_are_refused(app, url):
    root = Path(app.static_folder).resolve()
    assert render.static_path(root, url) is None


def test_the_apps_own_static_files_and_data_urls_are_read(app, fetched):
    html = _doc(
        '<h1>Allowed</h1><img src="/static/app.css" alt=""><img src="' + PIXEL + '" alt="">'
    )
    with app.test_request_context():
        render.html_to_pdf(html)
    assert ("https://documents.invalid/static/app.css", "fetched") in fetched
    assert (PIXEL, "fetched") in fetched


def test_what_people_type_is_escaped_and_never_a_link_or_a_fetch(app, fetched):
    typed = "\n".join(
        [
            '<img src="file:///etc/passwd">',
            '<link rel="stylesheet" href="http://127.0.0.1:1/x">',
            "<style>p { background: url(file:///etc/passwd) }</style>",
            '<a href="http://127.0.0.1:1/x">link</a><script>alert(1)</script>',
            "",
            "- first point",
            "- second & third",
        ]
    )
    markup = str(render.simple_format(typed))
    assert "<img" not in markup and "<script" not in markup and "<a " not in markup
    assert "<ul><li>first point</li><li>second &amp; third</li></ul>" in markup
    with app.test_request_context():
        data = render.html_to_pdf(_doc(f"<h1>Typed</h1>{markup}"))
    assert fetched == []
    text = pdf_text(data)
    assert 'src="file:///etc/passwd"' in text.replace("\n", "")
    assert "second & third" in text


def test_simple_format_paragraphs_and_bullets():
    out = str(render.simple_format("One\nline two\n\n- a\n-b\n\nLast"))
    assert out == "<p>One<br>line two</p><ul><li>a</li></ul><p>-b</p><p>Last</p>"
    assert str(render.simple_format("")) == ""
    assert str(render.simple_format(None)) == ""


def test_a_render_past_the_time_limit_stops_with_a_clear_message(app, monkeypatch):
    release = threading.Event()

    def slow(html, root):
        release.wait(5)
        return b"%PDF-late"

    monkeypatch.setattr(render, "_write", slow)
    with app.test_request_context():
        started = time.monotonic()
        with pytest.raises(render.RenderError, match="took longer than 0.2 seconds"):
            render.html_to_pdf(_doc("<p>x</p>"), seconds=0.2)
        assert time.monotonic() - started < 2
    release.set()


def test_renders_in_a_process_run_one_at_a_time_and_the_rest_queue(app, monkeypatch):
    running = 0
    most = 0
    lock = threading.Lock()

    def counted(html, root):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return b"%PDF-"

    monkeypatch.setattr(render, "_write", counted)

    def one():
        with app.test_request_context():
            render.html_to_pdf(_doc("<p>x</p>"))

    threads = [threading.Thread(target=one) for _ in range(render.CORES * 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == render.RENDER_THREADS == 1
