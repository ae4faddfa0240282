"""Server-side pagination: one COUNT and one page of rows, never a whole table.

Where counting would cost more than the page (the audit log: hundreds of thousands of
rows), `paginate(..., count=False)` skips the COUNT and reads one row past the page to
know whether there is a next one; `total` is then None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from app.extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int | None  # None: not counted
    more: bool = False  # uncounted pages: is there a next page?

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        if self.total is None:
            return self.more
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        if not self.items:
            return 0
        return (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def parse_page(value: Any) -> int:
    try:
        return max(1, min(int(value), 100000))
    except (TypeError, ValueError):
        return 1


def paginate(
    stmt: Select,
    page: int,
    per_page: int,
    scalars: bool = True,
    count: bool = True,
    count_stmt: Select | None = None,
    total: int | None = None,
) -> Page:
    """`count_stmt`: a cheaper COUNT than wrapping `stmt` (which may carry joins and
    per-row subqueries that do not change the number of rows). `total`: the count, when
    the page already knows it from figures it shows anyway (no COUNT is run)."""
    if total is not None:
        count_stmt = None
    elif count:
        counted = count_stmt
        if counted is None:
            counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        total = db.session.scalar(counted) or 0
    limit = per_page if count else per_page + 1
    result = db.session.execute(stmt.limit(limit).offset((page - 1) * per_page))
    items = list(result.scalars().unique()) if scalars else list(result)
    more = len(items) > per_page
    return Page(items=items[:per_page], page=page, per_page=per_page, total=total, more=more)
