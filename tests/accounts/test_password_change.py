"""Every person changes their own password; a manager can require it, and until it is
done the person sees nothing but the password-change page."""

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import AuditAction, AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lijiang-2027-river"


def _change(client, old=PASSWORD, new=NEW_PASSWORD):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_password_page_is_linked_from_every_page_and_in_chinese(client, sales1):
    client.force_login(sales1)
    menu = client.get(reverse("customers:list")).content.decode()
    assert reverse("password_change") in menu
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()


def test_a_person_changes_their_password_and_stays_signed_in(client_as, sales1):
    client = client_as(sales1)
    response = _change(client)
    assert response.status_code == 302
    assert client.get(reverse("customers:list")).status_code == 200  # session kept
    sales1.refresh_from_db()
    assert sales1.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert entry.actor == sales1 and entry.detail["required_by_manager"] is False


def test_a_wrong_old_password_changes_nothing(client_as, sales1):
    response = _change(client_as(sales1), old="not-my-password")
    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()
    sales1.refresh_from_db()
    assert sales1.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGE).exists()


def test_a_weak_new_password_is_refused(client_as, sales1):
    response = _change(client_as(sales1), new="12345678")
    assert response.status_code == 200
    sales1.refresh_from_db()
    assert sales1.check_password(PASSWORD)


def test_signed_out_people_are_sent_to_log_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_manager_requires_a_password_change_and_it_is_audited(client_as, manager1, sales1):
    response = client_as(manager1).post(
        reverse("customers:staff_require_password_change", args=[sales1.pk])
    )
    assert response.status_code == 302
    sales1.refresh_from_db()
    assert sales1.must_change_password
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_REQUIRE)
    assert entry.actor == manager1 and entry.object_id == str(sales1.pk)


@pytest.mark.parametrize("who", ["sales2", "lead1", "custodian1", "finance1"])
def test_only_managers_require_a_password_change(client_as, staff, who):
    response = client_as(staff[who]).post(
        reverse("customers:staff_require_password_change", args=[staff["sales1"].pk])
    )
    assert response.status_code == 404
    staff["sales1"].refresh_from_db()
    assert not staff["sales1"].must_change_password


def test_requiring_needs_a_post(client_as, manager1, sales1):
    url = reverse("customers:staff_require_password_change", args=[sales1.pk])
    assert client_as(manager1).get(url).status_code == 405


def test_the_staff_page_offers_the_button(client_as, manager1, sales1):
    page = client_as(manager1).get(reverse("customers:staff")).content.decode()
    assert reverse("customers:staff_require_password_change", args=[sales1.pk]) in page


def test_a_required_change_comes_before_everything_else(client_as, sales1):
    sales1.must_change_password = True
    sales1.save()
    person = Client()
    person.post(reverse("login"), {"username": "sales1", "password": PASSWORD})
    for url in [reverse("customers:list"), reverse("followups:my_day"), "/admin/"]:
        response = person.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("password_change")
    page = person.get(reverse("password_change"))
    assert page.status_code == 200
    assert 'data-testid="password-change-required"' in page.content.decode()
    assert person.post(reverse("logout")).status_code == 302  # signing out still works


def test_after_the_required_change_work_goes_on(client_as, sales1):
    sales1.must_change_password = True
    sales1.save()
    client = client_as(sales1)
    _change(client)
    sales1.refresh_from_db()
    assert not sales1.must_change_password
    assert client.get(reverse("customers:list")).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert entry.detail["required_by_manager"] is True


def test_a_changed_password_signs_the_person_out_on_other_computers(client_as, sales1):
    other_computer = Client()
    other_computer.post(reverse("login"), {"username": "sales1", "password": PASSWORD})
    assert other_computer.get(reverse("customers:list")).status_code == 200
    _change(client_as(sales1))
    response = other_computer.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
