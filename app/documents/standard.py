"""The standard handbook sections staff start from (they edit them in the app). Plain
text: blank lines part paragraphs, lines starting "- " are bullets. Dates, the 36 days,
the award cap and the residential schedule are not written here: the handbook reads them
from the cohort."""

from __future__ import annotations

from app.documents.models import HandbookKind

HOLDER = [
    (
        "Welcome",
        "This handbook is for you, as one of this year's practitioner researchers. It says "
        "what the year holds, what we ask of you and what support you can count on.\n\n"
        "Keep it to hand: your line manager and senior leaders have their own handbook, "
        "so everyone around you knows what has been agreed.",
    ),
    (
        "Your study days",
        "Plan your study days with your line manager and book each one in the service, "
        "where your line manager approves it.\n\n"
        "- Study days are protected like annual leave: you are not expected to answer "
        "calls or emails about casework.\n"
        "- If you are called back to work, record it: the day goes back to your balance.\n"
        "- Half days count, but a regular whole day works best for most people.",
    ),
    (
        "Supervision and coaching",
        "You have an academic supervisor from a partner university and a coach from the "
        "programme team. Meet your supervisor regularly and log each meeting.\n\n"
        "Three times in the year you meet with your supervisor and your line manager "
        "together: the three-way meetings.",
    ),
    (
        "Your personal award",
        "Your personal award pays for what your research and its impact need: conference "
        "fees and travel, books, software, video production, printing a poster, a visit "
        "from an expert or extra coaching.\n\n"
        "Record each item in the service with its receipt; programme staff approve and pay.",
    ),
    (
        "Library access",
        "Ask for university library access in your first month: database searches and "
        "e-journals take a few weeks to set up.",
    ),
    (
        "Contacts",
        "The programme team answers questions about the programme, study days, "
        "money and documents: reply to any email from the service.",
    ),
]

MANAGERS = [
    (
        "Why this matters",
        "A member of your staff has been awarded a place on the programme. Their research "
        "question was chosen because it matters to your organisation's priorities. The "
        "evaluation of earlier cohorts found that the support of managers and senior "
        "leaders decides whether research days are really taken.",
    ),
    (
        "What we ask of managers",
        "- Agree a pattern of study days with the award holder and approve them promptly.\n"
        "- Protect study days like annual leave: do not contact them about casework.\n"
        "- If a day must be called back, say so in the service and agree a new date.\n"
        "- Take part in the three-way meetings with the award holder and their supervisor.\n"
        "- Sign the learning agreement with the award holder and your assistant director.",
    ),
    (
        "Models of protected research time",
        "Teams in earlier cohorts used different patterns. Each worked when it was agreed "
        "at the start and written into the learning agreement:\n\n"
        "- One fixed day a week, with casework covered by the backfill.\n"
        "- A block of days each month, planned around team rotas.\n"
        "- Half days through the week, with a whole day before each deadline.",
    ),
    (
        "How to support the award holder",
        "Ask about the research in supervision. Help them reach people and data in the "
        "organisation. Make time for them to share what they find with the team.",
    ),
    (
        "Backfill",
        "Backfill funding is paid to the employer (or to a team budget you name) to cover "
        "the time released. Acceptable uses include agency or sessional cover, extra hours "
        "for part-time colleagues and covering duty rotas.",
    ),
    (
        "Promoting impact",
        "Invite the award holder to present to your leadership team, share their report "
        "and one-page summary across services and with other local authorities, and plan "
        "with them how the recommendations will be taken forward.",
    ),
    (
        "Contacts",
        "The programme team answers questions about release, backfill and the learning "
        "agreement: reply to any email from the service.",
    ),
]

STANDARD = {HandbookKind.HOLDER: HOLDER, HandbookKind.MANAGERS: MANAGERS}
