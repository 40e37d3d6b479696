"""One importer per kind of row (imports.engine.Importer)."""

from imports.models import ImportKind


def importer_class(kind: str):
    from imports.kinds.bookings import BookingImporter
    from imports.kinds.customers import CustomerImporter
    from imports.kinds.people import ContactPersonImporter, ContactRecordImporter

    return {
        ImportKind.CUSTOMERS: CustomerImporter,
        ImportKind.BOOKINGS: BookingImporter,
        ImportKind.CONTACTS: ContactPersonImporter,
        ImportKind.RECORDS: ContactRecordImporter,
    }[kind]
