"""Two-factor sign-in: set-up, the code step after the password, recovery codes, the
policy that makes managers and custodians use it, and the managers' reset.

Codes are real TOTP codes computed here from the device's key (django_otp.oath.totp);
nothing in the verifier is mocked. The suite's default policy is off (tests/conftest.py);
these tests switch it on with `two_factor_policy`."""

import datetime
from base64 import b32encode
from binascii import unhexlify

import pytest
import time_machine
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.admin import CustodyPolicyForm
from customers.models import AuditAction, AuditEntry, CustodyPolicy
from tests.factories import PASSWORD, UserFactory
from twofactor import gate
from twofactor.policy import required_roles as policy_required_roles
from twofactor.services import new_secret, two_factor_enrol

pytestmark = pytest.mark.django_db

CUSTOMERS = "/customers/"


@pytest.fixture
def two_factor_policy(monkeypatch):
    """The policy as in production: read from the custody policy row (default: managers,
    custodians and superusers)."""
    monkeypatch.setattr("twofactor.policy.required_roles", policy_required_roles)
    return CustodyPolicy.current()


def code(device_or_key, *, steps_ahead: int = 0) -> str:
    """The authenticator's code now (or `steps_ahead` 30-second steps later)."""
    key = device_or_key.bin_key if hasattr(device_or_key, "bin_key") else device_or_key
    return f"{totp(key, drift=steps_ahead):06d}"


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    secret = new_secret()
    return two_factor_enrol(actor=user, secret=secret, code=code(unhexlify(secret)))


def sign_in_with_password(client, user):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def past_the_code_step(client):
    """A force_login'd client of someone with an authenticator, as after their code."""
    session = client.session
    session[gate.STATE_KEY] = gate.PASSED
    session.save()
    return client


def audit_actions(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            object_type="user", object_id=str(user.pk), action__startswith="2fa_"
        )
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# --- Set-up ------------------------------------------------------------------------------


def test_set_up_shows_a_qr_code_and_the_key_and_turns_on_with_the_first_code(client_as, sales1):
    client = client_as(sales1)
    page = client.get(reverse("twofactor:setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    secret = client.session["twofactor_new_secret"]
    key_text = b32encode(unhexlify(secret)).decode()
    groups = [key_text[i : i + 4] for i in range(0, len(key_text), 4)]
    assert all(f">{group}<" in html for group in groups)  # for typing into the app by hand

    # A reload shows the same key (the person may already have scanned it).
    assert client.get(reverse("twofactor:setup")).context["secret_groups"][0] == key_text[:4]

    wrong = client.post(reverse("twofactor:setup"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=sales1).exists()

    done = client.post(reverse("twofactor:setup"), {"code": code(unhexlify(secret))})
    assert done.status_code == 302
    assert done["Location"].startswith(reverse("twofactor:codes"))
    device = TOTPDevice.objects.get(user=sales1)
    assert device.confirmed and device.key == secret

    codes_page = client.get(done["Location"])
    shown_codes = codes_page.context["codes"]
    assert len(shown_codes) == 10
    stored = set(StaticToken.objects.filter(device__user=sales1).values_list("token", flat=True))
    assert {c.replace("-", "") for c in shown_codes} == stored
    for shown_code in shown_codes:
        assert shown_code in codes_page.content.decode()

    # A reload (or a language switch) keeps them; once the person says they have kept
    # them, they are never shown again.
    assert client.get(done["Location"]).context["codes"] == shown_codes
    kept = client.post(reverse("twofactor:codes"), {"next": CUSTOMERS})
    assert kept["Location"] == CUSTOMERS
    again = client.get(reverse("twofactor:codes"), follow=True)
    assert again.redirect_chain[-1][0] == reverse("twofactor:settings")
    assert shown_codes[0] not in again.content.decode()
    assert "shown only once" in again.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        assert client.get(reverse("twofactor:codes")).status_code == 302  # nor left behind

    assert audit_actions(sales1) == [AuditAction.TWO_FACTOR_ENROL]
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR_ENROL)
    assert entry.actor == sales1 and entry.object_repr == str(sales1)
    assert secret not in str(entry.detail)


def test_the_code_that_confirmed_set_up_cannot_be_used_again_to_sign_in(client, sales1):
    secret = new_secret()
    first = code(unhexlify(secret))
    two_factor_enrol(actor=sales1, secret=secret, code=first)
    sign_in_with_password(client, sales1)
    refused = client.post(reverse("twofactor:verify"), {"code": first})
    assert refused.status_code == 200
    assert client.get(CUSTOMERS).status_code == 302


# --- The code step ------------------------------------------------------------------------


def test_after_the_password_a_person_with_an_authenticator_must_enter_a_code(client, sales1):
    device, _codes = enrol(sales1)
    response = sign_in_with_password(client, sales1)
    assert client.session[gate.STATE_KEY] == gate.VERIFY

    # Nothing is served before the code: product pages, the admin, other apps.
    for path in [CUSTOMERS, "/admin/", "/tiers/", "/followups/", reverse("twofactor:settings")]:
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked["Location"].startswith(reverse("twofactor:verify")), path
    assert client.post(reverse("customers:create"), {"name": "x"}).status_code == 302

    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("twofactor:verify"))
    html = page.content.decode()
    assert "Enter your sign-in code" in html
    assert reverse("customers:list") not in html  # no menus while the step is open

    passed = client.post(
        reverse("twofactor:verify") + "?next=/customers/",
        {"code": code(device, steps_ahead=1), "next": "/customers/"},
    )
    assert passed.status_code == 302 and passed["Location"] == CUSTOMERS
    assert client.get(CUSTOMERS).status_code == 200
    assert audit_actions(sales1)[-1] == AuditAction.TWO_FACTOR_PASS


def test_a_wrong_code_is_refused_and_wrong_codes_slow_the_next_try(client, sales1):
    device, _codes = enrol(sales1)
    sign_in_with_password(client, sales1)
    start = timezone.now() + datetime.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        wrong = client.post(reverse("twofactor:verify"), {"code": "123456"})
        assert wrong.status_code == 200
        assert "wrong or has expired" in wrong.content.decode()
        assert client.get(CUSTOMERS).status_code == 302

        # Even the right code waits out the back-off after a wrong one.
        throttled = client.post(reverse("twofactor:verify"), {"code": code(device)})
        assert "Too many wrong codes" in throttled.content.decode()
        assert client.get(CUSTOMERS).status_code == 302

    with time_machine.travel(start + datetime.timedelta(seconds=5), tick=False):
        passed = client.post(reverse("twofactor:verify"), {"code": code(device)})
        assert passed.status_code == 302
        assert client.get(CUSTOMERS).status_code == 200

    fails = AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_FAIL, actor=sales1)
    assert fails.count() == 2
    assert fails.filter(detail__throttled=True).count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_PASS, actor=sales1).exists()


def test_codes_typed_with_full_width_digits_or_spaces_are_accepted(client, sales1):
    device, _codes = enrol(sales1)
    sign_in_with_password(client, sales1)
    digits = code(device, steps_ahead=1)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in digits)
    typed = f"{full_width[:3]} {full_width[3:]}"
    assert client.post(reverse("twofactor:verify"), {"code": typed}).status_code == 302
    assert client.get(CUSTOMERS).status_code == 200


def test_a_recovery_code_signs_in_once(client, sales1):
    _device, codes = enrol(sales1)
    sign_in_with_password(client, sales1)
    passed = client.post(reverse("twofactor:verify"), {"code": codes[0].upper()}, follow=True)
    assert passed.redirect_chain[-1][0] == reverse("home")  # the home page, as any sign-in
    assert "9 codes are left" in passed.content.decode()
    assert StaticToken.objects.filter(device__user=sales1).count() == 9
    entry = AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_PASS).latest("id")
    assert entry.detail == {
        "method": "recovery_code",
        "purpose": "sign_in",
        "recovery_codes_left": 9,
    }

    client.post(reverse("logout"))
    sign_in_with_password(client, sales1)
    used = client.post(reverse("twofactor:verify"), {"code": codes[0]})
    assert used.status_code == 200
    assert "already been used" in used.content.decode()
    assert client.get(CUSTOMERS).status_code == 302


def test_next_never_leads_off_the_site(client, sales1):
    device, _codes = enrol(sales1)
    sign_in_with_password(client, sales1)
    response = client.post(
        reverse("twofactor:verify"),
        {"code": code(device, steps_ahead=1), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_a_session_from_before_the_gate_gets_its_state_on_the_next_request(client, sales1):
    enrol(sales1)
    client.force_login(sales1)
    session = client.session
    del session[gate.STATE_KEY]
    session.save()
    assert client.get(CUSTOMERS)["Location"].startswith(reverse("twofactor:verify"))


# --- The policy ---------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(username="root1", is_superuser=True, is_staff=True)


@pytest.mark.parametrize("who", ["manager1", "custodian1", "superuser"])
def test_the_policy_sends_managers_custodians_and_superusers_to_set_up_first(
    request, client_as, two_factor_policy, who
):
    user = request.getfixturevalue(who)
    client = client_as(user)
    assert client.session[gate.STATE_KEY] == gate.ENROL
    for path in [CUSTOMERS, "/admin/", "/archives/", reverse("twofactor:verify")]:
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked["Location"].startswith(reverse("twofactor:setup")), path
    page = client.get(reverse("twofactor:setup"))
    assert page.status_code == 200
    assert "Your role must use two-factor sign-in" in page.content.decode()

    secret = client.session["twofactor_new_secret"]
    client.post(reverse("twofactor:setup"), {"code": code(unhexlify(secret))})
    assert client.get(CUSTOMERS).status_code == 200
    assert client.get("/admin/").status_code == 200

    # Their role may not turn it off, even with a valid code.
    device = TOTPDevice.objects.get(user=user)
    refused = client.post(
        reverse("twofactor:off"), {"code": code(device, steps_ahead=1)}, follow=True
    )
    assert "cannot be turned off" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()


def test_someone_no_longer_required_is_let_through_from_the_set_up_page(
    client_as, custodian1, two_factor_policy, monkeypatch
):
    client = client_as(custodian1)
    assert client.get(CUSTOMERS)["Location"].startswith(reverse("twofactor:setup"))
    monkeypatch.setattr("twofactor.policy.required_roles", lambda: frozenset({"manager"}))
    page = client.get(reverse("twofactor:setup"))
    assert "Your role must use" not in page.content.decode()
    assert client.get(CUSTOMERS).status_code == 200


@pytest.mark.parametrize("who", ["sales1", "lead1", "finance1"])
def test_reps_leads_and_finance_are_not_forced(request, client_as, two_factor_policy, who):
    client = client_as(request.getfixturevalue(who))
    assert client.get(CUSTOMERS).status_code == 200


def test_managers_change_who_must_use_it_in_the_custody_policy(client_as, sales1, manager1,
                                                                two_factor_policy):  # fmt: skip
    data = {k: v for k, v in model_to_dict(two_factor_policy).items() if v is not None}
    form = CustodyPolicyForm(
        instance=two_factor_policy, data={**data, "two_factor_roles": ["sales"]}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert CustodyPolicy.current().two_factor_roles == ["sales"]

    assert client_as(sales1).get(CUSTOMERS)["Location"].startswith(reverse("twofactor:setup"))
    client_as(manager1)
    assert client_as(manager1).get(CUSTOMERS).status_code == 200


# --- Own settings -------------------------------------------------------------------------


def test_new_recovery_codes_need_a_current_code_and_replace_the_old(client_as, sales1):
    device, old_codes = enrol(sales1)
    client = past_the_code_step(client_as(sales1))
    page = client.get(reverse("twofactor:settings"))
    assert "10 recovery codes left" in page.content.decode()

    refused = client.post(reverse("twofactor:codes_new"), {"code": "000000"}, follow=True)
    assert "wrong or has expired" in refused.content.decode()
    assert sorted(
        StaticToken.objects.filter(device__user=sales1).values_list("token", flat=True)
    ) == sorted(c.replace("-", "") for c in old_codes)

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):  # back-off
        made = client.post(
            reverse("twofactor:codes_new"), {"code": code(device, steps_ahead=1)}, follow=True
        )
    new_codes = made.context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert StaticDevice.objects.filter(user=sales1).count() == 1
    assert AuditAction.TWO_FACTOR_CODES in audit_actions(sales1)


def test_turning_off_needs_a_current_code(client_as, sales1):
    device, _codes = enrol(sales1)
    client = past_the_code_step(client_as(sales1))
    client.post(reverse("twofactor:off"), {"code": "000000"})
    assert TOTPDevice.objects.filter(user=sales1).exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        done = client.post(reverse("twofactor:off"), {"code": code(device, steps_ahead=1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=sales1).exists()
    assert not StaticDevice.objects.filter(user=sales1).exists()
    assert audit_actions(sales1)[-1] == AuditAction.TWO_FACTOR_DISABLE

    client.post(reverse("logout"))
    sign_in_with_password(client, sales1)
    assert client.get(CUSTOMERS).status_code == 200


def test_moving_to_a_new_phone_replaces_the_old_authenticator(client_as, sales1):
    enrol(sales1)
    client = past_the_code_step(client_as(sales1))
    page = client.get(reverse("twofactor:setup"))
    assert "Move two-factor sign-in to a new phone" in page.content.decode()
    secret = client.session["twofactor_new_secret"]
    client.post(reverse("twofactor:setup"), {"code": code(unhexlify(secret))})
    assert list(TOTPDevice.objects.filter(user=sales1).values_list("key", flat=True)) == [secret]
    entry = AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_ENROL).latest("id")
    assert entry.detail == {"replaced_authenticator": True}


def test_the_own_pages_need_a_login(client):
    for name in ["settings", "setup", "verify", "codes", "staff"]:
        response = client.get(reverse(f"twofactor:{name}"))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Managers' reset ----------------------------------------------------------------------


def test_a_manager_resets_a_lost_phone_and_the_person_sets_it_up_again(
    client_as, manager1, custodian1, two_factor_policy
):
    enrol(custodian1)
    enrol(manager1)
    manager = past_the_code_step(client_as(manager1))

    page = manager.get(reverse("twofactor:staff"))
    assert page.status_code == 200
    row = next(m for m in page.context["staff"] if m.pk == custodian1.pk)
    assert row.enrolled and row.required and row.codes_left == 10

    manager.post(reverse("twofactor:reset", args=[custodian1.pk]), {"reason": ""})
    assert TOTPDevice.objects.filter(user=custodian1).exists()  # a reason is required

    done = manager.post(
        reverse("twofactor:reset", args=[custodian1.pk]), {"reason": "手机丢了"}, follow=True
    )
    assert "was reset" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=custodian1).exists()
    assert not StaticDevice.objects.filter(user=custodian1).exists()
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert entry.actor == manager1
    assert entry.object_id == str(custodian1.pk)
    assert entry.detail == {"reason": "手机丢了", "had_authenticator": True}

    # The custodian's role requires it: the next sign-in goes to set-up, not the code.
    custodian = Client()
    sign_in_with_password(custodian, custodian1)
    assert custodian.get(CUSTOMERS)["Location"].startswith(reverse("twofactor:setup"))


def test_a_reset_in_the_middle_of_the_code_step_sends_the_person_to_set_up(
    client, sales1, manager1, two_factor_policy
):
    enrol(sales1)
    sign_in_with_password(client, sales1)
    from twofactor.services import two_factor_reset

    two_factor_reset(actor=manager1, user=sales1, reason="lost phone")
    # A rep need not use two-factor: with the authenticator gone, the step is over.
    assert client.get(reverse("twofactor:verify"))["Location"] == reverse("home")
    assert client.get(CUSTOMERS).status_code == 200


@pytest.mark.parametrize("who", ["sales1", "lead1", "custodian1", "finance1"])
def test_only_managers_see_or_reset_anyone_elses_two_factor(request, client_as, sales2, who):
    enrol(sales2)
    client = client_as(request.getfixturevalue(who))
    assert client.get(reverse("twofactor:staff")).status_code == 404
    reset = client.post(reverse("twofactor:reset", args=[sales2.pk]), {"reason": "x"})
    assert reset.status_code == 404
    assert TOTPDevice.objects.filter(user=sales2).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_RESET).exists()


def test_a_manager_cannot_reset_themselves_a_superuser_or_nobody(client_as, manager1, superuser):
    enrol(manager1)
    enrol(superuser)
    client = past_the_code_step(client_as(manager1))
    for pk in [manager1.pk, superuser.pk, 10**12]:
        response = client.post(reverse("twofactor:reset", args=[pk]), {"reason": "x"})
        assert response.status_code == 404, pk
    assert TOTPDevice.objects.filter(user__in=[manager1, superuser]).count() == 2
    listed = {m.pk for m in client.get(reverse("twofactor:staff")).context["staff"]}
    assert manager1.pk not in listed and superuser.pk not in listed


def test_devices_are_not_in_the_admin():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
