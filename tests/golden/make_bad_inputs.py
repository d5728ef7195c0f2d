#!/usr/bin/python3
"""Makes the bad-input corpus: tests/data/bad_inputs/<case>.<ext> and manifest.json.

The manifest lists, per file, the 1-based line the reader's error must name (0 when the error
is about the whole file) and a short lowercase substring its message must contain (compare
case-insensitively: the reader writes e.g. "invalid UTF-8", "invalid JSON").

Rerun from the repository root:  /usr/bin/python3 tests/golden/make_bad_inputs.py
"""
import gzip
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "bad_inputs")


def nul_in_text():
    """~70 KB of CSV with a NUL byte inside a line that starts after the first 64 KB."""
    lines = [b"id,name,value"] + [b"%d,name%d,%d.5" % (i, i, i % 97) for i in range(1, 3900)]
    at = next(n for n in range(len(lines)) if len(b"\n".join(lines[:n])) > 65536 + 100)
    lines[at] = b"%d,na\x00me,1.5" % at  # lines[at] is file line at + 1
    return b"\n".join(lines) + b"\n", at + 1


def binary_garbage():
    rnd = random.Random(20240105)
    data = bytearray(rnd.randrange(256) for _ in range(4096))
    data[0:4] = b"\x07\x00\x13\x9c"  # no known magic (gzip, zip, zstd, PNG, UTF-16 BOM...); has a NUL
    return bytes(data)


NUL_TEXT, NUL_LINE = nul_in_text()

# (file, contents, line, message)
CASES = [
    ("ragged_too_few.csv", b"a,b,c\n1,2,3\n\n4,5,6\n7,8\n9,10,11\n", 5, "expected 3 fields"),
    ("ragged_too_many.csv", b'a,b,c\n1,2,3\n4,"two\nlines",6\n7,8,9\n10,11,12\n13,14,15,16\n17,18,19\n',
     7, "expected 3 fields"),
    ("unterminated_quote.csv", b'a,b,c\n1,2,3\n4,5,6\n7,"never closed,9\n10,11,12\n13,14,15\n',
     4, "unterminated quoted field"),
    ("invalid_utf8.csv", b"a,b,c\n1,ok,3\n4,caf\xff,6\n7,8,9\n", 3, "invalid utf-8"),
    ("empty.csv", b"", 0, "empty"),
    ("whitespace_only.csv", b"\n\r\n\n\r\n\r", 0, "empty"),
    ("header_only.csv", b"a,b,c\n", 0, "no data rows"),
    ("duplicate_columns.csv", b"a,b,a\n1,2,3\n", 1, "duplicate column name"),
    ("binary_garbage.csv", binary_garbage(), 1, "binary data"),
    ("gzip_compressed.csv.gz", gzip.compress(b"a,b,c\n1,2,3\n4,5,6\n", mtime=0), 1, "gzip"),
    ("nul_in_text.csv", NUL_TEXT, NUL_LINE, "nul byte"),
    ("char_after_quote.csv", b'a,b,c\n1,"ok",3\n4,"abc"x,6\n7,8,9\n', 3, "after a closing quote"),
    ("invalid_json.jsonl", b'{"a": 1, "b": "x"}\n{"a": 2, "b": }\n{"a": 3, "b": "z"}\n', 2, "invalid json"),
    ("array_line.jsonl", b'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n[3, "z"]\n', 3, "expected a json object"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data, _, _ in CASES:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    manifest = [{"file": n, "line": line, "message": msg} for n, _, line, msg in CASES]
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        f.write("[\n  " + ",\n  ".join(json.dumps(m) for m in manifest) + "\n]\n")
    print("wrote %d cases to %s" % (len(CASES), os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
