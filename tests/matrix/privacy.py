"""Access matrix: data protection (issue 20). The privacy notice is public; everyone
downloads their own copy; programme staff act for anyone (a copy, erasure, retention)."""

from __future__ import annotations

from tests.matrix import ALL, STAFF, Page

PAGES = {
    "privacy.notice": Page("/privacy/notice", None),
    "privacy.my_data": Page("/privacy/your-data", ALL),
    "privacy.index": Page("/privacy/requests", STAFF),
    "privacy.person": Page("/privacy/people/{privacy_user_id}", STAFF),
    "privacy.erase": Page("/privacy/people/{privacy_user_id}/erase", STAFF),
}

ACTIONS = {
    "privacy.my_data_download": ALL,
    "privacy.settings": STAFF,
    "privacy.person_download": STAFF,
}


def records(make, app) -> dict:
    return {"privacy_user_id": make.user(name="Pat Privacy").id}
