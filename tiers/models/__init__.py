from tiers.models.choices import (
    ChangeSource,
    ChangeType,
    NotificationChannel,
    NotificationStatus,
    ProposalReason,
    ProposalStatus,
    Quadrant,
    VolumeRule,
)
from tiers.models.evaluation import Evaluation, GradeChange, GradeNotification, Proposal
from tiers.models.policy import TierPolicy
from tiers.models.snapshot import (
    CustomerSnapshot,
    ParetoOrder,
    ParetoSummary,
    RfmSummary,
    SegmentSummary,
    StatisticsRun,
)

__all__ = [
    "ChangeSource",
    "ChangeType",
    "CustomerSnapshot",
    "Evaluation",
    "GradeChange",
    "GradeNotification",
    "NotificationChannel",
    "NotificationStatus",
    "ParetoOrder",
    "ParetoSummary",
    "Proposal",
    "ProposalReason",
    "ProposalStatus",
    "Quadrant",
    "RfmSummary",
    "SegmentSummary",
    "StatisticsRun",
    "TierPolicy",
    "VolumeRule",
]
