# sfoauth build. `make help` lists the targets.
#
#   make [all]            libsfoauth.a (core + POSIX port + TLS backend) and the CLI
#   make test             installs missing Debian packages (deps), builds, runs every test
#   make cross            builds src/*.c for Cortex-M4 and prints the size table
#   make fuzz             libFuzzer targets, SECONDS=N each (tests/fuzz/README.md)
#   make coverage         unit tests with gcc --coverage: src/ line and branch coverage
#   make lint             cppcheck + clang-tidy + function sizes (pmccabe), zero findings
#   make clean
#
# Variables: BACKEND=mbedtls|bearssl (default mbedtls), SAN=1 (ASan+UBSan),
#            VALGRIND=1 (run each test binary under valgrind memcheck),
#            SHARED=path to the shared test data (default ../shared).

BACKEND ?= mbedtls
SHARED  ?= $(abspath $(CURDIR)/../shared)
CC      ?= cc
PYTHON  ?= /usr/bin/python3

ifneq ($(filter $(BACKEND),mbedtls bearssl),$(BACKEND))
$(error BACKEND must be mbedtls or bearssl)
endif

BUILD ?= build/$(BACKEND)$(if $(SAN),-san)

# Warnings: C11, everything an embedded reviewer expects. -Wconversion (which in C
# includes -Wsign-conversion) applies to the library; tests relax it because the
# cmocka macros cast freely.
WARN      := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual -Wundef \
             -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2
WARN_LIB  := $(WARN) -Wconversion
OPT       ?= -O2 -g
comma     := ,
SANFLAGS  := $(if $(SAN),-fsanitize=address$(comma)undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
EXTRA_CFLAGS ?=
BASEFLAGS := -std=c11 $(OPT) $(SANFLAGS) $(EXTRA_CFLAGS) -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
BACKEND_DEF := -DSFO_BACKEND_$(shell echo $(BACKEND) | tr a-z A-Z)=1

ifeq ($(BACKEND),mbedtls)
BACKEND_LIBS := -lmbedtls -lmbedx509 -lmbedcrypto
else
BACKEND_LIBS := -lbearssl
endif
LDLIBS := $(BACKEND_LIBS)

CORE_SRC := $(wildcard src/*.c)
# The POSIX port, then the portable TLS glue (port/tls/: no POSIX header) and its backend.
TLS_SRC  := port/tls/glue.c port/tls/x509_util.c port/tls/sf_roots.c port/tls/$(BACKEND).c
PORT_SRC := $(wildcard port/posix/*.c) $(TLS_SRC)
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
TSUP_SRC := $(wildcard tests/support/*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
PORT_OBJ := $(PORT_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TSUP_OBJ := $(TSUP_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
LIB      := $(BUILD)/libsfoauth.a
CLI_BIN  := $(if $(CLI_SRC),$(BUILD)/sfoauth)

.PHONY: all lib cli tests test check check-core check-server cross cross-min port-cross deps clean help
.DEFAULT_GOAL := all

all: lib cli
lib: $(LIB)
cli: $(CLI_BIN)
tests: $(TEST_BIN)

$(BUILD)/src/%.o: src/%.c $(wildcard include/*.h src/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN_LIB) -ffreestanding -Isrc -c $< -o $@

$(BUILD)/port/%.o: port/%.c $(wildcard include/*.h port/*.h port/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN_LIB) $(BACKEND_DEF) -Iport -c $< -o $@

$(BUILD)/cli/%.o: cli/%.c $(wildcard include/*.h cli/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN_LIB) $(BACKEND_DEF) -Iport -Icli -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c $(wildcard include/*.h tests/support/*.h tests/conformance/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN) $(BACKEND_DEF) -Isrc -Iport -Itests/support -c $< -o $@

$(LIB): $(CORE_OBJ) $(PORT_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/sfoauth: $(CLI_OBJ) $(LIB)
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TSUP_OBJ) $(LIB)
	$(CC) $(SANFLAGS) -o $@ $< $(TSUP_OBJ) $(LIB) $(LDLIBS) -lcmocka -lpthread

# The port conformance suite (tests/conformance/: portable suite + POSIX fixture),
# linked into tests/test_conformance.
CONF_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/conformance/*.c))
$(BUILD)/tests/test_conformance: $(BUILD)/tests/test_conformance.o $(CONF_OBJ) $(TSUP_OBJ) $(LIB)
	$(CC) $(SANFLAGS) -o $@ $< $(CONF_OBJ) $(TSUP_OBJ) $(LIB) $(LDLIBS) -lcmocka -lpthread

# The certificate matrix on both backends side by side (builds both; not part of
# `make test`, which checks each backend against the same expected table).
.PHONY: cert-matrix-diff
cert-matrix-diff:
	@SHARED="$(SHARED)" PYTHON="$(PYTHON)" sh tests/cert_matrix_diff.sh

# ---- dependencies: Debian packages, installed when missing ----------------------------
# What building and `make demo` need; the tests, fuzzing and analysis need the rest.
RUN_PKGS  := gcc make binutils libmbedtls-dev libbearssl-dev openssl curl python3 \
             python3-cryptography
DEPS_PKGS := $(RUN_PKGS) libcmocka-dev gcc-arm-none-eabi libnewlib-arm-none-eabi \
             tinyproxy valgrind python3-jwt clang libclang-rt-14-dev gcovr cppcheck clang-tidy \
             qemu-system-arm dpkg-dev pmccabe clang-format
deps:
	@SFO_DEPS="$(DEPS_PKGS)" sh tests/deps.sh
deps-run:
	@SFO_DEPS="$(RUN_PKGS)" sh tests/deps.sh

# ---- tests ---------------------------------------------------------------------------
# Runs every tests/test_* binary (cmocka), then the core contract check and the
# cross build. The last line is the tally: "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory all tests
	@SFO_SHARED="$(SHARED)" SFO_ROOT="$(CURDIR)" SFO_BUILD="$(CURDIR)/$(BUILD)" \
	 SFO_BACKEND="$(BACKEND)" SFO_PYTHON="$(PYTHON)" SFO_VALGRIND="$(VALGRIND)" \
	 sh tests/run.sh $(TEST_BIN) -- check-core cross cross-min port-cross \
	   $(if $(and $(filter mbedtls,$(BACKEND)),$(if $(SAN)$(VALGRIND),,1)),check-server)

check: test

# Every object built from src/*.c alone must reference nothing outside
# memcpy memset memmove memcmp strlen and its own sfo_ symbols.
check-core: $(CORE_OBJ)
	@sh tests/check_core.sh $(CORE_OBJ)

# Smoke test of the test server (curl; independent of the backend: run by
# `make test` only for BACKEND=mbedtls without SAN).
check-server:
	@bash tests/server/test_sf_server.sh

# ---- cross build for Cortex-M4 -------------------------------------------------------
CROSS_CC    ?= arm-none-eabi-gcc
CROSS_FLAGS := -std=c11 -mcpu=cortex-m4 -mthumb -Os -ffreestanding -ffunction-sections \
               -fdata-sections $(WARN_LIB) -Iinclude -Isrc
cross:
	@mkdir -p $(BUILD)/cross
	@for f in $(CORE_SRC); do \
	  $(CROSS_CC) $(CROSS_FLAGS) -c $$f -o $(BUILD)/cross/$$(basename $$f .c).o || exit 1; \
	done
	@sh tests/size_table.sh $(BUILD)/cross/*.o

# The portable TLS glue (port/tls/*.c) for Cortex-M4 against newlib, once per backend:
# no POSIX header may be needed. BearSSL's and mbedTLS's host headers are used (through
# a directory holding only them; mbedTLS with port/tls/mbedtls_cross_config.h, which
# drops threads, file system, sockets and OS time).
PORT_CROSS_SRC := port/tls/glue.c port/tls/x509_util.c port/tls/sf_roots.c
port-cross:
	@mkdir -p $(BUILD)/port-cross/inc
	@ln -sfn /usr/include/bearssl.h $(BUILD)/port-cross/inc/bearssl.h
	@ln -sfn /usr/include/bearssl $(BUILD)/port-cross/inc/bearssl
	@ln -sfn /usr/include/mbedtls $(BUILD)/port-cross/inc/mbedtls
	@ln -sfn /usr/include/psa $(BUILD)/port-cross/inc/psa
	@for b in mbedtls bearssl; do \
	  B=$$(echo $$b | tr a-z A-Z); \
	  for f in $(PORT_CROSS_SRC) port/tls/$$b.c; do \
	    $(CROSS_CC) $(CROSS_FLAGS) -Iport -isystem $(BUILD)/port-cross/inc -DSFO_BACKEND_$$B=1 \
	      '-DMBEDTLS_USER_CONFIG_FILE="$(CURDIR)/port/tls/mbedtls_cross_config.h"' \
	      -c $$f -o $(BUILD)/port-cross/$$b-$$(basename $$f .c).o || exit 1; \
	  done; \
	  $(CROSS_CC) $(CROSS_FLAGS) -Iport -isystem $(BUILD)/port-cross/inc -DSFO_BACKEND_$$B=1 \
	    -c tests/conformance/sfo_conformance.c -o $(BUILD)/port-cross/suite.o || exit 1; \
	  printf 'port-cross: %-8s port/tls/ text+rodata %s\n' $$b \
	    "$$(arm-none-eabi-size -A $(BUILD)/port-cross/$$b-*.o | awk '$$1 ~ /^\.(text|rodata)/ {s += $$2} END {print s}')"; \
	done

# Firmware switches: each one alone, then all together, built for Cortex-M4 with
# -Werror; then the JWT-bearer-only image: everything at once, linked with
# --gc-sections from sfo_jwt_bearer (sfo_strerror kept too), text+rodata printed.
MIN_SWITCHES := SFO_NO_DEVICE_FLOW SFO_NO_INTROSPECT SFO_NO_USERINFO SFO_NO_PROXY SFO_NO_LOG \
                SFO_ERROR_STRINGS=0
cross-min:
	@mkdir -p $(BUILD)/cross-min
	@for d in $(MIN_SWITCHES) "$(MIN_SWITCHES)"; do \
	  for f in $(CORE_SRC); do \
	    $(CROSS_CC) $(CROSS_FLAGS) $$(for x in $$d; do printf ' -D%s' $$x; done) -c $$f \
	      -o $(BUILD)/cross-min/$$(basename $$f .c).o || exit 1; \
	  done; \
	  printf 'cross-min: %-40s core text+rodata %s\n' "$$d" \
	    "$$(arm-none-eabi-size -A $(BUILD)/cross-min/*.o | awk '$$1 ~ /^\.(text|rodata)/ {s += $$2} END {print s}')"; \
	done
	@$(CROSS_CC) -mcpu=cortex-m4 -mthumb -nostdlib -Wl,--gc-sections -Wl,-e,sfo_jwt_bearer \
	  -Wl,--undefined=sfo_strerror -Wl,--unresolved-symbols=ignore-all \
	  -o $(BUILD)/cross-min/jwt-only.elf $(BUILD)/cross-min/*.o
	@printf 'cross-min: JWT bearer only (all switches, --gc-sections)  text+rodata %s\n' \
	  "$$(arm-none-eabi-size -A $(BUILD)/cross-min/jwt-only.elf | awk '$$1 ~ /^\.(text|rodata)/ {s += $$2} END {print s}')"

# Firmware images for the MPS2 AN386 board in QEMU (make firmware, make firmware-test).
include port/mps2/firmware.mk

clean:
	rm -rf build

help:
	@sed -n '1,16p' Makefile

# ---- demo, examples, install, static CLI ---------------------------------------------
#   make demo       builds, then runs every main sfoauth command against the test server
#   make examples   builds examples/*.c against libsfoauth.a
#   make install    PREFIX=/usr/local DESTDIR=: static + shared library, headers,
#                   pkg-config file, sfoauth (stripped), its man page and bash completion. Each backend is its own
#                   package: libsfoauth-$(BACKEND).{a,so.0}, sfoauth-$(BACKEND).pc, headers
#                   in include/sfoauth-$(BACKEND)/ whose sfoauth_config.h starts with the
#                   settings (-DSFO_* in EXTRA_CFLAGS/CFLAGS, backend) of this build
#   make static     a fully static, stripped sfoauth on BearSSL: build/static/sfoauth
.PHONY: demo examples install static

demo: deps-run
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(BUILD)

EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLE_BIN := $(EXAMPLE_SRC:examples/%.c=$(BUILD)/examples/%)
examples: $(EXAMPLE_BIN)
$(BUILD)/examples/%: examples/%.c $(LIB) $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN_LIB) $(BACKEND_DEF) -o $@ $< $(LIB) $(LDLIBS)

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCDIR     ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SFO_VER    := $(shell sed -n 's/^\#define SFO_VERSION "\(.*\)"/\1/p' include/sfoauth_types.h)
SO_MAJOR   := 0
SO_BASE    := libsfoauth-$(BACKEND)
SO_NAME    := $(SO_BASE).so.$(SO_MAJOR)
SO_FILE    := $(SO_BASE).so.$(SFO_VER)
PC_NAME    := sfoauth-$(BACKEND)
INC_SUB    := sfoauth-$(BACKEND)
SFO_DEFS   := $(patsubst -D%,%,$(filter -DSFO_%,$(EXTRA_CFLAGS) $(CFLAGS)))
PIC_OBJ    := $(CORE_OBJ:$(BUILD)/%.o=$(BUILD)/pic/%.o) $(PORT_OBJ:$(BUILD)/%.o=$(BUILD)/pic/%.o)
SHLIB      := $(BUILD)/$(SO_FILE)
BACKEND_UP := $(shell echo $(BACKEND) | tr a-z A-Z)

$(BUILD)/pic/src/%.o: src/%.c $(wildcard include/*.h src/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN_LIB) -fPIC -ffreestanding -Isrc -c $< -o $@
$(BUILD)/pic/port/%.o: port/%.c $(wildcard include/*.h port/*.h port/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(WARN_LIB) -fPIC $(BACKEND_DEF) -Iport -c $< -o $@
$(SHLIB): $(PIC_OBJ)
	$(CC) -shared -Wl,-soname,$(SO_NAME) -o $@ $^ $(LDLIBS)

$(BUILD)/$(PC_NAME).pc: Makefile
	@mkdir -p $(dir $@)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	  'Name: $(PC_NAME)' 'Description: OAuth 2.0 tokens for Salesforce and RFC 6749 servers ($(BACKEND))' \
	  'Version: $(SFO_VER)' 'Cflags: -I$${includedir}/$(INC_SUB) -DSFO_BACKEND_$(BACKEND_UP)=1' \
	  'Libs: -L$${libdir} -lsfoauth-$(BACKEND)' 'Libs.private: $(LDLIBS)' > $@

# The installed configuration header: this build's settings, then the defaults.
$(BUILD)/include/sfoauth_config.h: include/sfoauth_config.h Makefile
	@mkdir -p $(dir $@)
	@{ printf '/* Settings of this build of the library (backend $(BACKEND)); a program\n'; \
	   printf ' * compiled with other values gets SFO_E_ABI from sfo_client_init(). */\n'; \
	   for d in SFO_BACKEND_$(BACKEND_UP)=1 $(SFO_DEFS); do \
	     n=$${d%%=*}; v=$${d#*=}; [ "$$n" = "$$d" ] && v=1; \
	     printf '#ifndef %s\n#define %s %s\n#endif\n' "$$n" "$$n" "$$v"; done; \
	   cat include/sfoauth_config.h; } > $@

install: all $(SHLIB) $(BUILD)/$(PC_NAME).pc $(BUILD)/include/sfoauth_config.h
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/$(INC_SUB) \
	  $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/$(SO_BASE).a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/$(SO_FILE)
	ln -sf $(SO_FILE) $(DESTDIR)$(LIBDIR)/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(LIBDIR)/$(SO_BASE).so
	install -m 644 $(filter-out include/sfoauth_config.h,$(wildcard include/*.h)) \
	  $(BUILD)/include/sfoauth_config.h $(DESTDIR)$(INCDIR)/$(INC_SUB)/
	install -m 644 $(BUILD)/$(PC_NAME).pc $(DESTDIR)$(LIBDIR)/pkgconfig/$(PC_NAME).pc
	install -s -m 755 $(BUILD)/sfoauth $(DESTDIR)$(BINDIR)/sfoauth
	install -m 644 cli/sfoauth.1 $(DESTDIR)$(MANDIR)/man1/sfoauth.1
	install -m 644 cli/sfoauth.bash $(DESTDIR)$(BASHCOMPDIR)/sfoauth

# The static CLI is built in its own tree (BearSSL, -Os, no sanitizers).
# A fully static sfoauth on BearSSL, linked against musl (Debian's musl-tools): glibc's
# static getaddrinfo/stdio alone would be several times the whole program. A C program
# never unwinds: no unwind tables (-fno-asynchronous-unwind-tables here, .eh_frame
# removed from a copy of Debian's libbearssl.a, objects otherwise unchanged); -flto; the
# executable is not position-independent (-static), so neither is its code (-fno-pie).
BEARSSL_A = $(shell $(CC) -print-file-name=libbearssl.a)
STATIC_CFLAGS := -DSFO_MUSL_COMPAT -ffunction-sections -fdata-sections -flto -flto-partition=one \
                 -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie
static:
	@SFO_DEPS="musl-tools libbearssl-dev" sh tests/deps.sh
	@mkdir -p build/static/inc
	@ln -sf /usr/include/bearssl.h /usr/include/bearssl build/static/inc/
	@objcopy -R .eh_frame $(BEARSSL_A) build/static/libbearssl.a
	@$(MAKE) --no-print-directory BACKEND=bearssl BUILD=build/static SAN= OPT="-Os" \
	  CC="musl-gcc -isystem build/static/inc" EXTRA_CFLAGS="$(STATIC_CFLAGS)" \
	  LDLIBS="build/static/libbearssl.a" build/static/sfoauth-static
	@cp build/static/sfoauth-static build/static/sfoauth
	@strip build/static/sfoauth
	@size build/static/sfoauth
	@file build/static/sfoauth 2>/dev/null || true
$(BUILD)/sfoauth-static: $(CLI_OBJ) $(LIB)
	$(CC) -static $(OPT) $(EXTRA_CFLAGS) -Wl,--gc-sections -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

# ---- benchmarks and the size guard ---------------------------------------------------
#   make bench       footprint, memory, end-to-end and parser figures: prints one table
#                    and writes it into BENCHMARKS.md (installs BENCH_PKGS; ~5 minutes)
#   make size-guard  fails when a footprint grew more than 10 % over its line committed
#                    in BENCHMARKS.md: core Cortex-M4 -Os text+rodata, the JWT-bearer-only
#                    image (as cross-min) and the static BearSSL CLI (make static)
#                    (after a deliberate change: make size-guard UPDATE=1 rewrites them)
.PHONY: bench size-guard
BENCH_PKGS := valgrind hyperfine libyajl-dev libjsmn-dev libcjson-dev libhttp-parser-dev \
              time
bench: deps
	@SFO_DEPS="$(BENCH_PKGS)" sh tests/deps.sh
	@$(MAKE) --no-print-directory BACKEND=mbedtls SAN= all
	@if [ -f port/tls/bearssl.c ]; then $(MAKE) --no-print-directory BACKEND=bearssl SAN= all; fi
	@PYTHON="$(PYTHON)" sh bench/run.sh
	@$(MAKE) --no-print-directory bench-firmware
	@$(MAKE) --no-print-directory bench-lwip

size-guard:
	@sh bench/size_guard.sh $(if $(UPDATE),--update)

# ---- fuzzing (libFuzzer, clang) ------------------------------------------------------
# make fuzz [SECONDS=60] [FUZZ_TARGETS="json http url b64 key token"] [FUZZ_JOBS=1] [BACKEND=..]
# Builds tests/fuzz/fuzz_<t>.c with the whole core under ASan+UBSan+libFuzzer into
# build/fuzz/, builds the seed corpora at run time from the unit tests and
# $(SHARED)/testdata (tests/fuzz/seeds.py; nothing is copied into the repository),
# then runs each target for SECONDS seconds (FUZZ_JOBS at a time) with its growing
# corpus under build/fuzz/corpus/<t>; crashes go to build/fuzz/artifacts/<t>/.
# Hook for later modules: add the name to FUZZ_TARGETS and a tests/fuzz/fuzz_<t>.c
# ("key" and "token" also link the POSIX port and the TLS backend of BACKEND:
# make fuzz BACKEND=bearssl FUZZ_TARGETS=key; see tests/fuzz/README.md).
SECONDS      ?= 60
FUZZ_JOBS    ?= 1
FUZZ_CC      ?= clang
FUZZ_TARGETS ?= json http url b64 key token
FUZZ_DIR     := build/fuzz
FUZZ_FLAGS   := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer -Iinclude -Itests/fuzz $(WARN)
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-seeds json-diff coverage lint FORCE

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(CORE_SRC) $(wildcard include/*.h) Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(CORE_SRC) -o $@

# Targets that also link the POSIX port and its TLS backend ($(BACKEND)): built
# into $(FUZZ_DIR)/$(BACKEND)/ and copied to $(FUZZ_DIR)/ on every run, so that
# the binary run is always the one of the backend asked for.
FUZZ_PORTED := key token
$(FUZZ_DIR)/$(BACKEND)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(CORE_SRC) $(PORT_SRC) \
                               $(wildcard include/*.h port/*.h) Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(BACKEND_DEF) -Iport \
	  $< $(CORE_SRC) $(PORT_SRC) -o $@ $(BACKEND_LIBS)
$(FUZZ_PORTED:%=$(FUZZ_DIR)/fuzz_%): $(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/$(BACKEND)/fuzz_% FORCE
	@cp $< $@.tmp && mv -f $@.tmp $@
FORCE:

fuzz-build: $(FUZZ_BIN) $(FUZZ_DIR)/json_canon

fuzz-seeds:
	@rm -rf $(FUZZ_DIR)/seeds
	@$(PYTHON) tests/fuzz/seeds.py $(CURDIR) $(SHARED) $(FUZZ_DIR)/seeds

fuzz: deps fuzz-build fuzz-seeds
	@FUZZ_DIR=$(FUZZ_DIR) SECONDS=$(SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
	 sh tests/fuzz/run.sh $(FUZZ_TARGETS)
	@$(MAKE) --no-print-directory json-diff

# Differential check of the JSON scanner against Python's json on the json corpus.
$(FUZZ_DIR)/json_canon: tests/fuzz/json_canon.c tests/fuzz/json_canon.h $(CORE_SRC) Makefile
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -g -Iinclude -Itests/fuzz $(WARN) -D_POSIX_C_SOURCE=200809L \
	  tests/fuzz/json_canon.c $(CORE_SRC) -o $@

json-diff: $(FUZZ_DIR)/json_canon
	@$(PYTHON) tests/fuzz/json_diff.py --helper $(FUZZ_DIR)/json_canon \
	  $(wildcard $(FUZZ_DIR)/corpus/json) $(wildcard $(FUZZ_DIR)/seeds/json)

# ---- coverage (gcc --coverage, gcovr) -------------------------------------------------
# Builds the library and unit tests into build/coverage with --coverage, runs every
# unit test, and prints line and branch coverage of src/ per file and in total.
COV_DIR := build/coverage
coverage: deps
	@rm -rf $(COV_DIR)
	@$(MAKE) --no-print-directory BUILD=$(COV_DIR) SANFLAGS=--coverage OPT="-O0 -g" all tests >/dev/null
	@# MAKEFLAGS: a test that runs make in this tree (examples) builds with --coverage too
	@SFO_SHARED="$(SHARED)" SFO_ROOT="$(CURDIR)" SFO_BUILD="$(CURDIR)/$(COV_DIR)" \
	 SFO_BACKEND="$(BACKEND)" SFO_PYTHON="$(PYTHON)" MAKEFLAGS="SANFLAGS=--coverage" \
	 sh tests/run.sh $(TEST_SRC:tests/%.c=$(COV_DIR)/tests/%) || true
	@echo "---- src/ line coverage"
	@gcovr -r . -f 'src/' --object-directory $(COV_DIR) --exclude-unreachable-branches
	@echo "---- src/ branch coverage"
	@gcovr -r . -f 'src/' --object-directory $(COV_DIR) --exclude-unreachable-branches -b

# ---- static analysis -----------------------------------------------------------------
# cppcheck (warning, style, performance, portability; suppressions with reasons in
# tests/lint/cppcheck.supp) and clang-tidy (check set and exclusions with reasons in
# .clang-tidy, cli/.clang-tidy) over src/, port/ (this BACKEND's files) and cli/;
# then the function size check (pmccabe) over every C file of src/, port/ and cli/:
# at most 100 lines and complexity 30 per function, exceptions with their reason in
# tests/lint/func_size.allow (tests/lint/func_size.sh). Zero findings required.
LINT_SRC   := $(CORE_SRC) $(PORT_SRC) $(CLI_SRC)
LINT_FLAGS := -std=c11 -Iinclude -Isrc -Iport -Icli -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
              $(BACKEND_DEF)
FUNC_SRC   := $(sort $(shell find src port cli -name '*.c' 2>/dev/null))
lint: deps func-size format-check
	@echo "cppcheck: $(words $(LINT_SRC)) files"
	@cppcheck -q --std=c11 --enable=warning,style,performance,portability --inline-suppr \
	  --suppressions-list=tests/lint/cppcheck.supp --error-exitcode=1 \
	  --template='{file}:{line}: {severity}: {id}: {message}' \
	  -Iinclude -Isrc -Iport -Icli $(BACKEND_DEF) $(LINT_SRC)
	@echo "clang-tidy: $(words $(LINT_SRC)) files"
	@mkdir -p build; printf '%s\n' $(LINT_SRC) | \
	  xargs -P 2 -I{} clang-tidy -quiet {} -- $(LINT_FLAGS) >build/clang-tidy.log 2>&1; \
	 rc=$$?; grep -v 'warnings* generated' build/clang-tidy.log; exit $$rc
	@echo "lint: clean"

# Formatting: every C file of the tree as .clang-format says (the generated
# Salesforce roots excepted); `make format` rewrites them.
FMT_SRC := $(filter-out %sf_roots.c %sf_roots.h,$(shell git ls-files '*.c' '*.h' 2>/dev/null))
.PHONY: format format-check
format:
	@clang-format -i $(FMT_SRC)
format-check:
	@clang-format --dry-run -Werror $(FMT_SRC) && echo "format: $(words $(FMT_SRC)) files clean"

.PHONY: func-size
func-size:
	@sh tests/lint/func_size.sh $(FUNC_SRC)

include lwip.mk
