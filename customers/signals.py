"""Events the customer archive announces to the apps built on it.

`customers` imports no other app; apps that must act on its changes (loyalty earns points
when a booking is paid) connect here in their AppConfig.ready(). Sent explicitly by the
services, after the transaction commits, never from a model's save()."""

from django.dispatch import Signal

# Sent after a booking is created or changed through `booking_save` (pages, admin,
# import) and the transaction has committed. Keyword arguments: `booking_id`, `actor`.
# Receivers must be idempotent: the same booking may be announced many times.
booking_saved = Signal()
