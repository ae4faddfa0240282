"""Members' text is plain: everything is escaped first, so no HTML, script or remote
image a member types ever reaches the page. Only then are http(s) web addresses made
into links (rel="nofollow noopener", opening in the same tab); anything else that looks
like a link (javascript:, data:) stays as text. Line breaks are kept."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# After escaping, `<`, `>`, `"` and `'` appear as entities; a link stops at one of them,
# at white space, and before trailing punctuation.
URL_RE = re.compile(r"\bhttps?://(?:(?!&(?:lt|gt|quot|#39|#34);)[^\s])+", re.IGNORECASE)
TRAILING = ".,;:!?)"


def _link(match: re.Match) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in TRAILING:
        url, tail = url[:-1], url[-1] + tail
    return f'<a href="{url}" rel="nofollow noopener">{url}</a>{tail}'


def linkify(text: str | None) -> Markup:
    escaped = str(escape(text or ""))
    linked = URL_RE.sub(_link, escaped)
    # Safe: every character a member typed was escaped above; only our <a> and <br> added.
    return Markup(linked.replace("\r\n", "\n").replace("\n", "<br>\n"))  # noqa: S704
