"""Writes. Each function takes the acting user, validates, and records what it changed."""

from customers.services.archive import (
    ANONYMISED_MESSAGE,
    booking_save,
    contact_person_add,
    contact_person_replace,
    contact_record_create,
    customer_create,
    customer_prepare,
    customer_refuse_if_anonymised,
    customer_restore,
    customer_soft_delete,
    customer_update,
    customers_soft_delete,
    service_record_create,
)
from customers.services.booking_sync import SyncedBooking, booking_sync_from_source
from customers.services.bulk import BULK_ACTIONS, customers_bulk_allowed, customers_bulk_update
from customers.services.custody import (
    MassActionRefused,
    access_request_create,
    access_request_decide,
    custody_policy_save,
    customer_export_record,
    customer_id_number_reveal,
    personal_data_export_record,
    security_alert_acknowledge,
)
from customers.services.handover import employee_depart, handover_targets
from customers.services.last_contact import (
    customers_last_contact_refresh,
    customers_last_contact_refresh_all,
)
from customers.services.outbox import (
    MessageDraft,
    message_queue,
    message_retry_now,
    messages_queue,
    messages_retry_failed,
)

__all__ = [
    "ANONYMISED_MESSAGE",
    "BULK_ACTIONS",
    "MassActionRefused",
    "MessageDraft",
    "SyncedBooking",
    "access_request_create",
    "access_request_decide",
    "booking_save",
    "booking_sync_from_source",
    "contact_person_add",
    "contact_person_replace",
    "contact_record_create",
    "custody_policy_save",
    "customer_create",
    "customer_export_record",
    "customer_id_number_reveal",
    "customer_prepare",
    "customer_refuse_if_anonymised",
    "customer_restore",
    "customer_soft_delete",
    "customer_update",
    "customers_bulk_allowed",
    "customers_bulk_update",
    "customers_last_contact_refresh",
    "customers_last_contact_refresh_all",
    "customers_soft_delete",
    "employee_depart",
    "handover_targets",
    "message_queue",
    "message_retry_now",
    "messages_queue",
    "messages_retry_failed",
    "personal_data_export_record",
    "security_alert_acknowledge",
    "service_record_create",
]
