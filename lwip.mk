# lwIP image variant of the firmware build: included by the Makefile.
#
#   make lwip-lib        lwIP 2.1.3 (Debian source package, unpacked under build/) built
#                        for Cortex-M4 -Os with port/lwip/lwipopts.h: build/fw-lwip/liblwip.a
#
# lwIP's sources are never committed: port/lwip/get_lwip.sh unpacks Debian's source
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
	@sh port/lwip/get_lwip.sh build/lwip-src
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
