/* NO_SYS build: lwIP needs no OS primitives, only sys_now() (port/lwip/sfo_lwip.c). */
#ifndef SFO_LWIP_ARCH_SYS_ARCH_H
#define SFO_LWIP_ARCH_SYS_ARCH_H
#endif
