"""Builds the demo agency's rows in memory, deterministically from a seed; the load_demo
command saves them in batches. Nothing here queries the database."""

import datetime
import random
import re
from decimal import Decimal

from django.utils import timezone

from customers.demo import identity, names
from customers.models import (
    Booking,
    ContactPerson,
    ContactRecord,
    Customer,
    ServiceRecord,
)
from customers.models.choices import HANDBOOK_CHURN_SHARE
from customers.services.archive import customer_set_search_keys
from customers.validators import normalize_org_name

# One slot per customer in turn: 70% individuals, 15% corporate, 10% suppliers, 5% media,
# so every kind appears in any 20 consecutive customers.
KIND_PATTERN = "IICIISIICIIMIISICIII"
KINDS = {"I": "individual", "C": "corporate", "S": "supplier", "M": "media"}

CHURN_REASONS = [str(reason) for reason in HANDBOOK_CHURN_SHARE]
CHURN_WEIGHTS = list(HANDBOOK_CHURN_SHARE.values())
SOURCE_CHANNELS = ["referral", "walk_in", "website", "call_centre", "channel_partner", "other"]
SOURCE_WEIGHTS = [30, 20, 20, 14, 10, 6]
ORGANISATION_TYPES = ["government", "state_owned", "private", "multinational"]
ORGANISATION_WEIGHTS = [15, 25, 45, 15]
FOUNDED = {  # earliest and latest founding year
    "government": (1949, 1995),
    "state_owned": (1952, 2008),
    "private": (1988, 2022),
    "multinational": (1985, 2016),
    "supplier": (1980, 2021),
    "media": (1978, 2019),
}
CONTACT_CHANNELS = ["phone", "wechat", "visit", "email", "sms", "meeting", "card"]
CONTACT_CHANNEL_WEIGHTS = [40, 30, 10, 7, 5, 5, 3]
CONTACT_OUTCOMES = list(names.CONTACT_NOTES)
CONTACT_OUTCOME_WEIGHTS = [40, 18, 14, 10, 8, 10]
HOTEL_CLASSES = ["economy", "3", "4", "5"]
CHINESE_NUMBERS = {"三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CENTS = Decimal("0.01")


def trip_days(product: str) -> int:
    """Days in a product named like 日本关西七日游 or 美国西海岸十四日."""
    match = re.search(r"([三四五六七八九十]+)日", product)
    if not match:
        return 5
    digits = match.group(1)
    if digits.startswith("十") and len(digits) > 1:  # 十二 = 12
        return 10 + CHINESE_NUMBERS[digits[1]]
    return CHINESE_NUMBERS[digits]


def _date_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


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
        self.tz = timezone.get_default_timezone()
        self.owners = owners
        # Reps carry more customers than their leads.
        self.owner_weights = [2 if "lead" in o.username else 3 for o in owners]
        self.destinations = destinations
        self.domestic = [d for d in destinations if not d.is_outbound]
        self.outbound = [d for d in destinations if d.is_outbound]
        products = {name: items for name, _outbound, items in names.DESTINATIONS}
        self.products = {d.pk: products.get(d.name, [f"{d.name}精选游"]) for d in destinations}
        self.tags = {t.name: t for t in tags}
        self.partners = partners
        self.namer = identity.OrganisationNamer(self.rng)
        self.contact_people_made = 0

    # --- Customers -----------------------------------------------------------------------

    def customer(self, index: int) -> Customer:
        rng = self.rng
        kind = KINDS[KIND_PATTERN[index % len(KIND_PATTERN)]]
        source = rng.choices(SOURCE_CHANNELS, SOURCE_WEIGHTS)[0]
        customer = Customer(
            kind=kind,
            owner=rng.choices(self.owners, self.owner_weights)[0],
            mobile=identity.mobile_for(index),
            source_channel=source,
            channel_partner=rng.choice(self.partners) if source == "channel_partner" else None,
            pref_airline=rng.choice(names.AIRLINES) if rng.random() < 0.8 else "",
            pref_seat=rng.choice(("aisle", "window", "")),
            pref_hotel_class=rng.choices(HOTEL_CLASSES, (10, 25, 40, 25))[0],
        )
        if kind == "individual":
            self._individual(customer, index)
        else:
            self._organisation(customer, index)
        customer.name_normalised = normalize_org_name(customer.name)
        customer_set_search_keys(customer=customer)
        self._status(customer)
        return customer

    def _address(self, customer: Customer, place: tuple, *, home: bool) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:  # no address on file yet
            return
        _code, customer.province, customer.city, customer.district, postal_code = place
        street = f"{rng.choice(names.STREETS)}{rng.randint(1, 999)}号"
        if home:
            street += (
                f"{rng.choice(names.COMMUNITIES)}{rng.randint(1, 30)}栋"
                f"{rng.randint(1, 4)}单元{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
            )
        else:
            street += f"{rng.choice(names.OFFICE_BUILDINGS)}{rng.randint(2, 45)}层"
        customer.street_address = street
        # A few lack the postal code, so the catalogue mailing cannot use them yet.
        customer.postal_code = postal_code if roll > 0.09 else ""

    def _individual(self, customer: Customer, index: int) -> None:
        rng = self.rng
        number, birthday, sex, place = identity.id_number_for(index)
        customer.id_number, customer.birthday, customer.sex = number, birthday, sex
        customer.name = identity.person_name(rng, sex)
        # Most live where their ID was issued; some have moved.
        home = names.PLACES[place] if rng.random() < 0.8 else rng.choice(names.PLACES)
        self._address(customer, home, home=True)
        age = self.today.year - birthday.year
        if age >= 62 and rng.random() < 0.6:
            customer.occupation = rng.choice(("退休教师", "退休干部", "退休工程师", "退休医生"))
        elif rng.random() < 0.9:
            customer.occupation = rng.choice(names.OCCUPATIONS)
        if rng.random() < 0.85:
            customer.email = f"guest{index}@example.com"
        if age >= 24 and rng.random() < 0.45:
            married = datetime.date(
                birthday.year + rng.randint(22, 32), rng.randint(1, 12), rng.randint(1, 28)
            )
            if married <= self.today:
                customer.wedding_anniversary = married
        if rng.random() < 0.4:
            customer.pref_aircraft_size = rng.choice(("wide", "narrow"))
        customer.pref_diet = rng.choice(names.DIETS)
        if rng.random() < 0.3:
            customer.character_notes = rng.choice(names.CHARACTER_NOTES)

    def _organisation(self, customer: Customer, index: int) -> None:
        rng = self.rng
        place = rng.choice(names.PLACES)
        _code, _province, city, district, _postal = place
        short_city = city.removesuffix("市")
        self._address(customer, place, home=False)
        # Canonical, as normalize_phone stores it: area code and number without a dash.
        customer.phone = (
            f"{names.CITY_AREA_CODES[city]}{rng.randint(2, 8)}{rng.randint(0, 10**7 - 1):07d}"
        )
        customer.email = f"office{index}@example.cn"
        kind = customer.kind
        founded = kind
        if kind == "corporate":
            org_type = rng.choices(ORGANISATION_TYPES, ORGANISATION_WEIGHTS)[0]
            name = self.namer.government(city, district) if org_type == "government" else None
            if name is None:
                org_type = (
                    rng.choice(("state_owned", "private")) if org_type == "government" else org_type
                )
                name = self.namer.company(short_city)
            customer.name, customer.organisation_type, founded = name, org_type, org_type
            customer.policy_fare_rule = (
                "lowest" if org_type == "government" else rng.choice(("lowest", "best"))
            )
            customer.policy_first_class = rng.choice(names.POLICY_FIRST_CLASS)
            customer.is_key_account = rng.random() < 0.25
        elif kind == "supplier":
            supplier_type = rng.choice(list(names.SUPPLIER_PATTERNS))
            customer.supplier_type = supplier_type
            customer.name = self.namer.supplier(supplier_type, city)
        else:
            customer.name = self.namer.media(city)
        first, last = FOUNDED[founded]
        customer.founding_date = _date_between(
            rng, datetime.date(first, 1, 1), min(datetime.date(last, 12, 31), self.today)
        )

    def _status(self, customer: Customer) -> None:
        roll = self.rng.random()
        if roll < 0.04:
            customer.status = "lost"
            customer.churn_reason = self.rng.choices(CHURN_REASONS, CHURN_WEIGHTS)[0]
        elif roll < 0.07:
            customer.status = "retired"
        elif roll < 0.15:
            customer.status = "dormant"

    def wishes(self, customer: Customer) -> tuple[list, list]:
        """(desired destinations, tags) for a saved customer."""
        rng = self.rng
        tags = self.tags
        if customer.kind == "individual":
            wished = rng.sample(self.destinations, rng.choice((0, 1, 1, 2, 2, 3, 4)))
            chosen = rng.sample(names.PERSON_TAGS, rng.choice((0, 0, 1, 1, 2)))
            if self.today.year - customer.birthday.year >= 60 and rng.random() < 0.6:
                chosen.append("老年游")
            if rng.random() < 0.06:
                chosen.append("VIP")
        else:
            wished = rng.sample(self.destinations, rng.choice((0, 1, 2)))
            chosen = rng.sample(names.ORGANISATION_TAGS, rng.choice((0, 1, 1)))
            if customer.is_key_account:
                chosen.append("VIP")
        return wished, [tags[name] for name in chosen if name in tags]

    # --- Behaviour -----------------------------------------------------------------------

    def _active_until(self, customer: Customer) -> datetime.date:
        """Customers who stopped buying stopped a while ago."""
        gap = {"active": -90, "dormant": 400, "retired": 540, "lost": 450}[customer.status]
        return self.today - datetime.timedelta(days=gap)

    def bookings(self, customer: Customer, average: int, wished: list) -> list[Booking]:
        rng = self.rng
        count = rng.randint(0, 2 * average) if average > 0 else 0
        first_day = self.today - datetime.timedelta(days=3 * 365)
        last_day = self._active_until(customer)
        kind = customer.kind
        result = []
        for _ in range(count):
            if wished and rng.random() < 0.4:
                destination = rng.choice(wished)
            else:
                outbound = rng.random() < (0.3 if kind == "corporate" else 0.4)
                destination = rng.choice(self.outbound if outbound else self.domestic)
            product = rng.choice(self.products[destination.pk])
            days = trip_days(product)
            start = _date_between(rng, first_day, last_day)
            if kind == "individual":
                heads = rng.choice((1, 2, 2, 2, 3, 3, 4, 5))
            elif kind == "corporate":
                heads = rng.randint(6, 60)
            else:
                heads = rng.randint(1, 3)  # fam trips and study tours
            per_day = rng.randint(1200, 3200) if destination.is_outbound else rng.randint(450, 1100)
            if kind == "corporate":
                per_day = per_day * 115 // 100
            amount = Decimal(round(per_day * days * heads, -1))
            due = start - datetime.timedelta(days=rng.randint(7, 30))
            booking = Booking(
                customer=customer,
                product=product,
                destination=destination,
                trip_type="outbound" if destination.is_outbound else "domestic",
                start_date=start,
                end_date=start + datetime.timedelta(days=days - 1),
                head_count=heads,
                amount=amount,
                cost=(amount * rng.randint(750, 920) / 1000).quantize(CENTS),
                payment_due_date=due,
                created_by=customer.owner,
            )
            self._booking_status(booking, due)
            result.append(booking)
        return result

    def _booking_status(self, booking: Booking, due: datetime.date) -> None:
        rng = self.rng
        roll = rng.random()
        if booking.start_date > self.today:
            if roll < 0.05:
                booking.status = "cancelled"
                return
            if roll < 0.6:
                booking.status = "booked"  # deposit taken, balance not yet paid
                return
        elif roll < 0.04:
            booking.status = "cancelled"
            return
        # Paid (or paid and later refunded): mostly before the due date, some late.
        if rng.random() < 0.08:
            paid = due + datetime.timedelta(days=rng.randint(1, 30))
        else:
            paid = due - datetime.timedelta(days=rng.randint(0, 20))
        booking.paid_date = min(paid, self.today)
        booking.status = "refunded" if booking.start_date <= self.today and roll < 0.07 else "paid"

    def _moment(self, day: datetime.date) -> datetime.datetime:
        rng = self.rng
        return datetime.datetime.combine(
            day, datetime.time(rng.randint(9, 19), rng.randrange(0, 60, 5)), tzinfo=self.tz
        )

    def contacts(self, customer: Customer) -> list[ContactRecord]:
        rng = self.rng
        last = min(self._active_until(customer), self.today)
        first = self.today - datetime.timedelta(days=720)
        records = []
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            day = _date_between(rng, first, last)
            outcome = rng.choices(CONTACT_OUTCOMES, CONTACT_OUTCOME_WEIGHTS)[0]
            record = ContactRecord(
                customer=customer,
                by=customer.owner,
                contacted_at=self._moment(day),
                channel=rng.choices(CONTACT_CHANNELS, CONTACT_CHANNEL_WEIGHTS)[0],
                outcome=outcome,
                notes=rng.choice(names.CONTACT_NOTES[outcome]),
                next_step=rng.choice(names.NEXT_STEPS),
            )
            if outcome in ("call_back", "interested"):
                record.next_contact_on = day + datetime.timedelta(days=rng.randint(1, 14))
            records.append(record)
        return records

    def service_records(self, customer: Customer) -> list[ServiceRecord]:
        rng = self.rng
        if rng.random() > 0.1:
            return []
        kind, summary, details, resolution = rng.choice(names.SERVICE_ITEMS)
        day = self.today - datetime.timedelta(days=rng.randint(0, 900))
        moment = self._moment(day)
        # Past feedback was answered the same day; handled items are closed and archived,
        # the rest wait for handling. Unanswered feedback comes from followups' demo data.
        return [
            ServiceRecord(
                customer=customer,
                kind=kind,
                summary=summary,
                details=details,
                occurred_at=moment,
                status="resolved" if resolution else "responded",
                responded_at=moment + datetime.timedelta(hours=2),
                response="已致电客户，感谢反馈并说明处理安排。",
                resolution=resolution,
                closed_at=moment + datetime.timedelta(days=3) if resolution else None,
                recorded_by=customer.owner,
            )
        ]

    def contact_people(
        self, customer: Customer
    ) -> list[tuple[ContactPerson, ContactPerson | None]]:
        """(current contact, the contact they replaced or None) for an organisation: one to
        three people in all, some of them a change of contact."""
        rng = self.rng
        titles = names.CONTACT_TITLES[customer.kind]
        current_count = rng.choice((1, 1, 2, 2, 3))
        people = []
        for number in range(current_count):
            current = self._contact_person(customer, rng.choice(titles), is_primary=number == 0)
            current.started_on = _date_between(
                rng, self.today - datetime.timedelta(days=900), self.today
            )
            predecessor = None
            if current_count < 3 and number == 0 and rng.random() < 0.35:
                predecessor = self._contact_person(customer, current.title, is_primary=True)
                predecessor.started_on = current.started_on - datetime.timedelta(
                    days=rng.randint(200, 1500)
                )
                predecessor.ended_on = current.started_on
                predecessor.end_reason = rng.choice(names.CONTACT_END_REASONS)
            people.append((current, predecessor))
        return people

    def _contact_person(self, customer: Customer, title: str, *, is_primary: bool) -> ContactPerson:
        rng = self.rng
        number = self.contact_people_made
        self.contact_people_made += 1
        return ContactPerson(
            customer=customer,
            name=identity.person_name(rng, rng.choice("MF")),
            title=title,
            mobile=identity.contact_mobile_for(number),
            email=f"contact{number}@example.cn" if rng.random() < 0.6 else "",
            is_primary=is_primary,
            started_on=self.today,
            created_by=customer.owner,
        )
