/*
 * Registered OAuth apps (s->apps). At start they come from --app/--s2s-app
 * specs and the "apps" array of --config; with neither, two documented
 * defaults are registered (docs/zoomsim-oauth.md):
 *
 *   zoomsim-client / zoomsim-secret       OAuth; redirect URIs: path /callback
 *                                         on http://127.0.0.1 or http://localhost,
 *                                         any port (registered with port "*")
 *   zoomsim-s2s / zoomsim-s2s-secret      Server-to-Server
 *
 * both granted every scope the emulator knows. An app's token tolerance
 * (how many access tokens of one grant stay valid) is its "token_tolerance",
 * else --token-tolerance, else Zoom's by kind: 1 for OAuth apps, no limit
 * for Server-to-Server apps (docs/zoomsim-oauth.md). Tests add apps at runtime
 * with POST /_sim/apps; a reset drops those and keeps the configured ones.
 * A bad spec stops zoomsim with exit status 2 and a message that names the
 * spec (secret masked) and the fix.
 */
#include "oauth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCOPES_MAX (64u << 10)

static const char app_spec_help[] =
    "expected CLIENT_ID:SECRET:REDIRECT[,REDIRECT...][:SCOPES] with comma-separated "
    "scopes, e.g. myapp:mysecret:http://127.0.0.1:*/callback:user:read:list_users:admin";
static const char s2s_spec_help[] =
    "expected CLIENT_ID:SECRET[:SCOPES] with comma-separated scopes, e.g. "
    "mys2s:mysecret:user:read:list_users:admin,meeting:read:meeting:admin";

/* The product's ten scopes (DESIGN §4) and user:read:user:admin; the
 * routes' own scope lists are added to these for the defaults. */
static const char *const base_scopes[] = {
    "meeting:read:list_meetings:admin",
    "meeting:read:meeting:admin",
    "meeting:write:meeting:admin",
    "meeting:read:list_registrants:admin",
    "meeting:write:registrant:admin",
    "user:read:list_users:admin",
    "user:read:settings:admin",
    "user:write:user:admin",
    "cloud_recording:read:list_recording_files:admin",
    "contact:read:list_contacts:admin",
    "user:read:user:admin",
    NULL,
};

static void app_clear(sim_app *a)
{
    free(a->client_id);
    sim_oauth_secret_free(a->client_secret);
    free(a->name);
    for (int i = 0; i < a->nredirect; i++)
        free(a->redirect_uris[i]);
    free(a->redirect_uris);
    free(a->scopes);
    memset(a, 0, sizeof *a);
}

static int list_has(const char *list, const char *item, size_t n)
{
    for (const char *p = list; *p;) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        if (len == n && memcmp(p, item, n) == 0)
            return 1;
        if (!sp)
            break;
        p = sp + 1;
    }
    return 0;
}

static void scopes_add(zf_buf *b, const char *scope, size_t n)
{
    if (n && !list_has(zf_buf_cstr(b), scope, n)) {
        if (b->len)
            zf_buf_putc(b, ' ');
        zf_buf_append(b, scope, n);
    }
}

static void default_scopes(zf_buf *b)
{
    for (int i = 0; base_scopes[i]; i++)
        scopes_add(b, base_scopes[i], strlen(base_scopes[i]));
    for (int m = 0; sim_modules[m]; m++)
        for (const sim_route *r = sim_modules[m]->routes; r && r->method; r++)
            for (int i = 0; r->scopes[i]; i++)
                scopes_add(b, r->scopes[i], strlen(r->scopes[i]));
}

/* Adds a comma- or space-separated scope list to b. */
static int scopes_parse(const char *list, zf_buf *b, char *err, size_t errlen)
{
    const char *p = list;
    int count = 0;
    while (*p) {
        size_t n = strcspn(p, ", ");
        for (size_t i = 0; i < n; i++) {
            int c = (unsigned char)p[i];
            if (!isalnum(c) && c != ':' && c != '_' && c != '.' && c != '-') {
                snprintf(err, errlen,
                         "scope '%.*s' has a character other than letters, "
                         "digits and : _ . -",
                         (int)(n > 100 ? 100 : n), p);
                return ZF_EVALIDATION;
            }
        }
        if (n && ++count > SIM_MAX_SCOPES) {
            snprintf(err, errlen, "more than %d scopes", SIM_MAX_SCOPES);
            return ZF_EVALIDATION;
        }
        scopes_add(b, p, n);
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    if (!b->len) {
        snprintf(err, errlen, "the scope list is empty; leave it out to grant every scope");
        return ZF_EVALIDATION;
    }
    return 0;
}

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && !strchr("._-", id[i]))
            return 0;
    return 1;
}

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int app_validate(const sim *s, const sim_app *a, char *err, size_t errlen)
{
    if (!id_ok(a->client_id)) {
        snprintf(err, errlen, "client_id must be 1-63 characters of letters, digits, . _ -");
        return ZF_EVALIDATION;
    }
    if (sim_oauth_app_find(s, a->client_id)) {
        snprintf(err, errlen, "client_id '%s' is already registered; pick another one",
                 a->client_id);
        return ZF_EVALIDATION;
    }
    size_t sn = strlen(a->client_secret);
    if (sn == 0 || sn > SIM_OAUTH_MAX_SECRET || !printable(a->client_secret)) {
        snprintf(err, errlen, "the client secret must be 1-%d printable characters",
                 SIM_OAUTH_MAX_SECRET);
        return ZF_EVALIDATION;
    }
    if (strlen(a->name) > 128 || !printable(a->name)) {
        snprintf(err, errlen, "name must be at most 128 printable characters");
        return ZF_EVALIDATION;
    }
    if (a->s2s && a->nredirect) {
        snprintf(err, errlen, "a Server-to-Server app has no redirect URIs; remove them");
        return ZF_EVALIDATION;
    }
    if (!a->s2s && (a->nredirect < 1 || a->nredirect > SIM_OAUTH_MAX_REDIRECTS)) {
        snprintf(err, errlen,
                 "an OAuth app needs 1 to %d redirect URIs, e.g. "
                 "http://127.0.0.1:*/callback",
                 SIM_OAUTH_MAX_REDIRECTS);
        return ZF_EVALIDATION;
    }
    for (int i = 0; i < a->nredirect; i++)
        if (sim_oauth_redirect_check(a->redirect_uris[i], err, errlen) != 0)
            return ZF_EVALIDATION;
    return 0;
}

static int add_redirect(sim_app *a, const char *uri, size_t n)
{
    if (a->nredirect >= SIM_OAUTH_MAX_REDIRECTS + 1)
        return 0; /* app_validate reports the count */
    char **r = realloc(a->redirect_uris, (size_t)(a->nredirect + 1) * sizeof *r);
    if (!r)
        return ZF_ENOMEM;
    a->redirect_uris = r;
    r[a->nredirect] = strndup(uri, n);
    if (!r[a->nredirect])
        return ZF_ENOMEM;
    a->nredirect++;
    return 0;
}

/* Finishes an app: scopes from b (or every scope), name defaulting to the id. */
static int app_finish(sim_app *a, zf_buf *b, int have_scopes)
{
    if (!have_scopes)
        default_scopes(b);
    a->scopes = zf_buf_take(b);
    if (!a->name)
        a->name = strdup(a->client_id ? a->client_id : "");
    return a->scopes && a->name && a->client_id && a->client_secret ? 0 : ZF_ENOMEM;
}

static int app_push(sim *s, sim_app *a)
{
    if (a->token_tolerance < 0)
        a->token_tolerance = s->opts.token_tolerance_set ? s->opts.token_tolerance : a->s2s ? 0 : 1;
    sim_app *arr = realloc(s->apps, (size_t)(s->napps + 1) * sizeof *arr);
    if (!arr)
        return ZF_ENOMEM;
    s->apps = arr;
    arr[s->napps++] = *a;
    memset(a, 0, sizeof *a);
    return 0;
}

const sim_app *sim_oauth_app_find(const sim *s, const char *client_id)
{
    for (int i = 0; client_id && i < s->napps; i++)
        if (strcmp(s->apps[i].client_id, client_id) == 0)
            return &s->apps[i];
    return NULL;
}

/* --- --app and --s2s-app specs */

/* "ID:SECRET:REST" -> id, secret, rest; ZF_EVALIDATION when a ':' is missing. */
static int spec_head(const char *spec, sim_app *a, const char **rest, int need_rest)
{
    const char *c1 = strchr(spec, ':');
    if (!c1)
        return ZF_EVALIDATION;
    const char *c2 = strchr(c1 + 1, ':');
    if (!c2 && need_rest)
        return ZF_EVALIDATION;
    a->client_id = strndup(spec, (size_t)(c1 - spec));
    a->client_secret = c2 ? strndup(c1 + 1, (size_t)(c2 - c1 - 1)) : strdup(c1 + 1);
    *rest = c2 ? c2 + 1 : NULL;
    return a->client_id && a->client_secret ? 0 : ZF_ENOMEM;
}

/* REDIRECT[,REDIRECT...][:SCOPES]: the scopes start at the first ':' after
 * the path of a redirect URI (so URIs need a path, and no ':' in it). */
static int spec_redirects(const char *p, sim_app *a, const char **scopes, char *err, size_t errlen)
{
    *scopes = NULL;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t plen = comma ? (size_t)(comma - p) : strlen(p);
        const char *sep = strstr(p, "://");
        if (strncmp(p, "http://", 7) != 0 && strncmp(p, "https://", 8) != 0) {
            snprintf(err, errlen, "redirect URI '%.*s' must start with http:// or https://",
                     (int)(plen > 200 ? 200 : plen), p);
            return ZF_EVALIDATION;
        }
        const char *path = memchr(sep + 3, '/', plen - (size_t)(sep + 3 - p));
        if (!path) {
            snprintf(err, errlen,
                     "redirect URI '%.*s' needs a path, e.g. "
                     "http://127.0.0.1:*/callback",
                     (int)(plen > 200 ? 200 : plen), p);
            return ZF_EVALIDATION;
        }
        const char *colon = memchr(path, ':', plen - (size_t)(path - p));
        if (colon) {
            *scopes = colon + 1;
            return add_redirect(a, p, (size_t)(colon - p));
        }
        if (add_redirect(a, p, plen) != 0)
            return ZF_ENOMEM;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int spec_parse(const char *spec, sim_app *a, char *err, size_t errlen)
{
    zf_buf b = ZF_BUF_INIT(SCOPES_MAX);
    const char *rest = NULL, *scopes = NULL;
    int rc = ZF_EVALIDATION;
    a->token_tolerance = -1;
    a->s2s = strncmp(spec, "s2s:", 4) == 0;
    if (a->s2s)
        spec += 4;
    if (spec_head(spec, a, &rest, !a->s2s) != 0) {
        snprintf(err, errlen, "a ':' is missing");
        goto done;
    }
    if (a->s2s)
        scopes = rest;
    else if (spec_redirects(rest, a, &scopes, err, errlen) != 0)
        goto done;
    if (scopes && scopes_parse(scopes, &b, err, errlen) != 0)
        goto done;
    rc = app_finish(a, &b, scopes != NULL);
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
done:
    zf_buf_free(&b);
    return rc;
}

static void spec_report(const char *spec, const char *why)
{
    int s2s = strncmp(spec, "s2s:", 4) == 0;
    const char *p = s2s ? spec + 4 : spec;
    const char *c1 = strchr(p, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    /* the secret never reaches a terminal or log */
    fprintf(stderr, "zoomsim: %s '%.*s%s%s' is not valid: %s; %s\n", s2s ? "--s2s-app" : "--app",
            c1 ? (int)(c1 - p) : (int)strlen(p), p, c1 ? ":<secret>" : "", c2 ? c2 : "", why,
            s2s ? s2s_spec_help : app_spec_help);
}

/* --- JSON apps: --config {"apps":[...]}, POST /_sim/apps, the state file */

static int json_strings(json_t *v, const char *key, sim_app *a, zf_buf *scopes, char *err,
                        size_t errlen)
{
    if (json_is_string(v) && strcmp(key, "scopes") == 0)
        return scopes_parse(json_string_value(v), scopes, err, errlen);
    if (!json_is_array(v)) {
        snprintf(err, errlen, "\"%s\" must be an array of strings", key);
        return ZF_EVALIDATION;
    }
    size_t i;
    json_t *e;
    json_array_foreach (v, i, e) {
        const char *str = json_string_value(e);
        if (!str) {
            snprintf(err, errlen, "\"%s\"[%zu] must be a string", key, i);
            return ZF_EVALIDATION;
        }
        int rc = strcmp(key, "scopes") == 0 ? scopes_parse(str, scopes, err, errlen)
                                            : add_redirect(a, str, strlen(str));
        if (rc != 0)
            return rc;
    }
    if (strcmp(key, "scopes") == 0 && !scopes->len) {
        snprintf(err, errlen, "\"scopes\" is empty; leave it out to grant every scope");
        return ZF_EVALIDATION;
    }
    return 0;
}

static int json_str_field(json_t *v, const char *key, char **out, char *err, size_t errlen)
{
    if (!json_is_string(v)) {
        snprintf(err, errlen, "\"%s\" must be a string", key);
        return ZF_EVALIDATION;
    }
    free(*out);
    *out = strdup(json_string_value(v));
    return *out ? 0 : ZF_ENOMEM;
}

static int tolerance_field(json_t *v, sim_app *a, char *err, size_t errlen)
{
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
    if (n < 0 || n > SIM_MAX_TOKEN_TOLERANCE) {
        snprintf(err, errlen,
                 "\"token_tolerance\" must be an integer from 0 (no limit) to %d: "
                 "how many access tokens of one grant stay valid at once",
                 SIM_MAX_TOKEN_TOLERANCE);
        return ZF_EVALIDATION;
    }
    a->token_tolerance = (int)n;
    return 0;
}

/* generate: invent a client_id / secret when absent (POST /_sim/apps). */
static int app_from_json(json_t *o, sim_app *a, int generate, char *err, size_t errlen)
{
    zf_buf b = ZF_BUF_INIT(SCOPES_MAX);
    int rc = ZF_EVALIDATION, have_scopes = 0;
    const char *key;
    json_t *v;
    a->token_tolerance = -1;
    if (!json_is_object(o)) {
        snprintf(err, errlen, "an app must be a JSON object");
        goto done;
    }
    json_object_foreach (o, key, v) {
        int r;
        if (!strcmp(key, "client_id"))
            r = json_str_field(v, key, &a->client_id, err, errlen);
        else if (!strcmp(key, "client_secret"))
            r = json_str_field(v, key, &a->client_secret, err, errlen);
        else if (!strcmp(key, "name"))
            r = json_str_field(v, key, &a->name, err, errlen);
        else if (!strcmp(key, "redirect_uris"))
            r = json_strings(v, key, a, &b, err, errlen);
        else if (!strcmp(key, "scopes"))
            r = json_strings(v, key, a, &b, err, errlen), have_scopes = 1;
        else if (!strcmp(key, "type")) {
            const char *t = json_string_value(v);
            r = t && (!strcmp(t, "oauth") || !strcmp(t, "s2s")) ? 0 : ZF_EVALIDATION;
            if (r)
                snprintf(err, errlen, "\"type\" must be \"oauth\" or \"s2s\"");
            else
                a->s2s = !strcmp(t, "s2s");
        } else if (!strcmp(key, "token_tolerance")) {
            r = tolerance_field(v, a, err, errlen);
        } else {
            snprintf(err, errlen,
                     "unknown key \"%s\" (known: client_id, client_secret, name, "
                     "redirect_uris, scopes, token_tolerance, type)",
                     key);
            r = ZF_EVALIDATION;
        }
        if (r)
            goto done;
    }
    if (generate && !a->client_id) {
        char id[24];
        sim_random_id(id, sizeof id, 22);
        a->client_id = strdup(id);
    }
    if (generate && !a->client_secret) {
        char sec[40];
        sim_random_id(sec, sizeof sec, 32);
        a->client_secret = strdup(sec);
    }
    if (!a->client_id || !a->client_secret) {
        snprintf(err, errlen, "\"%s\" is required", a->client_id ? "client_secret" : "client_id");
        goto done;
    }
    rc = app_finish(a, &b, have_scopes);
    if (rc)
        snprintf(err, errlen, "out of memory");
done:
    zf_buf_free(&b);
    return rc;
}

static int config_apps(sim *s)
{
    json_t *apps = s->opts.config ? json_object_get(s->opts.config, "apps") : NULL, *o;
    const char *file = s->opts.config_file ? s->opts.config_file : "(config)";
    char err[512];
    size_t i;
    if (!apps)
        return 0;
    if (!json_is_array(apps)) {
        fprintf(stderr,
                "zoomsim: --config %s: \"apps\" must be an array of app objects "
                "({\"client_id\",\"client_secret\",\"redirect_uris\":[...],...})\n",
                file);
        return ZF_ECONFIG;
    }
    json_array_foreach (apps, i, o) {
        sim_app a;
        memset(&a, 0, sizeof a);
        if (app_from_json(o, &a, 0, err, sizeof err) != 0 ||
            app_validate(s, &a, err, sizeof err) != 0 || app_push(s, &a) != 0) {
            const char *id = json_string_value(json_object_get(o, "client_id"));
            fprintf(stderr, "zoomsim: --config %s: apps[%zu] (client_id %s) is not valid: %s\n",
                    file, i, id ? id : "missing", err);
            app_clear(&a);
            return ZF_ECONFIG;
        }
    }
    return 0;
}

static int add_default(sim *s, const char *id, const char *secret, int s2s)
{
    zf_buf b = ZF_BUF_INIT(SCOPES_MAX);
    sim_app a;
    memset(&a, 0, sizeof a);
    a.token_tolerance = -1;
    a.client_id = strdup(id);
    a.client_secret = strdup(secret);
    a.name = strdup(s2s ? "zoomsim Server-to-Server app" : "zoomsim OAuth app");
    a.s2s = s2s;
    int rc = s2s ? 0 : add_redirect(&a, "http://127.0.0.1:*/callback", 27);
    if (rc == 0 && !s2s)
        rc = add_redirect(&a, "http://localhost:*/callback", 27);
    if (rc == 0)
        rc = app_finish(&a, &b, 0);
    if (rc == 0)
        rc = app_push(s, &a);
    app_clear(&a);
    zf_buf_free(&b);
    return rc;
}

int sim_oauth_apps_init(sim *s)
{
    char err[512];
    for (int i = 0; i < s->opts.napp_specs; i++) {
        sim_app a;
        memset(&a, 0, sizeof a);
        if (spec_parse(s->opts.app_specs[i], &a, err, sizeof err) != 0 ||
            app_validate(s, &a, err, sizeof err) != 0 || app_push(s, &a) != 0) {
            spec_report(s->opts.app_specs[i], err);
            app_clear(&a);
            return ZF_ECONFIG;
        }
    }
    int rc = config_apps(s);
    if (rc == 0 && s->napps == 0) {
        rc = add_default(s, "zoomsim-client", "zoomsim-secret", 0);
        if (rc == 0)
            rc = add_default(s, "zoomsim-s2s", "zoomsim-s2s-secret", 1);
    }
    s->oauth->nconfigured = s->napps;
    return rc;
}

void sim_oauth_apps_reset(sim *s)
{
    while (s->napps > s->oauth->nconfigured)
        app_clear(&s->apps[--s->napps]);
}

void sim_oauth_apps_destroy(sim *s)
{
    for (int i = 0; i < s->napps; i++)
        app_clear(&s->apps[i]);
    free(s->apps);
    s->apps = NULL;
    s->napps = 0;
}

static json_t *app_json(const sim_app *a, int with_secret, int runtime)
{
    json_t *uris = json_array(), *scopes = json_array();
    for (int i = 0; i < a->nredirect; i++)
        json_array_append_new(uris, json_string(a->redirect_uris[i]));
    for (const char *p = a->scopes; *p;) {
        size_t n = strcspn(p, " ");
        json_array_append_new(scopes, json_stringn(p, n));
        p += n;
        while (*p == ' ')
            p++;
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:i}", "client_id", a->client_id, "name", a->name,
                          "type", a->s2s ? "s2s" : "oauth", "redirect_uris", uris, "scopes", scopes,
                          "token_tolerance", a->token_tolerance);
    if (runtime >= 0)
        json_object_set_new(o, "source", json_string(runtime ? "runtime" : "configured"));
    if (with_secret)
        json_object_set_new(o, "client_secret", json_string(a->client_secret));
    return o;
}

json_t *sim_oauth_apps_dump(sim *s)
{
    json_t *arr = json_array();
    for (int i = s->oauth->nconfigured; i < s->napps; i++)
        json_array_append_new(arr, app_json(&s->apps[i], 1, -1));
    return arr;
}

int sim_oauth_apps_load(sim *s, json_t *arr)
{
    char err[512];
    size_t i;
    json_t *o;
    json_array_foreach (arr, i, o) {
        sim_app a;
        memset(&a, 0, sizeof a);
        if (sim_oauth_app_find(s, json_string_value(json_object_get(o, "client_id"))))
            continue; /* configured now: the command line wins */
        int rc = app_from_json(o, &a, 0, err, sizeof err) || app_validate(s, &a, err, sizeof err) ||
                 app_push(s, &a);
        app_clear(&a);
        if (rc)
            return ZF_EPARSE; /* not an app, a taken id, or no memory */
    }
    return 0;
}

void sim_oauth_h_apps_list(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *arr = json_array();
    for (int i = 0; i < s->napps; i++)
        json_array_append_new(arr, app_json(&s->apps[i], 0, i >= s->oauth->nconfigured));
    sim_json(rs, 200, json_pack("{s:o}", "apps", arr));
}

void sim_oauth_h_apps_add(sim_req *rq, sim_resp *rs)
{
    char err[512];
    sim_app a;
    memset(&a, 0, sizeof a);
    json_t *j = sim_body_json(rq, rs);
    if (!j)
        return;
    if (app_from_json(j, &a, 1, err, sizeof err) != 0) {
        sim_error(rs, 400, 300, "%s", err);
    } else if (sim_oauth_app_find(rq->s, a.client_id)) {
        sim_error(rs, 409, 300, "client_id '%s' is already registered; pick another one",
                  a.client_id);
    } else if (app_validate(rq->s, &a, err, sizeof err) != 0) {
        sim_error(rs, 400, 300, "%s", err);
    } else {
        if (app_push(rq->s, &a) == 0) /* the answer shows the tolerance push settled */
            sim_json(rs, 201, app_json(&rq->s->apps[rq->s->napps - 1], 1, 1));
        else
            sim_error(rs, 500, 500, "out of memory");
    }
    app_clear(&a);
    json_decref(j);
}
