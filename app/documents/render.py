"""Documents to PDF: one helper renders a Jinja template and the print stylesheet to bytes.

WeasyPrint reads whatever a document points at, and its default fetcher opens local
files and follows HTTP redirects. Ours (`StaticOnlyFetcher`) opens only the app's own
static files, read from disk under `app/static/` (the path checked after resolving), and
`data:` URLs; it refuses everything else (`file:`, any network address, so no redirect
is ever followed). What people type reaches a document only as escaped text
(`simple_format` for paragraphs and "- " bullet lines): never as markup or a URL.

WeasyPrint is imported, its FontConfiguration made and the print stylesheet parsed once,
at start-up (`register`, from `create_app`, so gunicorn --preload shares them), never
inside a request. Renders in a process run one at a time on one render thread, and the
rest queue: WeasyPrint's Pango and fontconfig state is not safe to share between threads
(two at once corrupted GLib's memory in bench/documents.py), and under the GIL a second
thread would not render faster anyway. Parallel renders come from processes: gunicorn with
one worker per core renders as many documents at once as there are cores (`CORES`). A
render still waiting or running after `DOCUMENT_RENDER_SECONDS` is given up with a clear
message (a thread cannot be killed: a render already running finishes in the background,
still holding the render thread, so slow documents never take more than their core).
"""

from __future__ import annotations

import mimetypes
import os
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, render_template
from markupsafe import Markup

from app.settings import BASE_DIR

# Documents are rendered with this base: `/static/x.png` in a template is read from disk.
BASE_URL = "https://documents.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
PRINT_CSS = BASE_DIR / "templates" / "documents" / "print.css"
DEFAULT_SECONDS = 20
CORES = os.cpu_count() or 1  # run gunicorn with this many workers: one render per core
RENDER_THREADS = 1  # per process: WeasyPrint shares Pango state (see above)


class RenderError(Exception):
    """The document could not be made; the message is shown to the person asking."""


class _Engine:
    """What is made once per process: the module, fonts, stylesheet and thread pool."""

    weasyprint = None
    fetcher_base = None
    response_class = None
    font_config = None
    stylesheet = None
    pool: ThreadPoolExecutor | None = None
    renders = 0  # how many PDFs this process has made (tests and bench read it)
    version_tag = ""  # WeasyPrint's version and the stylesheet: part of every cache key


ENGINE = _Engine()


def register(app: Flask) -> None:
    """Load WeasyPrint at start-up (about a second), not in the first request."""
    if ENGINE.weasyprint is None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        ENGINE.weasyprint = weasyprint
        ENGINE.fetcher_base = URLFetcher
        ENGINE.response_class = URLFetcherResponse
        ENGINE.font_config = FontConfiguration()
        css = PRINT_CSS.read_text(encoding="utf-8")
        ENGINE.version_tag = f"weasyprint {weasyprint.__version__}\n{css}"
        ENGINE.stylesheet = weasyprint.CSS(
            string=css,
            base_url=BASE_URL,
            url_fetcher=_fetcher_class()(Path(app.static_folder)),
            font_config=ENGINE.font_config,
        )
        ENGINE.pool = ThreadPoolExecutor(max_workers=RENDER_THREADS, thread_name_prefix="pdf")
    app.jinja_env.filters["simple_format"] = simple_format


_FETCHER_CLASS = None


def _fetcher_class():
    """A fresh fetcher per render: WeasyPrint's keeps per-request state."""
    global _FETCHER_CLASS
    if _FETCHER_CLASS is None:

        class StaticOnlyFetcher(ENGINE.fetcher_base):
            def __init__(self, static_root: Path | None):
                super().__init__(
                    allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False
                )
                self.static_root = (static_root or BASE_DIR / "app" / "static").resolve()

            def fetch(self, url, headers=None):
                return fetch_allowed(self, url, headers)

        _FETCHER_CLASS = StaticOnlyFetcher
    return _FETCHER_CLASS


def fetch_allowed(fetcher, url: str, headers=None):
    """The one decision: a `data:` URL, or a file under the app's static folder."""
    if url.lower().startswith("data:"):
        return ENGINE.fetcher_base.fetch(fetcher, url, headers)  # decoded, nothing opened
    path = static_path(fetcher.static_root, url)
    if path is None:
        raise ValueError(f"Documents may not fetch {url[:100]}")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return ENGINE.response_class(url, path.read_bytes(), {"Content-Type": content_type}, status=200)


def static_path(static_root: Path, url: str) -> Path | None:
    """The file `url` names under `static_root`, or None when it names anything else."""
    if not url.startswith(STATIC_PREFIX):
        return None
    parts = urlsplit(url)
    relative = unquote(parts.path).removeprefix("/static/")
    if not relative or "\x00" in relative:
        return None
    path = (static_root / relative).resolve()
    if not path.is_relative_to(static_root) or not path.is_file():
        return None
    return path


def simple_format(text: str | None) -> Markup:
    """Plain text as escaped HTML: blank lines part paragraphs, lines starting "- " are a
    bulleted list. Nothing typed becomes markup, a link or an address to fetch."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    out: list[Markup] = []
    for block in blocks:
        items: list[Markup] = []
        para: list[str] = []
        for line in (line.strip() for line in block.split("\n")):
            if not line:
                continue
            if line.startswith("- "):
                if para:
                    out.append(Markup("<p>{}</p>").format(Markup("<br>").join(para)))
                    para = []
                items.append(Markup("<li>{}</li>").format(line[2:].strip()))
            else:
                if items:
                    out.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
                    items = []
                para.append(line)
        if items:
            out.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
        if para:
            out.append(Markup("<p>{}</p>").format(Markup("<br>").join(para)))
    return Markup("").join(out)


def _write(html: str, static_root: Path) -> bytes:
    fetcher = _fetcher_class()(static_root)
    document = ENGINE.weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    data = document.write_pdf(stylesheets=[ENGINE.stylesheet], font_config=ENGINE.font_config)
    ENGINE.renders += 1
    return data


def html_to_pdf(html: str, seconds: float | None = None) -> bytes:
    """PDF bytes for `html` (already escaped by Jinja), with the print stylesheet."""
    if ENGINE.pool is None:
        raise RuntimeError("documents.render.register(app) was not called at start-up")
    limit = seconds or current_app.config.get("DOCUMENT_RENDER_SECONDS") or DEFAULT_SECONDS
    future = ENGINE.pool.submit(_write, html, Path(current_app.static_folder).resolve())
    try:
        return future.result(timeout=limit)
    except FuturesTimeout:
        future.cancel()  # still queued: never started
        raise RenderError(
            f"The document took longer than {limit:g} seconds to make, so we stopped. "
            "Try again in a few minutes; if it happens again, tell programme staff."
        )


def render_pdf(template: str, **context) -> bytes:
    """Render `templates/<template>` with `context` and return the PDF bytes."""
    return html_to_pdf(render_template(template, **context))
