"""Every table of the CCHC domain; importing this package registers them all (it imports nothing else of workflows)."""

from .criteria import CriteriaSetRow
from .deadlines import DeadlineExtension
from .document_files import DocumentBlob, DocumentRef, StoredDocument
from .documents import DocumentCounter
from .migrations import MigrationResult, MigrationRun
from .notifications import EmailOutbox, Notification
from .organisation import Organisation, Unit, User
from .plan import Plan, PlanActivityRow, PlanArea, PlanObjectiveRow, PlanOccurrence, PlanTaskRow

__all__ = [
    "CriteriaSetRow",
    "DeadlineExtension",
    "DocumentBlob",
    "DocumentCounter",
    "DocumentRef",
    "EmailOutbox",
    "MigrationResult",
    "MigrationRun",
    "Notification",
    "Organisation",
    "Plan",
    "PlanActivityRow",
    "PlanArea",
    "PlanObjectiveRow",
    "PlanOccurrence",
    "PlanTaskRow",
    "StoredDocument",
    "Unit",
    "User",
]
