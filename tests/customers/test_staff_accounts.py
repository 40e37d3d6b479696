"""Staff accounts without a superuser: a manager opens an account, the person chooses
their password through a one-time link, a manager changes role or team; all audited."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import User
from customers.models import AuditAction, AuditEntry, Customer, OutboundMessage
from tests.factories import CustomerFactory

NEW = {
    "full_name": "吴新人",
    "username": "sales9",
    "email": "wu@example.com",
    "role": "sales",
}


@pytest.fixture(autouse=True)
def _no_two_factor(db):
    from customers.models import CustodyPolicy

    policy = CustodyPolicy.current()
    policy.two_factor_roles = []
    policy.save()


def _link(message: OutboundMessage) -> str:
    return re.search(r"https?://\S+/accounts/set-password/\S+/", message.body).group(0)


def test_manager_opens_an_account_and_the_person_sets_their_password(
    manager1, north_team, client_as
):
    manager = client_as(manager1)
    response = manager.post(reverse("customers:staff_new"), {**NEW, "team": north_team.pk})
    assert response.status_code == 302
    user = User.objects.get(username="sales9")
    assert user.team == north_team and user.full_name == "吴新人"
    assert list(user.groups.values_list("name", flat=True)) == ["sales"]
    assert not user.has_usable_password()
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="staff_member")
    assert entry.actor == manager1 and entry.detail["role"] == "sales"
    assert entry.detail["team"] == north_team.name
    # The link went through the outbox to the person's address.
    message = OutboundMessage.objects.get(kind="staff.password_setup")
    assert message.recipients == ["wu@example.com"]
    link = _link(message)

    newcomer = Client()
    page = newcomer.get(link, follow=True)
    assert page.context["validlink"]
    form_url = page.redirect_chain[-1][0]
    weak = newcomer.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and weak.context["form"].errors  # the validators apply
    done = newcomer.post(
        form_url, {"new_password1": "Lijiang-2026!", "new_password2": "Lijiang-2026!"}
    )
    assert done.status_code == 302 and done["Location"] == reverse("login")
    chosen = AuditEntry.objects.get(action=AuditAction.PASSWORD_CHANGE, actor=user)
    assert chosen.detail["first_password"] is True
    signed_in = newcomer.post(reverse("login"), {"username": "sales9", "password": "Lijiang-2026!"})
    assert signed_in.status_code == 302 and "_auth_user_id" in newcomer.session
    # One time only.
    assert not Client().get(link, follow=True).context["validlink"]


def test_a_new_rep_starts_empty_and_receives_a_handover(manager1, sales1, client_as):
    manager = client_as(manager1)
    manager.post(reverse("customers:staff_new"), NEW)
    newcomer = User.objects.get(username="sales9")
    assert not Customer.all_objects.filter(owner=newcomer).exists()
    CustomerFactory.create_batch(3, owner=sales1)
    page = manager.get(reverse("customers:staff_depart", args=[sales1.pk]))
    assert newcomer in page.context["form"].fields["to_owner"].queryset
    manager.post(
        reverse("customers:staff_depart", args=[sales1.pk]),
        {"left_on": "2026-11-30", "reason": "调岗", "to_owner": newcomer.pk},
    )
    assert Customer.all_objects.filter(owner=newcomer).count() == 3


def test_duplicate_username_is_refused_with_a_message(manager1, sales1, client_as):
    response = client_as(manager1).post(
        reverse("customers:staff_new"), {**NEW, "username": "SALES1"}
    )
    assert response.status_code == 200
    assert "already taken" in response.text
    assert not OutboundMessage.objects.exists()


def test_manager_changes_role_and_team_audited(manager1, sales1, north_team, client_as):
    response = client_as(manager1).post(
        reverse("customers:staff_edit", args=[sales1.pk]),
        {"role": "team_lead", "team": north_team.pk},
    )
    assert response.status_code == 302
    sales1.refresh_from_db()
    assert sales1.team == north_team
    assert list(sales1.groups.values_list("name", flat=True)) == ["team_lead"]
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, object_type="staff_member")
    assert entry.detail["before"] == {"role": "sales", "team": "华东组"}
    assert entry.detail["after"] == {"role": "team_lead", "team": "华北组"}


def test_saving_without_a_change_writes_nothing(manager1, sales1, client_as):
    client_as(manager1).post(
        reverse("customers:staff_edit", args=[sales1.pk]),
        {"role": "sales", "team": sales1.team_id},
    )
    assert not AuditEntry.objects.filter(object_type="staff_member").exists()


@pytest.mark.parametrize("who", ["sales1", "lead1", "custodian1", "finance1"])
def test_staff_accounts_are_managers_only(staff, client_as, who):
    client = client_as(staff[who])
    assert client.get(reverse("customers:staff_new")).status_code == 404
    assert client.post(reverse("customers:staff_new"), NEW).status_code == 404
    target = staff["sales3"].pk
    assert client.get(reverse("customers:staff_edit", args=[target])).status_code == 404
    assert (
        client.post(reverse("customers:staff_edit", args=[target]), {"role": "manager"}).status_code
        == 404
    )
    assert not User.objects.filter(username="sales9").exists()
    assert not staff["sales3"].groups.filter(name="manager").exists()


def test_the_set_password_link_is_not_shown_to_managers_in_the_outbox(
    manager1, north_team, client_as, settings
):
    """Another manager reading the outbox must not be able to set the newcomer's password
    (and take the account over); the link is for its recipient, and goes stale in a day."""
    manager = client_as(manager1)
    manager.post(reverse("customers:staff_new"), {**NEW, "team": north_team.pk})
    message = OutboundMessage.objects.get(kind="staff.password_setup")
    token_path = _link(message).split("://", 1)[1].split("/", 1)[1]

    page = manager.get(reverse("customers:outbox_message", args=[message.pk]))

    assert page.status_code == 200
    assert token_path not in page.text and "set-password" not in page.text
    assert settings.PASSWORD_RESET_TIMEOUT == 24 * 60 * 60


def test_every_manager_is_told_when_a_manager_or_custodian_role_is_given(
    manager1, sales1, north_team, client_as
):
    """One manager could otherwise make a second, more powerful identity for themselves
    (or demote a colleague) unseen."""
    other = User.objects.create_user("manager2", email="m2@example.com", full_name="钱经理")
    other.groups.add(Group.objects.get(name="manager"))
    manager = client_as(manager1)
    manager.post(reverse("customers:staff_edit", args=[sales1.pk]), {"role": "team_lead"})
    assert not OutboundMessage.objects.filter(kind="staff.role_changed").exists()

    manager.post(
        reverse("customers:staff_new"), {**NEW, "role": "custodian", "team": north_team.pk}
    )
    manager.post(reverse("customers:staff_edit", args=[sales1.pk]), {"role": "manager"})

    told = OutboundMessage.objects.filter(kind="staff.role_changed").order_by("pk")
    assert told.count() == 2
    assert all("m2@example.com" in message.recipients for message in told)
    assert "吴新人" in told[0].subject and "王磊" in told[1].subject


def test_staff_moved_off_sales_stay_on_the_staff_page(manager1, sales1, finance1, client_as):
    """A rep made finance no longer follows customers; the Staff page still lists them,
    with the button to change their role or team again."""
    manager = client_as(manager1)
    manager.post(reverse("customers:staff_edit", args=[sales1.pk]), {"role": "finance"})
    page = manager.get(reverse("customers:staff"))
    others = page.text.split('data-testid="other-staff"')[1]
    assert "王磊" in others and "周财务" in others
    assert reverse("customers:staff_edit", args=[sales1.pk]) in others
    assert reverse("customers:staff_edit", args=[manager1.pk]) not in others  # not oneself


def test_a_manager_sends_a_new_password_link_to_someone_who_forgot(manager1, sales1, client_as):
    sales1.email = "sales1@example.com"
    sales1.set_password("Old-password-2026")
    sales1.save()
    manager = client_as(manager1)
    edit_page = manager.get(reverse("customers:staff_edit", args=[sales1.pk]))
    assert "sales1@example.com" in edit_page.text
    url = reverse("customers:staff_password_link", args=[sales1.pk])
    assert manager.get(url).status_code == 405

    response = manager.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("customers:staff")
    message = OutboundMessage.objects.get(kind="staff.password_setup")
    assert message.recipients == ["sales1@example.com"]
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, object_type="staff_member")
    assert entry.actor == manager1 and entry.detail["password_link_sent_to"] == "sales1@example.com"
    # The present password still works until the new one is chosen.
    sales1.refresh_from_db()
    assert sales1.check_password("Old-password-2026")
    person = Client()
    page = person.get(_link(message), follow=True)
    assert page.context["validlink"]
    person.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Guilin-2026-new!", "new_password2": "Guilin-2026-new!"},
    )
    sales1.refresh_from_db()
    assert sales1.check_password("Guilin-2026-new!")
    assert not sales1.check_password("Old-password-2026")
    assert not Client().get(_link(message), follow=True).context["validlink"]


def test_a_password_link_is_refused_to_oneself_and_to_non_managers(
    manager1, sales1, sales2, client_as
):
    sales1.email = "sales1@example.com"
    sales1.save()
    url = reverse("customers:staff_password_link", args=[sales1.pk])
    assert client_as(sales2).post(url).status_code == 404

    own = client_as(manager1).post(
        reverse("customers:staff_password_link", args=[manager1.pk]), follow=True
    )

    assert "Change your own password" in own.text
    assert not OutboundMessage.objects.filter(kind="staff.password_setup").exists()


def test_the_staff_page_shows_who_has_not_chosen_a_password(manager1, client_as):
    manager = client_as(manager1)
    manager.post(reverse("customers:staff_new"), NEW)

    page = manager.get(reverse("customers:staff"))

    assert page.text.count("No password yet") == 1
    assert (
        "has not chosen a password yet"
        in manager.get(
            reverse("customers:staff_edit", args=[User.objects.get(username="sales9").pk])
        ).text
    )


@pytest.mark.parametrize("target", ["superuser", "service account", "inactive"])
def test_the_password_link_service_refuses_who_no_manager_manages(manager1, target):
    """The service owns the rule, not only the page (whose lookup already leaves them
    out): a manager cannot have a link mailed to an administrator, an integration or a
    closed account through any other door."""
    from django.core.exceptions import PermissionDenied

    from customers.services.staff import staff_password_link_send

    user = User.objects.create_user(
        username=f"x-{target.replace(' ', '-')}",
        email="x@example.com",
        is_superuser=target == "superuser",
        is_service_account=target == "service account",
        is_active=target != "inactive",
    )
    with pytest.raises(PermissionDenied):
        staff_password_link_send(actor=manager1, user=user, site_url="https://crm.example/")
    assert not OutboundMessage.objects.filter(kind="staff.password_setup").exists()
