"""Imports every model so the metadata (and Alembic) sees the whole schema."""

from app.accounts.models import SignInFailure, User, UserRole, UserToken  # noqa: F401
from app.applications.models import Application, ApplicationEvent, Review, SignOff  # noqa: F401
from app.awards.models import Award, AwardOutput  # noqa: F401
from app.cohorts.models import Cohort, PriorityArea, RecruitmentEvent  # noqa: F401
from app.communities.models import (  # noqa: F401
    Community,
    CommunityMeeting,
    CommunityMember,
    GroundRules,
    MeetingAction,
    MeetingBooking,
    Post,
    PriorityRound,
    PriorityTopic,
    PriorityVote,
    SupportRequest,
    SupportVolunteer,
)
from app.core.audit import AuditEntry  # noqa: F401
from app.core.mail import OutboxMessage  # noqa: F401
from app.core.storage import StoredFile  # noqa: F401
from app.documents.models import (  # noqa: F401
    HandbookReceipt,
    HandbookSection,
    LearningAgreement,
    RenderedDocument,
    Signature,
)
from app.money.models import BackfillEntry, BackfillPlan, Receipt, SpendingItem  # noqa: F401
from app.organisations.models import Membership, Organisation  # noqa: F401
from app.outputs.models import (  # noqa: F401
    DueDateChange,
    OutputFeedback,
    OutputType,
    OutputVersion,
    ShowcasePage,
)
from app.privacy.models import Erasure, PrivacySetting  # noqa: F401
from app.release.models import CalendarFeed, Delegation, ReleaseDay  # noqa: F401
from app.reminders.models import (  # noqa: F401
    CohortReminderSetting,
    Reminder,
    ReminderPreference,
)
from app.residentials.models import (  # noqa: F401
    Attendance,
    Registration,
    Workshop,
    WorkshopSession,
)
from app.supervision.models import Allocation, Attendee, Meeting, PoolMember  # noqa: F401

# isort: split
# after every table: the data map's indexes on them
from app.privacy import indexes  # noqa: F401,E402
