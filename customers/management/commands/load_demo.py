"""manage.py load_demo: the demo agency, once. A second run changes nothing."""

import time
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from accounts.models import Team, User
from customers.demo import names
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

DEMO_PASSWORD = "travel-demo"  # noqa: S105 - demo data only, printed for the reader
BATCH = 5000

# username: (full name, roles, team, leads the team, staff)
STAFF = {
    "sales1": ("王磊", ["sales"], "华东组", False, False),
    "sales2": ("李娜", ["sales"], "华东组", False, False),
    "sales3": ("张伟", ["sales"], "华北组", False, False),
    "lead1": ("赵敏", ["sales", "team_lead"], "华东组", True, False),
    "lead2": ("孙强", ["sales", "team_lead"], "华北组", True, False),
    "manager1": ("刘建国", ["manager"], None, False, True),
    "custodian1": ("陈静", ["custodian"], None, False, True),
    "finance1": ("周芳", ["finance"], None, False, False),
}
OWNERS = ["sales1", "sales2", "sales3", "lead1", "lead2"]


class Command(BaseCommand):
    help = "Load the demo travel agency (staff in every role, customers, three years of bookings)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=320)
        parser.add_argument(
            "--bookings-per-customer", type=int, default=4, help="average bookings per customer"
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, customers: int, bookings_per_customer: int, seed: int, **options):
        started = time.perf_counter()
        users = self._staff()
        if Customer.all_objects.exists():
            self.stdout.write("The demo agency is already loaded; nothing to do.")
            self._print_logins()
            return
        destinations = [
            Destination.objects.get_or_create(name=name, defaults={"is_outbound": outbound})[0]
            for name, outbound in names.DESTINATIONS
        ]
        tags = [Tag.objects.get_or_create(name=name)[0] for name in names.TAGS]
        partners = [ChannelPartner.objects.get_or_create(name=n)[0] for n in names.CHANNEL_PARTNERS]
        builder = DemoBuilder(
            seed=seed,
            today=timezone.localdate(),
            owners=[users[u] for u in OWNERS],
            destinations=destinations,
            tags=tags,
            partners=partners,
        )
        totals = {"customers": 0, "bookings": 0, "contacts": 0}
        for first in range(0, customers, BATCH):
            batch = range(first, min(first + BATCH, customers))
            counts = self._load_batch(builder, batch, bookings_per_customer)
            for key, value in counts.items():
                totals[key] += value
            if customers > BATCH:
                self.stdout.write(f"  {first + len(batch):,} / {customers:,} customers")
        self._load_other_apps(seed=seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {totals['customers']:,} customers, {totals['bookings']:,} bookings and "
                f"{totals['contacts']:,} contact records in {elapsed:.1f} s."
            )
        )
        self._print_logins()

    @transaction.atomic
    def _load_batch(self, builder: DemoBuilder, indexes, bookings_per_customer: int) -> dict:
        customers = [builder.customer(index) for index in indexes]
        Customer.objects.bulk_create(customers, batch_size=1000)
        destination_links, tag_links = [], []
        bookings, contacts, services, people = [], [], [], []
        for customer in customers:
            wished, tagged = builder.wishes(customer)
            destination_links += [
                Customer.desired_destinations.through(customer=customer, destination=d)
                for d in wished
            ]
            tag_links += [Customer.tags.through(customer=customer, tag=t) for t in tagged]
            bookings += builder.bookings(customer, bookings_per_customer)
            contacts += builder.contacts(customer)
            services += builder.service_records(customer)
            if customer.is_organisation:
                people += builder.contact_people(customer)
        Customer.desired_destinations.through.objects.bulk_create(destination_links, 2000)
        Customer.tags.through.objects.bulk_create(tag_links, 2000)
        Booking.objects.bulk_create(bookings, batch_size=2000)
        ContactRecord.objects.bulk_create(contacts, batch_size=2000)
        ServiceRecord.objects.bulk_create(services, batch_size=2000)
        ContactPerson.objects.bulk_create([current for current, _old in people], 2000)
        predecessors = []
        for current, old in people:
            if old is not None:
                old.replaced_by = current
                predecessors.append(old)
        ContactPerson.objects.bulk_create(predecessors, batch_size=2000)
        return {"customers": len(customers), "bookings": len(bookings), "contacts": len(contacts)}

    def _load_other_apps(self, *, seed: int) -> None:
        """Each installed app with a demo_data module adds its part of the demo (customers
        imports no other app, so they come to it)."""
        for app_config in apps.get_app_configs():
            if app_config.name == "customers" or not module_has_submodule(
                app_config.module, "demo_data"
            ):
                continue
            module = import_module(f"{app_config.name}.demo_data")
            with transaction.atomic():
                module.load(stdout=self.stdout, today=timezone.localdate(), seed=seed)

    def _staff(self) -> dict[str, User]:
        teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("华东组", "华北组")}
        users = {}
        for username, (full_name, roles, team, leads, staff) in STAFF.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "email": f"{username}@agency.example",
                    "team": teams.get(team),
                    "is_staff": staff,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(*Group.objects.filter(name__in=roles))
            if leads and teams[team].lead_id is None:
                teams[team].lead = user
                teams[team].save()
            users[username] = user
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                "admin", "admin@agency.example", DEMO_PASSWORD, full_name="系统管理员"
            )
        return users

    def _print_logins(self) -> None:
        self.stdout.write(
            f"Demo logins (demo data only), password '{DEMO_PASSWORD}' for all: "
            + ", ".join(f"{u} ({'+'.join(r[1])})" for u, r in STAFF.items())
            + ", admin (superuser)."
        )
