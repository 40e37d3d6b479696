"""Writes of the privacy app: consent (consent.py), a person's requests (requests.py) and
the copy of what is held about them (copy.py)."""

from privacy.services.consent import consent_give, consent_withdraw, consent_withdrawn

__all__ = ["consent_give", "consent_withdraw", "consent_withdrawn"]
