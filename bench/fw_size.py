#!/usr/bin/env python3
"""Flash and static RAM of a firmware image by part, from its GNU ld map file.

usage: fw_size.py IMAGE.elf.map [--symbols N]
Parts: tls (the TLS library archive), core (src/), glue (port/tls/), port (port/mps2/:
board and MPS2 port), app (the image's main), libc (newlib-nano, libgcc). Flash is
.text + .rodata (+ .data's initial values); RAM is .data + .bss (the stack region
reserved by the linker script is reported apart)."""
import sys

import ldmap


def part_of(obj):
    if "/lib/libbearssl.a" in obj or "/lib/libmbedtls.a" in obj:
        return "tls"
    if "/core/" in obj or "/core-min/" in obj:
        return "core"
    if "/tls/" in obj:
        return "glue"
    if "/port/" in obj:
        return "port"
    if "/app/" in obj:
        return "app"
    return "libc"


def parse(path):
    sizes = {}
    syms = []
    for _out, name, addr, size, rest in ldmap.records(path):
        if name is None or not name.startswith("."):
            continue
        obj = rest.split()[0]
        if size == 0 or addr == 0 and not name.startswith(".text") and not name.startswith(".vectors"):
            continue
        if name.startswith((".text", ".vectors", ".glue")):
            kind = "text"
        elif name.startswith(".rodata"):
            kind = "rodata"
        elif name.startswith(".data"):
            kind = "data"
        elif name.startswith((".bss", "COMMON")):
            kind = "bss"
        else:
            continue
        p = part_of(obj)
        sizes.setdefault(p, {"text": 0, "rodata": 0, "data": 0, "bss": 0})[kind] += size
        syms.append((size, kind, name, obj.split("/")[-1]))
    return sizes, syms


def main():
    path = sys.argv[1]
    nsym = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--symbols" else 0
    sizes, syms = parse(path)
    order = ["tls", "core", "glue", "port", "app", "libc"]
    tot = {"flash": 0, "ram": 0}
    print("%-6s %8s %8s %8s %8s %9s %9s" % ("part", "text", "rodata", "data", "bss", "flash", "ram"))
    for p in order:
        s = sizes.get(p, {"text": 0, "rodata": 0, "data": 0, "bss": 0})
        flash = s["text"] + s["rodata"] + s["data"]
        ram = s["data"] + s["bss"]
        tot["flash"] += flash
        tot["ram"] += ram
        print("%-6s %8d %8d %8d %8d %9d %9d" % (p, s["text"], s["rodata"], s["data"], s["bss"], flash, ram))
    print("%-6s %8s %8s %8s %8s %9d %9d" % ("total", "", "", "", "", tot["flash"], tot["ram"]))
    for size, kind, name, obj in sorted(syms, reverse=True)[:nsym]:
        print("  %7d %-6s %-50s %s" % (size, kind, name[:50], obj))


if __name__ == "__main__":
    main()
