"""Events about sign-in that the apps above accounts record (customers writes the audit
rows; accounts imports no app above it)."""

from django.dispatch import Signal

# Sent after a person changed their own password on the password-change page.
# Keyword arguments: `user`, `request`, `forced` (a manager had required the change).
password_changed = Signal()
