# lwIP image variant of the firmware build: included by the Makefile.
#
#   make lwip-lib        lwIP 2.1.3 (Debian source package, unpacked under build/) built
#                        for Cortex-M4 -Os with port/lwip/lwipopts.h: build/fw-lwip/liblwip.a
#
# lwIP's sources are never committed: port/lwip/get_debsrc.sh unpacks Debian's source
# package into build/lwip-src/tree (adding a deb-src stanza when run as root).

LWIP_TREE  := build/lwip-src/tree
LWIP_BUILD := build/fw-lwip
LWIP_CC    ?= arm-none-eabi-gcc
LWIP_ARCH  ?= -mcpu=cortex-m4 -mthumb
LWIP_CORE_FILES := init def dns inet_chksum ip mem memp netif pbuf stats tcp tcp_in tcp_out \
                   timeouts udp ipv4/etharp ipv4/icmp ipv4/ip4 ipv4/ip4_addr ipv4/dhcp
LWIP_SRC   := $(LWIP_CORE_FILES:%=$(LWIP_TREE)/src/core/%.c) $(LWIP_TREE)/src/netif/ethernet.c
LWIP_OBJ   := $(LWIP_SRC:$(LWIP_TREE)/src/%.c=$(LWIP_BUILD)/lwip/%.o)
LWIP_INC   := -I$(LWIP_TREE)/src/include -Iport/lwip
LWIP_CFLAGS := -std=c11 $(LWIP_ARCH) -Os -g -ffunction-sections -fdata-sections \
               -Wall -Wextra -Wno-unused-parameter $(LWIP_INC)

.PHONY: lwip-lib lwip-src

LWIP_STAMP := build/lwip-src/.unpacked
$(LWIP_STAMP):
	@sh port/lwip/get_debsrc.sh lwip build/lwip-src
	@touch $@

lwip-src: $(LWIP_STAMP)

$(LWIP_SRC): | $(LWIP_STAMP)

$(LWIP_BUILD)/lwip/%.o: $(LWIP_TREE)/src/%.c port/lwip/lwipopts.h port/lwip/arch/cc.h lwip.mk
	@mkdir -p $(dir $@)
	$(LWIP_CC) $(LWIP_CFLAGS) -c $< -o $@

$(LWIP_BUILD)/liblwip.a: $(LWIP_OBJ)
	rm -f $@
	arm-none-eabi-ar rcs $@ $^

lwip-lib: $(LWIP_BUILD)/liblwip.a

# ---- BearSSL 0.6 for Cortex-M4 from Debian's source package (build/bearssl-src) ----
BR_TREE  := build/bearssl-src/tree
BR_STAMP := build/bearssl-src/.unpacked
$(BR_STAMP):
	@sh port/lwip/get_debsrc.sh bearssl build/bearssl-src
	@touch $@
BR_SRC = $(shell find $(BR_TREE)/src -name '*.c' 2>/dev/null | sort)
BR_OBJ = $(BR_SRC:$(BR_TREE)/src/%.c=$(LWIP_BUILD)/bearssl/%.o)
$(LWIP_BUILD)/bearssl/%.o: $(BR_TREE)/src/%.c | $(BR_STAMP)
	@mkdir -p $(dir $@)
	@$(LWIP_CC) -std=c99 $(LWIP_ARCH) -Os -ffunction-sections -fdata-sections \
	  -I$(BR_TREE)/inc -I$(BR_TREE)/src -c $< -o $@
$(LWIP_BUILD)/libbearssl.a: $(BR_STAMP)
	@$(MAKE) --no-print-directory -f Makefile $(BR_OBJ)
	@rm -f $@; arm-none-eabi-ar rcs $@ $(BR_OBJ)

# ---- the lwIP test image: sfoauth + TLS glue + lwIP + LAN9118 driver on MPS2 AN386 ----
#   make lwip-image LWIP_BACKEND=bearssl   -> build/fw-lwip/bearssl/sfoauth-lwip.elf
LWIP_BACKEND ?= bearssl
LWIP_IMG_DIR  = $(LWIP_BUILD)/$(LWIP_BACKEND)
LWIP_IMG      = $(LWIP_IMG_DIR)/sfoauth-lwip.elf
LWIP_BR_DEFS := -DSFO_BR_MAX_ANCHORS=2 -DSFO_BR_ANCHOR_BYTES=2048 -DSFO_BR_LEAF_MAX=3072 -DSFO_BR_DN_MAX=128
# Firmware-sized capacities (sfoauth.h): Salesforce-shaped answers fit.
LWIP_SIZES   := -DSFO_ACCESS_TOKEN_MAX=512u -DSFO_REFRESH_TOKEN_MAX=128u -DSFO_URL_MAX=128u \
                -DSFO_SCOPE_MAX=64u -DSFO_ID_TOKEN_MAX=16u -DSFO_ERROR_DESC_MAX=128u
LWIP_IMG_DEFS = -DSFO_BACKEND_$(shell echo $(LWIP_BACKEND) | tr a-z A-Z)=1 $(LWIP_BR_DEFS) $(LWIP_SIZES)
LWIP_IMG_INC  = -Iinclude -Isrc -Iport -Iport/lwip -Iport/lwip/test -isystem $(LWIP_TREE)/src/include -isystem $(BR_TREE)/inc
LWIP_IMG_CFLAGS = -std=c11 $(LWIP_ARCH) -Os -g -ffunction-sections -fdata-sections \
                  $(LWIP_IMG_DEFS) $(LWIP_IMG_INC)
# parts of the image, by directory: core, TLS glue, lwIP port + driver, test
LWIP_IMG_SRC  = $(CORE_SRC) port/tls/glue.c port/tls/x509_util.c port/tls/sf_roots.c \
                port/tls/$(LWIP_BACKEND).c port/lwip/sfo_lwip.c port/lwip/lan9118.c \
                port/lwip/test/mps2_min.c tests/firmware/lwip_test.c
LWIP_IMG_OBJ  = $(LWIP_IMG_SRC:%.c=$(LWIP_IMG_DIR)/%.o)
LWIP_TLS_LIB  = $(LWIP_BUILD)/lib$(LWIP_BACKEND).a

$(LWIP_BUILD)/$(LWIP_BACKEND)/src/%.o: src/%.c $(wildcard include/*.h src/*.h) lwip.mk | $(LWIP_STAMP) $(BR_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(LWIP_CC) $(LWIP_IMG_CFLAGS) $(WARN_LIB) -ffreestanding -c $< -o $@
$(LWIP_BUILD)/$(LWIP_BACKEND)/port/tls/%.o: port/tls/%.c $(wildcard include/*.h port/*.h) lwip.mk | $(BR_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(LWIP_CC) $(LWIP_IMG_CFLAGS) $(WARN_LIB) -c $< -o $@
$(LWIP_BUILD)/$(LWIP_BACKEND)/port/lwip/%.o: port/lwip/%.c $(wildcard include/*.h port/lwip/*.h port/lwip/*/*.h) lwip.mk | $(LWIP_STAMP) $(BR_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(LWIP_CC) $(LWIP_IMG_CFLAGS) $(WARN) -c $< -o $@
$(LWIP_BUILD)/$(LWIP_BACKEND)/tests/firmware/%.o: tests/firmware/%.c $(wildcard include/*.h port/lwip/*.h port/lwip/*/*.h) lwip.mk | $(LWIP_STAMP) $(BR_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(LWIP_CC) $(LWIP_IMG_CFLAGS) $(WARN) -c $< -o $@

$(LWIP_IMG): $(LWIP_IMG_OBJ) $(LWIP_BUILD)/liblwip.a $(LWIP_TLS_LIB) port/lwip/test/mps2.ld
	$(LWIP_CC) $(LWIP_ARCH) -nostartfiles -specs=nano.specs -specs=nosys.specs \
	  -T port/lwip/test/mps2.ld -Wl,--gc-sections -Wl,-Map,$(LWIP_IMG_DIR)/sfoauth-lwip.map \
	  -o $@ $(LWIP_IMG_OBJ) $(LWIP_BUILD)/liblwip.a $(LWIP_TLS_LIB)
	arm-none-eabi-size $@

.PHONY: lwip-image
lwip-image: $(LWIP_IMG)

# ---- the test: both TLS backends' lwIP images in QEMU, one TAP namespace each ----
#   make lwip-firmware-test    (root: network namespace + TAP; installs LWIP_PKGS)
LWIP_PKGS := qemu-system-arm dpkg-dev iputils-ping iproute2 gcc-arm-none-eabi \
             libnewlib-arm-none-eabi openssl python3-cryptography
.PHONY: lwip-firmware-test
lwip-firmware-test:
	@SFO_DEPS="$(LWIP_PKGS)" sh tests/deps.sh
	@$(MAKE) --no-print-directory LWIP_BACKEND=bearssl lwip-image >/dev/null
	@SFO_ROOT="$(CURDIR)" SFO_PYTHON="$(PYTHON)" sh tests/firmware/run_lwip.sh \
	  $(LWIP_BUILD)/bearssl/sfoauth-lwip.elf
