"""The evaluation's questions, grouped under Cooke's six principles of research capacity
building, each at the level it asks about (individual, team, organisation, network).
The same questions go to every cohort, so cohorts can be read side by side."""

from __future__ import annotations

from dataclasses import dataclass

PRINCIPLES = {
    "skills": "Skills and confidence",
    "linkages": "Linkages and partnerships",
    "close": "Research close to practice",
    "dissemination": "Dissemination",
    "infrastructure": "Infrastructure",
    "sustainability": "Sustainability and continuity",
}
LEVELS = {
    "individual": "Individual",
    "team": "Team",
    "organisation": "Organisation",
    "network": "Network",
}
SCALE = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]


@dataclass(frozen=True)
class Question:
    key: str
    principle: str
    level: str
    text: str
    free_text: bool = False


QUESTIONS = [
    Question("q1", "skills", "individual",
             "The programme built the award holder's research skills and confidence."),
    Question("q2", "skills", "team",
             "The team is more confident using research in its practice."),
    Question("q3", "linkages", "network",
             "The programme created links with universities and researchers that last."),
    Question("q4", "close", "organisation",
             "The research answered a question that matters to the organisation's practice."),
    Question("q5", "dissemination", "organisation",
             "The findings were shared where they could change practice or policy."),
    Question("q6", "infrastructure", "organisation",
             "Protected time, supervision and library access were there when needed."),
    Question("q7", "sustainability", "team",
             "Research will carry on in the team after the programme."),
    Question("q8", "sustainability", "network",
             "There is a clear next step for the award holder's research career.", False),
    Question("t1", "close", "individual",
             "What difference has the programme made? (optional)", True),
    Question("t2", "infrastructure", "organisation",
             "What one thing would improve the programme for the next cohort? (optional)", True),
]  # fmt: skip
BY_KEY = {q.key: q for q in QUESTIONS}
SCALED = [q for q in QUESTIONS if not q.free_text]
FREE = [q for q in QUESTIONS if q.free_text]
