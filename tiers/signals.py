"""Events the tiering announces to the apps built on it (webhooks)."""

from django.dispatch import Signal

# Sent INSIDE the transaction that sets customers' grades in force (the committee's
# approvals, a manager's override), after `Customer.grade` was updated. Keyword
# arguments: `changes` (a queryset of the GradeChange rows just recorded: one per
# customer whose grade changed; a review can approve thousands at once, so receivers
# read it set-based). Receivers must be quick and must never raise.
grades_changed = Signal()
