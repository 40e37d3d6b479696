"""System checks: the ID-number keys (customers/id_numbers.py)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from customers import id_numbers


def _key_problem() -> str | None:
    try:
        id_numbers.keyring()
    except id_numbers.IdNumberKeyError as exc:
        return str(exc)
    return None


@register(Tags.security)
def id_number_keys_valid(app_configs=None, **kwargs):
    """Keys that are set but malformed stop every command, not only deploys."""
    if not (settings.ID_NUMBER_KEYS or settings.ID_NUMBER_INDEX_KEY):
        return []
    problem = _key_problem()
    return [Error(problem, id="customers.E101")] if problem else []


@register(Tags.security, deploy=True)
def id_number_keys_set(app_configs=None, **kwargs):
    """`check --deploy`: production without keys would store no ID number at all."""
    missing = [
        name for name in ("ID_NUMBER_KEYS", "ID_NUMBER_INDEX_KEY") if not getattr(settings, name)
    ]
    if not missing:
        return []
    return [
        Error(
            f"{' and '.join(missing)} not set: resident ID numbers can be neither encrypted "
            "nor read.",
            hint="Set them in the env file (see .env.example); generate each key with "
            "`python manage.py reencrypt_id_numbers --new-key`.",
            id="customers.E100",
        )
    ]
