/* The counting port layer's figures (port.c; firmware build only). */
#ifndef EAP_EXAMPLES_PORT_H
#define EAP_EXAMPLES_PORT_H
#include <stddef.h>
size_t port_peak_bytes(void);
size_t port_current_bytes(void);
void port_reset_peak(void);
#endif
