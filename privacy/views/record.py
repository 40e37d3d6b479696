from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import require_page
from privacy.selectors_record import processing_record as record_read
from privacy.selectors_requests import rights_requests_allowed


@login_required
def processing_record(request):
    """The record of processing activities, as the system is configured today; printable."""
    require_page(rights_requests_allowed(request.user))
    today = timezone.localdate()
    return render(request, "privacy/record.html", record_read(today=today))
