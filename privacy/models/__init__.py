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
from privacy.models.policy import PrivacyPolicy
from privacy.models.requests import RequestKind, RequestStatus, RightsRequest

__all__ = [
    "MARKETING_PURPOSES",
    "Anonymisation",
    "Consent",
    "ConsentMethod",
    "ConsentText",
    "DormantProposal",
    "DormantRun",
    "PrivacyPolicy",
    "ProposalStatus",
    "Purpose",
    "RequestKind",
    "RequestStatus",
    "RightsRequest",
]
