/*
 * The firmware port layer, written for a host: eap_port_alloc / eap_port_free over
 * malloc/free with a byte count (current and peak), eap_port_abort over abort().
 * A firmware writes the same three functions over its own heap (FreeRTOS pvPortMalloc,
 * WICED's malloc, ESP-IDF heap_caps_malloc) and its reset.
 *
 * The block's size is given back to eap_port_free, so no header is needed to count.
 */
#define _POSIX_C_SOURCE 200112L
#include "eap.h"
#include "port.h"

#include <stdio.h>
#include <stdlib.h>

static size_t current_bytes;
static size_t peak_bytes;

void *eap_port_alloc(size_t size, size_t align)
{
    void *p = NULL;
    if (align <= sizeof(void *) * 2) {
        p = malloc(size ? size : 1); /* malloc's alignment covers 16 on x86_64 glibc */
    } else if (posix_memalign(&p, align, size ? size : 1) != 0) {
        p = NULL;
    }
    if (p != NULL) {
        current_bytes += size;
        if (current_bytes > peak_bytes) {
            peak_bytes = current_bytes;
        }
    }
    return p;
}

void eap_port_free(void *ptr, size_t size, size_t align)
{
    (void)align;
    if (ptr != NULL) {
        current_bytes -= size;
        free(ptr);
    }
}

void eap_port_abort(void)
{
    fputs("eap_port_abort: panic or allocation failure in libeap\n", stderr);
    abort();
}

size_t port_peak_bytes(void) { return peak_bytes; }
size_t port_current_bytes(void) { return current_bytes; }
void port_reset_peak(void) { peak_bytes = current_bytes; }
