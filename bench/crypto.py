"""What encrypting ID numbers at rest costs per row (customers/id_numbers.py).

    .venv/bin/python bench/crypto.py [--rows 100000]

No database: it times, over --rows distinct numbers, the work the field adds to each row
written (AES-GCM encrypt + HMAC blind index) and each row read (decrypt: base64 + AES-GCM
open), against the bare work of the same loop (normalising the number, which every write
already does), and prints microseconds per row and the total for --rows rows.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import django

    django.setup()
    from customers import id_numbers
    from customers.validators import id_number_check_char, normalize_id_number

    numbers = []
    for n in range(args.rows):
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 15000)
        first17 = f"110105{born:%Y%m%d}{n // 15000 % 1000:03d}"
        numbers.append(first17 + id_number_check_char(first17))

    def timed(label, work, items):
        started = time.perf_counter()
        result = [work(item) for item in items]
        seconds = time.perf_counter() - started
        print(f"{label:<34} {seconds / len(items) * 1e6:7.2f} µs/row  {seconds:6.3f} s total")
        return result, seconds

    print(f"{args.rows:,} ID numbers")
    _, bare = timed("bare: normalise", normalize_id_number, numbers)
    tokens, enc = timed("encrypt (AES-GCM)", id_numbers.encrypt, numbers)
    _, index = timed("blind index (HMAC-SHA256)", id_numbers.blind_index, numbers)
    plain, dec = timed("decrypt", id_numbers.decrypt, tokens)
    if plain != numbers:
        raise SystemExit("decrypt did not give the numbers back")
    print(f"write (encrypt + index) / bare     {(enc + index) / bare:7.1f}x")
    print(f"read (decrypt) / bare              {dec / bare:7.1f}x")


if __name__ == "__main__":
    main()
