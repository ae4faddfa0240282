"""Output pages: the award holder uploads versions and submits them; the supervisor and
programme staff give feedback; the line manager reads. Someone else's output is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.awards.models import Award, AwardOutput
from app.awards.services import latest_award
from app.core import storage
from app.core.access import get_or_404, roles
from app.core.clock import today
from app.core.forms import ActionForm
from app.core.mail import deliver_pending
from app.core.roles import Role
from app.extensions import db
from app.outputs import policy, services
from app.outputs.blueprint import bp
from app.outputs.forms import ConsentForm, FeedbackForm, UploadForm
from app.outputs.models import Decision, OutputFeedback, OutputVersion
from app.outputs.services import OutputError

READERS = (Role.STAFF, Role.AWARD_HOLDER, Role.LINE_MANAGER, Role.SUPERVISOR)


def _me():
    return current_user._get_current_object()


def award_or_404(award_id: int) -> Award:
    me = _me()
    return get_or_404(
        Award,
        award_id,
        lambda a: policy.can_view(me, a),
        options=[joinedload(Award.cohort), joinedload(Award.holder)],
    )


def output_or_404(output_id: int) -> AwardOutput:
    me = _me()
    return get_or_404(
        AwardOutput,
        output_id,
        lambda o: policy.can_view(me, o.award),
        options=[joinedload(AwardOutput.award).joinedload(Award.cohort)],
    )


@bp.route("/")
@roles(Role.AWARD_HOLDER)
def mine():
    award = latest_award(_me().id)
    if award is None:
        return render_template("outputs/no_award.html")
    return redirect(url_for("outputs.award", award_id=award.id))


@bp.route("/awards/<int:award_id>")
@roles(*READERS)
def award(award_id: int):
    a = award_or_404(award_id)
    return render_template(
        "outputs/award.html",
        award=a,
        today=today(),
        is_holder=policy.is_holder(_me(), a),
        blockers=services.completion_blockers(a) if a.completed_at is None else [],
        staff=_me().has_role(Role.STAFF),
        action_form=ActionForm(),
    )


def _render_output(o: AwardOutput, upload_form=None, feedback_form=None, status=200):
    me = _me()
    versions = services.versions_of(o)
    feedback = list(
        db.session.scalars(
            select(OutputFeedback)
            .where(OutputFeedback.output_id == o.id)
            .options(joinedload(OutputFeedback.author), joinedload(OutputFeedback.version))
            .order_by(OutputFeedback.id.desc())
        )
    )
    if feedback_form is None and versions:
        feedback_form = FeedbackForm(data={"version_id": versions[0].id})
    return (
        render_template(
            "outputs/output.html",
            output=o,
            award=o.award,
            versions=versions,
            feedback=feedback,
            history=services.due_history(o),
            guidance=services.guidance_for(o),
            today=today(),
            upload_form=upload_form or UploadForm(),
            feedback_form=feedback_form,
            action_form=ActionForm(),
            can_upload=policy.can_upload(me, o),
            can_submit=policy.can_submit(me, o) and bool(versions),
            can_feedback=policy.can_give_feedback(me, o.award) and bool(versions),
            can_extend=policy.can_extend(me),
            can_consent=policy.can_consent(me, o),
            accept=services.ACCEPT,
        ),
        status,
    )


@bp.route("/<int:output_id>")
@roles(*READERS)
def output(output_id: int):
    return _render_output(output_or_404(output_id))


@bp.route("/<int:output_id>/versions", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def upload(output_id: int):
    o = output_or_404(output_id)
    if not policy.is_holder(_me(), o.award):
        abort(404)
    form = UploadForm()
    file = request.files.get("upload")
    if form.validate_on_submit():
        if file is None or not file.filename:
            form.add_error("upload", "Select a file to upload")
        else:
            try:
                data = file.read(services.max_bytes() + 1)
                version = services.add_version(o, _me(), data, file.filename, file.mimetype)
                db.session.commit()
            except (OutputError, storage.StorageError) as exc:
                db.session.rollback()
                form.add_error("upload", str(exc))
            else:
                flash(
                    f"Version {version.number} uploaded. Submit it when it is ready for feedback.",
                    "success",
                )
                return redirect(url_for("outputs.output", output_id=o.id))
    db.session.rollback()
    return _render_output(output_or_404(output_id), upload_form=form, status=400)


@bp.route("/<int:output_id>/submit", methods=["POST"])
@roles(Role.AWARD_HOLDER)
def submit(output_id: int):
    o = output_or_404(output_id)
    if not policy.is_holder(_me(), o.award):
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            services.submit(o, _me())
            db.session.commit()
        except OutputError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(
                "Submitted. Your supervisor and programme staff are asked for feedback.", "success"
            )
    return redirect(url_for("outputs.output", output_id=output_id))


@bp.route("/<int:output_id>/feedback", methods=["POST"])
@roles(Role.STAFF, Role.SUPERVISOR)
def feedback(output_id: int):
    o = output_or_404(output_id)
    if not policy.can_give_feedback(_me(), o.award):
        abort(404)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            version_id = int(form.version_id.data) if form.version_id.data else None
        except ValueError:
            version_id = -1
        try:
            fb = services.give_feedback(
                o, _me(), Decision(form.decision.data), form.comment.data or "", version_id
            )
            completed = fb.decision == Decision.ACCEPT and o.award.completed_at is not None
            db.session.commit()
        except OutputError as exc:
            db.session.rollback()
            form.add_error(exc.field or "decision", str(exc))
        else:
            deliver_pending()
            message = {
                Decision.ACCEPT: "Accepted. The award holder has been emailed.",
                Decision.CHANGES: "Changes requested. The award holder has been emailed.",
                Decision.COMMENT: "Comment sent to the award holder.",
            }[fb.decision]
            if completed:
                message += " Every output is accepted: the award holder is complete."
            flash(message, "success")
            return redirect(url_for("outputs.output", output_id=output_id))
    db.session.rollback()
    return _render_output(output_or_404(output_id), feedback_form=form, status=400)


@bp.route("/versions/<int:version_id>/file")
@roles(*READERS)
def version_file(version_id: int):
    me = _me()
    v = get_or_404(
        OutputVersion,
        version_id,
        lambda x: policy.can_view(me, x.output.award),
        options=[joinedload(OutputVersion.file)],
    )
    return storage.download(v.file, v.filename)


@bp.route("/<int:output_id>/showcase", methods=["GET", "POST"])
@roles(Role.AWARD_HOLDER)
def consent(output_id: int):
    o = output_or_404(output_id)
    if not policy.can_consent(_me(), o):
        abort(404)
    form = ConsentForm(
        data={
            "share": "yes" if o.showcase_consent else ("no" if o.consent_changed_at else None),
            "contact": "yes" if o.contact_consent else "no",
            "title": o.title,
            "topic": o.topic,
        }
    )
    if form.validate_on_submit():
        share = form.share.data == "yes"
        try:
            services.set_consent(
                o,
                _me(),
                showcase=share,
                contact=form.contact.data == "yes",
                title=(form.title.data or "").strip(),
                topic=(form.topic.data or "").strip(),
            )
            db.session.commit()
        except OutputError as exc:
            db.session.rollback()
            form.add_error(exc.field, str(exc))
        else:
            if not share:
                flash("You are no longer sharing this output: it has left the showcase.", "success")
            elif o.status.value == "accepted":
                flash("Shared: your output is in the showcase.", "success")
            else:
                flash("Thank you: your output joins the showcase once it is accepted.", "success")
            return redirect(url_for("outputs.output", output_id=o.id))
    return render_template("outputs/consent.html", form=form, output=o)
