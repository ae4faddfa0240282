"""Community services: start a community, new ground rules, ask to join (accepting the
rules' version), a facilitator's decision, leaving, what a member shows, facilitators,
and the workspace (posts, replies, files, hiding a post). Each validates, writes one
audit entry and flushes; the view commits, then the outbox sends."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.communities.models import (
    Background,
    Community,
    CommunityMember,
    GroundRules,
    MemberStatus,
    Post,
    PostKind,
)
from app.core import audit, state, storage
from app.core.db import utcnow
from app.core.mail import external_url, queue_email
from app.core.state import Conflict
from app.extensions import db

BODY_MAX = 5000
REASON_MAX = 500
FILE_TYPES = (*storage.KINDS, storage.DOCX)


class CommunityError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Changed(CommunityError, Conflict):
    pass


def _text(value: str, label: str, field: str, maximum: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise CommunityError(f"Enter {label}", field)
    if len(value) > maximum:
        raise CommunityError(
            f"{label[0].upper()}{label[1:]} must be {maximum:,} characters or fewer", field
        )
    return value


def insert_once(obj, refusal: CommunityError, add: bool = True) -> None:
    """Flush `obj` in a savepoint: when a unique constraint says it exists already (a
    double click, parallel requests), only the savepoint is undone and `refusal` raised."""
    try:
        with db.session.begin_nested():
            if add:
                db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        raise refusal from None


# --- communities and ground rules ------------------------------------------------------


def create_community(actor, name: str, theme: str, description: str, rules: str) -> Community:
    name = _text(name, "the community's name", "name", 120)
    if db.session.scalar(select(func.count()).where(func.lower(Community.name) == name.lower())):
        raise CommunityError("There is already a community with this name", "name")
    community = Community(
        name=name,
        theme=_text(theme, "the theme", "theme", 200),
        description=_text(description, "a description", "description", BODY_MAX),
        rules_version=1,
        created_by_id=actor.id,
    )
    insert_once(community, CommunityError("There is already a community with this name", "name"))
    db.session.add(
        GroundRules(
            community_id=community.id,
            version=1,
            text=_text(rules, "the ground rules", "rules", BODY_MAX),
            created_by_id=actor.id,
        )
    )
    db.session.flush()
    audit.record(
        "communities.created", community, actor=actor, summary=f"Community {community.name}"
    )
    return community


def new_rules(community: Community, actor, text: str) -> GroundRules:
    """A new version of the ground rules. Members who accepted an earlier one are asked to
    read the new one; people asking to join accept this one."""
    text = _text(text, "the ground rules", "rules", BODY_MAX)
    state.lock(community)
    old = community.rules_version
    community.rules_version = old + 1
    rules = GroundRules(
        community_id=community.id, version=old + 1, text=text, created_by_id=actor.id
    )
    db.session.add(rules)
    db.session.flush()
    audit.record(
        "communities.rules_changed",
        community,
        actor=actor,
        changes={"rules_version": [old, old + 1]},
        summary=f"Ground rules of {community.name}, version {old + 1}",
    )
    return rules


# --- membership --------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    background: Background
    role_text: str = ""
    organisation_text: str = ""
    show_name: bool = True
    show_role: bool = True
    show_organisation: bool = False
    digest: bool = True


def _apply(m: CommunityMember, p: Profile) -> None:
    m.background = p.background
    m.role_text = _text(p.role_text, "your role", "role_text", 120, required=False)
    m.organisation_text = _text(
        p.organisation_text, "your organisation", "organisation_text", 200, required=False
    )
    m.show_name, m.show_role = p.show_name, p.show_role
    m.show_organisation, m.digest = p.show_organisation, p.digest


def ask_to_join(
    community: Community, user, profile: Profile, accepted: bool, rules_version: int
) -> CommunityMember:
    """Anyone signed in, with or without an employer. Accepting the ground rules is part
    of asking; the version read is recorded (if the rules changed while the person was
    reading, they are asked to read them again)."""
    if not accepted:
        raise CommunityError("Confirm that you accept the ground rules", "accept")
    if rules_version != community.rules_version:
        raise CommunityError(
            "The ground rules changed while you were reading them. Read the new version "
            "and confirm again.",
            "accept",
        )
    m = db.session.scalar(
        select(CommunityMember)
        .where(CommunityMember.community_id == community.id, CommunityMember.user_id == user.id)
        .with_for_update()
    )
    before = m.status if m is not None else None
    if m is not None and m.status == MemberStatus.MEMBER:
        raise Changed("You are already a member of this community.")
    if m is not None and m.status == MemberStatus.REQUESTED:
        raise Changed("You have already asked to join. A facilitator will decide soon.")
    new = m is None
    if new:
        m = CommunityMember(community_id=community.id, user_id=user.id)
    _apply(m, profile)
    m.status = MemberStatus.REQUESTED
    m.facilitator = False
    m.rules_version = community.rules_version
    m.rules_accepted_at = utcnow()
    m.requested_at = utcnow()
    m.decided_at = m.decided_by_id = m.left_at = None
    insert_once(
        m, Changed("You have already asked to join. A facilitator will decide soon."), add=new
    )
    audit.record(
        "communities.join_requested",
        m,
        actor=user,
        changes={
            "status": [before, MemberStatus.REQUESTED],
            "rules_version": [None, m.rules_version],
            "background": [None, m.background],
        },
        summary=f"Asked to join {community.name}",
    )
    return m


def _refuse(m: CommunityMember) -> Changed:
    return Changed(f"This request was already decided: {m.status.label.lower()}.")


def decide(m: CommunityMember, actor, approve: bool) -> CommunityMember:
    """A facilitator approves or declines a request to join, once."""
    state.claim(m, MemberStatus.REQUESTED, _refuse)
    new = MemberStatus.MEMBER if approve else MemberStatus.DECLINED
    m.status, m.decided_at, m.decided_by_id = new, utcnow(), actor.id
    audit.record(
        "communities.member_approved" if approve else "communities.member_declined",
        m,
        actor=actor,
        changes={"status": [MemberStatus.REQUESTED, new]},
        summary=f"{m.user.name}, {m.community.name}",
    )
    db.session.flush()
    queue_email(
        m.user.email,
        f"Your request to join {m.community.name}",
        "community_decision",
        user=m.user,
        member=m,
        approved=approve,
        url=external_url("communities.community", community_id=m.community_id),
    )
    return m


def leave(m: CommunityMember, user) -> CommunityMember:
    """A member leaves (or withdraws a request) at any time; their posts stay, shown as
    from a former member."""
    before = state.claim(
        m,
        (MemberStatus.MEMBER, MemberStatus.REQUESTED),
        lambda m: Changed("You are not a member of this community any more."),
    )
    m.status, m.facilitator, m.left_at = MemberStatus.LEFT, False, utcnow()
    audit.record(
        "communities.left",
        m,
        actor=user,
        changes={"status": [before, MemberStatus.LEFT]},
        summary=f"Left {m.community.name}",
    )
    db.session.flush()
    return m


def update_profile(m: CommunityMember, user, profile: Profile) -> None:
    before = _profile_dict(m)
    _apply(m, profile)
    audit.record(
        "communities.profile_changed",
        m,
        actor=user,
        changes=audit.diff(before, _profile_dict(m)),
        summary=f"What others see in {m.community.name}",
    )
    db.session.flush()


def _profile_dict(m: CommunityMember) -> dict:
    return {
        k: getattr(m, k)
        for k in (
            "background",
            "role_text",
            "organisation_text",
            "show_name",
            "show_role",
            "show_organisation",
            "digest",
        )
    }


def accept_rules(m: CommunityMember, user, version: int) -> None:
    """A member accepts the current ground rules after they changed."""
    if version != m.community.rules_version:
        raise CommunityError("The ground rules changed again. Read the new version.", "accept")
    old = m.rules_version
    m.rules_version, m.rules_accepted_at = version, utcnow()
    audit.record(
        "communities.rules_accepted",
        m,
        actor=user,
        changes={"rules_version": [old, version]},
        summary=f"Ground rules of {m.community.name}",
    )
    db.session.flush()


def set_facilitator(m: CommunityMember, actor, on: bool) -> None:
    state.claim(m, MemberStatus.MEMBER, lambda m: Changed("Only a member can be a facilitator."))
    if m.facilitator == on:
        return
    m.facilitator = on
    audit.record(
        "communities.facilitator_added" if on else "communities.facilitator_removed",
        m,
        actor=actor,
        changes={"facilitator": [not on, on]},
        summary=f"{m.user.name}, {m.community.name}",
    )
    db.session.flush()


def members_of(community: Community, status: MemberStatus = MemberStatus.MEMBER):
    return list(
        db.session.scalars(
            select(CommunityMember)
            .where(CommunityMember.community_id == community.id, CommunityMember.status == status)
            .options(joinedload(CommunityMember.user))
            .order_by(CommunityMember.facilitator.desc(), CommunityMember.requested_at)
        )
    )


# --- workspace ---------------------------------------------------------------------------


def add_post(
    community: Community,
    member: CommunityMember,
    body: str,
    kind: PostKind | None = None,
    title: str = "",
    parent: Post | None = None,
    file: bytes | None = None,
    filename: str = "",
) -> Post:
    """A post (kind and title) or a reply (parent). Text is kept as typed: it is escaped
    when shown, never stored as HTML."""
    body = _text(body, "your message" if parent is None else "your reply", "body", BODY_MAX)
    if parent is None:
        if kind is None:
            raise CommunityError("Select what kind of post this is", "kind")
        title = _text(title, "a title", "title", 200)
    elif parent.hidden_at is not None or parent.parent_id is not None:
        raise CommunityError("You cannot reply to this post.", "body")
    stored = None
    if file is not None:
        try:
            stored = storage.put(file, filename, allowed=FILE_TYPES)
        except storage.StorageError as exc:
            raise CommunityError(str(exc), "upload") from exc
    post = Post(
        community_id=community.id,
        parent_id=parent.id if parent else None,
        author_id=member.id,
        kind=kind if parent is None else None,
        title=title if parent is None else "",
        body=body,
        file=stored,
        filename=storage.display_name(filename, stored) if stored else None,
    )
    db.session.add(post)
    db.session.flush()
    audit.record(
        "communities.replied" if parent else "communities.posted",
        post,
        actor=member.user,
        summary=f"{community.name}: {post.title or 'reply to post ' + str(parent.id)}"[:300],
    )
    return post


def hide_post(post: Post, actor, reason: str) -> Post:
    """A facilitator hides a post or reply that breaks the ground rules; the reason is
    kept in the audit log. Hiding twice at once hides it once."""
    reason = _text(reason, "the reason for hiding it", "reason", REASON_MAX)
    state.claim(post, [None], lambda p: Changed("This post was already hidden."), attr="hidden_at")
    post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), actor.id, reason
    audit.record(
        "communities.post_hidden",
        post,
        actor=actor,
        changes={"hidden": [False, True], "reason": [None, reason]},
        summary=f"Post {post.id} hidden: {reason}"[:300],
    )
    db.session.flush()
    return post
