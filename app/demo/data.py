"""The demo programme: modelled on the two real cohorts in the evaluation (DOMAIN.md).

All names are invented. Organisations are fictional North West authorities.
"""

from __future__ import annotations

PROGRAMME_OFFICE = "North West NHS Research and Development Office"

# (name, adults, children)
LOCAL_AUTHORITIES = [
    ("Ashworth Metropolitan Borough Council", True, True),
    ("Bramley City Council", True, True),
    ("Calderbrook Council", True, False),
    ("Denholme Borough Council", True, True),
    ("Eskdale County Council", True, True),
    ("Fellside Metropolitan Borough Council", True, True),
    ("Greymoor Council", True, False),
    ("Halewood Borough Council", True, True),
    ("Irwell Valley Council", True, True),
    ("Kentmere County Council", True, True),
    ("Lunesdale City Council", True, True),
    ("Mersey Vale Borough Council", True, True),
    ("Northfell Council", False, True),
    ("Ormside Metropolitan Borough Council", True, True),
    ("Pendle Moor Borough Council", True, True),
]

UNIVERSITIES = ["University of the North West", "Mersey Metropolitan University"]
OTHER_EMPLOYERS = [
    ("Northern Care NHS Foundation Trust", "nhs_trust"),
    ("Carers Together North West", "third_sector"),
]

DEMO_PASSWORD = "demo-password"

# The named sign-ins from the README: (email, name, roles, organisation index or name)
NAMED_USERS = [
    ("staff@demo.test", "Sam Okafor", ["staff"], PROGRAMME_OFFICE),
    ("applicant@demo.test", "Alex Morgan", ["applicant"], 0),
    ("holder@demo.test", "Priya Shah", ["award_holder", "applicant"], 0),
    ("manager@demo.test", "Jordan Lee", ["line_manager"], 0),
    ("psw@demo.test", "Helen Brooks", ["psw"], 0),
    ("director@demo.test", "Martin Hughes", ["assistant_director"], 0),
    ("supervisor@demo.test", "Dr Ruth Evans", ["supervisor"], UNIVERSITIES[0]),
    ("coach@demo.test", "Chris Walker", ["coach"], PROGRAMME_OFFICE),
]

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Catherine",
    "Daniel",
    "Emma",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jess",
    "Kieran",
    "Laura",
    "Mohammed",
    "Nadia",
    "Owen",
    "Rachel",
    "Sophie",
    "Tom",
    "Usha",
    "Victoria",
    "Will",
    "Yasmin",
    "Zoe",
    "Gareth",
    "Bethan",
    "Niamh",
    "Callum",
]
LAST_NAMES = [
    "Ahmed",
    "Barnes",
    "Clarke",
    "Dawson",
    "Ellis",
    "Fletcher",
    "Green",
    "Hussain",
    "Irving",
    "Jackson",
    "Kaur",
    "Lewis",
    "Mitchell",
    "Nolan",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Walsh",
    "Young",
    "Begum",
    "Murphy",
    "Hughes",
    "Kelly",
    "Davies",
]

# Award holders per cohort (the real cohorts: 7 in 2022-23, 11 in 2023-24).
COHORTS = {"2022-23": 7, "2023-24": 11}
