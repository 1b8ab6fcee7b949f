/*
 * The C API's bad-input paths, without a network: NULL handles and outputs, unknown enum
 * values, text that is not UTF-8, zero-length and oversized packets, time going
 * backwards, a buffer too small for the MSK, keys before any success, a builder used
 * after its build, the first configuration mistake reported by the build, a failing
 * random generator named in the failure, and *_free(NULL) twice. Every check counts;
 * the program exits 1 if any failed. Run under valgrind and AddressSanitizer by CI.
 *
 *   unit CA.pem [CA.der]
 */
#include "eap.h"
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);              \
            failures++;                                                                  \
        }                                                                                \
    } while (0)

#define EXPECT(call, code)                                                               \
    do {                                                                                 \
        eap_result r_ = (call);                                                          \
        if (r_ != (code)) {                                                              \
            fprintf(stderr, "FAIL %s:%d: %s returned %d (%s), expected %s\n", __FILE__,  \
                    __LINE__, #call, (int)r_, eap_result_text(r_), #code);               \
            failures++;                                                                  \
        }                                                                                \
    } while (0)

static int failing_random(void *user, uint8_t *buf, size_t len)
{
    int *calls = (int *)user;
    (void)buf;
    (void)len;
    (*calls)++;
    return -1;
}

/* A complete configuration for the tests below. */
static eap_config *good_config(const uint8_t *ca, size_t ca_len, eap_rng_callback rng,
                               void *user)
{
    eap_config_builder *b = NULL;
    eap_config *c = NULL;
    EXPECT(eap_config_builder_new("alice", &b), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_anonymous_identity(b, "anonymous"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_password(b, "password"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_add_ca_pem(b, ca, ca_len), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_server_name(b, "radius.example.test"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_clock(b, host_unix_seconds, NULL), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_rng(b, rng, user), EAP_RESULT_OK);
    EXPECT(eap_config_builder_build(b, &c), EAP_RESULT_OK);
    CHECK(c != NULL);
    CHECK(eap_config_builder_error(b) == NULL);
    eap_config_builder_free(b);
    return c;
}

/* What drain() saw of the last output of the kind it counts: the output's pointers are
   only valid until the next call, so what the checks need is copied. */
struct seen {
    size_t len;
    uint8_t data[64];
    char text[1024], cause[64], failure_kind[64], phase[64], hint[512];
};

static void copy_text(char *dst, size_t cap, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    strncpy(dst, src, cap - 1);
    dst[cap - 1] = '\0';
}

/* Polls until idle; returns how many outputs of `kind` came, the last copied to *last. */
static int drain(eap_supplicant *s, eap_output_kind kind, struct seen *last)
{
    int n = 0;
    for (int i = 0; i < 100; i++) {
        eap_output o;
        EXPECT(eap_supplicant_poll(s, &o), EAP_RESULT_OK);
        if (o.kind == kind) {
            n++;
            memset(last, 0, sizeof *last);
            last->len = o.len;
            if (o.data != NULL) {
                memcpy(last->data, o.data, o.len < sizeof last->data ? o.len : sizeof last->data);
            }
            copy_text(last->text, sizeof last->text, o.text);
            copy_text(last->cause, sizeof last->cause, o.cause);
            copy_text(last->failure_kind, sizeof last->failure_kind, o.failure_kind);
            copy_text(last->phase, sizeof last->phase, o.phase);
            copy_text(last->hint, sizeof last->hint, o.hint);
            if (kind == EAP_OUTPUT_KIND_FAILED) {
                CHECK(o.text != NULL && o.cause != NULL && o.failure_kind != NULL &&
                      o.phase != NULL && o.hint != NULL);
            }
        }
        if (o.kind == EAP_OUTPUT_KIND_IDLE) {
            return n;
        }
    }
    CHECK(!"poll never went idle");
    return n;
}

static void builder_paths(const uint8_t *ca, size_t ca_len)
{
    eap_config_builder *b = NULL;
    eap_config *c = NULL;
    static const uint8_t not_utf8[] = {'a', 0xff, 0xfe, 0};
    static const uint8_t hash15[15] = {0};
    static const uint8_t garbage[] = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";

    EXPECT(eap_config_builder_new(NULL, &b), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_new("alice", NULL), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_new((const char *)not_utf8, &b), EAP_RESULT_INVALID_ARGUMENT);
    CHECK(b == NULL); /* nothing written on failure */

    /* Every setter refuses a NULL builder. */
    EXPECT(eap_config_builder_set_password(NULL, "x"), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_anonymous_identity(NULL, "x"), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_server_name(NULL, "x"), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_domain_suffix(NULL, "x"), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_add_ca_pem(NULL, ca, ca_len), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_add_ca_der(NULL, ca, ca_len), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_method(NULL, EAP_METHOD_PEAP_MSCHAPV2), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_tls_max(NULL, EAP_TLS_VERSION_TLS13), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_no_clock(NULL, 0), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_rng(NULL, host_random, NULL), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_build(NULL, &c), EAP_RESULT_NULL_ARGUMENT);
    CHECK(eap_config_builder_error(NULL) == NULL);

    /* The first mistake is the build's result, with its message. */
    EXPECT(eap_config_builder_new("alice", &b), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_method(b, 99), EAP_RESULT_INVALID_ARGUMENT);
    EXPECT(eap_config_builder_set_tls_max(b, 7), EAP_RESULT_INVALID_ARGUMENT);
    EXPECT(eap_config_builder_set_cryptobinding(b, 3), EAP_RESULT_INVALID_ARGUMENT);
    EXPECT(eap_config_builder_set_nt_hash(b, hash15, sizeof hash15), EAP_RESULT_INVALID_ARGUMENT);
    EXPECT(eap_config_builder_set_nt_hash(b, NULL, 16), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_password(b, NULL), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_password(b, (const char *)not_utf8), EAP_RESULT_INVALID_ARGUMENT);
    EXPECT(eap_config_builder_add_ca_pem(b, NULL, 10), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_add_ca_pem(b, ca, 0), EAP_RESULT_INVALID_ARGUMENT);
    EXPECT(eap_config_builder_add_ca_pem(b, garbage, sizeof garbage - 1), EAP_RESULT_BAD_CERTIFICATE);
    EXPECT(eap_config_builder_set_client_pem(b, garbage, sizeof garbage - 1, garbage, sizeof garbage - 1),
           EAP_RESULT_BAD_CERTIFICATE);
    EXPECT(eap_config_builder_set_client_der(b, ca, ca_len, garbage, 4), EAP_RESULT_BAD_CERTIFICATE);
    EXPECT(eap_config_builder_set_rng(b, NULL, NULL), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_set_clock(b, NULL, NULL), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_config_builder_build(b, NULL), EAP_RESULT_NULL_ARGUMENT);
    c = NULL;
    EXPECT(eap_config_builder_build(b, &c), EAP_RESULT_INVALID_ARGUMENT);
    CHECK(c == NULL);
    CHECK(eap_config_builder_error(b) != NULL);
    /* Built once: everything after is out of order. */
    EXPECT(eap_config_builder_set_password(b, "x"), EAP_RESULT_ALREADY_BUILT);
    EXPECT(eap_config_builder_set_rng(b, host_random, NULL), EAP_RESULT_ALREADY_BUILT);
    EXPECT(eap_config_builder_build(b, &c), EAP_RESULT_ALREADY_BUILT);
    eap_config_builder_free(b);

    /* The library's own refusal: no CA, then a fragment size below the minimum. */
    EXPECT(eap_config_builder_new("alice", &b), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_password(b, "password"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_server_name(b, "radius.example.test"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_clock(b, host_unix_seconds, NULL), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_rng(b, host_random, NULL), EAP_RESULT_OK);
    EXPECT(eap_config_builder_build(b, &c), EAP_RESULT_CONFIG_REFUSED);
    CHECK(eap_config_builder_error(b) != NULL &&
          strstr(eap_config_builder_error(b), "no CA certificate") != NULL);
    eap_config_builder_free(b);

    EXPECT(eap_config_builder_new("alice", &b), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_password(b, "password"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_add_ca_pem(b, ca, ca_len), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_domain_suffix(b, "example.test"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_fragment_size(b, 10), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_no_clock(b, 1796083200u), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_rng(b, host_random, NULL), EAP_RESULT_OK);
    EXPECT(eap_config_builder_build(b, &c), EAP_RESULT_CONFIG_REFUSED);
    CHECK(eap_config_builder_error(b) != NULL &&
          strstr(eap_config_builder_error(b), "fragment size 10") != NULL);
    eap_config_builder_free(b);
}

static void supplicant_paths(const uint8_t *ca, size_t ca_len)
{
    /* EAP-Request/Identity, id 1; PEAP Start (flags S, version 1), id 2. */
    static const uint8_t identity_request[] = {1, 1, 0, 5, 1};
    static const uint8_t peap_start[] = {1, 2, 0, 6, 25, 0x21};
    static uint8_t big[70000];
    uint8_t msk[64], small[63], sid[8];
    size_t written = 0;
    eap_supplicant *s = NULL;
    eap_output o;
    struct seen seen;
    int rng_calls = 0;
    eap_config *c = good_config(ca, ca_len, failing_random, &rng_calls);
    if (c == NULL) {
        return;
    }

    EXPECT(eap_supplicant_new(NULL, 0, &s), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_new(c, 0, NULL), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_new(c, 1000, &s), EAP_RESULT_OK);
    /* The supplicant keeps its own copy of the configuration. */
    eap_config_free(c);

    EXPECT(eap_supplicant_handle_packet(NULL, 1000, identity_request, 5), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_handle_packet(s, 1000, NULL, 5), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_handle_packet(s, 1000, identity_request, 0), EAP_RESULT_PACKET_SIZE);
    EXPECT(eap_supplicant_handle_packet(s, 1000, big, sizeof big), EAP_RESULT_PACKET_SIZE);
    EXPECT(eap_supplicant_handle_packet(s, 999, identity_request, 5), EAP_RESULT_TIME_WENT_BACKWARDS);
    EXPECT(eap_supplicant_handle_timeout(NULL, 1000), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_handle_timeout(s, 10), EAP_RESULT_TIME_WENT_BACKWARDS);
    EXPECT(eap_supplicant_restart(NULL, 1000), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_poll(NULL, &o), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_poll(s, NULL), EAP_RESULT_NULL_ARGUMENT);

    /* Nothing yet: idle without a timeout. */
    EXPECT(eap_supplicant_poll(s, &o), EAP_RESULT_OK);
    CHECK(o.kind == EAP_OUTPUT_KIND_IDLE && !o.has_timeout);

    /* A short packet from the network is dropped and counted, not an error. */
    EXPECT(eap_supplicant_handle_packet(s, 1000, identity_request, 3), EAP_RESULT_OK);
    CHECK(drain(s, EAP_OUTPUT_KIND_TRANSMIT, &seen) == 0);
    CHECK(eap_supplicant_dropped(s) == 1);
    CHECK(eap_supplicant_dropped(NULL) == 0);

    /* Identity request: the outer identity goes out, a timer runs. */
    EXPECT(eap_supplicant_handle_packet(s, 1001, identity_request, 5), EAP_RESULT_OK);
    CHECK(drain(s, EAP_OUTPUT_KIND_TRANSMIT, &seen) == 1);
    CHECK(seen.len == 5 + strlen("anonymous") && seen.data[0] == 2 && seen.data[1] == 1 &&
          seen.data[4] == 1 && memcmp(seen.data + 5, "anonymous", 9) == 0);
    EXPECT(eap_supplicant_poll(s, &o), EAP_RESULT_OK);
    CHECK(o.kind == EAP_OUTPUT_KIND_IDLE && o.has_timeout && o.timeout_ms > 1001);

    /* Keys: refused before any success; a buffer too small for the MSK is refused first. */
    EXPECT(eap_supplicant_msk(NULL, msk, sizeof msk), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_msk(s, NULL, 64), EAP_RESULT_NULL_ARGUMENT);
    EXPECT(eap_supplicant_msk(s, small, sizeof small), EAP_RESULT_BUFFER_TOO_SMALL);
    EXPECT(eap_supplicant_emsk(s, small, sizeof small), EAP_RESULT_BUFFER_TOO_SMALL);
    EXPECT(eap_supplicant_pmk(s, small, 31), EAP_RESULT_BUFFER_TOO_SMALL);
    EXPECT(eap_supplicant_msk(s, msk, sizeof msk), EAP_RESULT_NO_KEYS);
    EXPECT(eap_supplicant_emsk(s, msk, sizeof msk), EAP_RESULT_NO_KEYS);
    EXPECT(eap_supplicant_pmk(s, msk, 32), EAP_RESULT_NO_KEYS);
    EXPECT(eap_supplicant_session_id(s, sid, sizeof sid, &written), EAP_RESULT_NO_KEYS);

    /* PEAP Start: the ClientHello needs randomness, the caller's generator fails, and the
       failure names it. */
    EXPECT(eap_supplicant_handle_packet(s, 1002, peap_start, sizeof peap_start), EAP_RESULT_OK);
    CHECK(drain(s, EAP_OUTPUT_KIND_FAILED, &seen) == 1);
    CHECK(rng_calls > 0);
    CHECK(strcmp(seen.cause, "random_failure") == 0);
    CHECK(strcmp(seen.failure_kind, "local_error") == 0);
    CHECK(strcmp(seen.phase, "tls_handshake") == 0);
    CHECK(strstr(seen.text, "random") != NULL && strlen(seen.hint) > 0);
    fprintf(stderr, "failure with a failing generator: cause %s, kind %s, phase %s: %s\n",
            seen.cause, seen.failure_kind, seen.phase, seen.text);
    EXPECT(eap_supplicant_msk(s, msk, sizeof msk), EAP_RESULT_NO_KEYS);

    eap_supplicant_free(s);
}

/* The CA as DER: accepted; DER that is no certificate: refused by the build. */
static void der_paths(const uint8_t *der, size_t der_len)
{
    static const uint8_t not_a_certificate[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    eap_config_builder *b = NULL;
    eap_config *c = NULL;
    EXPECT(eap_config_builder_new("alice", &b), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_password(b, "password"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_add_ca_der(b, der, der_len), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_server_name(b, "radius.example.test"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_no_clock(b, 1796083200u), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_rng(b, host_random, NULL), EAP_RESULT_OK);
    EXPECT(eap_config_builder_build(b, &c), EAP_RESULT_OK);
    eap_config_free(c);
    eap_config_builder_free(b);

    c = NULL;
    EXPECT(eap_config_builder_new("alice", &b), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_password(b, "password"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_add_ca_der(b, not_a_certificate, sizeof not_a_certificate), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_server_name(b, "radius.example.test"), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_no_clock(b, 1796083200u), EAP_RESULT_OK);
    EXPECT(eap_config_builder_set_rng(b, host_random, NULL), EAP_RESULT_OK);
    EXPECT(eap_config_builder_build(b, &c), EAP_RESULT_CONFIG_REFUSED);
    CHECK(c == NULL);
    CHECK(eap_config_builder_error(b) != NULL &&
          strstr(eap_config_builder_error(b), "CA certificate 0") != NULL);
    eap_config_builder_free(b);
}

int main(int argc, char **argv)
{
    size_t ca_len = 0;
    uint8_t *ca;
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: unit CA.pem [CA.der]\n");
        return 2;
    }
    ca = host_read_file(argv[1], &ca_len);
    if (ca == NULL) {
        return 2;
    }
    for (int r = 0; r <= (int)EAP_RESULT_PANIC; r++) {
        CHECK(eap_result_text((eap_result)r) != NULL);
    }
    CHECK(eap_version() != NULL && strlen(eap_version()) > 0);

    builder_paths(ca, ca_len);
    supplicant_paths(ca, ca_len);
    if (argc == 3) {
        size_t der_len = 0;
        uint8_t *der = host_read_file(argv[2], &der_len);
        if (der == NULL) {
            return 2;
        }
        der_paths(der, der_len);
        free(der);
    }

    /* Freeing NULL is allowed, twice. */
    eap_supplicant_free(NULL);
    eap_supplicant_free(NULL);
    eap_config_free(NULL);
    eap_config_free(NULL);
    eap_config_builder_free(NULL);
    eap_config_builder_free(NULL);
    free(ca);

    if (failures) {
        fprintf(stderr, "unit: %d check(s) failed\n", failures);
        return 1;
    }
    printf("unit: all checks passed\n");
    return 0;
}
