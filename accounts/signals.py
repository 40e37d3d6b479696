"""Events about sign-in that the apps above accounts record (customers writes the audit
rows; accounts imports no app above it)."""

from django.dispatch import Signal

# Sent after a person changed their own password on the password-change page, or chose
# their first one through a new account's one-time link. Keyword arguments: `user`,
# `request`, `forced` (a manager had required the change), `first` (the one-time link).
password_changed = Signal()
