#!/usr/bin/python3
"""Differential test: the sfoauth JSON scanner against Python's json module.

Both sides turn a document into the same canonical line (see json_canon.h):
"OK <tokens>" or "ERR <reason>". Verdicts must agree, and accepted documents
must decode to the same strings (byte for byte) and numbers (integers exactly,
others as the IEEE-754 double nearest to the text).

Expected differences (documented, counted, not failures):
- NaN, Infinity, -Infinity: Python accepts them (not JSON, RFC 8259 s.6);
  the scanner refuses them (SFO_E_JSON_SYNTAX).
- Lone or mismatched UTF-16 surrogates in \\u escapes: Python accepts them
  (its str can hold surrogates); the scanner refuses them
  (SFO_E_JSON_SURROGATE), since they cannot become UTF-8.
- Nesting deeper than the scanner's limit (SFO_JSON_DIFF_DEPTH, default 64):
  the scanner refuses (SFO_E_JSON_DEPTH) while Python accepts (or gives up
  with RecursionError far deeper).

Modes:
  json_diff.py --emit FILE
      FILE holds one document per line, hex-encoded. Prints one line per
      document: "<python canonical line>\\t<max depth>", where the canonical
      line is "OK ...", "ERR <exception>", "NONSTD" (accepted with
      NaN/Infinity) or "SURR" (accepted with a lone surrogate). Used by
      tests/test_json_diff.c.
  json_diff.py --helper BIN PATH...
      Runs BIN (build/fuzz/json_canon) over the files / directories and
      compares each with Python. Prints a summary; exit 1 on any mismatch.
"""
import json
import os
import struct
import subprocess
import sys

sys.setrecursionlimit(20000)
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)

LIMIT = int(os.environ.get("SFO_JSON_DIFF_DEPTH", "64"))


class Surrogate(Exception):
    pass


class Tok:
    def __init__(self, t):
        self.t = t


class Key:
    def __init__(self, k):
        self.k = k


def py_canon(data):
    """(canonical line, max nesting depth) for bytes data, as Python sees it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "ERR UnicodeDecodeError", 0
    nonstd = []

    def const(name):
        nonstd.append(name)
        return float(name.replace("Infinity", "inf"))

    try:
        value = json.loads(text, object_pairs_hook=lambda pairs: ("obj", pairs),
                           parse_constant=const)
    except RecursionError:
        return "ERR RecursionError", 10 ** 6
    except ValueError as e:
        return "ERR " + type(e).__name__, 0
    toks = []
    depth = [0]

    def enc(s):
        try:
            return s.encode("utf-8").hex()
        except UnicodeEncodeError:
            raise Surrogate()

    # iterative walk (documents may nest deeply); Tok and Key mark work items
    stack = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, Tok):
            toks.append(v.t)
        elif isinstance(v, Key):
            try:
                toks.append("K" + enc(v.k))
            except Surrogate:
                return "SURR", 0
        elif isinstance(v, tuple):
            depth[0] = max(depth[0], d + 1)
            toks.append("{")
            stack.append((Tok("}"), d))
            for k, x in reversed(v[1]):
                stack.append((x, d + 1))
                stack.append((Key(k), d))
        elif isinstance(v, list):
            depth[0] = max(depth[0], d + 1)
            toks.append("[")
            stack.append((Tok("]"), d))
            for x in reversed(v):
                stack.append((x, d + 1))
        elif v is True:
            toks.append("t")
        elif v is False:
            toks.append("f")
        elif v is None:
            toks.append("n")
        elif isinstance(v, int):
            toks.append("I%d" % v)
        elif isinstance(v, float):
            toks.append("D" + struct.pack(">d", v).hex())
        elif isinstance(v, str):
            try:
                toks.append("S" + enc(v))
            except Surrogate:
                return "SURR", 0
        else:
            raise AssertionError(repr(v))
    if nonstd:
        return "NONSTD", depth[0]
    return "OK " + " ".join(toks), depth[0]


def verdict(c_line, py_line, py_depth, limit=LIMIT):
    """'same', 'expected:<why>' or 'MISMATCH'."""
    c_ok, p_ok = c_line.startswith("OK"), py_line.startswith("OK")
    if c_ok and p_ok:
        return "same" if c_line == py_line else "MISMATCH"
    if not c_ok and py_line == "NONSTD":
        return "expected:nan-infinity"
    if c_line == "ERR SFO_E_JSON_SURROGATE" and py_line == "SURR":
        return "expected:lone-surrogate"
    if c_line == "ERR SFO_E_JSON_DEPTH" and py_depth > limit:
        return "expected:depth"
    if not c_ok and not p_ok and py_line not in ("NONSTD", "SURR"):
        return "same"
    return "MISMATCH"


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--emit":
        out = []
        with open(args[1]) as f:
            for line in f:
                line = line.strip()
                c, d = py_canon(bytes.fromhex(line))
                out.append("%s\t%d" % (c, d))
        sys.stdout.write("\n".join(out) + ("\n" if out else ""))
        return 0
    if len(args) >= 2 and args[0] == "--helper":
        helper, paths = args[1], args[2:]
        if not paths:
            print("json-diff: no corpus (run make fuzz first)")
            return 0
        res = subprocess.run([helper] + paths, stdout=subprocess.PIPE, check=True)
        counts = {}
        bad = []
        for line in res.stdout.decode("utf-8").splitlines():
            path, c_line = line.split("\t", 1)
            with open(path, "rb") as f:
                p_line, p_depth = py_canon(f.read())
            v = verdict(c_line, p_line, p_depth)
            counts[v] = counts.get(v, 0) + 1
            if v == "MISMATCH":
                bad.append((path, c_line[:200], p_line[:200]))
        print("json-diff: %d documents: %s" % (
            sum(counts.values()),
            ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        for path, c, p in bad[:20]:
            print("  MISMATCH %s\n    scanner: %s\n    python:  %s" % (path, c, p))
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
