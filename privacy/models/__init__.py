from privacy.models.anonymisation import (
    Anonymisation,
    DormantProposal,
    DormantRun,
    ProposalStatus,
)
from privacy.models.consent import (
    MARKETING_PURPOSES,
    Consent,
    ConsentMethod,
    ConsentText,
    Purpose,
)
from privacy.models.copies import CopyStatus, RightsCopy
from privacy.models.policy import PrivacyPolicy
from privacy.models.requests import RequestChannel, RequestKind, RequestStatus, RightsRequest

__all__ = [
    "MARKETING_PURPOSES",
    "Anonymisation",
    "Consent",
    "ConsentMethod",
    "ConsentText",
    "CopyStatus",
    "DormantProposal",
    "DormantRun",
    "PrivacyPolicy",
    "ProposalStatus",
    "Purpose",
    "RequestChannel",
    "RequestKind",
    "RequestStatus",
    "RightsCopy",
    "RightsRequest",
]
