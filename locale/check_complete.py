"""Fail when a translation catalogue is incomplete.

Usage: python locale/check_complete.py [file.po ...]
Without arguments it checks every locale/*/LC_MESSAGES/django.po next to this script.
Exits 1 and lists each msgid whose msgstr (or any msgstr[n]) is empty, that is marked
fuzzy, or whose %(name)s placeholders differ from the msgid's. Needs no gettext.
"""

import ast
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"%\((\w+)\)")


def read_entries(path):
    """Yield (line number, flags, fields) per entry; fields maps keyword to its text."""
    entry, key, start = None, None, 0
    for number, line in enumerate([*path.read_text("utf-8").splitlines(), ""], 1):
        line = line.strip()
        if not line or (line.startswith("#") and entry and entry[1]):
            if entry and entry[1]:
                yield start, *entry
            entry, key = None, None
        if not line or line.startswith("#~"):
            continue
        if entry is None:
            entry, start = (set(), {}), number
        if line.startswith("#,"):
            entry[0].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[1][key] += ast.literal_eval(line)
        else:
            key, _sep, text = line.partition(" ")
            entry[1][key] = ast.literal_eval(text)


def problems(path):
    for number, flags, fields in read_entries(path):
        msgid = fields.get("msgid", "")
        where = f"{path}:{number}: {msgid or '(header)'!r}"
        if "fuzzy" in flags:
            yield f"{where} is fuzzy"
        if not msgid:
            continue
        strings = [value for key, value in fields.items() if key.startswith("msgstr")]
        if not strings or not all(strings):
            yield f"{where} is untranslated"
            continue
        expected = set(PLACEHOLDER.findall(msgid + fields.get("msgid_plural", "")))
        for value in strings:
            if set(PLACEHOLDER.findall(value)) - expected:
                yield f"{where} has a placeholder the msgid lacks"
            elif "msgid_plural" not in fields and set(PLACEHOLDER.findall(value)) != expected:
                yield f"{where} drops a placeholder"


def main(argv):
    here = Path(__file__).resolve().parent
    paths = [Path(arg) for arg in argv] or sorted(here.glob("*/LC_MESSAGES/django.po"))
    if not paths:
        print(f"No catalogues found under {here}.", file=sys.stderr)
        return 1
    found = [problem for path in paths for problem in problems(path)]
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(f"{len(found)} problem(s) in the translation catalogue.", file=sys.stderr)
        return 1
    print(f"Complete: {', '.join(str(path) for path in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
