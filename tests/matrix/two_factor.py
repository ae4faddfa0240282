"""Access matrix: two-factor sign-in, recent sign-ins (issue 21)."""

from __future__ import annotations

from tests.matrix import ALL, STAFF, Page

PAGES = {
    "accounts.two_factor": Page("/account/two-factor", ALL),
    "accounts.two_factor_set_up": Page("/account/two-factor/set-up", ALL),
    "accounts.recent_sign_ins": Page("/account/sign-ins", ALL),
}

ACTIONS = {
    # the second step of sign-in: reached only with a right password in this session
    # (anyone else is sent back to sign in); tests/test_two_factor.py
    "accounts.two_factor_code": None,
    "accounts.two_factor_recovery": None,
    # only once two-factor sign-in is on (otherwise back to its page); password asked
    "accounts.two_factor_recovery_codes": ALL,
    "accounts.two_factor_turn_off": ALL,
    "accounts.reset_two_factor": STAFF,
}
