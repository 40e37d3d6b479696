from customers.models.audit import AuditAction, AuditEntry
from customers.models.booking import Booking
from customers.models.choices import (
    BookingStatus,
    ChurnReason,
    ContactChannel,
    ContactOutcome,
    CustomerKind,
    CustomerStatus,
    FeedbackSource,
    Grade,
    ServiceKind,
    ServiceStatus,
    SourceChannel,
    TripType,
)
from customers.models.contact_person import ContactPerson
from customers.models.custody import (
    AccessRequest,
    AccessRequestStatus,
    CustodyPolicy,
    HandoverItem,
    SecurityAlert,
    SecurityAlertKind,
    StaffDeparture,
)
from customers.models.customer import Customer
from customers.models.figures import OwnerFigures, OwnerFiguresRefresh, OwnerOverdueCustomer
from customers.models.jobs import JobAlert, JobAttempt, JobOutcome
from customers.models.outbox import (
    MessageChannel,
    MessageStatus,
    OutboundAttempt,
    OutboundMessage,
)
from customers.models.records import ContactRecord, ServiceRecord
from customers.models.reference import ChannelPartner, Destination, Tag

__all__ = [
    "AccessRequest",
    "AccessRequestStatus",
    "AuditAction",
    "AuditEntry",
    "Booking",
    "BookingStatus",
    "ChannelPartner",
    "ChurnReason",
    "ContactChannel",
    "ContactOutcome",
    "ContactPerson",
    "ContactRecord",
    "CustodyPolicy",
    "Customer",
    "CustomerKind",
    "CustomerStatus",
    "Destination",
    "FeedbackSource",
    "Grade",
    "HandoverItem",
    "JobAlert",
    "JobAttempt",
    "JobOutcome",
    "MessageChannel",
    "MessageStatus",
    "OutboundAttempt",
    "OutboundMessage",
    "OwnerFigures",
    "OwnerFiguresRefresh",
    "OwnerOverdueCustomer",
    "SecurityAlert",
    "SecurityAlertKind",
    "ServiceKind",
    "ServiceRecord",
    "ServiceStatus",
    "SourceChannel",
    "StaffDeparture",
    "Tag",
    "TripType",
]
