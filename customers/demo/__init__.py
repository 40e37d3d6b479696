"""The demo agency: realistic Chinese customers, staff in every role, three years of
bookings. Used by `manage.py load_demo` and by benchmarks at scale."""
