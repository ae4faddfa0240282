"""The weekly workspace digest: one plain-text email per member and community listing the
week's new posts (not their own, not hidden), through the outbox. Members opt out on
"What others see of me". The outbox is the record: a member emailed a digest for a
community in the last six days is not emailed again, so running the job twice (or a
day late) sends nothing twice. `flask communities send-digests` runs it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import click
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.communities.blueprint import bp
from app.communities.models import Community, CommunityMember, MemberStatus, Post
from app.core.db import utcnow
from app.core.mail import OutboxMessage, external_url, queue_email
from app.extensions import db

TEMPLATE = "community_digest"
WEEK = timedelta(days=7)
AGAIN_AFTER = timedelta(days=6)


def _subject(community: Community) -> str:
    return f"This week in {community.name}"


def send_digests(now: datetime | None = None) -> int:
    """Queue this week's digests; returns how many. The caller commits."""
    now = now or utcnow()
    posts: dict[int, list[Post]] = defaultdict(list)
    for p in db.session.scalars(
        select(Post)
        .where(Post.parent_id.is_(None), Post.hidden_at.is_(None), Post.created_at >= now - WEEK)
        .options(joinedload(Post.author).joinedload(CommunityMember.user))
        .order_by(Post.created_at, Post.id)
    ):
        posts[p.community_id].append(p)
    if not posts:
        return 0
    sent = {
        (user_id, subject)
        for user_id, subject in db.session.execute(
            select(OutboxMessage.to_user_id, OutboxMessage.subject).where(
                OutboxMessage.template == TEMPLATE,
                OutboxMessage.created_at >= now - AGAIN_AFTER,
            )
        )
    }
    n = 0
    for m in db.session.scalars(
        select(CommunityMember)
        .where(
            CommunityMember.community_id.in_(list(posts)),
            CommunityMember.status == MemberStatus.MEMBER,
            CommunityMember.digest.is_(True),
        )
        .options(joinedload(CommunityMember.user), joinedload(CommunityMember.community))
        .order_by(CommunityMember.id)
    ):
        theirs = [p for p in posts[m.community_id] if p.author_id != m.id]
        subject = _subject(m.community)
        if not theirs or (m.user_id, subject) in sent or not m.user.is_active:
            continue
        queue_email(
            m.user.email,
            subject,
            TEMPLATE,
            user=m.user,
            community=m.community,
            posts=[
                (p, external_url("communities.post", community_id=p.community_id, post_id=p.id))
                for p in theirs
            ],
            settings_url=external_url("communities.profile", community_id=m.community_id),
        )
        n += 1
    return n


@bp.cli.command("send-digests")
def send_digests_command() -> None:
    """Queue the weekly workspace digests (run once a week, for example on Monday)."""
    n = send_digests()
    db.session.commit()
    click.echo(f"{n} workspace digest{'' if n == 1 else 's'} queued.")
