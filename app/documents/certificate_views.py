"""The certificate of completion, for award holders marked complete
(`app.outputs.services.mark_complete` sets `Award.completed_at`). Made once per content,
like every document."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.awards.models import Award
from app.core import storage
from app.core.access import get_or_404, roles
from app.documents import policy
from app.documents.agreement_views import VIEWERS
from app.documents.blueprint import bp
from app.documents.cache import pdf_for
from app.documents.handbook_views import preparing
from app.documents.render import RenderError


def certificate_html(award: Award) -> str:
    return render_template("documents/pdf/certificate.html", award=award, cohort=award.cohort)


@bp.route("/certificates/<int:award_id>.pdf")
@roles(*VIEWERS)
def certificate_pdf(award_id: int):
    me = current_user._get_current_object()
    award = get_or_404(
        Award,
        award_id,
        lambda a: policy.can_view_agreement(me, a),
        options=[joinedload(Award.holder), joinedload(Award.cohort), joinedload(Award.employer)],
    )
    if award.completed_at is None:
        abort(404)  # no certificate until programme staff mark the award holder complete
    filename = f"certificate-{award.id}.pdf"
    try:
        stored = pdf_for(certificate_html(award), filename)
    except RenderError as exc:
        back = url_for("documents.index")
        return render_template("documents/failed.html", message=str(exc), back=back), 503
    if stored is None:
        again = url_for("documents.certificate_pdf", award_id=award_id)
        return preparing("Certificate of completion", again)
    return storage.download(stored, filename)
