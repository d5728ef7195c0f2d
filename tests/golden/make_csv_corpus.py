#!/usr/bin/python3
"""Makes the CSV edge-case corpus: tests/data/csv_corpus/<case>.csv and <case>.expected.json.

Each case is the exact file text. The expected table is derived from that text by Python's csv
module (an independent RFC 4180 tokenizer) and by the typing rules of Gyre's reader, written out
below (missing tokens, bool/int64/float64/timestamp/string, int+float -> float64, any other mix
-> string, a column of only missing values -> float64). A few cases are also pinned by hand in
HAND_CHECKS. The script ends by comparing every case with pandas.read_csv and prints where they
differ (pandas keeps timestamps as text, has no bool+int -> string rule, ...).

Rerun from the repository root:  /usr/bin/python3 tests/golden/make_csv_corpus.py
"""
import csv
import datetime as dt
import io
import json
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "csv_corpus")

NA_TOKENS = ["", "NA", "N/A", "NaN", "nan", "n/a", "null", "NULL", "None", "<NA>", "#N/A", "#NA",
             "-NaN", "-nan", "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN", "#N/A N/A"]

# ---------------------------------------------------------------- typing rules

INT_RE = re.compile(r"[+-]?\d+")
FLOAT_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|Infinity)")
TS_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)"
                   r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?(Z|[+-]\d\d:?\d\d)?)?")
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def parse_timestamp(s):
    m = TS_RE.fullmatch(s)
    if not m:
        return None
    y, mo, d, h, mi, sec, frac, tz = m.groups()
    try:
        t = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0),
                        int((frac or "0").ljust(6, "0")))
    except ValueError:
        return None
    if tz and tz != "Z":
        sign = -1 if tz[0] == "-" else 1
        t -= sign * dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[-2:]))
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".%06d" % t.microsecond if t.microsecond else "") + "Z"


def kind(field):
    """The kind of one field: null, int, float, bool, timestamp or string."""
    if field in NA_TOKENS:
        return "null"
    s = field.strip(" \t")
    if INT_RE.fullmatch(s) and -2**63 <= int(s) < 2**63:
        return "int"
    if FLOAT_RE.fullmatch(s):
        return "float"
    if s in BOOLS:
        return "bool"
    if parse_timestamp(s):
        return "timestamp"
    return "string"


def join(a, b):
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    return "float" if {a, b} == {"int", "float"} else "string"


TYPE_NAMES = {"null": "float64", "int": "int64", "float": "float64", "bool": "bool",
              "timestamp": "timestamp", "string": "string"}


def value(field, type_name):
    if field in NA_TOKENS:
        return None
    s = field.strip(" \t")
    if type_name == "int64":
        return int(s)
    if type_name == "float64":
        v = float(s)
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else v
    if type_name == "bool":
        return BOOLS[s]
    if type_name == "timestamp":
        return parse_timestamp(s)
    return field  # strings keep their text as written (quotes removed)


def expected_table(text, delimiter):
    """The table Gyre must read from `text` (str, BOM included if any)."""
    text = text[1:] if text.startswith("\ufeff") else text
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            if r]  # csv yields [] for a blank line
    header, rows = rows[0], rows[1:]
    assert all(len(r) == len(header) for r in rows), "ragged corpus case"
    names = [n if n else "Unnamed: %d" % i for i, n in enumerate(header)]
    columns = []
    for c, name in enumerate(names):
        k = "null"
        for r in rows:
            k = join(k, kind(r[c]))
        t = TYPE_NAMES[k]
        columns.append({"name": name, "type": t, "values": [value(r[c], t) for r in rows]})
    return {"delimiter": delimiter, "rows": len(rows), "columns": columns}


# ---------------------------------------------------------------- the cases

def generated_pandas_to_csv():
    import pandas as pd
    df = pd.DataFrame({"x": [1.5, None, -2.25, 1e-7], "label": ["a", None, "c,d", 'say "hi"'],
                       "n": [10, 20, 30, 40]})
    return df.to_csv()  # first header cell is empty: the index column


def many_rows(n, special_row, special, name):
    lines = [name] + [str(i % 10) for i in range(n)]
    lines[special_row + 1] = special
    return "\n".join(lines) + "\n"


def many_numbers(n):
    """Numbers shaped to exercise the profile's exact counts (data/value_counts.h) when read in
    chunks of 1,000 rows: decimals that gain places mid-file, ranges too wide to count from
    the start or from row 3,000, ids that grow downwards, integers in steps of 1,000 until a
    late 12345, integers that turn into decimals, and missing values."""
    import random
    rnd = random.Random(7)
    lines = ["cents,places,wide,late_wide,id_down,thousands,int_then_float,with_missing"]
    for i in range(n):
        lines.append(",".join([
            "%.2f" % rnd.uniform(-50, 50),
            "%.1f" % rnd.uniform(0, 10) if i < n // 2 else "%.3f" % rnd.uniform(0, 10),
            "%.2f" % rnd.uniform(0, 2000),
            "%.2f" % rnd.uniform(0, 10 if i < 3000 else 5000),
            str(100000 - 7 * i),
            "12345" if i == 4000 else str(1000 * rnd.randint(0, 50)),
            str(rnd.randint(0, 100)) if i < n // 2 else "%.2f" % rnd.uniform(0, 100),
            "" if rnd.random() < 0.1 else str(rnd.randint(-20, 20)),
        ]))
    return "\n".join(lines) + "\n"


NA_PANDAS = [t for t in NA_TOKENS if t != "None"]  # pandas 1.5 does not treat "None" as missing

CASES = {  # name: (file text, delimiter, sampled rows for long cases or None)
    "basic": ("id,name,score,ok\n1,alice,3.5,true\n2,bob,4,false\n3,carol,-1.25,true\n", ",", None),
    "quoted_delimiters": ('id,text,n\n1,"a,b",5\n2,"x, y, z",6\n3,",",7\n4,"no comma",8\n', ",", None),
    "doubled_quotes": ('id,text\n1,"He said ""hi"""\n2,""""\n3,"a""b""c"\n4,"""quoted"""\n'
                       '5,plain\n', ",", None),
    "newline_in_quotes": ('id,text,n\n1,"line one\nline two",1\n2,"three\n\nlines",2\n'
                          '3,"ends with newline\n",3\n4,"crlf\r\ninside",4\n', ",", None),
    "crlf": ("a,b,c\r\n1,x,2.5\r\n2,y,3.5\r\n3,\"q\r\nr\",4.5\r\n", ",", None),
    "cr_only": ("a,b\r1,x\r2,y\r3,z\r", ",", None),
    "bom": ("\ufeffid,name\n1,Ann\n2,Ben\n", ",", None),
    "semicolon": ('name;price;qty\n"Doe, Jane";12,5;3\n"Roe, Rick";7,25;10\nplain;1,0;1\n', ";", None),
    "tab": ("name\tcity\tscore\nSmith, John\tParis\t3\nLee\tNew York, NY\t4.5\n"
            "O'Brien\tCork\t-2\n", "\t", None),
    "pipe": ("id|label|value\n1|a b c|0.5\n2|x;y|1.5\n3|\"p|q\"|2.5\n", "|", None),
    "na_tokens": ("id,x,s\n"
                  + "".join("%d,%s,w%d\n" % (i, t, i) for i, t in enumerate(NA_PANDAS))
                  + "".join('%d,%d,"%s"\n' % (i + 100, i, t) for i, t in enumerate(NA_PANDAS)),
                  ",", None),
    "na_token_none": ("id,x,s\n1,None,None\n2,5,word\n3,6,\n", ",", None),
    "na_near_misses": ("id,s\n1,na\n2,Null\n3,NONE\n4,NAN\n5, NA\n6,N.A.\n7,-\n8,?\n9,nil\n"
                       "10,none\n", ",", None),
    "blank_lines": ("\n\na,b\n\n1,x\n\n\n2,y\r\n\r\n3,z\n\n", ",", None),
    "no_trailing_newline": ("a,b,c\n1,x,2\n3,,4\n5,y,", ",", None),
    "trailing_delimiter": ("a,b,\n1,x,\n2,y,\n3,z,\n", ",", None),
    "unnamed_columns": ("a,,c,\n1,2,3,\n4,5,6,\n", ",", None),
    "int_to_float_late": (many_rows(75000, 70001, "0.5", "x"), ",", [0, 16383, 16384, 70000, 70001, 74999]),
    "many_numbers": (many_numbers(5000), ",", [0, 999, 1000, 2499, 2500, 2999, 3000, 4000, 4999]),
    "int_to_string_late": (many_rows(25000, 20001, "x1", "code"), ",", [0, 16384, 20000, 20001, 24999]),
    "timestamps": ("id,date,local,offset,mixed,not_dates\n"
                   "1,2024-01-05,2024-01-05 10:20,2024-01-05T10:20:30Z,2024-01-05,2023-02-29\n"
                   "2,2024-02-29,2024-02-29T23:59:59,2024-01-05T10:20:30+02:00,12,2024-13-01\n"
                   "3,,2024-03-01 00:00:00.5,2024-01-05T10:20:30.123-05:30,,2024-01-32\n"
                   "4,1970-01-01,1999-12-31T23:59:59.999999,2024-01-05 01:00:00+0100,x,2024-01-05T24:00\n"
                   "5,NA,2000-01-01T00:00,2023-12-31T23:30:00-01:00,,2024/01/05\n"
                   "6,1969-12-31,2024-01-05T10:20Z,2024-06-30T12:00:00.000001+00:00,,05-01-2024\n",
                   ",", None),
    "unicode": ("name,city,note,größe\nJosé,São Paulo,café ☕,1\nZoë,Zürich,naïve façade,2\n"
                "李雷,北京,你好，世界,3\nΕλένη,Αθήνα,😀 emoji,4\n\"  padded  \",Kraków,\"tab\there\",5\n",
                ",", None),
    "pandas_to_csv_index": (generated_pandas_to_csv(), ",", None),
    "all_missing": ('id,empty,tokens,quoted\n1,,NA,""\n2,,null,""\n3,,,""\n', ",", None),
    "big_ints": ("id,big,mixed,near\n1,9223372036854775807,9007199254740993,9007199254740993\n"
                 "2,-9223372036854775808,1.5,9007199254740992\n"
                 "3,9007199254740993,-9007199254740993,-9007199254740993\n4,0,2.5e15,1\n", ",", None),
    "beyond_int64": ("id,v\n1,9223372036854775808\n2,1\n3,-9223372036854775809\n", ",", None),
    "negative_zero": ("i,f\n-0,-0.0\n0,0.0\n+0,-0e0\n-0,0e5\n", ",", None),
    "numbers_spaces_plus": ('a,b,c\n 12 ,  2.5,"12"\n+5,+1.5e3,"-7"\n  -3,.5 ,"+8"\n', ",", None),
    "floats_special": ("x,y\ninf,1e308\n-inf,1e-320\nInfinity,.5\n-Infinity,1E3\n+inf,-2.5e-3\n",
                       ",", None),
    "bools": ("flag,upper,mixed_case,with_missing,yes_no,zero_one,bool_int,tf\n"
              "true,TRUE,True,true,yes,1,true,t\nfalse,FALSE,False,,no,0,1,f\n"
              "true,TRUE,false,NA,yes,1,false,t\n", ",", None),
    "mixed_types": ("ts_num,bool_int,int_text,float_ts,int_float\n2024-01-05,true,1,1.5,1\n"
                    "7,1,2,2024-01-05T00:00:00Z,2.5\n,false,x,,3\n", ",", None),
    "quoted_header": ('"first, name","id","a ""q"" col"\nAnn,1,x\nBob,2,y\n', ",", None),
    "single_column": ("value\n1\n\n2\n3\n", ",", None),
}

# Expected values pinned by hand, to catch a mistake in the rules above.
HAND_CHECKS = {
    ("timestamps", "date"): ("timestamp", ["2024-01-05T00:00:00Z", "2024-02-29T00:00:00Z", None,
                                           "1970-01-01T00:00:00Z", None, "1969-12-31T00:00:00Z"]),
    ("timestamps", "local"): ("timestamp", ["2024-01-05T10:20:00Z", "2024-02-29T23:59:59Z",
                                            "2024-03-01T00:00:00.500000Z", "1999-12-31T23:59:59.999999Z",
                                            "2000-01-01T00:00:00Z", "2024-01-05T10:20:00Z"]),
    ("timestamps", "offset"): ("timestamp", ["2024-01-05T10:20:30Z", "2024-01-05T08:20:30Z",
                                             "2024-01-05T15:50:30.123000Z", "2024-01-05T00:00:00Z",
                                             "2024-01-01T00:30:00Z", "2024-06-30T12:00:00.000001Z"]),
    ("timestamps", "mixed"): ("string", ["2024-01-05", "12", None, "x", None, None]),
    ("timestamps", "not_dates"): ("string", ["2023-02-29", "2024-13-01", "2024-01-32", "2024-01-05T24:00",
                                             "2024/01/05", "05-01-2024"]),
    ("na_tokens", "x"): ("int64", [None] * 18 + list(range(18))),
    ("na_token_none", "s"): ("string", [None, "word", None]),
    ("na_near_misses", "s"): ("string", ["na", "Null", "NONE", "NAN", " NA", "N.A.", "-", "?", "nil", "none"]),
    ("all_missing", "quoted"): ("float64", [None, None, None]),
    ("trailing_delimiter", "Unnamed: 2"): ("float64", [None, None, None]),
    ("big_ints", "big"): ("int64", [2**63 - 1, -2**63, 2**53 + 1, 0]),
    ("big_ints", "mixed"): ("float64", [2.0**53, 1.5, -2.0**53, 2.5e15]),
    ("beyond_int64", "v"): ("float64", [9.223372036854775808e18, 1.0, -9.223372036854775808e18]),
    ("negative_zero", "i"): ("int64", [0, 0, 0, 0]),
    ("numbers_spaces_plus", "c"): ("int64", [12, -7, 8]),
    ("floats_special", "x"): ("float64", ["inf", "-inf", "inf", "-inf", "inf"]),
    ("bools", "with_missing"): ("bool", [True, None, None]),
    ("bools", "bool_int"): ("string", ["true", "1", "false"]),
    ("bools", "zero_one"): ("int64", [1, 0, 1]),
    ("mixed_types", "ts_num"): ("string", ["2024-01-05", "7", None]),
    ("mixed_types", "float_ts"): ("string", ["1.5", "2024-01-05T00:00:00Z", None]),
    ("doubled_quotes", "text"): ("string", ['He said "hi"', '"', 'a"b"c', '"quoted"', "plain"]),
    ("newline_in_quotes", "text"): ("string", ["line one\nline two", "three\n\nlines",
                                               "ends with newline\n", "crlf\r\ninside"]),
    ("semicolon", "price"): ("string", ["12,5", "7,25", "1,0"]),
    ("pandas_to_csv_index", "Unnamed: 0"): ("int64", [0, 1, 2, 3]),
}


def write_expected(f, table, sample):
    """One column per line; long cases keep only the sampled rows (values_sample)."""
    dump = lambda v: json.dumps(v, ensure_ascii=False)
    cols = []
    for col in table["columns"]:
        head = '{"name": %s, "type": %s, ' % (dump(col["name"]), dump(col["type"]))
        if sample is None:
            cols.append(head + '"values": %s}' % dump(col["values"]))
        else:
            cols.append(head + '"values_sample": %s}' % dump({str(r): col["values"][r] for r in sample}))
    f.write('{"delimiter": %s, "rows": %d, "columns": [\n  %s\n]}\n'
            % (dump(table["delimiter"]), table["rows"], ",\n  ".join(cols)))


# ---------------------------------------------------------------- comparison with pandas

def _same(e, p):
    """Whether pandas' value p equals the expected JSON value e."""
    if e is None:
        return p is None or (isinstance(p, float) and math.isnan(p))
    if isinstance(e, str) and e in ("inf", "-inf") and isinstance(p, float):
        return p == float(e)
    if isinstance(e, bool) or isinstance(p, bool):
        return type(e) is type(p) and e == p
    if isinstance(e, str) or isinstance(p, str):
        return e == p
    return e == p and math.copysign(1, e) == math.copysign(1, p)


def _pandas_utc(text):
    import pandas as pd
    ts = pd.Timestamp(text)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%S") + (".%06d" % ts.microsecond if ts.microsecond else "") + "Z"


def read_with_pandas(path, delimiter):
    import pandas as pd
    return pd.read_csv(path, sep=delimiter, encoding="utf-8", float_precision="round_trip")


def pandas_difference(path, expected):
    """None if pandas.read_csv reads `path` as `expected` says, else why not."""
    import numpy as np
    try:
        df = read_with_pandas(path, expected["delimiter"])
    except Exception as e:  # noqa: BLE001
        return "pandas fails: %s" % e
    if list(df.columns) != [c["name"] for c in expected["columns"]]:
        return "column names %s" % list(df.columns)
    if len(df) != expected["rows"]:
        return "%d rows" % len(df)
    text_note = None
    for col in expected["columns"]:
        s, t = df[col["name"]], col["type"]
        numeric = np.issubdtype(s.dtype, np.number) and s.dtype != bool
        if t in ("int64", "float64") and not numeric:
            return "%s: pandas dtype %s, expected %s" % (col["name"], s.dtype, t)
        if t == "timestamp":  # pandas keeps them as text: check the text with pd.Timestamp
            for text, e in zip(s, col["values"]):
                if (e is None) != (not isinstance(text, str)) or (e and _pandas_utc(text) != e):
                    return "%s: pd.Timestamp(%r) is not %r" % (col["name"], text, e)
            text_note = "pandas keeps timestamps as text (pd.Timestamp agrees)"
            continue
        if t in ("string", "bool") and numeric:
            return "%s: pandas dtype %s, expected %s" % (col["name"], s.dtype, t)
        items = col["values_sample"].items() if "values_sample" in col else enumerate(col["values"])
        for r, e in items:
            p = s.iloc[int(r)]
            p = p.item() if hasattr(p, "item") else p
            if not _same(e, p):
                return "%s row %s: pandas %r, expected %r" % (col["name"], r, p, e)
    return text_note


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (text, delimiter, sample) in CASES.items():
        table = expected_table(text, delimiter)
        for (case, col), (t, values) in HAND_CHECKS.items():
            if case == name:
                got = next(c for c in table["columns"] if c["name"] == col)
                assert (got["type"], got["values"]) == (t, values), (name, col, got)
        with open(os.path.join(OUT, name + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
            write_expected(f, table, sample)
    print("wrote %d cases to %s" % (len(CASES), os.path.relpath(OUT, ROOT)))
    for name in CASES:
        with open(os.path.join(OUT, name + ".expected.json"), encoding="utf-8") as f:
            diff = pandas_difference(os.path.join(OUT, name + ".csv"), json.load(f))
        print("  %-22s %s" % (name, "pandas agrees" if diff is None else "pandas differs: " + diff))


if __name__ == "__main__":
    sys.exit(main())
