from archives.models.archive import ArchiveDocument, BusinessArchive
from archives.models.choices import OPTIONAL_BY_DEFAULT, ArchiveStatus, DocumentKind
from archives.models.integrity import DocumentCheck
from archives.models.policy import (
    DEFAULT_RETENTION_YEARS,
    DEFAULT_SHORTENING_WAIT_DAYS,
    LEGAL_MINIMUM_YEARS,
    DocumentRequirement,
    RetentionPolicy,
)
from archives.models.records import DestructionRecord, RetentionRun
from archives.models.retention import RetentionChange, RetentionChangeStatus
from archives.models.tour import TourGroup, TourGroupBooking

__all__ = [
    "DEFAULT_RETENTION_YEARS",
    "DEFAULT_SHORTENING_WAIT_DAYS",
    "LEGAL_MINIMUM_YEARS",
    "OPTIONAL_BY_DEFAULT",
    "ArchiveDocument",
    "ArchiveStatus",
    "BusinessArchive",
    "DestructionRecord",
    "DocumentCheck",
    "DocumentKind",
    "DocumentRequirement",
    "RetentionChange",
    "RetentionChangeStatus",
    "RetentionPolicy",
    "RetentionRun",
    "TourGroup",
    "TourGroupBooking",
]
