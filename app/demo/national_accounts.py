"""The national data set's sign-in history (issue 21): for every active person who has
signed in, the browsers they use (one or two known devices, stored as a token hash as
the app does) and their sign-ins over the last 90 days, ending at `last_sign_in_at`.
What the daily retention purge would already have removed is left out: sign-ins older
than the SHORT period, and devices not used within it. National accounts are generated,
so they sign in with a password alone outside production (`demo_account`).

Its own random generator, so the families before and after it make the data they made
before."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from app.accounts.models import KnownDevice, SignInEvent, SignInMethod
from app.privacy.declare import Retention
from app.privacy.retention import DEFAULT_DAYS

BROWSERS = (
    "Edge on Windows",
    "Chrome on Windows",
    "Safari on iPhone",
    "Chrome on Android",
    "Safari on Mac",
)
SIGN_INS = (1, 8)  # per person over the last 90 days
TWO_DEVICES = 0.3


def add_sign_ins(b) -> None:
    rng = random.Random(b.seed + 21)  # noqa: S311 - test data
    devices: list[dict] = []
    events: list[dict] = []
    for user in b.users:
        last = user.get("last_sign_in_at")
        if last is None:
            continue
        browsers = rng.sample(BROWSERS, 2 if rng.random() < TWO_DEVICES else 1)
        first_seen = max(user["created_at"], last - timedelta(days=90))
        for n, browser in enumerate(browsers):
            token = hashlib.sha256(f"national-{user['id']}-{n}".encode()).hexdigest()
            devices.append(
                {
                    "user_id": user["id"],
                    "token_hash": token,
                    "browser": browser,
                    "created_at": first_seen,
                    "last_seen_at": last,
                }
            )
        times = sorted(
            first_seen + (last - first_seen) * rng.random()
            for _ in range(rng.randint(*SIGN_INS) - 1)
        )
        for i, at in enumerate([*times, last]):
            events.append(
                {
                    "user_id": user["id"],
                    "at": at,
                    "method": SignInMethod.PASSWORD,
                    "address": f"192.0.2.{rng.randint(1, 254)}",
                    "browser": rng.choice(browsers),
                    "new_device": i == 0,
                }
            )
    # a deployment runs the purge daily: nothing past the period is left (the random
    # draws above are made all the same, so the families after this make what they made)
    kept_from = b.now - timedelta(days=DEFAULT_DAYS[Retention.SHORT])
    devices = [d for d in devices if d["last_seen_at"] >= kept_from]
    events = [e for e in events if e["at"] >= kept_from]
    b.assign_ids(KnownDevice.__table__, devices)
    b.insert(KnownDevice.__table__, devices)
    b.assign_ids(SignInEvent.__table__, events)
    b.insert(SignInEvent.__table__, events)
