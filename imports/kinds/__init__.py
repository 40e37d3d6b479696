"""One importer per kind of row (imports.engine.Importer)."""

from imports.models import ImportKind


def importer_class(kind: str):
    from imports.kinds.customers import CustomerImporter

    classes = {ImportKind.CUSTOMERS: CustomerImporter}
    try:
        from imports.kinds.bookings import BookingImporter

        classes[ImportKind.BOOKINGS] = BookingImporter
    except ImportError:  # pragma: no cover
        pass
    try:
        from imports.kinds.people import ContactPersonImporter, ContactRecordImporter

        classes[ImportKind.CONTACTS] = ContactPersonImporter
        classes[ImportKind.RECORDS] = ContactRecordImporter
    except ImportError:  # pragma: no cover
        pass
    return classes[kind]
