"""The document check finds a missing and an altered file and tells the custodians."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from archives.integrity import ALTERED, MISSING, documents_verify
from archives.models import DocumentCheck, DocumentKind
from archives.services import archive_document_add
from archives.uploads import private_storage
from customers.models import OutboundMessage
from tests.archives.factories import MINIMAL_PDF, archive_for

pytestmark = pytest.mark.django_db


def _add(archive, actor, name):
    return archive_document_add(
        actor=actor,
        archive=archive,
        kind=DocumentKind.ITINERARY,
        upload=SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf"),
    )


@pytest.fixture
def documents(customer_of_sales1, sales1, custodian1, private_media):
    archive = archive_for(customer_of_sales1)
    return [_add(archive, sales1, f"doc{i}.pdf") for i in range(3)]


def test_an_intact_store_passes_and_nobody_is_mailed(documents, capsys):
    call_command("verify_documents")
    check = DocumentCheck.objects.get()
    assert (check.checked, check.missing, check.altered) == (3, 0, 0)
    assert check.bytes_read == 3 * len(MINIMAL_PDF)
    assert not OutboundMessage.objects.exists()
    assert "3 files checked" in capsys.readouterr().out


def test_a_missing_and_an_altered_file_are_reported_to_the_custodians(documents, custodian1):
    gone, changed, _intact = documents
    private_storage.delete(gone.file.name)
    path = private_storage.path(changed.file.name)
    with open(path, "r+b") as f:  # same size, one byte different: only the hash tells
        f.seek(10)
        f.write(b"X")

    check = documents_verify()

    assert (check.checked, check.missing, check.altered) == (3, 1, 1)
    problems = {p["document"]: p["problem"] for p in check.problems}
    assert problems == {gone.pk: MISSING, changed.pk: ALTERED}
    message = OutboundMessage.objects.get(kind="archives.document_check")
    assert message.recipients == [custodian1.email]
    assert changed.file.name in message.body and gone.file.name in message.body
    assert check.notified_count == 1


def test_the_command_fails_loudly_on_a_problem(documents):
    private_storage.delete(documents[0].file.name)
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_documents")
    assert exit_.value.code == 1


def test_a_truncated_file_is_altered_without_reading_it(documents):
    path = private_storage.path(documents[0].file.name)
    with open(path, "r+b") as f:
        f.truncate(5)
    check = documents_verify()
    assert check.altered == 1
    assert check.bytes_read == 2 * len(MINIMAL_PDF)  # the short file was not hashed


def test_a_second_check_while_one_runs_does_nothing(documents, custodian1):
    """Two runs at once (the weekly task and a custodian's command) would read every file
    twice and mail the custodians twice: the second one stops at the claim."""
    private_storage.delete(documents[0].file.name)
    DocumentCheck.objects.create()  # a run in progress

    assert documents_verify() is None
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_documents")
    assert exit_.value.code == 2
    assert DocumentCheck.objects.count() == 1
    assert not OutboundMessage.objects.exists()


def test_a_run_whose_worker_died_does_not_block_the_next(documents):
    dead = DocumentCheck.objects.create(started_at=timezone.now() - datetime.timedelta(hours=2))

    check = documents_verify()

    assert check is not None and check.checked == 3 and not check.is_running
    dead.refresh_from_db()
    assert not dead.is_running and dead.finished_at is None
    assert documents_verify() is not None  # the finished run holds no claim
