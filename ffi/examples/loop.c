#include "eap.h"

#include <stddef.h>
#include <stdint.h>

/* The firmware's link layer: send one EAPOL-EAP frame, wait for one (or the deadline). */
extern void send_eapol_eap(const uint8_t *eap, size_t len);
extern size_t receive_eapol_eap(uint8_t *buf, size_t cap, uint64_t deadline_ms, int has_deadline);
extern uint64_t now_ms(void);

/* Runs one authentication; on success writes the PMK (32 octets) and returns 0. */
int authenticate(const eap_config *config, uint8_t pmk[32])
{
    eap_supplicant *s = NULL;
    uint8_t frame[1600];
    int result = -1;
    if (eap_supplicant_new(config, now_ms(), &s) != EAP_RESULT_OK) {
        return -1;
    }
    /* (EAPOL-Start sent by the caller.) */
    while (result < 0) {
        eap_output out;
        size_t n;
        eap_supplicant_poll(s, &out);
        switch (out.kind) {
        case EAP_OUTPUT_KIND_TRANSMIT:
            send_eapol_eap(out.data, out.len); /* out.data is valid until the next call */
            continue;
        case EAP_OUTPUT_KIND_AUTHENTICATED:
            result = eap_supplicant_pmk(s, pmk, 32) == EAP_RESULT_OK ? 0 : 1;
            continue;
        case EAP_OUTPUT_KIND_FAILED:
            /* out.cause: "password_rejected", "certificate_untrusted", ...;
               out.text: the whole sentence to log. */
            result = 1;
            continue;
        case EAP_OUTPUT_KIND_EVENT:
            continue; /* out.text says what happened */
        case EAP_OUTPUT_KIND_IDLE:
            break;
        }
        n = receive_eapol_eap(frame, sizeof frame, out.timeout_ms, out.has_timeout);
        if (n > 0) {
            eap_supplicant_handle_packet(s, now_ms(), frame, n);
        } else {
            eap_supplicant_handle_timeout(s, now_ms());
        }
    }
    eap_supplicant_free(s); /* keys and TLS state zeroized */
    return result;
}
