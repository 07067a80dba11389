# lwIP image variant of the MPS2 AN386 firmware build (port/mps2/firmware.mk): the same
# board files, TLS libraries and glue, with lwIP 2.1.3 and the LAN9118 netif instead of
# the UART byte pipe. Included by the Makefile after port/mps2/firmware.mk.
#
#   make lwip-lib            lwIP (Debian's source package, unpacked under build/lwip-src)
#                            for Cortex-M4 -Os with port/lwip/lwipopts.h: build/fw-lwip/liblwip.a
#   make firmware-lwip       build/firmware/<backend>/sfoauth-lwip.elf for both backends
#   make lwip-firmware-test  both images in QEMU, NIC on a TAP in a private network
#                            namespace (tests/firmware/run_lwip.sh; root); run by
#                            `make firmware-test` after the UART images, whose output
#                            (LWIP_PRIOR) it adds to the one tally line
#
# lwIP's sources are never committed: port/lwip/get_debsrc.sh unpacks Debian's source
# package into build/lwip-src/tree (adding a deb-src stanza when run as root).

LWIP_TREE  := build/lwip-src/tree
LWIP_BUILD := build/fw-lwip
LWIP_STAMP := build/lwip-src/.unpacked
LWIP_CORE_FILES := init def dns inet_chksum ip mem memp netif pbuf stats tcp tcp_in tcp_out \
                   timeouts udp ipv4/etharp ipv4/icmp ipv4/ip4 ipv4/ip4_addr ipv4/dhcp
LWIP_SRC   := $(LWIP_CORE_FILES:%=$(LWIP_TREE)/src/core/%.c) $(LWIP_TREE)/src/netif/ethernet.c
LWIP_OBJ   := $(LWIP_SRC:$(LWIP_TREE)/src/%.c=$(LWIP_BUILD)/lwip/%.o)
LWIP_INC   := -isystem $(LWIP_TREE)/src/include -Iport/lwip
# third-party code: its own warnings are not ours to fix (-w); compiled, never committed
LWIP_CFLAGS := -std=c11 $(FW_ARCH) $(FW_OPT) -w $(LWIP_INC)

.PHONY: lwip-lib lwip-src firmware-lwip lwip-firmware-test

$(LWIP_STAMP):
	@sh port/lwip/get_debsrc.sh lwip build/lwip-src
	@touch $@
lwip-src: $(LWIP_STAMP)
$(LWIP_SRC): | $(LWIP_STAMP)

$(LWIP_BUILD)/lwip/%.o: $(LWIP_TREE)/src/%.c port/lwip/lwipopts.h port/lwip/arch/cc.h lwip.mk
	@mkdir -p $(dir $@)
	@$(FW_CC) $(LWIP_CFLAGS) -c $< -o $@
$(LWIP_BUILD)/liblwip.a: $(LWIP_OBJ)
	@rm -f $@ && $(FW_AR) rcs $@ $^
lwip-lib: $(LWIP_BUILD)/liblwip.a

# The BearSSL context of the lwIP images: two anchors, the leaf copy the certificate
# policy reads (a Salesforce leaf with its SAN list fits 3 KiB).
LWIP_BR_SIZES := -DSFO_BR_MAX_ANCHORS=2u -DSFO_BR_ANCHOR_BYTES=2048u -DSFO_BR_LEAF_MAX=3072u \
                 -DSFO_BR_DN_MAX=128u
# Capacities: the UART image's, with room for the refresh token and introspection the
# lwIP test exercises.
LWIP_SIZES := -DSFO_ACCESS_TOKEN_MAX=512u -DSFO_REFRESH_TOKEN_MAX=128u -DSFO_URL_MAX=128u \
              -DSFO_SCOPE_MAX=64u -DSFO_ID_TOKEN_MAX=16u -DSFO_ERROR_DESC_MAX=128u
# mbedTLS's static pool (tests/firmware/fw_util.c): the lwIP test keeps a TLS session's
# buffers across several connections and loads the key again for each JWT call.
LWIP_POOL_mbedtls := '-DFW_POOL_SIZE=(40u * 1024u)'
LWIP_HDRS := $(FW_HDRS) $(wildcard port/lwip/*.h port/lwip/*/*.h) lwip.mk
LWIP_APP  := port/lwip/sfo_lwip.c port/lwip/lan9118.c tests/firmware/lwip_test.c \
             tests/firmware/fw_util.c

# Per backend: the core, glue and board objects are built apart from the UART images'
# (the BearSSL context size differs), into build/firmware/<backend>/lwip/.
define LWIP_BACKEND
LWIP_$(1)_CF := $$(subst $$(FW_SIZES),$$(LWIP_SIZES),$$(FW_CFLAGS)) $$(subst $$(FW_BR_SIZES),$$(LWIP_BR_SIZES),$$(FW_INC_$(1))) \
                $$(FW_DEF_$(1)) $$(LWIP_INC) $$(LWIP_POOL_$(1))
$$(FW)/$(1)/lwip/%.o: %.c $$(LWIP_HDRS) | $$(FW)/lib/lib$(1).a $$(LWIP_STAMP)
	@mkdir -p $$(dir $$@)
	@echo "  CC $$< ($(1), lwIP image)"
	@$$(FW_CC) $$(LWIP_$(1)_CF) $$(if $$(filter src/%,$$<),-ffreestanding) -c $$< -o $$@
LWIP_$(1)_OBJ := $$(patsubst %.c,$$(FW)/$(1)/lwip/%.o,$$(CORE_SRC) $$(FW_TLS_SRC) port/tls/$(1).c \
                   $$(FW_BOARD_SRC) $$(FW_PORT_SRC) $$(LWIP_APP))
$$(FW)/$(1)/sfoauth-lwip.elf: $$(LWIP_$(1)_OBJ) $$(LWIP_BUILD)/liblwip.a $$(FW)/lib/lib$(1).a port/mps2/mps2.ld
	$$(FW_CC) $$(FW_LDFLAGS) -Wl,-Map,$$@.map -o $$@ $$(LWIP_$(1)_OBJ) $$(LWIP_BUILD)/liblwip.a \
	  $$(FW)/lib/lib$(1).a
endef
$(eval $(call LWIP_BACKEND,bearssl))
$(eval $(call LWIP_BACKEND,mbedtls))

LWIP_IMAGES := $(FW)/bearssl/sfoauth-lwip.elf $(FW)/mbedtls/sfoauth-lwip.elf
firmware-lwip: deps
	@$(MAKE) --no-print-directory firmware-libs lwip-lib
	@$(MAKE) --no-print-directory $(LWIP_IMAGES)
	@arm-none-eabi-size $(LWIP_IMAGES)

# ---- the test: both backends' lwIP images in QEMU, each in its own TAP namespace ----
LWIP_PKGS := qemu-system-arm dpkg-dev iputils-ping iproute2 openssl python3-cryptography
lwip-firmware-test: firmware-lwip
	@SFO_DEPS="$(LWIP_PKGS)" sh tests/deps.sh
	@pki=$$(mktemp -d /tmp/sfo-lwip-pki.XXXXXX); \
	for b in bearssl mbedtls; do \
	  echo "=== firmware lwIP $$b ==="; \
	  SFO_ROOT="$(CURDIR)" SFO_PYTHON="$(PYTHON)" SFO_LWIP_PKI="$$pki/pki" \
	    sh tests/firmware/run_lwip.sh $(FW)/$$b/sfoauth-lwip.elf > $(LWIP_BUILD)/test-$$b.out 2>&1; \
	  sed 's/^/  /' $(LWIP_BUILD)/test-$$b.out; \
	done; rm -rf "$$pki"; \
	p=0; f=0; for t in $(LWIP_PRIOR) $(LWIP_BUILD)/test-bearssl.out $(LWIP_BUILD)/test-mbedtls.out; do \
	  l=$$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$$/\1 \2/p' $$t | tail -1); \
	  [ -n "$$l" ] || l="0 1"; \
	  p=$$((p + $${l% *})); f=$$((f + $${l#* })); \
	done; echo "$$p passed, $$f failed"; [ $$f = 0 ]

# Figures of the lwIP images (bench/lwip_bench.sh; BENCHMARKS.md lwIP section); run by
# `make bench`.
.PHONY: bench-lwip
bench-lwip: firmware-lwip
	@PYTHON="$(PYTHON)" sh bench/lwip_bench.sh
