"""Staff accounts without a superuser: a manager creates a person's account (name, role,
team, e-mail) and changes their role or team; every change is audited. The new person
chooses their own password through a one-time link (Django's password-reset tokens:
the link stops working once the password is set, and after PASSWORD_RESET_TIMEOUT),
sent through the outbox like every other message."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Team
from accounts.roles import CUSTODIAN, MANAGER, ROLE_LABELS, require_manager, role_names
from customers.audit import audit_record
from customers.models import AuditAction
from customers.services.custody import mail_managers
from customers.services.outbox import message_queue

# Roles with powers over other people's work and over the archive: giving or taking one
# away is told to every manager, so no manager can quietly make themselves a second,
# more powerful identity (or demote a colleague) unseen.
WATCHED_ROLES = (MANAGER, CUSTODIAN)

STAFF_OBJECT = "staff_member"
# The outbox kind of the mails that carry a link to choose a password: their body is
# for the recipient only (the outbox page hides it from the managers reading it).
PASSWORD_LINK_KIND = "staff.password_setup"  # noqa: S105 (an outbox kind, not a secret)


def password_setup_path(*, user) -> str:
    """The one-time link's path: valid until the password is set (the token signs the
    password hash and last sign-in), or until it expires."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("password_setup", kwargs={"uidb64": uid, "token": token})


def _role_of(user) -> str:
    return next(iter(sorted(role_names(user) & set(ROLE_LABELS))), "")


def _set_role(user, role: str) -> None:
    """The person holds exactly `role` among the staff roles (other groups stay)."""
    if role not in ROLE_LABELS:
        raise ValidationError(_("Choose a role."))
    user.groups.remove(*Group.objects.filter(name__in=ROLE_LABELS).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))
    user._role_names_cache = None


def _send_setup_link(*, user, site_url: str, actor, new_account: bool = True) -> None:
    link = site_url.rstrip("/") + password_setup_path(user=user)
    values = {
        "name": user.display_name,
        "manager": actor.display_name,
        "username": user.username,
        "link": link,
    }
    if new_account:
        subject = _("Your Travel CRM account")
        body = _(
            "Hello %(name)s,\n\n%(manager)s has opened a Travel CRM account for you.\n"
            "Your username: %(username)s\n\n"
            "Choose your password here (the link works once):\n%(link)s\n"
        )
    else:
        subject = _("A link to choose your Travel CRM password")
        body = _(
            "Hello %(name)s,\n\n%(manager)s sent you a link to choose a new password.\n"
            "Your username: %(username)s\n\n"
            "Choose your password here (the link works once, for one day; your present "
            "password works until you choose the new one):\n%(link)s\n\n"
            "If you did not ask for this, tell %(manager)s.\n"
        )
    message_queue(
        kind=PASSWORD_LINK_KIND,
        recipients=[user.email],
        subject=subject,
        body=body % values,
        reference=f"user:{user.pk}",
    )


@transaction.atomic
def staff_create(
    *,
    actor,
    username: str,
    full_name: str,
    email: str,
    role: str,
    team: Team | None,
    site_url: str,
):
    """A new member of staff with no password (they cannot sign in until they choose
    one through the link mailed to them) and no customers: a new rep starts with an
    empty book, filled by assignment or a departing colleague's handover."""
    require_manager(actor)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, full_name=full_name, email=email, team=team)
    user.set_unusable_password()
    user.save()
    _set_role(user, role)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        object_type=STAFF_OBJECT,
        detail={"username": username, "role": role, "team": team.name if team else None},
    )
    _send_setup_link(user=user, site_url=site_url, actor=actor)
    if role in WATCHED_ROLES:
        _tell_managers(actor=actor, user=user, before=None, after=role)
    return user


@transaction.atomic
def staff_change(*, actor, user, role: str, team: Team | None) -> bool:
    """Change a person's role or team; False when nothing changed (nothing audited)."""
    require_manager(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("Ask another manager to change your own role or team."))
    before = {"role": _role_of(user), "team": user.team.name if user.team else None}
    after = {"role": role, "team": team.name if team else None}
    if before == after:
        return False
    if before["team"] != after["team"]:
        user.team = team
        user.save(update_fields=["team"])
    if before["role"] != role:
        _set_role(user, role)
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=user,
        object_type=STAFF_OBJECT,
        detail={"username": user.username, "before": before, "after": after},
    )
    if before["role"] != role and {before["role"], role} & set(WATCHED_ROLES):
        _tell_managers(actor=actor, user=user, before=before["role"], after=role)
    return True


@transaction.atomic
def staff_password_link_send(*, actor, user, site_url: str) -> None:
    """Mail a person a new link to choose their password: the first link went stale
    (a day), or they forgot their password. The link goes to their own address only;
    their present password keeps working until they choose the new one."""
    require_manager(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("Change your own password from the menu under your name."))
    if user.is_superuser or getattr(user, "is_service_account", False) or not user.is_active:
        # Not a member of staff a manager manages (the Staff pages do not list them):
        # an administrator's or an integration's password is the administrator's matter.
        raise PermissionDenied
    if not user.email:
        raise ValidationError(
            _("%(name)s has no e-mail address: ask the administrator to add one first.")
            % {"name": user.display_name}
        )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=user,
        object_type=STAFF_OBJECT,
        detail={"username": user.username, "password_link_sent_to": user.email},
    )
    _send_setup_link(user=user, site_url=site_url, actor=actor, new_account=False)


def _tell_managers(*, actor, user, before: str | None, after: str) -> None:
    labels = {name: str(label) for name, label in ROLE_LABELS.items()}
    mail_managers(
        _("[Travel CRM] Role changed: %(name)s is now %(role)s")
        % {"name": user.display_name, "role": labels.get(after, after)},
        _(
            "%(actor)s gave %(name)s (%(username)s) the role %(role)s (before: "
            "%(before)s). If this was not agreed, change it back under Staff and tell "
            "the agency's person in charge."
        )
        % {
            "actor": actor.display_name,
            "name": user.display_name,
            "username": user.username,
            "role": labels.get(after, after),
            "before": labels.get(before, before) if before else _("new account"),
        },
        kind="staff.role_changed",
    )


def staff_role(user) -> str:
    return _role_of(user)
