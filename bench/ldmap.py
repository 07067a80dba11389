"""Input sections of a GNU ld map file, for the footprint scripts (fw_size.py,
lwip_size.py).

records(path) yields one (out, sec, addr, size, obj) per input-section line of the
"Linker script and memory map" part: out is the output section it lands in (None
under /DISCARD/), sec the input section name (taken from the line before when ld
wrapped a long name; None when there is none), addr and size integers, obj the rest
of the line (archive(member) or object path). Fill lines come through as sec
"*fill*"; the callers decide what counts."""
import re

_OUT = (re.compile(r"^(\.[\w.]+)\s"), re.compile(r"^(\.[\w.]+)$"))
_NAME_ONLY = re.compile(r"^ (\S+)\s*$")
_INPUT = re.compile(r"^ (\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def records(path):
    with open(path) as f:
        lines = f.read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    out = None
    pending = None
    for l in lines[start:]:
        m = _OUT[0].match(l) or _OUT[1].match(l)
        if m:
            out = m.group(1)
            continue
        if l.startswith("/DISCARD/"):
            out = None
            continue
        m = _NAME_ONLY.match(l)
        if m:
            pending = m.group(1)
            continue
        m = _INPUT.match(l)
        sec = (m.group(1) or pending) if m else None
        pending = None
        if m:
            yield out, sec, int(m.group(2), 16), int(m.group(3), 16), m.group(4)
