/*
 * Wired 802.1X in C over libeap: the same flags and output as the `wired_8021x` tool.
 *
 *   wired_supplicant --interface IF --identity ID [--anonymous-identity ID] --password P
 *       --ca-cert PEM (--server-name NAME | --domain-suffix SUFFIX)
 *       [--method peap|peap-gtc|ttls-pap|ttls-mschapv2|ttls-eap-mschapv2|tls]
 *       [--client-cert PEM --client-key PEM] [--tls-max 1.2|1.3]
 *       [--start-period SECS] [--max-starts N] [-v]
 *
 * An AF_PACKET socket for EtherType 0x888E on the interface (root or CAP_NET_RAW); EAPOL
 * framing here, EAP in the library. EAPOL-Start to the PAE group address every
 * --start-period seconds (--max-starts times) until the authenticator answers; after that
 * the library's timeouts drive retransmission. On success prints `MSK=<128 hex>` and
 * `port: authorized` (exit 0); on failure `port: unauthorized` and, on stderr,
 * `error: <sentence>` (exit 1). Sends EAPOL-Logoff at the end.
 *
 * Built twice (Makefile): against the host archive, and against the firmware archive with
 * the counting port layer (port.c), which adds `peak heap <N> bytes` at the end.
 */
#define _GNU_SOURCE
#include "eap.h"
#include "host.h"
#ifdef EAP_FIRMWARE
#include "port.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define ETH_P_PAE_ 0x888e
#define EAPOL_VERSION 2
#define EAPOL_EAP_PACKET 0
#define EAPOL_START 1
#define EAPOL_LOGOFF 2

static const uint8_t pae_group[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x03};

struct args {
    const char *interface, *identity, *anonymous_identity, *password, *ca_cert;
    const char *server_name, *domain_suffix, *method, *client_cert, *client_key, *tls_max;
    unsigned start_period, max_starts;
    int verbose;
};

struct link {
    int fd;
    int ifindex;
    uint8_t mac[6];
};

static void usage(void)
{
    fputs("usage: wired_supplicant --interface IF --identity ID [--anonymous-identity ID]\n"
          "    --password P --ca-cert PEM (--server-name NAME | --domain-suffix SUFFIX)\n"
          "    [--method peap|peap-gtc|ttls-pap|ttls-mschapv2|ttls-eap-mschapv2|tls]\n"
          "    [--client-cert PEM --client-key PEM] [--tls-max 1.2|1.3]\n"
          "    [--start-period SECS] [--max-starts N] [-v]\n",
          stderr);
}

static int parse_args(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof *a);
    a->method = "peap";
    a->start_period = 30;
    a->max_starts = 3;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        const char **slot = NULL;
        unsigned *number = NULL;
        if (strcmp(k, "-v") == 0 || strcmp(k, "--verbose") == 0) {
            a->verbose = 1;
            continue;
        }
        if (strcmp(k, "--interface") == 0) slot = &a->interface;
        else if (strcmp(k, "--identity") == 0) slot = &a->identity;
        else if (strcmp(k, "--anonymous-identity") == 0) slot = &a->anonymous_identity;
        else if (strcmp(k, "--password") == 0) slot = &a->password;
        else if (strcmp(k, "--ca-cert") == 0) slot = &a->ca_cert;
        else if (strcmp(k, "--server-name") == 0) slot = &a->server_name;
        else if (strcmp(k, "--domain-suffix") == 0) slot = &a->domain_suffix;
        else if (strcmp(k, "--method") == 0) slot = &a->method;
        else if (strcmp(k, "--client-cert") == 0) slot = &a->client_cert;
        else if (strcmp(k, "--client-key") == 0) slot = &a->client_key;
        else if (strcmp(k, "--tls-max") == 0) slot = &a->tls_max;
        else if (strcmp(k, "--start-period") == 0) number = &a->start_period;
        else if (strcmp(k, "--max-starts") == 0) number = &a->max_starts;
        else {
            fprintf(stderr, "error: unknown argument %s\n", k);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "error: %s needs a value\n", k);
            return -1;
        }
        if (slot != NULL) {
            *slot = argv[++i];
        } else {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || v == 0 || v > 3600) {
                fprintf(stderr, "error: %s takes a number from 1 to 3600\n", k);
                return -1;
            }
            *number = (unsigned)v;
        }
    }
    if (a->interface == NULL || a->identity == NULL || a->ca_cert == NULL ||
        (a->server_name == NULL && a->domain_suffix == NULL)) {
        usage();
        return -1;
    }
    return 0;
}

static int method_code(const char *m, uint32_t *code)
{
    static const struct {
        const char *name;
        eap_method code;
    } methods[] = {
        {"peap", EAP_METHOD_PEAP_MSCHAPV2},       {"peap-gtc", EAP_METHOD_PEAP_GTC},
        {"ttls-pap", EAP_METHOD_TTLS_PAP},        {"ttls-mschapv2", EAP_METHOD_TTLS_MSCHAPV2},
        {"ttls-eap-mschapv2", EAP_METHOD_TTLS_EAP_MSCHAPV2}, {"tls", EAP_METHOD_TLS},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (strcmp(m, methods[i].name) == 0) {
            *code = (uint32_t)methods[i].code;
            return 0;
        }
    }
    return -1;
}

/* The configuration from the flags; NULL after printing `error: ...`. */
static eap_config *configure(const struct args *a)
{
    eap_config_builder *b = NULL;
    eap_config *config = NULL;
    eap_result r = EAP_RESULT_OK;
    uint8_t *ca = NULL, *cert = NULL, *key = NULL;
    size_t ca_len = 0, cert_len = 0, key_len = 0;
    uint32_t method = 0;

    if (method_code(a->method, &method) != 0) {
        fprintf(stderr, "error: unknown method %s\n", a->method);
        return NULL;
    }
    ca = host_read_file(a->ca_cert, &ca_len);
    if (ca == NULL) {
        return NULL;
    }
    if (eap_config_builder_new(a->identity, &b) != EAP_RESULT_OK) {
        fprintf(stderr, "error: the identity is not UTF-8\n");
        free(ca);
        return NULL;
    }
    /* Each setter's mistake is also kept by the builder: the build reports the first. */
    if (a->anonymous_identity != NULL) {
        (void)eap_config_builder_set_anonymous_identity(b, a->anonymous_identity);
    }
    if (a->password != NULL) {
        (void)eap_config_builder_set_password(b, a->password);
    }
    (void)eap_config_builder_add_ca_pem(b, ca, ca_len);
    if (a->server_name != NULL) {
        (void)eap_config_builder_set_server_name(b, a->server_name);
    } else {
        (void)eap_config_builder_set_domain_suffix(b, a->domain_suffix);
    }
    (void)eap_config_builder_set_method(b, method);
    if (a->client_cert != NULL && a->client_key != NULL) {
        cert = host_read_file(a->client_cert, &cert_len);
        key = host_read_file(a->client_key, &key_len);
        if (cert != NULL && key != NULL) {
            (void)eap_config_builder_set_client_pem(b, cert, cert_len, key, key_len);
        }
    }
    if (a->tls_max != NULL) {
        (void)eap_config_builder_set_tls_max(
            b, strcmp(a->tls_max, "1.3") == 0 ? EAP_TLS_VERSION_TLS13 : EAP_TLS_VERSION_TLS12);
    }
    /* Certificate dates against the wall clock, randomness from getrandom(2) (the firmware
       build has no defaults for either). */
    (void)eap_config_builder_set_clock(b, host_unix_seconds, NULL);
    (void)eap_config_builder_set_rng(b, host_random, NULL);
    r = eap_config_builder_build(b, &config);
    if (r != EAP_RESULT_OK) {
        const char *why = eap_config_builder_error(b);
        fprintf(stderr, "error: %s\n", why != NULL ? why : eap_result_text(r));
        config = NULL;
    }
    eap_config_builder_free(b);
    /* The library made its own copies (the password in zeroizing memory); wipe ours. */
    if (key != NULL) {
        memset(key, 0, key_len);
    }
    free(ca);
    free(cert);
    free(key);
    return config;
}

static int open_link(const char *interface, struct link *l)
{
    struct ifreq ifr;
    struct sockaddr_ll sll;
    struct packet_mreq mreq;

    l->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_PAE_));
    if (l->fd < 0) {
        fprintf(stderr, "error: AF_PACKET socket: %s (run as root)\n", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    if (strlen(interface) >= sizeof ifr.ifr_name) {
        fprintf(stderr, "error: interface name too long\n");
        return -1;
    }
    strcpy(ifr.ifr_name, interface);
    if (ioctl(l->fd, SIOCGIFINDEX, &ifr) < 0) {
        fprintf(stderr, "error: interface %s: %s\n", interface, strerror(errno));
        return -1;
    }
    l->ifindex = ifr.ifr_ifindex;
    if (ioctl(l->fd, SIOCGIFHWADDR, &ifr) < 0) {
        fprintf(stderr, "error: interface %s: no MAC address: %s\n", interface, strerror(errno));
        return -1;
    }
    memcpy(l->mac, ifr.ifr_hwaddr.sa_data, 6);
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_PAE_);
    sll.sll_ifindex = l->ifindex;
    if (bind(l->fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
        fprintf(stderr, "error: bind to %s: %s\n", interface, strerror(errno));
        return -1;
    }
    /* Frames to the PAE group address reach us without promiscuous mode. */
    memset(&mreq, 0, sizeof mreq);
    mreq.mr_ifindex = l->ifindex;
    mreq.mr_type = PACKET_MR_MULTICAST;
    mreq.mr_alen = 6;
    memcpy(mreq.mr_address, pae_group, 6);
    if (setsockopt(l->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0) {
        fprintf(stderr, "error: PAE group address on %s: %s\n", interface, strerror(errno));
        return -1;
    }
    return 0;
}

/* One EAPOL frame: Ethernet header, 802.1X header (version, type, length), body. */
static int send_eapol(const struct link *l, uint8_t type, const uint8_t *body, size_t len)
{
    uint8_t frame[14 + 4 + 65535];
    size_t n = 14 + 4 + len;
    if (len > 65535) {
        return -1;
    }
    memcpy(frame, pae_group, 6);
    memcpy(frame + 6, l->mac, 6);
    frame[12] = ETH_P_PAE_ >> 8;
    frame[13] = ETH_P_PAE_ & 0xff;
    frame[14] = EAPOL_VERSION;
    frame[15] = type;
    frame[16] = (uint8_t)(len >> 8);
    frame[17] = (uint8_t)len;
    if (len > 0) {
        memcpy(frame + 18, body, len);
    }
    while (n < 60) { /* Ethernet minimum, padding after the EAPOL body */
        frame[n++] = 0;
    }
    if (send(l->fd, frame, n, 0) < 0) {
        fprintf(stderr, "error: send on the interface: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
    printf("%s=", label);
    for (size_t i = 0; i < n; i++) {
        printf("%02x", b[i]);
    }
    printf("\n");
}

/* The run: 0 authorized, 1 failed. */
static int run(const struct args *a, eap_config *config, const struct link *l)
{
    eap_supplicant *s = NULL;
    uint64_t now = host_now_ms();
    uint64_t next_start = now + (uint64_t)a->start_period * 1000u;
    unsigned starts = 1;
    int answered = 0, outcome = -1;
    uint8_t frame[2048];

    if (eap_supplicant_new(config, now, &s) != EAP_RESULT_OK) {
        fprintf(stderr, "error: cannot make the supplicant\n");
        return 1;
    }
    if (send_eapol(l, EAPOL_START, NULL, 0) != 0) {
        eap_supplicant_free(s);
        return 1;
    }
    while (outcome < 0) {
        eap_output o;
        int wait_ms;
        uint64_t deadline = UINT64_MAX;
        struct pollfd p;

        /* Drain the outputs until idle. */
        for (;;) {
            if (eap_supplicant_poll(s, &o) != EAP_RESULT_OK) {
                fprintf(stderr, "error: internal error in the library\n");
                outcome = 1;
                break;
            }
            if (o.kind == EAP_OUTPUT_KIND_IDLE) {
                if (o.has_timeout) {
                    deadline = o.timeout_ms;
                }
                break;
            } else if (o.kind == EAP_OUTPUT_KIND_TRANSMIT) {
                if (send_eapol(l, EAPOL_EAP_PACKET, o.data, o.len) != 0) {
                    outcome = 1;
                    break;
                }
            } else if (o.kind == EAP_OUTPUT_KIND_AUTHENTICATED) {
                uint8_t msk[64];
                if (a->verbose) {
                    fprintf(stderr, "event: %s\n", o.text);
                }
                if (eap_supplicant_msk(s, msk, sizeof msk) == EAP_RESULT_OK) {
                    print_hex("MSK", msk, sizeof msk);
                    printf("port: authorized\n");
                    outcome = 0;
                } else {
                    fprintf(stderr, "error: authenticated without an MSK\n");
                    outcome = 1;
                }
                memset(msk, 0, sizeof msk); /* our copy, ours to wipe */
                break;
            } else if (o.kind == EAP_OUTPUT_KIND_FAILED) {
                printf("port: unauthorized\n");
                fprintf(stderr, "cause: %s (%s), phase: %s\n", o.cause, o.failure_kind, o.phase);
                fprintf(stderr, "error: %s\n", o.text);
                outcome = 1;
                break;
            } else if (a->verbose && o.text != NULL) {
                fprintf(stderr, "event: %s\n", o.text);
            }
        }
        if (outcome >= 0) {
            break;
        }

        /* Wait for a frame, the library's deadline, or the next EAPOL-Start. */
        now = host_now_ms();
        if (!answered) {
            if (now >= next_start) {
                if (starts >= a->max_starts) {
                    printf("port: unauthorized\n");
                    fprintf(stderr, "error: no EAP-Request after %u EAPOL-Start frames: no 802.1X authenticator on %s\n",
                            starts, a->interface);
                    outcome = 1;
                    break;
                }
                (void)send_eapol(l, EAPOL_START, NULL, 0);
                starts++;
                next_start = now + (uint64_t)a->start_period * 1000u;
            }
            if (next_start < deadline) {
                deadline = next_start;
            }
        }
        if (deadline == UINT64_MAX) {
            wait_ms = -1;
        } else {
            wait_ms = deadline > now ? (int)(deadline - now) : 0;
        }
        p.fd = l->fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, wait_ms) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "error: poll: %s\n", strerror(errno));
            outcome = 1;
            break;
        }
        now = host_now_ms();
        if (p.revents & POLLIN) {
            struct sockaddr_ll from;
            socklen_t from_len = sizeof from;
            ssize_t n = recvfrom(l->fd, frame, sizeof frame, 0, (struct sockaddr *)&from, &from_len);
            size_t body_len;
            if (n < 18 || from.sll_pkttype == PACKET_OUTGOING) {
                continue;
            }
            if (frame[12] != (ETH_P_PAE_ >> 8) || frame[13] != (ETH_P_PAE_ & 0xff) ||
                frame[15] != EAPOL_EAP_PACKET) {
                continue; /* EAPOL-Key and others go to a 4-way handshake, not here */
            }
            body_len = ((size_t)frame[16] << 8) | frame[17];
            if (body_len == 0 || body_len > (size_t)n - 18) {
                continue; /* a truncated frame: drop it */
            }
            answered = 1;
            (void)eap_supplicant_handle_packet(s, now, frame + 18, body_len);
        } else if (deadline != UINT64_MAX && now >= deadline) {
            (void)eap_supplicant_handle_timeout(s, now);
        }
    }
    eap_supplicant_free(s);
    return outcome;
}

int main(int argc, char **argv)
{
    struct args a;
    struct link l = {-1, 0, {0}};
    eap_config *config;
    int rc;

    if (parse_args(argc, argv, &a) != 0) {
        return 2;
    }
    config = configure(&a);
    if (config == NULL) {
        return 1;
    }
    if (open_link(a.interface, &l) != 0) {
        eap_config_free(config);
        if (l.fd >= 0) {
            close(l.fd);
        }
        return 1;
    }
    if (a.verbose) {
        fprintf(stderr, "interface %s: %02x:%02x:%02x:%02x:%02x:%02x\n", a.interface, l.mac[0],
                l.mac[1], l.mac[2], l.mac[3], l.mac[4], l.mac[5]);
    }
    rc = run(&a, config, &l);
    (void)send_eapol(&l, EAPOL_LOGOFF, NULL, 0);
    close(l.fd);
    eap_config_free(config);
#ifdef EAP_FIRMWARE
    /* Everything the library allocated through the port layer, configuration included. */
    printf("peak heap %zu bytes\n", port_peak_bytes());
    if (port_current_bytes() != 0) {
        fprintf(stderr, "error: %zu bytes still allocated after every free\n", port_current_bytes());
        rc = 1;
    }
#endif
    fflush(stdout);
    return rc;
}
