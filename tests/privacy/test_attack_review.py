"""Found reading the personal-information features as an attacker would: a copy of the
person's former details outliving their anonymisation, the deletion panel picking up
the wrong request."""

import os

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from privacy.anonymisation import customer_anonymise
from privacy.models import CopyStatus, RequestKind, RightsCopy, RightsRequest
from privacy.services.copy import rights_copy_download, rights_copy_make_now, rights_copy_start
from privacy.services.requests import rights_request_register
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _request(actor, customer, kind):
    return rights_request_register(
        actor=actor, customer=customer, kind=kind,
        received_on=timezone.localdate(), channel="in_person",
    )  # fmt: skip


def test_anonymising_removes_a_ready_copy_so_the_former_details_cannot_be_downloaded(
    custodian1, manager1, sales1, django_capture_on_commit_callbacks
):
    person = CustomerFactory(owner=sales1, name="林小雨", mobile="13911112222")
    copy_request = _request(custodian1, person, "copy")
    with django_capture_on_commit_callbacks(execute=True):
        copy = rights_copy_start(actor=custodian1, rights_request=copy_request, language="en")
    copy.refresh_from_db()
    assert copy.status == CopyStatus.READY
    stored = copy.file.path
    assert os.path.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        customer_anonymise(customer=person, by=manager1, reason="本人要求删除")

    copy.refresh_from_db()
    assert copy.status == CopyStatus.FAILED and not copy.file
    assert "anonymised" in copy.error
    assert not os.path.exists(stored)
    with pytest.raises(ValidationError):
        rights_copy_download(actor=custodian1, copy=copy)


def test_a_copy_being_made_while_the_person_is_anonymised_is_not_kept(
    custodian1, manager1, sales1, django_capture_on_commit_callbacks, tmp_path
):
    person = CustomerFactory(owner=sales1, name="林小雨")
    copy_request = _request(custodian1, person, "copy")
    with django_capture_on_commit_callbacks(execute=False):
        copy = rights_copy_start(actor=custodian1, rights_request=copy_request, language="en")
    # The worker has claimed it and is reading the person when the anonymisation commits.
    RightsCopy.objects.filter(pk=copy.pk).update(status=CopyStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        customer_anonymise(customer=person, by=manager1, reason="本人要求删除")
    RightsCopy.objects.filter(pk=copy.pk).update(status=CopyStatus.RUNNING)  # its claim
    from privacy.services import copy as copy_service

    real = copy_service.transaction.atomic

    def anonymised_meanwhile(*args, **kwargs):
        RightsCopy.objects.filter(pk=copy.pk).update(status=CopyStatus.FAILED)
        return real(*args, **kwargs)

    copy_service.transaction.atomic = anonymised_meanwhile
    try:
        RightsCopy.objects.filter(pk=copy.pk).update(status=CopyStatus.QUEUED)
        status = rights_copy_make_now(copy_id=copy.pk)
    finally:
        copy_service.transaction.atomic = real
    copy.refresh_from_db()
    assert status == CopyStatus.FAILED and copy.status == CopyStatus.FAILED
    assert not copy.file
    stored = list((tmp_path / "private").rglob("*.zip"))
    assert stored == []


def test_the_deletion_panel_shows_only_for_the_deletion_request_it_is_given(custodian1, sales1):
    person = CustomerFactory(owner=sales1)
    other = CustomerFactory(owner=sales1)
    copy_request = _request(custodian1, other, "copy")
    deletion = _request(custodian1, person, "deletion")
    request = RequestFactory().get("/")
    request.user = custodian1
    template = Template("{% load privacy_anonymisation %}{% deletion_panel %}")
    # Another request somewhere in the context (a list's row, a related object) is never
    # taken for the one the page is about.
    assert "deletion-panel" not in template.render(
        Context({"request": request, "row": copy_request, "other": deletion})
    )
    assert "deletion-panel" not in template.render(
        Context({"request": request, "rights_request": copy_request})
    )
    assert "deletion-panel" in template.render(
        Context({"request": request, "rights_request": deletion})
    )
    assert RightsRequest.objects.filter(kind=RequestKind.DELETION).count() == 1


def test_a_closed_account_cannot_anonymise_through_the_service(custodian1, manager1, sales1):
    """The rule of the requests' pages is the anonymisation's too: a custodian or manager
    whose account was closed (a background caller, a session kept open) is refused."""
    from django.core.exceptions import PermissionDenied

    person = CustomerFactory(owner=sales1)
    manager1.is_active = False
    manager1.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        customer_anonymise(customer=person, by=manager1, reason="本人要求删除")
    person.refresh_from_db()
    assert person.anonymised_at is None
