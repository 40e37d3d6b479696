"""Pages of the privacy app: consent (consent.py), a person's requests (requests.py) and
the processing record (record.py)."""
