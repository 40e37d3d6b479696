"""A factory per model. Identity data is valid by construction (GB 11643 check digits,
mainland mobiles) and unique per sequence number."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from accounts.models import Team, User
from customers.models import (
    Booking,
    BookingStatus,
    ChannelPartner,
    ContactChannel,
    ContactOutcome,
    ContactPerson,
    ContactRecord,
    Customer,
    CustomerKind,
    Destination,
    ServiceKind,
    ServiceRecord,
    Tag,
    TripType,
)
from customers.pinyin import name_search_keys
from customers.services.dormancy import customers_dormancy_refresh
from customers.validators import id_number_check_char

PASSWORD = "test-pass-123"


def make_id_number(n: int, birthday: datetime.date = datetime.date(1985, 6, 15)) -> str:
    first17 = f"110105{birthday:%Y%m%d}{n % 1000:03d}"
    return first17 + id_number_check_char(first17)


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"员工{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@agency.example")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class DestinationFactory(factory.django.DjangoModelFactory[Destination]):
    class Meta:
        model = Destination
        django_get_or_create = ["name"]

    name = factory.Iterator(["三亚", "丽江", "桂林", "日本", "泰国"])
    is_outbound = factory.LazyAttribute(lambda d: d.name in {"日本", "泰国"})


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"标签{n}")


class ChannelPartnerFactory(factory.django.DjangoModelFactory[ChannelPartner]):
    class Meta:
        model = ChannelPartner
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"高端渠道{n}")


class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    """An individual traveller; use kind=... and name=... for organisations."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    kind = CustomerKind.INDIVIDUAL
    name = factory.Sequence(lambda n: f"客户{n}")
    name_normalised = factory.LazyAttribute(lambda c: c.name.lower())
    # As customer_prepare writes them (customers.pinyin).
    name_pinyin = factory.LazyAttribute(lambda c: name_search_keys(c.name, kind=c.kind)[0])
    name_initials = factory.LazyAttribute(lambda c: name_search_keys(c.name, kind=c.kind)[1])
    owner = factory.SubFactory(UserFactory)
    id_number = factory.Sequence(lambda n: make_id_number(n))
    sex = factory.LazyAttribute(lambda c: "M" if int(c.id_number[16]) % 2 else "F")
    birthday = datetime.date(1985, 6, 15)
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    province = "北京市"
    city = "北京市"
    district = "朝阳区"
    street_address = factory.Sequence(lambda n: f"建国路{n}号")
    postal_code = "100020"


class OrganisationFactory(CustomerFactory):
    kind = CustomerKind.CORPORATE
    name = factory.Sequence(lambda n: f"华夏科技有限公司{n}")
    id_number = ""
    sex = ""
    birthday = None
    organisation_type = "private"


class ContactPersonFactory(factory.django.DjangoModelFactory[ContactPerson]):
    class Meta:
        model = ContactPerson

    customer = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    title = "行政经理"
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    is_primary = True
    started_on = datetime.date(2024, 1, 1)
    created_by = factory.LazyAttribute(lambda p: p.customer.owner)


class BookingFactory(factory.django.DjangoModelFactory[Booking]):
    class Meta:
        model = Booking
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    product = "三亚五日游"
    destination = factory.SubFactory(DestinationFactory, name="三亚")
    trip_type = TripType.DOMESTIC
    start_date = datetime.date(2026, 3, 1)
    end_date = datetime.date(2026, 3, 5)
    head_count = 2
    amount = Decimal("8000.00")
    cost = Decimal("6500.00")
    status = BookingStatus.PAID
    payment_due_date = datetime.date(2026, 2, 20)
    paid_date = datetime.date(2026, 2, 18)
    created_by = factory.LazyAttribute(lambda b: b.customer.owner)

    @factory.post_generation
    def dormancy(booking, create, extracted, **kwargs):
        """As booking_save does: the customer's stored dormancy date follows."""
        if create:
            customers_dormancy_refresh(customer_ids=[booking.customer_id])


class ContactRecordFactory(factory.django.DjangoModelFactory[ContactRecord]):
    class Meta:
        model = ContactRecord

    customer = factory.SubFactory(CustomerFactory)
    channel = ContactChannel.PHONE
    outcome = ContactOutcome.REACHED
    contacted_at = factory.Faker("date_time_this_year", tzinfo=datetime.UTC)
    by = factory.LazyAttribute(lambda c: c.customer.owner)
    notes = "电话回访，客户满意。"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As every door writes one (customers.services.last_contact): the customer's
        # stored last contact follows, so the list's "never contacted" sees it.
        from customers.services import customers_last_contact_refresh

        record = super()._create(model_class, *args, **kwargs)
        customers_last_contact_refresh(customer_ids=[record.customer_id])
        return record


class ServiceRecordFactory(factory.django.DjangoModelFactory[ServiceRecord]):
    class Meta:
        model = ServiceRecord

    customer = factory.SubFactory(CustomerFactory)
    kind = ServiceKind.COMPLAINT
    occurred_at = factory.Faker("date_time_this_year", tzinfo=datetime.UTC)
    summary = "酒店房间不符"
    recorded_by = factory.LazyAttribute(lambda s: s.customer.owner)
