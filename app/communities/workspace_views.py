"""The shared workspace (members only): posts with replies and files; facilitators hide
a post that breaks the ground rules, with a reason kept in the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.communities import services
from app.communities.blueprint import bp
from app.communities.forms import HideForm, PostForm, ReplyForm
from app.communities.loading import FAILED, attempt, facilitator_or_404, me, member_or_404
from app.communities.models import CommunityMember, Post, PostKind
from app.core import storage
from app.core.access import get_or_404, signed_in
from app.core.pagination import paginate, parse_page
from app.extensions import db

PER_PAGE = 20
# a post's author and their name, joined; not their roles (a query of its own per page)
_AUTHOR = joinedload(Post.author).joinedload(CommunityMember.user).lazyload(User.role_links)


@bp.route("/<int:community_id>/workspace", methods=["GET", "POST"])
@signed_in
def workspace(community_id: int):
    c, m = member_or_404(community_id)
    form = PostForm()
    if form.validate_on_submit():
        file = request.files.get("upload")
        data = file.read(storage.max_bytes() + 1) if file and file.filename else None
        post = attempt(
            lambda: services.add_post(
                c,
                m,
                form.body.data,
                PostKind(form.kind.data),
                form.title.data,
                file=data,
                filename=file.filename if data is not None else "",
            ),
            form=form,
        )
        if post is not FAILED:
            flash("Posted to the workspace.", "success")
            return redirect(url_for("communities.post", community_id=c.id, post_id=post.id))
    kind = request.args.get("kind", "")
    kind = kind if kind in {k.value for k in PostKind} else ""
    reply = aliased(Post)
    replies = (
        select(func.count(reply.id))
        .where(reply.parent_id == Post.id, reply.hidden_at.is_(None))
        .scalar_subquery()
    )
    # each post with its number of replies in the same statement
    stmt = (
        select(Post, replies)
        .where(Post.community_id == c.id, Post.parent_id.is_(None))
        .options(_AUTHOR)
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    count = select(func.count()).where(Post.community_id == c.id, Post.parent_id.is_(None))
    if kind:
        stmt = stmt.where(Post.kind == PostKind(kind))
        count = count.where(Post.kind == PostKind(kind))
    page = paginate(
        stmt, parse_page(request.args.get("page")), PER_PAGE, scalars=False, count_stmt=count
    )
    counts = {p.id: n for p, n in page.items}
    page.items = [p for p, _n in page.items]
    return render_template(
        "communities/workspace.html",
        community=c,
        me_member=m,
        page=page,
        counts=counts,
        form=form,
        kind=kind,
        kinds=list(PostKind),
    ), (400 if request.method == "POST" else 200)


def _post_or_404(community_id: int, post_id: int):
    c, m = member_or_404(community_id)
    post = get_or_404(
        Post,
        post_id,
        lambda p: p.community_id == c.id and p.parent_id is None,
        options=[_AUTHOR],
    )
    return c, m, post


@bp.route("/<int:community_id>/posts/<int:post_id>", methods=["GET", "POST"])
@signed_in
def post(community_id: int, post_id: int):
    c, m, p = _post_or_404(community_id, post_id)
    form = ReplyForm()
    if form.validate_on_submit():
        result = attempt(lambda: services.add_post(c, m, form.body.data, parent=p), form=form)
        if result is not FAILED:
            flash("Reply posted.", "success")
            return redirect(url_for("communities.post", community_id=c.id, post_id=p.id))
    replies = list(
        db.session.scalars(
            select(Post)
            .where(Post.parent_id == p.id)
            .options(_AUTHOR)
            .order_by(Post.created_at, Post.id)
        )
    )
    return render_template(
        "communities/post.html",
        community=c,
        me_member=m,
        post=p,
        replies=replies,
        form=form,
        hide_form=HideForm(),
    ), (400 if request.method == "POST" else 200)


@bp.route("/<int:community_id>/posts/<int:post_id>/hide", methods=["POST"])
@signed_in
def hide(community_id: int, post_id: int):
    c, _f = facilitator_or_404(community_id)
    p = get_or_404(Post, post_id, lambda x: x.community_id == c.id)
    form = HideForm()
    top = p.parent_id or p.id
    if form.validate_on_submit():
        attempt(
            lambda: services.hide_post(p, me(), form.reason.data),
            "Hidden. The reason is kept in the audit log.",
        )
    else:
        flash(next(iter(form.reason.errors), "Enter the reason for hiding it"), "error")
    return redirect(url_for("communities.post", community_id=c.id, post_id=top))


@bp.route("/<int:community_id>/posts/<int:post_id>/file")
@signed_in
def post_file(community_id: int, post_id: int):
    c, _m = member_or_404(community_id)
    p = get_or_404(
        Post,
        post_id,
        lambda x: x.community_id == c.id and x.file_id is not None and x.hidden_at is None,
        options=[joinedload(Post.file)],
    )
    if p.file is None:
        abort(404)
    return storage.download(p.file, p.filename)
