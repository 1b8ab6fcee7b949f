/* What a Linux host gives the library: randomness, a monotonic and a wall clock. */
#ifndef EAP_EXAMPLES_HOST_H
#define EAP_EXAMPLES_HOST_H
#include <stddef.h>
#include <stdint.h>
/* eap_rng_callback over getrandom(2). */
int host_random(void *user, uint8_t *buf, size_t len);
/* eap_clock_callback: Unix seconds. */
uint64_t host_unix_seconds(void *user);
/* Milliseconds of CLOCK_MONOTONIC: the now_ms of every call. */
uint64_t host_now_ms(void);
/* Reads a whole file into a malloc'd buffer; NULL on error (message on stderr). */
uint8_t *host_read_file(const char *path, size_t *len);
#endif
