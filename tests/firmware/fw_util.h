/*
 * Helpers shared by the MPS2 firmware images (test and example code): the
 * semihosted command line split into words, host files read into caller
 * buffers, console output, the TLS library's static pool.
 */
#ifndef SFO_FW_UTIL_H
#define SFO_FW_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define FW_MAX_ARGS 12

/* Split the semihosting command line (words separated by spaces, no quoting)
 * into argv; buf holds the words. Returns argc (0 when there is none). */
int fw_args(char *buf, size_t cap, char *argv[FW_MAX_ARGS]);

/* Read host file path whole into buf; returns its length, or -1 (missing, larger
 * than cap). */
long fw_read_file(const char *path, uint8_t *buf, size_t cap);

/* Console: a string; a decimal number. */
void fw_puts(const char *s);
void fw_putu(const char *label, unsigned long v);

/* Fill the TLS library's pool with a pattern (mbedTLS: and hand it to
 * mbedtls_memory_buffer_alloc); fw_pool_high_water gives the bytes ever used. */
void fw_pool_init(void);
size_t fw_pool_high_water(void);
size_t fw_pool_size(void);

#endif
