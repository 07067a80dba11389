#!/usr/bin/python3
"""lwip_size.py MAP: flash and static RAM of the lwIP firmware image by part, from the
GNU ld map file. Flash = .text/.rodata/.ARM.exidx + the .data load copy; static RAM =
.data + .bss (the linker script's heap and stack reservations are not counted: the stack
high-water mark is measured at run time and the image has no heap user).
Prints one "part flash ram" line per part and a total line."""
import sys

import ldmap

PARTS = [("lwIP", ("liblwip.a", "/fw-lwip/lwip/")),
         ("TLS library", ("libbearssl.a", "libmbedtls.a", "libmbedx509.a", "libmbedcrypto.a")),
         ("TLS glue (port/tls)", ("/port/tls/",)),
         ("core (src/)", ("/src/",)),
         ("LAN9118 driver", ("/port/lwip/lan9118.o",)),
         ("lwIP transport (port/lwip)", ("/port/lwip/sfo_lwip.o",)),
         ("board (port/mps2)", ("/port/mps2/",)),
         ("test cases (app)", ("/tests/firmware/",)),
         ("C library", ("libc_nano.a", "libc.a", "libgcc.a", "libnosys.a", "libm.a"))]
FLASH_OUT = (".text", ".ARM.exidx", ".rodata")
RAM_OUT = (".data", ".bss")


# Statics of the test image's main file, by symbol: the TLS context and the sfoauth
# buffers are what any product holds too; the rest is test scaffolding.
APP_SYMS = {"tls": "TLS context (struct sfo_tls)", "work": "sfoauth work buffer + token",
            "tok": "sfoauth work buffer + token", "intro": "sfoauth work buffer + token",
            "nif": "lwIP transport (port/lwip)", "eth": "LAN9118 driver",
            "lw": "lwIP transport (port/lwip)", "pool": "mbedTLS heap (static pool)"}


def part_of(path, sec=""):
    if "/tests/firmware/" in path:
        sym = sec.split(".")[-1]
        return APP_SYMS.get(sym, "test cases (app)")
    for name, keys in PARTS:
        if any(k in path for k in keys):
            return name
    return "other"


def main():
    flash, ram = {}, {}
    for out, sec, _addr, size, obj in ldmap.records(sys.argv[1]):
        if out is None or sec is None or sec.startswith("*fill*"):
            continue
        part = part_of(obj, sec)
        if out in FLASH_OUT:
            flash[part] = flash.get(part, 0) + size
        elif out in RAM_OUT:
            ram[part] = ram.get(part, 0) + size
            if out == ".data":
                flash[part] = flash.get(part, 0) + size
    names = [p for p, _ in PARTS] + sorted(set(APP_SYMS.values()) - {p for p, _ in PARTS}) + ["other"]
    for p in names:
        if flash.get(p, 0) or ram.get(p, 0):
            print("%s\t%d\t%d" % (p, flash.get(p, 0), ram.get(p, 0)))
    print("total\t%d\t%d" % (sum(flash.values()), sum(ram.values())))


if __name__ == "__main__":
    main()
