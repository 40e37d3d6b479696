"""manage.py load_demo: the demo agency, once. A second run changes nothing.

    manage.py load_demo [--customers N] [--bookings-per-customer K] [--seed S]

Staff in every role, N customers of all four kinds (default 320) with contact people,
wishes and tags, three years of bookings (K per customer on average), contact and service
records. Rows are built in memory from a seeded random generator and saved in batches
(COPY on PostgreSQL, bulk_create elsewhere), in one transaction: an interrupted load
leaves nothing behind.
"""

import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from accounts.models import Team, User
from customers.demo import identity, names
from customers.demo.bulk import RowSaver
from customers.demo.generate import DemoBuilder
from customers.models import (
    Booking,
    ChannelPartner,
    ContactPerson,
    ContactRecord,
    Customer,
    Destination,
    ServiceRecord,
    Tag,
)
from customers.services.dormancy import customers_dormancy_refresh
from customers.services.last_contact import customers_last_contact_refresh_all

DEMO_PASSWORD = "travel-demo"  # noqa: S105 - demo data only, printed for the reader
BATCH = 5000  # customers built and saved at a time

EAST, NORTH = "华东组", "华北组"
# username: (full name, roles, team, leads the team, is_staff)
STAFF = {
    "sales1": ("王磊", ["sales"], EAST, False, False),
    "sales2": ("李娜", ["sales"], EAST, False, False),
    "sales3": ("张伟", ["sales"], NORTH, False, False),
    "lead1": ("赵敏", ["sales", "team_lead"], EAST, True, False),
    "lead2": ("孙强", ["sales", "team_lead"], NORTH, True, False),
    "manager1": ("刘建国", ["manager"], None, False, True),
    "custodian1": ("陈静", ["custodian"], None, False, True),
    "finance1": ("周芳", ["finance"], None, False, False),
}
OWNERS = ["sales1", "sales2", "sales3", "lead1", "lead2"]


class Command(BaseCommand):
    help = "Load the demo travel agency: staff in every role, customers, three years of bookings."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=320, help="default 320")
        parser.add_argument(
            "--bookings-per-customer",
            type=int,
            default=4,
            help="average bookings per customer (each gets 0 to twice this); default 4",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed; default 2026")

    def handle(self, *args, customers: int, bookings_per_customer: int, seed: int, **options):
        if settings.PRODUCTION:
            # The demo makes `admin` and every role with the published password travel-demo.
            raise CommandError(
                "load_demo refuses to run with production settings (DJANGO_ENV=production): "
                "it would create the demo accounts, `admin` included, with the published "
                "password travel-demo. Create real accounts with `manage.py createsuperuser`."
            )
        if not 0 <= customers < identity.MAX_CUSTOMERS:
            raise CommandError(f"--customers must be between 0 and {identity.MAX_CUSTOMERS - 1}.")
        if bookings_per_customer < 0:
            raise CommandError("--bookings-per-customer cannot be negative.")
        started = time.perf_counter()
        if Customer.all_objects.exists():
            if User.objects.filter(username__in=STAFF).exists():
                self.stdout.write("The demo agency is already loaded; nothing to do.")
                self._print_logins()
            else:
                self.stdout.write(
                    "This database already holds customers that are not the demo's; "
                    "load_demo adds nothing to it."
                )
            return
        users = self._staff()
        with transaction.atomic():
            totals = self._load_customers(users, customers, bookings_per_customer, seed)
            customers_dormancy_refresh()  # the list's semi-dormant filter, set-based
            customers_last_contact_refresh_all()  # and its "never contacted" filter
            RowSaver().analyze(
                [
                    Customer,
                    Customer.desired_destinations.through,
                    Customer.tags.through,
                    Booking,
                    ContactPerson,
                    ContactRecord,
                    ServiceRecord,
                ]
            )
            if customers > BATCH:
                self.stdout.write(
                    f"  customers saved in {time.perf_counter() - started:.1f} s; "
                    "adding the other apps' part of the demo ..."
                )
            others_started = time.perf_counter()
            self._load_other_apps(seed=seed)
            if customers > BATCH:
                self.stdout.write(
                    f"  other apps' part added in {time.perf_counter() - others_started:.1f} s; "
                    "committing (the database checks every foreign key now) ..."
                )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {totals['customers']:,} customers and {totals['bookings']:,} bookings "
                f"({totals['contact people']:,} contact people, "
                f"{totals['contact records']:,} contact records, "
                f"{totals['service records']:,} service records) in {elapsed:.1f} s."
            )
        )
        self._print_logins()

    # --- Customers and their records -----------------------------------------------------

    def _load_customers(self, users, customers: int, bookings_per_customer: int, seed: int):
        destinations = [
            Destination.objects.get_or_create(name=name, defaults={"is_outbound": outbound})[0]
            for name, outbound, _products in names.DESTINATIONS
        ]
        tags = [Tag.objects.get_or_create(name=name)[0] for name in names.TAGS]
        partners = [
            ChannelPartner.objects.get_or_create(name=name, defaults={"contact": contact})[0]
            for name, contact in names.CHANNEL_PARTNERS
        ]
        builder = DemoBuilder(
            seed=seed,
            today=timezone.localdate(),
            owners=[users[username] for username in OWNERS],
            destinations=destinations,
            tags=tags,
            partners=partners,
        )
        totals = dict.fromkeys(
            ("customers", "bookings", "contact people", "contact records", "service records"), 0
        )
        started = time.perf_counter()
        report_every = max(BATCH, customers // 20 // BATCH * BATCH)  # about 20 lines
        for first in range(0, customers, BATCH):
            indexes = range(first, min(first + BATCH, customers))
            for key, value in self._load_batch(builder, indexes, bookings_per_customer).items():
                totals[key] += value
            done = indexes.stop
            if customers > BATCH and (done % report_every == 0 or done == customers):
                elapsed = time.perf_counter() - started
                self.stdout.write(
                    f"  {done:,} / {customers:,} customers, {totals['bookings']:,} bookings "
                    f"({elapsed:.0f} s, about {elapsed / done * (customers - done):.0f} s to go)"
                )
        return totals

    def _load_batch(self, builder: DemoBuilder, indexes: range, bookings_per_customer: int):
        saver = RowSaver()
        customers = [builder.customer(index) for index in indexes]
        saver.save(Customer, customers, need_ids=True)
        wish_links, tag_links = [], []
        bookings, contacts, services, people = [], [], [], []
        DestinationLink = Customer.desired_destinations.through
        TagLink = Customer.tags.through
        for customer in customers:
            wished, tagged = builder.wishes(customer)
            wish_links += [DestinationLink(customer=customer, destination=d) for d in wished]
            tag_links += [TagLink(customer=customer, tag=t) for t in tagged]
            bookings += builder.bookings(customer, bookings_per_customer, wished)
            contacts += builder.contacts(customer)
            services += builder.service_records(customer)
            if customer.is_organisation:
                people += builder.contact_people(customer)
        saver.save(DestinationLink, wish_links)
        saver.save(TagLink, tag_links)
        saver.save(Booking, bookings)
        saver.save(ContactRecord, contacts)
        saver.save(ServiceRecord, services)
        # Current contacts first, so that the people they replaced can point at them.
        saver.save(ContactPerson, [current for current, _ in people], need_ids=True)
        predecessors = []
        for current, old in people:
            if old is not None:
                old.replaced_by = current
                predecessors.append(old)
        saver.save(ContactPerson, predecessors)
        return {
            "customers": len(customers),
            "bookings": len(bookings),
            "contact people": len(people) + len(predecessors),
            "contact records": len(contacts),
            "service records": len(services),
        }

    def _load_other_apps(self, *, seed: int) -> None:
        """Each installed app with a demo_data module adds its part of the demo (customers
        imports no other app, so they come to it)."""
        for app_config in apps.get_app_configs():
            if app_config.name == "customers" or not module_has_submodule(
                app_config.module, "demo_data"
            ):
                continue
            module = import_module(f"{app_config.name}.demo_data")
            module.load(stdout=self.stdout, today=timezone.localdate(), seed=seed)

    # --- Staff ---------------------------------------------------------------------------

    @transaction.atomic
    def _staff(self) -> dict[str, User]:
        teams = {name: Team.objects.get_or_create(name=name)[0] for name in (EAST, NORTH)}
        users = {}
        for username, (full_name, roles, team, leads, is_staff) in STAFF.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "email": f"{username}@agency.example",
                    "team": teams.get(team),
                    "is_staff": is_staff,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                user.groups.add(*(Group.objects.get_or_create(name=role)[0] for role in roles))
            if leads and teams[team].lead_id is None:
                teams[team].lead = user
                teams[team].save(update_fields=["lead"])
            users[username] = user
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                "admin", "admin@agency.example", DEMO_PASSWORD, full_name="系统管理员"
            )
        return users

    def _print_logins(self) -> None:
        self.stdout.write(
            self.style.WARNING(
                f"Demo logins (DEMO ONLY, never on a real system); password for all: "
                f"{DEMO_PASSWORD}"
            )
        )
        for username, (full_name, roles, team, leads, _staff) in STAFF.items():
            where = f", {'leads ' if leads else ''}{team}" if team else ""
            self.stdout.write(f"  {username:<11} {full_name:<4} {' + '.join(roles)}{where}")
        self.stdout.write(f"  {'admin':<11} {'系统管理员':<4} superuser")
