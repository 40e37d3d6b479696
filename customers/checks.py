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


@register(Tags.security, deploy=True)
def id_number_keys_not_the_development_ones(app_configs=None, **kwargs):
    """`check --deploy`: the embedded development keys are in the source code, so a
    production that copied them into its env file protects nothing."""
    development = {settings.DEVELOPMENT_ID_NUMBER_KEY, settings.DEVELOPMENT_ID_NUMBER_INDEX_KEY}
    keys = [entry.partition(":")[2].strip() for entry in settings.ID_NUMBER_KEYS.split(",")]
    if not development & {*keys, settings.ID_NUMBER_INDEX_KEY.strip()}:
        return []
    return [
        Error(
            "ID_NUMBER_KEYS or ID_NUMBER_INDEX_KEY is the development key published in the "
            "source code.",
            hint="Generate your own keys with `python manage.py reencrypt_id_numbers "
            "--new-key`, put the new key first in ID_NUMBER_KEYS and run "
            "`reencrypt_id_numbers` (with --reindex for a new index key).",
            id="customers.E102",
        )
    ]
