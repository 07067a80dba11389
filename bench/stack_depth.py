#!/usr/bin/python3
"""Worst-case stack of a call tree in src/, from GCC's -fcallgraph-info=su files.

  stack_depth.py ROOT FILE.ci...     prints "bytes path" for the deepest chain from ROOT

Each function costs its frame (the .su figure GCC writes into the node label). Indirect
calls are resolved by file: the body sink called by the HTTP parser is oauth.c:sink, the
event callback called by the JSON scanner is json_extract.c:on_event; every other
indirect call in src/ goes to the port (transport, clock, crypto) and counts 0 here: the
backend's stack is measured separately. A dynamic frame (VLA/alloca) is an error.
"""
import re, sys

CALLBACKS = {"http_parse.c": ["oauth.c:sink"], "json.c": ["json_extract.c:on_event"]}
root, files = sys.argv[1], sys.argv[2:]
cost, edges, kind = {}, {}, {}

def short(t):
    return re.sub(r"^.*/", "", t)

for f in files:
    for line in open(f):
        m = re.match(r'node: \{ title: "([^"]+)" label: "([^"]*)"', line)
        if m:
            t = short(m.group(1))
            b = re.search(r"\\n(\d+) bytes \((\w[\w,]*)\)", m.group(2))
            if b:
                cost[t] = int(b.group(1))
                kind[t] = b.group(2)
            continue
        m = re.match(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"(?: label: "([^"]*)")?', line)
        if m:
            s, t, where = short(m.group(1)), short(m.group(2)), m.group(3) or ""
            if t == "__indirect_call":
                src_file = short(where).split(":")[0]
                for tgt in CALLBACKS.get(src_file, []):
                    edges.setdefault(s, set()).add(tgt)
            else:
                edges.setdefault(s, set()).add(t)

bad = [t for t, k in kind.items() if k != "static"]
if bad:
    sys.exit("dynamic stack frames: %s" % ", ".join(sorted(bad)))
memo = {}
def worst(f, seen):
    if f in seen:
        sys.exit("recursion through %s" % f)
    if f in memo:
        return memo[f]
    best = (0, [])
    for t in edges.get(f, ()):
        if t not in cost:          # memcpy & co from the C library: leaf, not src/
            continue
        d = worst(t, seen | {f})
        if d[0] > best[0]:
            best = d
    memo[f] = (cost.get(f, 0) + best[0], [f] + best[1])
    return memo[f]

total, path = worst(root, frozenset())
print(total, " > ".join("%s(%d)" % (p.split(":")[-1], cost.get(p, 0)) for p in path))
