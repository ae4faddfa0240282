# ruff: noqa: E501  (expected email texts are long lines, as sent)
"""Every email template, rendered with real-looking data (apostrophes, ampersands, angle
brackets, several days in a list), reads exactly as expected: paragraphs apart, one
list item a line, names as typed (never `&#39;`).

A new template fails `test_every_template_has_an_expected_text` until a case is
added here."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace as NS

import pytest
from flask import render_template

from app.settings import BASE_DIR

PERSON = "Siobhán O'Neill & Co"
MANAGER = "Mary D'Arcy & Partner"
PSW = "Pádraig O'Brien"
STAFF = "Programme & Co's team"
SUPERVISOR = "Dr Aoife O'Connor"
COHORT = NS(name="Brent & Harrow's <2026>", release_days=36, residential_days=6, study_days=30)
URL = "https://prp.example.nhs.uk/x/1"
FOOTER = (
    "\n--\nSocial Care Practitioner Researcher Development Programme\n"
    "This email was sent by an automated service. Please do not reply to it.\n"
)


def _app(**extra):
    return NS(
        applicant=NS(name=PERSON),
        cohort=COHORT,
        psw=NS(name=PSW),
        line_manager=NS(name=MANAGER),
        current_role="Practice lead & educator",
        team="Children's assessment team",
        research_question="What's the effect of <early help> & family support?",
        employer=NS(name="Brent & Harrow"),
        **extra,
    )


def _days(*days, **fields):
    return [NS(day=date(2026, 6, d), **fields) for d in days]


HOLDER = NS(name=PERSON)
AWARD = NS(holder=HOLDER, line_manager=NS(name=MANAGER), cohort=COHORT)
ITEM = dict(description="O'Reilly's methods & tools", amount_pence=2_550)

# (case name, template, context)
CASES = [
    (
        "awarded",
        "application_decision",
        dict(
            app=_app(), outcome=NS(value="awarded"), message="We're delighted & can't wait", url=URL
        ),
    ),
    (
        "waitlisted",
        "application_decision",
        dict(app=_app(), outcome=NS(value="waitlisted"), message="", url=URL),
    ),
    ("submitted", "application_submitted", dict(app=_app(), url=URL)),
    ("confirm", "confirm_email", dict(name=PERSON, url=URL)),
    (
        "handbook",
        "documents_managers_handbook",
        dict(person=NS(name=MANAGER), holder=HOLDER, cohort=COHORT, role="line manager", link=URL),
    ),
    (
        "agreement",
        "documents_sign_agreement",
        dict(person=NS(name=MANAGER), holder=HOLDER, link=URL),
    ),
    (
        "invitation",
        "invitation",
        dict(name=MANAGER, inviter=STAFF, roles=["Line manager", "PSW"], url=URL, days=14),
    ),
    ("line manager told", "line_manager_told", dict(manager=NS(name=MANAGER), app=_app())),
    (
        "rejected",
        "money_decided",
        dict(
            holder=HOLDER,
            actor=NS(name=STAFF),
            url=URL,
            item=NS(
                status=NS(value="rejected"),
                rejection_reason="It isn't research spending & can't be paid",
                **ITEM,
            ),
        ),
    ),
    (
        "approved",
        "money_decided",
        dict(
            holder=HOLDER,
            actor=NS(name=STAFF),
            url=URL,
            item=NS(status=NS(value="approved"), **ITEM),
        ),
    ),
    (
        "paid",
        "money_decided",
        dict(
            holder=HOLDER,
            actor=NS(name=STAFF),
            url=URL,
            item=NS(
                status=NS(value="paid"),
                payment_method=NS(value="direct"),
                payment_reference="PO-O'NEILL-1",
                **ITEM,
            ),
        ),
    ),
    (
        "feedback",
        "output_feedback",
        dict(
            holder=HOLDER,
            actor=NS(name=SUPERVISOR),
            url=URL,
            version=NS(number=2),
            output=NS(kind=NS(label="Poster")),
            feedback=NS(
                decision=NS(value="changes"),
                comment="Say who's included & why.\nThen shorten the methods.",
            ),
        ),
    ),
    (
        "accepted",
        "output_feedback",
        dict(
            holder=HOLDER,
            actor=NS(name=SUPERVISOR),
            url=URL,
            version=NS(number=3),
            output=NS(kind=NS(label="Report")),
            feedback=NS(decision=NS(value="accept"), comment=""),
        ),
    ),
    ("password changed", "password_changed", dict(name=PERSON, reset_url=URL)),
    ("password reset", "password_reset", dict(name=PERSON, url=URL)),
    (
        "presentation invitation",
        "presentation_invitation",
        dict(
            invitee=NS(name=PSW),
            cohort=COHORT,
            day=date(2027, 6, 10),
            about=f"{PERSON}'s Principal Social Worker",
            url=URL,
        ),
    ),
    (
        "presentation programme",
        "presentation_programme",
        dict(invitee=NS(name=PSW), cohort=COHORT, day=date(2027, 6, 10), url=URL),
    ),
    (
        "presentation reply",
        "presentation_reply",
        dict(
            invitee=NS(name=PSW),
            cohort=COHORT,
            day=date(2027, 6, 10),
            answer=NS(value="attending"),
            url=URL,
        ),
    ),
    (
        "withdrawn, waiting",
        "psw_application_withdrawn",
        dict(psw=NS(name=PSW), app=_app(), reason="I've moved to a new role & team", waiting=True),
    ),
    (
        "withdrawn, signed",
        "psw_application_withdrawn",
        dict(psw=NS(name=PSW), app=_app(), reason="", waiting=False),
    ),
    (
        "endorsed",
        "psw_decision",
        dict(app=_app(), psw=NS(name=PSW), endorsed=True, reason="", url=URL),
    ),
    (
        "declined",
        "psw_decision",
        dict(app=_app(), psw=NS(name=PSW), endorsed=False, reason="Not this year & sorry", url=URL),
    ),
    ("sign-off request", "psw_sign_off_request", dict(psw=NS(name=PSW), app=_app(), url=URL)),
    ("register existing", "register_existing", dict(name=PERSON, sign_in_url=URL, reset_url=URL)),
    (
        "cancelled",
        "release_cancelled",
        dict(
            user=NS(name=PERSON),
            actor=NS(name=MANAGER),
            award=AWARD,
            row=_days(11, reason="Cover's fallen through & sorry")[0],
            url=URL,
        ),
    ),
    (
        "decided",
        "release_decided",
        dict(
            user=NS(name=PERSON),
            actor=NS(name=MANAGER),
            award=AWARD,
            rows=[
                *_days(10, status=NS(label="Declined"), reason="We're short & busy"),
                *_days(11, 12, status=NS(label="Approved"), reason=""),
            ],
            url=URL,
        ),
    ),
    (
        "requested",
        "release_requested",
        dict(
            award=AWARD,
            rows=[
                *_days(
                    10,
                    11,
                    half_days=2,
                    retrospective=False,
                    note="I'll be at the library & archive",
                ),
                *_days(12, half_days=1, retrospective=True, note=""),
            ],
            url=URL,
        ),
    ),
    (
        "requested, no note",
        "release_requested",
        dict(award=AWARD, rows=_days(10, half_days=2, retrospective=False, note=""), url=URL),
    ),
    (
        "study days pending",
        "reminder_study_days_pending",
        dict(
            award=AWARD,
            since=date(2026, 6, 8),
            rows=[*_days(22, half_days=2), *_days(23, half_days=1)],
            url=URL,
        ),
    ),
    (
        "allocated",
        "supervision_allocated",
        dict(
            recipient=NS(id=7, name=SUPERVISOR),
            before=None,
            award=AWARD,
            url=URL,
            allocation=NS(
                user=NS(name=SUPERVISOR),
                user_id=7,
                kind=NS(label="Academic supervisor"),
                started_on=date(2026, 6, 1),
                reason="",
            ),
        ),
    ),
    (
        "replaced",
        "supervision_allocated",
        dict(
            recipient=NS(id=1, name=PERSON),
            before=NS(user=NS(name="Dr Ben & Co")),
            award=AWARD,
            url=URL,
            allocation=NS(
                user=NS(name=SUPERVISOR),
                user_id=7,
                kind=NS(label="Academic supervisor"),
                started_on=date(2026, 6, 1),
                reason="Dr Ben's long-term leave",
            ),
        ),
    ),
    (
        "ended",
        "supervision_ended",
        dict(
            allocation=NS(
                user=NS(name="Dr Ben & Co"),
                ended_on=date(2026, 6, 1),
                kind=NS(label="Academic supervisor"),
            ),
            successor=NS(name=SUPERVISOR),
            award=AWARD,
        ),
    ),
    (
        "impact suggested",
        "impact_suggested",
        dict(
            holder=HOLDER,
            actor=NS(name=MANAGER),
            entry=NS(
                category=NS(label="Practice tool or guidance"),
                occurred_on=date(2026, 3, 2),
                reach=NS(label="Other authorities"),
                description="The O'Neill & Co tool for <early help> meetings",
            ),
            url=URL,
        ),
    ),
    (
        "impact confirmed",
        "impact_decided",
        dict(
            suggester=NS(name=SUPERVISOR),
            holder=HOLDER,
            confirmed=True,
            entry=NS(
                category=NS(label="Presentation or conference"),
                occurred_on=date(2026, 5, 14),
                reach=NS(label="National"),
                description="Talk at the Social Work & Research conference",
            ),
            url=URL,
        ),
    ),
    (
        "impact declined",
        "impact_decided",
        dict(
            suggester=NS(name=MANAGER),
            holder=HOLDER,
            confirmed=False,
            entry=NS(
                category=NS(label="Training delivered"),
                occurred_on=date(2026, 4, 1),
                reach=NS(label="Own team"),
                description="Team briefing on the <findings>",
            ),
            url=URL,
        ),
    ),
    (
        "impact yearly",
        "reminder_impact_yearly",
        dict(holder=HOLDER, year=1, last=False, url=URL),
    ),
    (
        "impact yearly, last",
        "reminder_impact_yearly",
        dict(holder=HOLDER, year=3, last=True, url=URL),
    ),
    (
        "reminder",
        "reminder",
        dict(
            user=NS(name=MANAGER),
            text="Siobhán O'Neill & Co's output is due <soon> & waiting.",
            url=URL,
        ),
    ),
    (
        "reminder digest",
        "reminder_digest",
        dict(
            user=NS(name=PERSON),
            rows=[
                NS(title="Your research report is due 1 July 2026", link=URL),
                NS(title="Three-way meeting 2 for O'Neill & Co is overdue", link=URL + "2"),
            ],
            url=URL,
        ),
    ),
    (
        "survey",
        "evaluation_survey",
        dict(
            person=NS(name=MANAGER),
            group=NS(value="line_manager"),
            survey=NS(
                cohort=COHORT,
                kind=NS(label="End of the programme year"),
                opens_on=date(2027, 3, 1),
                closes_on=date(2027, 3, 31),
            ),
            url=URL,
        ),
    ),
    (
        "review booked",
        "bridging_review_booked",
        dict(
            person=HOLDER,
            holder=HOLDER,
            for_staff=False,
            slot=NS(
                starts_at=datetime(2027, 6, 10, 13, 30),
                minutes=60,
                reviewer="Prof Dún & O'Hara",
                where="Room 2 & online",
                notes="Bring the <draft>",
            ),
            url=URL,
        ),
    ),
    (
        "review booked, staff",
        "bridging_review_booked",
        dict(
            person=NS(name=STAFF),
            holder=HOLDER,
            for_staff=True,
            slot=NS(
                starts_at=datetime(2027, 1, 10, 9, 0),
                minutes=45,
                reviewer="Prof Dún & O'Hara",
                where="Online",
                notes="",
            ),
            url=URL,
        ),
    ),
    (
        "community approved",
        "community_decision",
        dict(
            user=NS(name=PERSON),
            member=NS(community=NS(name="Complex needs & <more>")),
            approved=True,
            url=URL,
        ),
    ),
    (
        "community declined",
        "community_decision",
        dict(
            user=NS(name=PERSON),
            member=NS(community=NS(name="Complex needs & <more>")),
            approved=False,
            url=URL,
        ),
    ),
    (
        "two-factor on",
        "two_factor_on",
        dict(name=PERSON, reset_url=URL),
    ),
    (
        "two-factor off",
        "two_factor_off",
        dict(name=PERSON, reset_url=URL),
    ),
    (
        "two-factor reset",
        "two_factor_reset",
        dict(name=PERSON, staff_name=STAFF, sign_in_url=URL),
    ),
    (
        "recovery code used",
        "two_factor_recovery_used",
        dict(name=PERSON, left=9, account_url=URL),
    ),
    (
        "new device",
        "new_device_sign_in",
        dict(
            name=PERSON,
            when="30 November 2026 at 4:37am",
            browser="Firefox on Windows",
            address="198.51.100.23",
            sign_ins_url=URL,
            reset_url=URL,
        ),
    ),
    (
        "community digest",
        "community_digest",
        dict(
            user=NS(name=PERSON),
            community=NS(name="Complex needs & <more>"),
            posts=[(NS(kind=NS(label="Resource"), title="O'Reilly's & <notes>"), URL)],
            settings_url=URL,
        ),
    ),
]


# What each case reads, less the footer every email ends with.
EXPECTED = {
    "awarded": """\
Dear Siobhán O'Neill & Co,

Congratulations. You have been awarded a place on the Brent & Harrow's <2026> Practitioner Researcher Programme.

A message from the programme team:
"We're delighted & can't wait"

Your application:
https://prp.example.nhs.uk/x/1
""",
    "waitlisted": """\
Dear Siobhán O'Neill & Co,

Your application to the Brent & Harrow's <2026> Practitioner Researcher Programme is on the waiting list. We will contact you if a place becomes available.

Your application:
https://prp.example.nhs.uk/x/1
""",
    "submitted": """\
Dear Siobhán O'Neill & Co,

Your application to the Brent & Harrow's <2026> Practitioner Researcher Programme has been submitted.

Next, Pádraig O'Brien, your Principal Social Worker, needs to sign it off. We have emailed them. Your line manager, Mary D'Arcy & Partner, has been told about your application.

Follow your application here:
https://prp.example.nhs.uk/x/1
""",
    "confirm": """\
Dear Siobhán O'Neill & Co,

Thank you for creating an account to apply to the Practitioner Researcher Programme.

Confirm your email address by opening this link:
https://prp.example.nhs.uk/x/1

The link works once and expires in 3 days. If you did not create an account, you can ignore this email.
""",
    "handbook": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co is an award holder in the Brent & Harrow's <2026> Practitioner Researcher Programme, and you are their line manager.

The handbook for managers and senior leaders says what the programme asks of you: how the 30 study days are protected, the three-way meetings, backfill and the outputs to expect. Please read it, then tell us you have read it on the same page:

https://prp.example.nhs.uk/x/1

You will need to sign in.
""",
    "agreement": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co's learning agreement is ready for your signature. It says how the study days of their research year will be planned and protected, who supports them and what they will produce.

Read it and sign it here (you will need to sign in):

https://prp.example.nhs.uk/x/1

It is signed by Siobhán O'Neill & Co, their line manager and their assistant director. If the agreement changes after you sign, you will be asked to sign the new version.
""",
    "invitation": """\
Dear Mary D'Arcy & Partner,

Programme & Co's team has invited you to the Practitioner Researcher Programme as: Line manager, PSW.

Set up your account by choosing a password here:
https://prp.example.nhs.uk/x/1

The link works once and expires in 14 days. If it has expired, ask the programme team for a new one.
""",
    "line manager told": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co has applied to the Brent & Harrow's <2026> Practitioner Researcher Programme and named you as their line manager.

If they are awarded a place, they will be released for 36 days during the programme year (6 days of residential workshops and 30 study days). You will be asked to approve the study days, which are protected like annual leave.

You do not need to do anything now. Their Principal Social Worker has been asked to sign the application off.
""",
    "rejected": """\
Dear Siobhán O'Neill & Co,

Programme & Co's team has rejected "O'Reilly's methods & tools" (£25.50) from your personal award.

Why: It isn't research spending & can't be paid

You can change the item and submit it again.

See the item here:
https://prp.example.nhs.uk/x/1
""",
    "approved": """\
Dear Siobhán O'Neill & Co,

Programme & Co's team has approved "O'Reilly's methods & tools" (£25.50) from your personal award. Programme staff will pay it and tell you the payment reference.

See the item here:
https://prp.example.nhs.uk/x/1
""",
    "paid": """\
Dear Siobhán O'Neill & Co,

"O'Reilly's methods & tools" (£25.50) from your personal award has been paid directly to the supplier. Payment reference: PO-O'NEILL-1.

See the item here:
https://prp.example.nhs.uk/x/1
""",
    "feedback": """\
Dear Siobhán O'Neill & Co,

Dr Aoife O'Connor has asked for changes to version 2 of your poster. Upload a new version when you have made them.

Their comments:
Say who's included & why.
Then shorten the methods.

See your output here:
https://prp.example.nhs.uk/x/1
""",
    "accepted": """\
Dear Siobhán O'Neill & Co,

Dr Aoife O'Connor has accepted version 3 of your report.

See your output here:
https://prp.example.nhs.uk/x/1
""",
    "password changed": """\
Dear Siobhán O'Neill & Co,

The password for your Practitioner Researcher Programme account was just changed, and you have been signed out on every other device.

If this was not you, reset your password now: https://prp.example.nhs.uk/x/1
""",
    "password reset": """\
Dear Siobhán O'Neill & Co,

We received a request to reset the password for your Practitioner Researcher Programme account.

Choose a new password here:
https://prp.example.nhs.uk/x/1

The link works once and expires in 1 hour. If you did not ask for this, you can ignore this email: your password has not changed.
""",
    "presentation invitation": """\
Dear Pádraig O'Brien,

You are invited to the presentation day of the Social Care Practitioner Researcher Development Programme, cohort Brent & Harrow's <2026>, on Thursday 10 June 2027.

You are invited as Siobhán O'Neill & Co's Principal Social Worker. The award holders present their research to the people who supported them.

Please tell us whether you will come, using this link:
https://prp.example.nhs.uk/x/1

The same link will show the programme of presentations once it is published.
""",
    "presentation programme": """\
Dear Pádraig O'Brien,

The programme of presentations for cohort Brent & Harrow's <2026>'s presentation day on Thursday 10 June 2027 is published.

See who is presenting, their titles and times, and reply if you have not yet:
https://prp.example.nhs.uk/x/1
""",
    "presentation reply": """\
Dear Pádraig O'Brien,

Thank you. You told us you will come to the presentation day for cohort Brent & Harrow's <2026> on Thursday 10 June 2027.

Your earlier link no longer works. To change your reply before the day, or to see the programme of presentations, use this link:
https://prp.example.nhs.uk/x/1
""",
    "withdrawn, waiting": """\
Dear Pádraig O'Brien,

Siobhán O'Neill & Co has withdrawn their application to the Brent & Harrow's <2026> Practitioner Researcher Programme.

Their reason: "I've moved to a new role & team"

You were asked to sign the application off. You no longer need to: there is nothing more for you to do.
""",
    "withdrawn, signed": """\
Dear Pádraig O'Brien,

Siobhán O'Neill & Co has withdrawn their application to the Brent & Harrow's <2026> Practitioner Researcher Programme.

You signed the application off. It will not be considered, and the 36 days' release you confirmed will not be needed.
""",
    "endorsed": """\
Dear Siobhán O'Neill & Co,

Pádraig O'Brien has signed off your application to the Brent & Harrow's <2026> Practitioner Researcher Programme. The programme team will now review it.

Follow your application here:
https://prp.example.nhs.uk/x/1
""",
    "declined": """\
Dear Siobhán O'Neill & Co,

Pádraig O'Brien has not endorsed your application to the Brent & Harrow's <2026> Practitioner Researcher Programme.

Their reason:
"Not this year & sorry"

If the application window is still open, you can change your application and submit it again.

Follow your application here:
https://prp.example.nhs.uk/x/1
""",
    "sign-off request": """\
Dear Pádraig O'Brien,

Siobhán O'Neill & Co (Practice lead & educator, Children's assessment team) has applied to the Brent & Harrow's <2026> Practitioner Researcher Programme and named you as their Principal Social Worker.

Their research question:
"What's the effect of <early help> & family support?"

The programme cannot consider the application until you sign it off. Please read it and either endorse it, confirming the 36 days' release and the question's strategic importance to Brent & Harrow, or decline it with a reason:
https://prp.example.nhs.uk/x/1

It takes about 5 minutes.
""",
    "register existing": """\
Dear Siobhán O'Neill & Co,

Someone tried to create an account with this email address, but you already have one.

Sign in here: https://prp.example.nhs.uk/x/1
If you have forgotten your password, reset it here: https://prp.example.nhs.uk/x/1

If this was not you, you can ignore this email. Your account has not changed.
""",
    "cancelled": """\
Dear Siobhán O'Neill & Co,

Mary D'Arcy & Partner has cancelled the study day on Thursday 11 June 2026 for Siobhán O'Neill & Co.

Reason: "Cover's fallen through & sorry"

The day has been returned to the balance. See the ledger here:
https://prp.example.nhs.uk/x/1
""",
    "decided": """\
Dear Siobhán O'Neill & Co,

Mary D'Arcy & Partner has answered Siobhán O'Neill & Co's study day requests:

- Wednesday 10 June 2026: Declined ("We're short & busy")
- Thursday 11 June 2026: Approved
- Friday 12 June 2026: Approved

See the ledger here:
https://prp.example.nhs.uk/x/1
""",
    "requested": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co has asked for study leave for their research on the Practitioner Researcher Programme:

- Wednesday 10 June 2026
- Thursday 11 June 2026
- Friday 12 June 2026 (half day) (already passed: recorded afterwards)

Their note: "I'll be at the library & archive"

Study days are protected like annual leave. Please approve or decline them here:
https://prp.example.nhs.uk/x/1
""",
    "requested, no note": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co has asked for study leave for their research on the Practitioner Researcher Programme:

- Wednesday 10 June 2026

Study days are protected like annual leave. Please approve or decline them here:
https://prp.example.nhs.uk/x/1
""",
    "study days pending": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co asked for study leave on 8 June 2026, and it is still waiting for your answer:

- Monday 22 June 2026
- Tuesday 23 June 2026 (half day)

Study days are protected like annual leave, and their research year depends on them. Please approve or decline them here:
https://prp.example.nhs.uk/x/1

If you are away, you can ask someone to answer for you from the same page.
""",
    "allocated": """\
Dear Dr Aoife O'Connor,

Dr Aoife O'Connor is Siobhán O'Neill & Co's academic supervisor on the Practitioner Researcher Programme (cohort Brent & Harrow's <2026>), from 1 June 2026.

Please arrange a first meeting with Siobhán O'Neill & Co. You can log meetings and see their three-way meetings here:
https://prp.example.nhs.uk/x/1
""",
    "replaced": """\
Dear Siobhán O'Neill & Co,

Dr Aoife O'Connor has replaced Dr Ben & Co as Siobhán O'Neill & Co's academic supervisor on the Practitioner Researcher Programme (cohort Brent & Harrow's <2026>), from 1 June 2026.

Why: Dr Ben's long-term leave

See supervision, coaching and three-way meetings here:
https://prp.example.nhs.uk/x/1
""",
    "ended": """\
Dear Dr Ben & Co,

From 1 June 2026, Dr Aoife O'Connor takes over from you as Siobhán O'Neill & Co's academic supervisor on the Practitioner Researcher Programme (cohort Brent & Harrow's <2026>).

Thank you for your support. The meetings you logged are kept in Siobhán O'Neill & Co's record.
""",
    "impact suggested": """\
Dear Siobhán O'Neill & Co,

Mary D'Arcy & Partner has suggested an entry for your impact log:

Practice tool or guidance, 2 March 2026 (other authorities)
The O'Neill & Co tool for <early help> meetings

It counts in the programme's impact reports only once you confirm it. Confirm or decline it here (you will need to sign in):
https://prp.example.nhs.uk/x/1
""",
    "impact yearly": """\
Dear Siobhán O'Neill & Co,

It is 1 year since you completed the Practitioner Researcher Programme. What has your research changed since then?

Please add to your impact log anything new: a service or team, a practice tool or guidance, a policy change, training you gave, a presentation, a publication, further funding, a collaboration with researchers, a new role, or media such as a film. Impact often ripples on for years, and the programme can only show it if it is written down.

Your impact log (you will need to sign in):
https://prp.example.nhs.uk/x/1

We will ask again in a year. You can add to your log at any time.
""",
    "impact yearly, last": """\
Dear Siobhán O'Neill & Co,

It is 3 years since you completed the Practitioner Researcher Programme. What has your research changed since then?

Please add to your impact log anything new: a service or team, a practice tool or guidance, a policy change, training you gave, a presentation, a publication, further funding, a collaboration with researchers, a new role, or media such as a film. Impact often ripples on for years, and the programme can only show it if it is written down.

Your impact log (you will need to sign in):
https://prp.example.nhs.uk/x/1

This is the last yearly reminder. Your log stays open, so you can add to it whenever something changes.
""",
    "reminder": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co's output is due <soon> & waiting.

https://prp.example.nhs.uk/x/1
""",
    "reminder digest": """\
Dear Siobhán O'Neill & Co,

Your reminders from the past week:

- Your research report is due 1 July 2026
  https://prp.example.nhs.uk/x/1
- Three-way meeting 2 for O'Neill & Co is overdue
  https://prp.example.nhs.uk/x/12

All your notifications, and how often you get these emails, are here (you will need to sign in):
https://prp.example.nhs.uk/x/1
""",
    "survey": """\
Dear Mary D'Arcy & Partner,

You line-managed an award holder in cohort Brent & Harrow's <2026> of the Practitioner Researcher Programme. Please tell us what the programme changed, so that the next cohort's year is better.

This is the "end of the programme year" survey. It is open from 1 March 2027 to 31 March 2027 and takes about 10 minutes.

You may answer anonymously. Then nothing links your answers to you, even for the programme team, and the answers of a group of fewer than 5 people are not shown.

Answer here (you will need to sign in):
https://prp.example.nhs.uk/x/1
""",
    "review booked": """\
Dear Siobhán O'Neill & Co,

Your pre-application review is booked:

When: 10 June 2027 at 2:30pm (60 minutes)
Reviewer: Prof Dún & O'Hara
Where: Room 2 & online
Notes: Bring the <draft>

Please send your draft application to the reviewer a week before. If you cannot come, cancel the booking so another alumnus can have it:
https://prp.example.nhs.uk/x/1
""",
    "review booked, staff": """\
Dear Programme & Co's team,

Siobhán O'Neill & Co has booked the pre-application review you published:

When: 10 January 2027 at 9:00am (45 minutes)
Reviewer: Prof Dún & O'Hara
Where: Online

The review is no longer open to other alumni. See every review here:
https://prp.example.nhs.uk/x/1
""",
    "community approved": """\
Dear Siobhán O'Neill & Co,

Welcome to Complex needs & <more>. A facilitator has approved your request to join.

You can now read and post in the workspace, book a place at meetings and take part in setting the community's priorities. You can choose what other members see of you, and leave at any time.

https://prp.example.nhs.uk/x/1
""",
    "community declined": """\
Dear Siobhán O'Neill & Co,

A facilitator has not approved your request to join Complex needs & <more> this time. You can ask again, or contact the programme team if you have questions.

https://prp.example.nhs.uk/x/1
""",
    "two-factor on": """\
Dear Siobhán O'Neill & Co,

Two-factor sign-in is now on for your Practitioner Researcher Programme account. When you sign in, you will enter a code from your authenticator app after your password. You have been signed out on every other device.

If this was not you, reset your password now and contact the programme team: https://prp.example.nhs.uk/x/1
""",
    "two-factor off": """\
Dear Siobhán O'Neill & Co,

Two-factor sign-in is now off for your Practitioner Researcher Programme account. You will sign in with your password alone. You have been signed out on every other device.

If this was not you, reset your password now and contact the programme team: https://prp.example.nhs.uk/x/1
""",
    "two-factor reset": """\
Dear Siobhán O'Neill & Co,

Programme & Co's team from the programme team has reset two-factor sign-in for your Practitioner Researcher Programme account, for example because you have a new phone. You have been signed out everywhere.

Next time you sign in, you will be asked to set up an authenticator app again: https://prp.example.nhs.uk/x/1

If you did not ask for this, contact the programme team straight away.
""",
    "recovery code used": """\
Dear Siobhán O'Neill & Co,

Someone signed in to your Practitioner Researcher Programme account with one of your recovery codes. That code no longer works, and you have 9 left. Every other session has been signed out.

If this was you and you have lost your phone, set up two-factor sign-in again or get new recovery codes: https://prp.example.nhs.uk/x/1

If this was not you, contact the programme team straight away.
""",
    "new device": """\
Dear Siobhán O'Neill & Co,

Your Practitioner Researcher Programme account was signed in to from a device we have not seen before.

When: 30 November 2026 at 4:37am
Browser: Firefox on Windows
Internet address: 198.51.100.23

If this was you, you do not need to do anything.

If this was not you, reset your password now: https://prp.example.nhs.uk/x/1
Then tell the programme team. You can see recent sign-ins here: https://prp.example.nhs.uk/x/1
""",
    "impact confirmed": """\
Dear Dr Aoife O'Connor,

Siobhán O'Neill & Co has confirmed the entry you suggested for their impact log. It now counts in the programme's impact reports:

Presentation or conference, 14 May 2026 (national)
Talk at the Social Work & Research conference

Their impact log (you will need to sign in):
https://prp.example.nhs.uk/x/1
""",
    "impact declined": """\
Dear Mary D'Arcy & Partner,

Siobhán O'Neill & Co has declined the entry you suggested for their impact log, so it does not count in the programme's impact reports:

Training delivered, 1 April 2026 (own team)
Team briefing on the <findings>

Their impact log (you will need to sign in):
https://prp.example.nhs.uk/x/1
""",
    "community digest": """\
Dear Siobhán O'Neill & Co,

New in the Complex needs & <more> workspace this week:

- Resource: O'Reilly's & <notes>
  https://prp.example.nhs.uk/x/1

You get this email once a week because you asked for it when you joined. To stop it, untick the weekly email here:
https://prp.example.nhs.uk/x/1
""",
}


def test_every_template_has_an_expected_text():
    folder = BASE_DIR / "templates" / "email"
    templates = {p.stem for p in folder.glob("*.txt") if not p.name.startswith("_")}
    assert templates - {template for _, template, _ in CASES} == set()
    assert {name for name, _, _ in CASES} == set(EXPECTED)


@pytest.mark.parametrize(("name", "template", "context"), CASES, ids=[c[0] for c in CASES])
def test_email_reads_as_expected(app, name, template, context):
    body = render(app, template, context)
    assert body == EXPECTED[name] + FOOTER.rstrip("\n")
    assert "&#" not in body and "&amp;" not in body


def render(app, template: str, context: dict) -> str:
    with app.test_request_context():
        return render_template(f"email/{template}.txt", **context)


if __name__ == "__main__":  # print every case, to write the expected texts
    from app import create_app

    application = create_app({"SECRET_KEY": "x", "APP_ENV": "testing", "TESTING": True})
    for name, template, context in CASES:
        print(f"##### {name} ({template})")
        print(render(application, template, context), end="")
        print("#####")


def test_the_template_sees_the_recipient_as_user(app):
    from app.core.mail import queue_email

    with app.test_request_context():
        context = dict(CASES[[c[0] for c in CASES].index("cancelled")][2])
        recipient = NS(id=None, name=context.pop("user").name)
        msg = queue_email(
            "a@example.test", "Cancelled", "release_cancelled", user=recipient, **context
        )
        assert msg.body.startswith(f"Dear {PERSON},\n")
