"""Builds demo rows in memory, deterministically from a seed; the command saves them in
batches. Identity data is unique by construction (derived from the row number), so a
million customers need no retries."""

import datetime
import random
from decimal import Decimal

from customers.demo import names
from customers.models import (
    Booking,
    ContactPerson,
    ContactRecord,
    Customer,
    ServiceRecord,
)
from customers.validators import id_number_check_char, normalize_org_name

BIRTH_BASE = datetime.date(1950, 1, 1)
BIRTH_SPAN_DAYS = 20000  # to late 2004
MOBILE_SCRAMBLE = 7919  # prime, coprime to 10**8: a bijection on 8-digit suffixes

KIND_BY_SLOT = ["individual"] * 14 + ["corporate"] * 3 + ["supplier"] * 2 + ["media"]
CHURN_WEIGHTS = [
    ("deceased", 1),
    ("moved_away", 3),
    ("not_target", 5),
    ("price", 9),
    ("product_defect", 14),
    ("poor_service", 68),
]


def id_number_for(index: int) -> tuple[str, datetime.date, str]:
    regions = names.REGION_CODES
    region = regions[index % len(regions)]
    rest = index // len(regions)
    birthday = BIRTH_BASE + datetime.timedelta(days=rest % BIRTH_SPAN_DAYS)
    sequence = (rest // BIRTH_SPAN_DAYS) % 1000
    first17 = f"{region}{birthday:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17), birthday, "M" if sequence % 2 else "F"


def mobile_for(index: int) -> str:
    prefixes = names.MOBILE_PREFIXES
    suffix = (index // len(prefixes)) * MOBILE_SCRAMBLE % 10**8
    return f"{prefixes[index % len(prefixes)]}{suffix:08d}"


class DemoBuilder:
    def __init__(
        self,
        *,
        seed: int,
        today: datetime.date,
        owners: list,
        destinations: list,
        tags: list,
        partners: list,
    ):
        self.rng = random.Random(seed)
        self.today = today
        self.owners = owners
        self.destinations = destinations
        self.tags = tags
        self.partners = partners
        self.organisation_names: set[str] = set()

    def _person_name(self) -> str:
        given = "".join(self.rng.choices(names.GIVEN_CHARS, k=self.rng.choice((1, 2, 2))))
        return self.rng.choice(names.SURNAMES) + given

    def _organisation_name(self, kind: str) -> str:
        rng = self.rng
        if kind == "corporate":
            base = (
                f"{rng.choice(names.COMPANY_PLACES)}{rng.choice(names.COMPANY_WORDS)}"
                f"{rng.choice(names.COMPANY_TRADES)}有限公司"
            )
        elif kind == "supplier":
            return ""  # named by _supplier_name
        else:
            base = f"{rng.choice(names.COMPANY_PLACES)}{rng.choice(names.MEDIA_NAMES)}"
        return self._unique(base)

    def _unique(self, base: str) -> str:
        name, number = base, 2
        while normalize_org_name(name) in self.organisation_names:
            name = f"{base}（{number}）"
            number += 1
        self.organisation_names.add(normalize_org_name(name))
        return name

    def customer(self, index: int) -> Customer:
        rng = self.rng
        kind = KIND_BY_SLOT[index % len(KIND_BY_SLOT)]
        province, city, district, postal_code = rng.choice(names.PLACES)
        customer = Customer(
            kind=kind,
            owner=self.owners[index % len(self.owners)],
            mobile=mobile_for(index),
            province=province,
            city=city,
            district=district,
            street_address=f"{rng.choice(names.STREETS)}{rng.randint(1, 999)}号",
            postal_code=postal_code,
            source_channel=rng.choice(
                ["walk_in", "referral", "referral", "website", "call_centre", "channel_partner"]
            ),
            pref_airline=rng.choice(names.AIRLINES),
            pref_seat=rng.choice(["aisle", "window"]),
            pref_hotel_class=rng.choice(["3", "4", "4", "5"]),
            pref_diet=rng.choice(names.DIETS),
        )
        if rng.random() < 0.08:  # an address mailings cannot use until someone corrects it
            customer.postal_code = ""
        if customer.source_channel == "channel_partner":
            customer.channel_partner = rng.choice(self.partners)
        if kind == "individual":
            customer.name = self._person_name()
            customer.id_number, customer.birthday, customer.sex = id_number_for(index)
            customer.occupation = rng.choice(names.OCCUPATIONS)
            customer.email = f"guest{index}@example.com"
            if rng.random() < 0.3:
                married = customer.birthday.replace(year=customer.birthday.year + 26, day=1)
                customer.wedding_anniversary = married
        else:
            if kind == "supplier":
                supplier_type = rng.choice(list(names.SUPPLIER_NAMES))
                customer.supplier_type = supplier_type
                customer.name = self._unique(
                    f"{rng.choice(names.COMPANY_PLACES)}"
                    f"{rng.choice(names.SUPPLIER_NAMES[supplier_type])}"
                )
            else:
                customer.name = self._organisation_name(kind)
            if kind == "corporate":
                customer.organisation_type = rng.choice(
                    ["government", "state_owned", "private", "private", "multinational"]
                )
                customer.policy_fare_rule = rng.choice(["lowest", "best"])
                customer.policy_first_class = rng.choice(["", "总经理及以上", "副总裁及以上"])
                customer.is_key_account = rng.random() < 0.25
            customer.email = f"contact{index}@example.cn"
            customer.founding_date = datetime.date(
                rng.randint(1985, 2020), rng.randint(1, 12), rng.randint(1, 28)
            )
        customer.name_normalised = normalize_org_name(customer.name)
        roll = rng.random()
        if roll < 0.02:
            customer.status = "lost"
            reasons, weights = zip(*CHURN_WEIGHTS, strict=True)
            customer.churn_reason = rng.choices(reasons, weights=weights)[0]
        elif roll < 0.05:
            customer.status = "retired"
        elif roll < 0.13:
            customer.status = "dormant"
        return customer

    def wishes(self, customer: Customer) -> tuple[list, list]:
        rng = self.rng
        return (
            rng.sample(self.destinations, rng.randint(0, 3)),
            rng.sample(self.tags, rng.choice((0, 0, 1, 2))),
        )

    def bookings(self, customer: Customer, average: int) -> list[Booking]:
        rng = self.rng
        count = rng.randint(0, 2 * average) if average else 0
        result = []
        for _ in range(count):
            destination = rng.choice(self.destinations)
            start = self.today - datetime.timedelta(days=rng.randint(-60, 3 * 365))
            length = rng.randint(3, 12) if destination.is_outbound else rng.randint(2, 7)
            heads = rng.randint(1, 4) if customer.kind == "individual" else rng.randint(5, 40)
            per_head = (
                rng.randint(8000, 30000) if destination.is_outbound else rng.randint(1500, 6000)
            )
            amount = Decimal(per_head * heads)
            due = start - datetime.timedelta(days=14)
            booking = Booking(
                customer=customer,
                product=names.PRODUCTS[destination.name],
                destination=destination,
                trip_type="outbound" if destination.is_outbound else "domestic",
                start_date=start,
                end_date=start + datetime.timedelta(days=length - 1),
                head_count=heads,
                amount=amount,
                cost=(amount * Decimal(rng.randint(75, 92)) / 100).quantize(Decimal("0.01")),
                payment_due_date=due,
                created_by=customer.owner,
            )
            roll = rng.random()
            if start > self.today and roll < 0.5:
                booking.status = "booked"
            elif roll < 0.04:
                booking.status = "cancelled"
            elif roll < 0.06:
                booking.status = "refunded"
                booking.paid_date = min(
                    due - datetime.timedelta(days=rng.randint(0, 10)), self.today
                )
            else:
                booking.status = "paid"
                late = rng.random() < 0.1
                paid = due + datetime.timedelta(
                    days=rng.randint(1, 40) if late else -rng.randint(0, 10)
                )
                booking.paid_date = min(paid, self.today)
            result.append(booking)
        return result

    def contacts(self, customer: Customer) -> list[ContactRecord]:
        rng = self.rng
        records = []
        for _ in range(rng.randint(0, 4)):
            when = datetime.datetime.combine(
                self.today - datetime.timedelta(days=rng.randint(0, 540)),
                datetime.time(rng.randint(9, 18), rng.choice((0, 15, 30, 45))),
                tzinfo=datetime.UTC,
            )
            records.append(
                ContactRecord(
                    customer=customer,
                    by=customer.owner,
                    contacted_at=when,
                    channel=rng.choice(["phone", "phone", "wechat", "visit", "email", "sms"]),
                    outcome=rng.choice(
                        ["reached", "reached", "interested", "no_answer", "call_back"]
                    ),
                    notes=rng.choice(names.CONTACT_NOTES),
                    next_step=rng.choice(names.NEXT_STEPS),
                )
            )
        return records

    def service_records(self, customer: Customer) -> list[ServiceRecord]:
        rng = self.rng
        if rng.random() > 0.1:
            return []
        kind, summary, details, resolution = rng.choice(names.SERVICE_ITEMS)
        when = datetime.datetime.combine(
            self.today - datetime.timedelta(days=rng.randint(0, 700)),
            datetime.time(10),
            tzinfo=datetime.UTC,
        )
        return [
            ServiceRecord(
                customer=customer,
                kind=kind,
                summary=summary,
                details=details,
                occurred_at=when,
                status="resolved" if resolution else "open",
                resolution=resolution,
                recorded_by=customer.owner,
            )
        ]

    def contact_people(
        self, customer: Customer
    ) -> list[tuple[ContactPerson, ContactPerson | None]]:
        """(person, the person they replaced or None), current contacts last."""
        rng = self.rng
        people = []
        for number in range(rng.randint(1, 2)):
            current = ContactPerson(
                customer=customer,
                name=self._person_name(),
                title=rng.choice(["行政经理", "总经理助理", "人事主管", "采购经理", "办公室主任"]),
                mobile=mobile_for(10**8 + customer.pk * 4 + number),
                is_primary=number == 0,
                started_on=self.today - datetime.timedelta(days=rng.randint(30, 700)),
                created_by=customer.owner,
            )
            predecessor = None
            if rng.random() < 0.25:
                predecessor = ContactPerson(
                    customer=customer,
                    name=self._person_name(),
                    title=current.title,
                    is_primary=current.is_primary,
                    started_on=current.started_on - datetime.timedelta(days=rng.randint(200, 900)),
                    ended_on=current.started_on,
                    end_reason=rng.choice(["离职", "调岗", "退休"]),
                    created_by=customer.owner,
                )
            people.append((current, predecessor))
        return people
