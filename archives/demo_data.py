"""The demo agency's business archives, added by `manage.py load_demo` (which calls
`load` on every installed app that has a demo_data module)."""

import datetime
import random

from django.contrib.auth import get_user_model

from archives.models import DocumentKind, DocumentRequirement
from archives.models.tour import TourGroup
from archives.services import archive_document_add, archive_mark_archived, tour_group_create
from customers.models import Booking

GROUND_AGENCIES = ["三亚海天地接社", "云南风情国际旅行社", "大阪樱花旅行社", "曼谷金象地接社"]
GUIDES = ["李导游", "王领队", "陈导游", "张领队", "刘导游"]
CABINETS = ["档案室 A 柜", "档案室 B 柜", "档案室 C 柜"]


def load(*, stdout, today: datetime.date, seed: int = 2026) -> None:
    rng = random.Random(seed)
    custodian = get_user_model().objects.get(username="custodian1")
    required = set(DocumentRequirement.objects.filter(required=True).values_list("kind", flat=True))
    paid = Booking.objects.filter(status="paid", end_date__lt=today).select_related("customer")
    oldest = list(paid.order_by("end_date")[:12])  # past their retention end by now
    recent = list(paid.order_by("-end_date")[:28])
    for number, booking in enumerate(oldest + recent, start=1):
        prefix = "CJ" if booking.trip_type == "outbound" else "GN"
        tour = tour_group_create(
            actor=custodian,
            tour=TourGroup(
                group_number=f"{prefix}{booking.start_date:%Y%m%d}-{number:03d}",
                product=booking.product,
                trip_type=booking.trip_type,
                start_date=booking.start_date,
                end_date=booking.end_date,
                head_count=booking.head_count,
                ground_agency=rng.choice(GROUND_AGENCIES),
                guide=rng.choice(GUIDES),
            ),
            bookings=[booking],
        )
        archive = tour.archive
        complete = number % 3 != 0  # every third tour still misses documents
        kinds = [kind for kind in DocumentKind.values if complete or kind != "settlement_sheet"]
        for kind in kinds if complete else kinds[: rng.randint(3, 8)]:
            archive_document_add(
                actor=custodian,
                archive=archive,
                kind=kind,
                paper_location=rng.choice(CABINETS),
                reference=f"HT{booking.start_date:%Y}{number:04d}"
                if kind == "travel_contract"
                else "",
            )
        if complete and required <= set(kinds):
            archive_mark_archived(actor=custodian, archive=archive)
    stdout.write(f"Added {len(oldest) + len(recent)} tour groups with business archives.")
