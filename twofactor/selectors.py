"""Reading a person's two-factor devices. One authenticator (TOTP) and one set of
recovery codes per person; unconfirmed devices never count."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.models.custody import TWO_FACTOR_SUPERUSER
from twofactor import policy


def authenticator_get(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def is_enrolled(*, user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def staff_two_factor_list(*, actor) -> list:
    """Active staff (except the manager asking) with whether they use two-factor, how
    many recovery codes they have left and whether the policy requires it of them. Only
    superusers see superusers."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(pk=actor.pk)
        .annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            codes_left=Count(
                "staticdevice__token_set", filter=Q(staticdevice__confirmed=True), distinct=True
            ),
        )
        .prefetch_related("groups")
        .order_by("username")
    )
    if not actor.is_superuser:
        users = users.filter(is_superuser=False)
    required_roles = policy.required_roles()
    members = list(users)
    for member in members:
        roles = {group.name for group in member.groups.all()}
        member.required = bool(roles & required_roles) or (
            member.is_superuser and TWO_FACTOR_SUPERUSER in required_roles
        )
    return members


def staff_member_for_reset(*, actor, pk: int):
    """The staff member a manager may reset, or None (the caller answers 404): never
    oneself (another manager does that), never a superuser unless one is one."""
    users = get_user_model().objects.exclude(pk=actor.pk)
    if not actor.is_superuser:
        users = users.filter(is_superuser=False)
    return users.filter(pk=pk).first()


def policy_applies(*, user) -> bool:
    return policy.two_factor_required(user)
