# Firmware images for the Arm MPS2 AN386 (Cortex-M4) in QEMU. Included by the Makefile.
#
#   make firmware        BearSSL 0.6 and mbedTLS 2.28 built for Cortex-M4 -Os from Debian's
#                        source packages (build/fw-src, cached in build/firmware/lib), then per
#                        backend build/firmware/<backend>/sfoauth-jwt.elf (JWT bearer fetch)
#                        and sfoauth-test.elf (core and port checks on the target)
#   make firmware-test   both images of both backends in qemu-system-arm (tests/firmware/run.sh)
#   make bench-firmware  flash/RAM by part and instruction counts of one fetch (bench/firmware.sh)
#
# Reusable parts for other firmware on this board: FW_ARCH, FW_BOARD_SRC (startup, UART,
# timer, semihosting), FW_LDFLAGS (linker script, newlib-nano, no heap).

FW           := build/firmware
FW_SRCDIR    := build/fw-src
FW_BR_DIR    := $(FW_SRCDIR)/bearssl-0.6+dfsg.1
FW_MB_DIR    := $(FW_SRCDIR)/mbedtls-2.28.3
FW_CC        ?= arm-none-eabi-gcc
FW_AR        ?= arm-none-eabi-ar
FW_ARCH      := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
FW_OPT       := -Os -g -ffunction-sections -fdata-sections
FW_BOARD_SRC := port/mps2/startup.c port/mps2/uart.c port/mps2/timer.c port/mps2/semihost.c
FW_PORT_SRC  := port/mps2/mps2_port.c
FW_LDFLAGS   := $(FW_ARCH) -nostartfiles --specs=nano.specs -Tport/mps2/mps2.ld \
                -Wl,--gc-sections -Wl,--no-warn-rwx-segments

# Firmware-sized capacities (sfoauth.h): a JWT bearer token answer from Salesforce
# fits (access token ~112 chars, no id_token without the openid scope).
FW_SIZES := -DSFO_ACCESS_TOKEN_MAX=512u -DSFO_REFRESH_TOKEN_MAX=16u -DSFO_URL_MAX=128u \
            -DSFO_SCOPE_MAX=64u -DSFO_ID_TOKEN_MAX=16u -DSFO_ERROR_DESC_MAX=128u
# The JWT image drops what the JWT bearer flow does not use.
FW_MIN   := -DSFO_NO_DEVICE_FLOW -DSFO_NO_INTROSPECT -DSFO_NO_USERINFO -DSFO_NO_PROXY \
            -DSFO_NO_LOG -DSFO_ERROR_STRINGS=1
# BearSSL context for one trust anchor; the leaf certificate (kept for the SAN checks)
# up to 4 KiB (Salesforce leaves are 2-3 KiB).
FW_BR_SIZES := -DSFO_BR_MAX_ANCHORS=1u -DSFO_BR_ANCHOR_BYTES=1024u -DSFO_BR_LEAF_MAX=4096u \
               -DSFO_BR_DN_MAX=128u
FW_INC_bearssl := -isystem $(FW_BR_DIR)/inc $(FW_BR_SIZES)
FW_INC_mbedtls := -isystem $(FW_MB_DIR)/include -Iport/mps2 \
                  '-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"'
FW_DEF_bearssl := -DSFO_BACKEND_BEARSSL=1
FW_DEF_mbedtls := -DSFO_BACKEND_MBEDTLS=1
FW_CFLAGS := -std=c11 $(FW_ARCH) $(FW_OPT) $(WARN_LIB) -Iinclude -Isrc -Iport -Iport/mps2 -Itests/firmware -Itests/conformance $(FW_SIZES)

.PHONY: firmware firmware-libs firmware-src firmware-test bench-firmware

firmware-src:
	@sh port/mps2/fetch_src.sh $(FW_SRCDIR)

# ---- the TLS libraries (third-party code: compiled, never committed) ----
# Every file is compiled; --gc-sections keeps only what an image uses.
$(FW)/lib/libbearssl.a: | firmware-src
	@mkdir -p $(FW)/lib/bearssl
	@echo "firmware: BearSSL for Cortex-M4 -Os"
	@cd $(FW_BR_DIR) && find src -name '*.c' | sort | xargs -P 2 -I{} sh -c \
	  'o=$(CURDIR)/$(FW)/lib/bearssl/$$(echo {} | tr / _ | sed "s/\.c$$/.o/"); \
	   $(FW_CC) $(FW_ARCH) $(FW_OPT) -Isrc -Iinc -c {} -o $$o || exit 255'
	@rm -f $@ && $(FW_AR) rcs $@ $(FW)/lib/bearssl/*.o

$(FW)/lib/libmbedtls.a: port/mps2/mbedtls_config.h port/tls/mbedtls_base_config.h | firmware-src
	@mkdir -p $(FW)/lib/mbedtls
	@echo "firmware: mbedTLS for Cortex-M4 -Os (port/mps2/mbedtls_config.h)"
	@cd $(FW_MB_DIR) && ls library/*.c | xargs -P 2 -I{} sh -c \
	  'o=$(CURDIR)/$(FW)/lib/mbedtls/$$(basename {} .c).o; \
	   $(FW_CC) $(FW_ARCH) $(FW_OPT) -Iinclude -Ilibrary -I$(CURDIR)/port/mps2 \
	     "-DMBEDTLS_CONFIG_FILE=\"mbedtls_config.h\"" -c {} -o $$o || exit 255'
	@rm -f $@ && $(FW_AR) rcs $@ $(FW)/lib/mbedtls/*.o

firmware-libs: $(FW)/lib/libbearssl.a $(FW)/lib/libmbedtls.a

# ---- per backend: objects in parts (core, core-min, TLS glue, port, board, app) ----
FW_HDRS := $(wildcard include/*.h src/*.h port/*.h port/mps2/*.h tests/conformance/*.h \
                      tests/firmware/*.h) port/tls/mbedtls_base_config.h port/mps2/firmware.mk
FW_TLS_SRC := port/tls/glue.c port/tls/x509_util.c port/tls/sf_roots.c

define FW_BACKEND
FW_$(1)_CF := $$(FW_CFLAGS) $$(FW_INC_$(1)) $$(FW_DEF_$(1))
$$(FW)/$(1)/core/%.o: src/%.c $$(FW_HDRS) | $$(FW)/lib/lib$(1).a
	@mkdir -p $$(dir $$@)
	$$(FW_CC) $$(FW_$(1)_CF) -ffreestanding -c $$< -o $$@
$$(FW)/$(1)/core-min/%.o: src/%.c $$(FW_HDRS) | $$(FW)/lib/lib$(1).a
	@mkdir -p $$(dir $$@)
	$$(FW_CC) $$(FW_$(1)_CF) $$(FW_MIN) -ffreestanding -c $$< -o $$@
$$(FW)/$(1)/tls/%.o: port/tls/%.c $$(FW_HDRS) | $$(FW)/lib/lib$(1).a
	@mkdir -p $$(dir $$@)
	$$(FW_CC) $$(FW_$(1)_CF) -c $$< -o $$@
$$(FW)/$(1)/port/%.o: port/mps2/%.c $$(FW_HDRS) | $$(FW)/lib/lib$(1).a
	@mkdir -p $$(dir $$@)
	$$(FW_CC) $$(FW_$(1)_CF) -c $$< -o $$@
$$(FW)/$(1)/app/%.o: tests/firmware/%.c $$(FW_HDRS) | $$(FW)/lib/lib$(1).a
	@mkdir -p $$(dir $$@)
	$$(FW_CC) $$(FW_$(1)_CF) -c $$< -o $$@
$$(FW)/$(1)/app/%.o: tests/conformance/%.c $$(FW_HDRS) | $$(FW)/lib/lib$(1).a
	@mkdir -p $$(dir $$@)
	$$(FW_CC) $$(FW_$(1)_CF) -c $$< -o $$@
$$(FW)/$(1)/app/jwt_main.o: tests/firmware/jwt_main.c $$(FW_HDRS) | $$(FW)/lib/lib$(1).a
	@mkdir -p $$(dir $$@)
	$$(FW_CC) $$(FW_$(1)_CF) $$(FW_MIN) -c $$< -o $$@

FW_$(1)_CORE     := $$(patsubst src/%.c,$$(FW)/$(1)/core/%.o,$$(CORE_SRC))
FW_$(1)_CORE_MIN := $$(patsubst src/%.c,$$(FW)/$(1)/core-min/%.o,$$(CORE_SRC))
FW_$(1)_TLS      := $$(patsubst port/tls/%.c,$$(FW)/$(1)/tls/%.o,$$(FW_TLS_SRC) port/tls/$(1).c)
FW_$(1)_PORT     := $$(patsubst port/mps2/%.c,$$(FW)/$(1)/port/%.o,$$(FW_BOARD_SRC) $$(FW_PORT_SRC))

$$(FW)/$(1)/sfoauth-jwt.elf: $$(FW)/$(1)/app/jwt_main.o $$(FW)/$(1)/app/fw_util.o $$(FW_$(1)_CORE_MIN) $$(FW_$(1)_TLS) \
                             $$(FW_$(1)_PORT) $$(FW)/lib/lib$(1).a port/mps2/mps2.ld
	$$(FW_CC) $$(FW_LDFLAGS) -Wl,-Map,$$@.map -o $$@ $$(FW)/$(1)/app/jwt_main.o $$(FW)/$(1)/app/fw_util.o \
	  $$(FW_$(1)_CORE_MIN) $$(FW_$(1)_TLS) $$(FW_$(1)_PORT) $$(FW)/lib/lib$(1).a
$$(FW)/$(1)/sfoauth-test.elf: $$(FW)/$(1)/app/test_main.o $$(FW)/$(1)/app/fw_util.o $$(FW)/$(1)/app/fw_vectors.o $$(FW)/$(1)/app/sfo_conformance.o \
                              $$(FW_$(1)_CORE) $$(FW_$(1)_TLS) $$(FW_$(1)_PORT) \
                              $$(FW)/lib/lib$(1).a port/mps2/mps2.ld
	$$(FW_CC) $$(FW_LDFLAGS) -Wl,--defsym=STACK_SIZE=0x10000 -Wl,-Map,$$@.map -o $$@ \
	  $$(FW)/$(1)/app/test_main.o $$(FW)/$(1)/app/fw_util.o $$(FW)/$(1)/app/fw_vectors.o $$(FW)/$(1)/app/sfo_conformance.o $$(FW_$(1)_CORE) \
	  $$(FW_$(1)_TLS) $$(FW_$(1)_PORT) $$(FW)/lib/lib$(1).a
endef
$(eval $(call FW_BACKEND,bearssl))
$(eval $(call FW_BACKEND,mbedtls))

FW_IMAGES := $(foreach b,bearssl mbedtls,$(FW)/$(b)/sfoauth-jwt.elf $(FW)/$(b)/sfoauth-test.elf)

firmware: deps
	@$(MAKE) --no-print-directory firmware-libs
	@$(MAKE) --no-print-directory $(FW_IMAGES)
	@arm-none-eabi-size $(FW_IMAGES)

firmware-test: firmware
	@SFO_SHARED="$(SHARED)" SFO_PYTHON="$(PYTHON)" bash tests/firmware/run.sh | tee $(FW)/test-uart.out
	@$(MAKE) --no-print-directory lwip-firmware-test LWIP_PRIOR=$(FW)/test-uart.out

# Firmware part of `make bench`: sizes by part, stack/pool high-water and instruction
# counts of one fetch (bench/firmware.sh; QEMU -icount).
bench-firmware: firmware
	@sh bench/firmware.sh --write
