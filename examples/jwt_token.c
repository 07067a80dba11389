/* Fetch a Salesforce access token with the JWT bearer flow and print it.
 * usage: jwt_token LOGIN_URL CLIENT_ID USERNAME KEY.pem [CA.pem]
 * Build: make examples (or cc jwt_token.c $(pkg-config --cflags --libs --static sfoauth)) */
#include <stdio.h>
#include "sfoauth.h"
#include "sfoauth_posix.h"

int main(int argc, char **argv)
{
    static struct sfo_posix_port pp; /* socket, TLS engine, trust anchors, key */
    static uint8_t work[3072], key[8192];
    static struct sfo_token tok;
    struct sfo_posix_config cfg = { .ca_source = SFO_CA_SYSTEM };
    struct sfo_port port;
    struct sfo_client c;
    if (argc < 5) {
        fprintf(stderr, "usage: %s LOGIN_URL CLIENT_ID USERNAME KEY.pem [CA.pem]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[4], "rb");
    size_t key_len = f ? fread(key, 1, sizeof key, f) : 0;
    if (f) fclose(f);
    if (argc > 5) {
        cfg.ca_source = SFO_CA_FILE;
        cfg.ca_file = argv[5];
    }
    int rc = sfo_posix_port_init(&pp, &cfg, &port);
    if (rc == SFO_OK) rc = sfo_client_init(&c, &port, argv[1], argv[2], work, sizeof work);
    if (rc == SFO_OK) {
        struct sfo_jwt j = { .username = argv[3], .key = key, .key_len = key_len };
        rc = sfo_jwt_bearer(&c, &j, &tok);
    }
    sfo_wipe(key, sizeof key);
    if (rc == SFO_OK)
        printf("%s\n%s\n", tok.access_token, tok.instance_url);
    else
        fprintf(stderr, "%s: %s %s %s\n", sfo_errname(rc), sfo_strerror(rc), tok.err.error,
                tok.err.error_description);
    sfo_token_wipe(&tok);
    sfo_posix_port_deinit(&pp);
    return rc == SFO_OK ? 0 : 1;
}
