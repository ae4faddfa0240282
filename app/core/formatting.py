"""Display helpers: times in Europe/London, money from integer pence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def to_london(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    """'3 March 2025 at 2:05pm' in London time."""
    if value is None:
        return ""
    local = to_london(value)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value).date()
    return f"{value.day} {value:%B %Y}"


def format_pence(pence: int | None) -> str:
    """Integer pence to '£1,234.56'. Never goes through a float."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, p = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{p:02d}"


def parse_pounds(text: str) -> int:
    """'£1,234.5' -> 123450 pence. Raises ValueError with a plain message."""
    cleaned = text.strip().replace("£", "").replace(",", "")
    if not cleaned:
        raise ValueError("Enter an amount")
    neg = cleaned.startswith("-")
    if neg:
        cleaned = cleaned[1:]
    whole, _, frac = cleaned.partition(".")
    if not whole.isdigit() and not (whole == "" and frac):
        raise ValueError("Enter an amount in pounds and pence, like 12.50")
    if frac and (not frac.isdigit() or len(frac) > 2):
        raise ValueError("Enter an amount in pounds and pence, like 12.50")
    pence = int(whole or "0") * 100 + int((frac or "0").ljust(2, "0"))
    return -pence if neg else pence


def format_number(value: float) -> str:
    """12.0 -> '12', 12.5 -> '12.5' (day counts). A filter, not a macro: it runs per cell."""
    return f"{value:g}"


def register_filters(app) -> None:
    app.jinja_env.filters["num"] = format_number
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["pence"] = format_pence
