/* Test support: see flowenv.h. */
#include "flowenv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sfo_http.h"

static const char k_config[] =
    "{\n"
    "  \"auto_approve\": true,\n"
    "  \"device_interval\": 1,\n"
    "  \"users\": {\n"
    "    \"" FE_JWT_USER "\": {\"name\": \"Jay Wit\"},\n"
    "    \"" FE_WEB_USER "\": {\"password\": \"pw\", \"security_token\": \"TOK\"},\n"
    "    \"" FE_OTHER_USER "\": {}\n"
    "  },\n"
    "  \"clients\": [\n"
    "    {\"client_id\": \"" FE_WEB_ID "\", \"client_secret\": \"" FE_WEB_SECRET "\",\n"
    "     \"redirect_uris\": [\"" FE_RU "\"],\n"
    "     \"scopes\": [\"api\", \"refresh_token\", \"openid\"],\n"
    "     \"approved_users\": [\"" FE_WEB_USER "\"], \"password_flow\": true},\n"
    "    {\"client_id\": \"" FE_JWT_ID "\", \"client_secret\": \"" FE_JWT_SECRET "\",\n"
    "     \"certificate\": \"%s/client.pem\", \"scopes\": [\"api\", \"id\"],\n"
    "     \"approved_users\": [\"" FE_JWT_USER "\"]},\n"
    "    {\"client_id\": \"" FE_DEV_ID "\", \"client_secret\": \"" FE_DEV_SECRET "\",\n"
    "     \"device_flow\": true, \"scopes\": [\"api\", \"refresh_token\"],\n"
    "     \"approved_users\": [\"" FE_WEB_USER "\"]},\n"
    "    {\"client_id\": \"" FE_CC_ID "\", \"client_secret\": \"" FE_CC_SECRET "\",\n"
    "     \"client_credentials_user\": \"" FE_OTHER_USER "\"}\n"
    "  ]\n"
    "}\n";

static void fe_sleep_ms(void *ctx, uint32_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };
    (void)ctx;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

int fe_up(struct fe *e, const char *tag)
{
    const char *pki = t_pki();
    const char *cfg = t_path("%s/%s-config.json", t_build(), tag);
    FILE *f = fopen(cfg, "w");
    if (f == NULL) return -1;
    fprintf(f, k_config, pki);
    fclose(f);
    char cmd[4096];
    /* random framing: Content-Length and chunked bodies both occur */
    snprintf(cmd, sizeof cmd,
             "exec '%s' '%s/tests/server/sf_server.py' --host 127.0.0.1 --port 0 "
             "--cert '%s/server.pem' --key '%s/server.key' --config '%s' --seed 7 "
             "--framing random 2>>'%s/%s-server.log'",
             t_python(), t_root(), pki, pki, cfg, t_build(), tag);
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    if (t_server_start(&e->srv, argv) != 0) return -1;
    e->srv_port = (uint16_t)e->srv.port;
    snprintf(e->url, sizeof e->url, "https://127.0.0.1:%d", e->srv.port);
    snprintf(e->ca, sizeof e->ca, "%s/ca.pem", pki);
    struct sfo_posix_config pc;
    memset(&pc, 0, sizeof pc);
    pc.ca_source = SFO_CA_FILE;
    pc.ca_file = e->ca;
    if (sfo_posix_port_init(&e->pp, &pc, &e->port) != SFO_OK) {
        sfo_posix_port_deinit(&e->pp);
        t_server_stop(&e->srv);
        return -1;
    }
    if (e->port.sleep_ms == NULL) e->port.sleep_ms = fe_sleep_ms;
    return 0;
}

void fe_down(struct fe *e)
{
    sfo_posix_port_deinit(&e->pp);
    t_server_stop(&e->srv);
}

/* One request on the real port; Location copied to loc when asked. */
static int request(struct fe *e, const char *method, const char *target, const char *body,
                   char *loc, size_t loc_cap)
{
    static uint8_t win[4096];
    struct sfo_http_client hc;
    struct sfo_http_request rq;
    struct sfo_http_response rs;
    memset(&hc, 0, sizeof hc);
    hc.port = &e->port;
    hc.win = win;
    hc.win_len = sizeof win;
    hc.timeout_ms = 10000;
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.https = true;
    rq.host = "127.0.0.1";
    rq.port = e->srv_port;
    rq.target = target;
    if (body != NULL) {
        rq.body = (const uint8_t *)body;
        rq.body_len = strlen(body);
        rq.content_type = "application/x-www-form-urlencoded";
    }
    memset(&rs, 0, sizeof rs);
    if (loc != NULL) {
        rs.hdr[SFO_HTTP_LOCATION].buf = loc;
        rs.hdr[SFO_HTTP_LOCATION].cap = loc_cap;
    }
    int rc = sfo_http_request(&hc, &rq, &rs, NULL, NULL);
    sfo_http_close(&hc);
    if (rc != SFO_OK) return rc;
    if (loc != NULL && (rs.overflow & SFO_HTTP_OVF_LOCATION)) return SFO_E_TOO_LONG;
    return rs.status;
}

int fe_post(struct fe *e, const char *path, const char *form)
{
    return request(e, "POST", path, form, NULL, 0);
}

int fe_code(struct fe *e, const struct sfo_client *c, bool pkce, struct sfo_authz *s, char *code,
            size_t cap)
{
    struct sfo_authz_params p;
    struct sfo_oauth_error err;
    char url[1024], loc[SFO_HTTP_LOCATION_MAX];
    size_t n;
    memset(&p, 0, sizeof p);
    p.redirect_uri = FE_RU;
    p.pkce = pkce;
    int rc = sfo_authorize_url(c, &p, s, url, sizeof url, &n);
    if (rc != SFO_OK) return rc;
    const char *target = strchr(url + strlen("https://"), '/');
    if (target == NULL) return SFO_E_URL;
    rc = request(e, "GET", target, NULL, loc, sizeof loc);
    if (rc < 0) return rc;
    if (rc != 302) return SFO_E_HTTP_STATUS;
    return sfo_callback_parse(loc, strlen(loc), s, code, cap, &err);
}
