"""Priority setting: a facilitator opens a round, members propose topics and vote (one
vote per topic per member, held by a unique constraint under parallel requests), the
facilitator closes it, and the ranked results can start a new community."""

from __future__ import annotations

from sqlalchemy import func, select

from app.communities.models import (
    Community,
    CommunityMember,
    PriorityRound,
    PriorityTopic,
    PriorityVote,
    RoundStatus,
)
from app.communities.services import (
    BODY_MAX,
    Changed,
    CommunityError,
    _text,
    create_community,
    insert_once,
)
from app.core import audit, state
from app.core.db import utcnow
from app.extensions import db


def open_round(community: Community, actor, title: str) -> PriorityRound:
    r = PriorityRound(
        community_id=community.id,
        title=_text(title, "a title for the round", "title", 200),
        status=RoundStatus.OPEN,
    )
    db.session.add(r)
    db.session.flush()
    audit.record("communities.round_opened", r, actor=actor, summary=r.title)
    return r


def _open(r: PriorityRound) -> None:
    if r.status != RoundStatus.OPEN:
        raise Changed("This round has closed: the results are final.")


def propose(r: PriorityRound, member: CommunityMember, title: str, description: str):
    _open(r)
    topic = PriorityTopic(
        round_id=r.id,
        title=_text(title, "the topic", "title", 200),
        description=_text(description, "why it matters", "description", BODY_MAX, False),
        proposed_by_id=member.id,
    )
    insert_once(
        topic, CommunityError("This topic has already been proposed in this round", "title")
    )
    audit.record("communities.topic_proposed", topic, actor=member.user, summary=topic.title)
    return topic


def vote(topic: PriorityTopic, member: CommunityMember) -> PriorityVote:
    """One vote per topic per member. A second vote (a double click, twenty tabs at
    once) is refused by the database's unique constraint and changes nothing."""
    _open(topic.round)
    v = PriorityVote(topic_id=topic.id, member_id=member.id)
    insert_once(v, Changed("You have already voted for this topic."))
    audit.record("communities.voted", v, actor=member.user, summary=topic.title[:300])
    return v


def close_round(r: PriorityRound, actor) -> None:
    state.claim(r, RoundStatus.OPEN, lambda r: Changed("This round was already closed."))
    r.status, r.closed_at = RoundStatus.CLOSED, utcnow()
    audit.record(
        "communities.round_closed",
        r,
        actor=actor,
        changes={"status": [RoundStatus.OPEN, RoundStatus.CLOSED]},
        summary=r.title,
    )
    db.session.flush()


def results(r: PriorityRound) -> list[tuple[PriorityTopic, int]]:
    """Topics with their votes, most first (ties by the order proposed)."""
    votes = func.count(PriorityVote.id)
    rows = db.session.execute(
        select(PriorityTopic, votes)
        .outerjoin(PriorityVote, PriorityVote.topic_id == PriorityTopic.id)
        .where(PriorityTopic.round_id == r.id)
        .group_by(PriorityTopic.id)
        .order_by(votes.desc(), PriorityTopic.id)
    )
    return [(t, n) for t, n in rows]


def my_votes(r: PriorityRound, member: CommunityMember) -> set[int]:
    return set(
        db.session.scalars(
            select(PriorityVote.topic_id)
            .join(PriorityTopic, PriorityTopic.id == PriorityVote.topic_id)
            .where(PriorityTopic.round_id == r.id, PriorityVote.member_id == member.id)
        )
    )


def start_community(topic: PriorityTopic, actor, name: str, description: str, rules: str):
    """Staff start a community from a closed round's topic, once."""
    if topic.round.status != RoundStatus.CLOSED:
        raise CommunityError("Close the round before starting a community from it.", "name")
    state.claim(
        topic,
        [None],
        lambda t: Changed("A community was already started from this topic."),
        attr="new_community_id",
    )
    community = create_community(actor, name, topic.title, description, rules)
    topic.new_community_id = community.id
    db.session.flush()
    return community
