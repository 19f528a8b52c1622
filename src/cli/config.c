/*
 * Configuration: defaults < config file (profile section) < environment <
 * flags. The file format is a small INI:
 *
 *   # comment
 *   [default]
 *   oauth_base = https://zoom.us
 *   client_id = abc123
 *
 *   [sandbox]
 *   oauth_base = http://127.0.0.1:8999
 *
 * Keys are those of CLI_CFG_MAP; an unknown key or a malformed line is an
 * error naming the line, so a typo never silently falls back to a default.
 * Secrets never live in this file: client secrets come from a file or
 * stdin, the master key from ZOOMFLOW_MASTER_KEY or the key file.
 */
#include "cli.h"
#include "input.h"
#include "zoomflow/secret.h"
#include "zoomflow/session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CFG_MAX_FILE (1u << 20)
#define CFG_MAX_LINE 4096
#define LABEL_MAX 512 /* "FILE line N: key" in messages */

const char *cli_origin_name(cli_origin o)
{
    static const char *const names[] = {"default", "config file", "environment", "flag"};
    return names[o];
}

static int set_value(char **slot, cli_origin *from, cli_origin origin, const char *v, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return ZF_ENOMEM;
    memcpy(copy, v, len);
    copy[len] = '\0';
    free(*slot);
    *slot = copy;
    *from = origin;
    return 0;
}

/* Settings that are numbers: checked wherever they come from, so a bad value
 * is refused with its source's name instead of falling back to a default. */
static const struct cfg_number {
    const char *key;
    long long min, max;
    const char *unit;
} cfg_numbers[] = {
    {"timeout", CLI_TIMEOUT_MIN, CLI_TIMEOUT_MAX, "seconds"},
    {"threads", 1, 64, "threads"},
    {"workers", 0, 64, "threads"},
    {"lease_ttl", 1, 3600, "seconds"},
};

static int check_value(const char *key, size_t klen, const char *v, size_t vlen, const char *label,
                       zf_error *err)
{
    long long n;
    for (size_t i = 0; i < sizeof cfg_numbers / sizeof cfg_numbers[0]; i++) {
        const struct cfg_number *c = &cfg_numbers[i];
        if (klen == strlen(c->key) && memcmp(key, c->key, klen) == 0 &&
            cli_number(&n, label, v, vlen, c->min, c->max, c->unit, err) != 0)
            return err->code = ZF_ECONFIG; /* the settings' fault, as set_key says */
    }
    return 0;
}

/* Sets key from origin; label names the setting in errors (the variable, the
 * flag, or the file's line). ZF_ENOTFOUND for an unknown key (err not set),
 * ZF_ECONFIG with err set for a bad value, ZF_ENOMEM. */
static int set_key(cli_cfg *cfg, const char *key, size_t klen, const char *v, size_t vlen,
                   cli_origin origin, const char *label, zf_error *err)
{
    int rc;
#define CLI_X_SET(f, k, env, def, help)                                                            \
    if (klen == strlen(k) && memcmp(key, k, klen) == 0) {                                          \
        if ((rc = check_value(key, klen, v, vlen, label, err)) != 0)                               \
            return rc;                                                                             \
        return set_value(&cfg->f, &cfg->f##_from, origin, v, vlen);                                \
    }
    CLI_CFG_MAP(CLI_X_SET)
#undef CLI_X_SET
    return ZF_ENOTFOUND;
}

static const char *known_keys(void)
{
    return "db, key_file, oauth_base, api_base, authorize_endpoint, token_endpoint, "
           "revoke_endpoint, client_id, client_secret_file, account_id, redirect_uri, "
           "ca_file, timeout, listen, public_url, trusted_proxy, tls_cert, tls_key, threads, "
           "workflows, workflows_org, workers, lease_ttl";
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

int cli_cfg_parse(const char *text, size_t len, const char *name, const char *profile, cli_cfg *cfg,
                  zf_error *err)
{
    const char *p = text, *end = text + len;
    int lineno = 0, in_profile = 0;
    size_t plen = strlen(profile);
    if (len > CFG_MAX_FILE)
        return zf_error_set(err, ZF_ECONFIG, "%s is larger than %u bytes", name, CFG_MAX_FILE);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (e - s > CFG_MAX_LINE)
            return zf_error_set(err, ZF_ECONFIG, "%s line %d is longer than %u bytes", name, lineno,
                                CFG_MAX_LINE);
        if (memchr(s, '\0', (size_t)(e - s)))
            return zf_error_set(err, ZF_ECONFIG, "%s line %d contains a NUL byte", name, lineno);
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            if (e[-1] != ']' || e - s < 3) {
                zf_error_set(err, ZF_ECONFIG, "%s line %d: a section header is [NAME]", name,
                             lineno);
                return ZF_ECONFIG;
            }
            const char *ns = s + 1, *ne = e - 1;
            trim(&ns, &ne);
            in_profile = (size_t)(ne - ns) == plen && memcmp(ns, profile, plen) == 0;
            continue;
        }
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq) {
            zf_error_set(err, ZF_ECONFIG, "%s line %d: expected key = value", name, lineno);
            zf_error_hint(err, "known keys: %s", known_keys());
            return ZF_ECONFIG;
        }
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (ve - vs >= 2 && ((*vs == '"' && ve[-1] == '"') || (*vs == '\'' && ve[-1] == '\''))) {
            vs++;
            ve--;
        }
        int klen = (int)(ke - ks > 64 ? 64 : ke - ks);
        char label[LABEL_MAX];
        snprintf(label, sizeof label, "%s line %d: %.*s", name, lineno, klen, ks);
        /* keys and values of other profiles are still checked, so typos surface */
        cli_cfg scratch;
        memset(&scratch, 0, sizeof scratch);
        int rc = set_key(in_profile ? cfg : &scratch, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs),
                         CLI_FROM_FILE, label, err);
        cli_cfg_free(&scratch);
        if (rc == ZF_ENOTFOUND) {
            zf_error_set(err, ZF_ECONFIG, "%s line %d: unknown key '%.*s'", name, lineno, klen, ks);
            zf_error_hint(err, "known keys: %s", known_keys());
            return ZF_ECONFIG;
        }
        if (rc == ZF_ENOMEM)
            return zf_error_set(err, rc, "out of memory reading %s", name);
        if (rc)
            return rc;
    }
    return 0;
}

/* The library's defaults (zoomflow/session.h), so the config file sits
 * next to the master key. */
int cli_config_dir(zf_buf *out)
{
    return zf_default_dir(ZF_DIR_CONFIG, out, NULL);
}
int cli_data_dir(zf_buf *out)
{
    return zf_default_dir(ZF_DIR_DATA, out, NULL);
}

/* The reader's contract: out is initialised first, so the caller frees it on
 * every path; reading stops as soon as the cap is passed, so a device, FIFO
 * or pipe that never ends costs at most max + one chunk, not a spin. */
int cli_read_file(const char *path, size_t max, zf_buf *out, zf_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin (-)" : path;
    zf_buf_init(out, max);
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return zf_error_set(err, ZF_EVALIDATION, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = zf_error_set(err, ZF_EVALIDATION, "%s is a directory; give a file", name);
        goto done;
    }
    char tmp[8192];
    size_t n, total = 0;
    while (total <= max && (n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        total += n;
        zf_buf_append(out, tmp, n);
    }
    if (total > max) {
        rc = zf_error_set(err, ZF_EVALIDATION,
                          "%s is larger than %zu bytes, the limit for this "
                          "input; stopped reading there",
                          name, max);
        zf_error_hint(err,
                      "give a regular file of at most %zu bytes (a device, FIFO or pipe "
                      "that does not end is cut off at the limit)",
                      max);
    } else if (ferror(f)) {
        rc = zf_error_set(err, ZF_EIO, "cannot read %s: %s", name, strerror(errno));
    } else if (out->failed) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory reading %s", name);
    }
done:
    if (!is_stdin)
        fclose(f);
    return rc;
}

/* Where a setting came from, as a person would look for it. */
static void origin_name(const cli_cfg *cfg, cli_origin from, const char *flag, const char *env,
                        const char *key, char *out, size_t cap)
{
    if (from == CLI_FROM_FLAG)
        snprintf(out, cap, "%s", flag);
    else if (from == CLI_FROM_ENV)
        snprintf(out, cap, "%s", env);
    else
        snprintf(out, cap, "%s in %s", key,
                 cfg->config_path ? cfg->config_path : "the config file");
}

int cli_client_secret(const cli_cfg *cfg, const char *file, int allow_env, zf_secret *out,
                      zf_error *err)
{
    const char *f = file ? file : cfg->client_secret_file;
    const char *env = allow_env ? getenv("ZOOMFLOW_CLIENT_SECRET") : NULL;
    char from[1100];
    origin_name(cfg, file ? CLI_FROM_FLAG : cfg->client_secret_file_from, "--client-secret-file",
                "ZOOMFLOW_CLIENT_SECRET_FILE", "client_secret_file", from, sizeof from);
    zf_buf b = ZF_BUF_INIT(CLI_SECRET_MAX);
    int rc = 0;
    if (f) {
        if ((rc = cli_read_file(f, CLI_SECRET_MAX, &b, err)) != 0) {
            char why[ZF_ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err->message);
            zf_error_set(err, ZF_ECONFIG, "the client secret file (%s) cannot be read: %s", from,
                         why);
            zf_error_hint(err,
                          "write the Zoom app's Client Secret (App Marketplace > your app > App "
                          "Credentials) into %s, readable by this user only (chmod 600), or "
                          "name another file",
                          f);
            rc = ZF_ECONFIG;
            goto done;
        }
    } else if (env && env[0]) {
        zf_buf_puts(&b, env);
    } else {
        rc = zf_error_set(err, ZF_ECONFIG, "the client secret is missing");
        if (allow_env)
            zf_error_hint(err, "pass --client-secret-file FILE (or - for stdin), or set "
                               "ZOOMFLOW_CLIENT_SECRET; never put it on the command line");
        else
            zf_error_hint(err, "pass --client-secret-file FILE, set ZOOMFLOW_CLIENT_SECRET_FILE, "
                               "or client_secret_file in the config file; never put the secret "
                               "on the command line");
        goto done;
    }
    while (b.len &&
           (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r' || b.ptr[b.len - 1] == ' '))
        b.ptr[--b.len] = '\0';
    if (!b.len) {
        rc = zf_error_set(err, ZF_ECONFIG, "the client secret is empty%s%s%s", f ? " (" : "",
                          f ? from : "", f ? ")" : "");
        zf_error_hint(err, "copy it from the Zoom App Marketplace (your app > App Credentials)");
        goto done;
    }
    rc = zf_secret_set(out, b.ptr, b.len);
done:
    zf_buf_free(&b);
    return rc;
}

/* The config file of cli_cfg_load: path when it exists (or is named
 * explicitly), parsed for cfg->profile. */
static int load_file(cli_cfg *cfg, const char *path, int explicit_path, zf_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (!explicit_path && (errno == ENOENT || errno == ENOTDIR))
            return 0;
        zf_error_set(err, ZF_ECONFIG, "config file %s: %s", path, strerror(errno));
        zf_error_hint(err, explicit_path ? "create it or drop --config / ZOOMFLOW_CONFIG"
                                         : "make it readable, or name another file with "
                                           "--config / ZOOMFLOW_CONFIG");
        return ZF_ECONFIG;
    }
    zf_buf text;
    int rc = cli_read_file(path, CFG_MAX_FILE, &text, err);
    if (rc == ZF_EVALIDATION) /* not a readable file: the configuration's fault */
        rc = err->code = ZF_ECONFIG;
    if (rc == 0)
        rc = cli_cfg_parse(text.ptr ? text.ptr : "", text.len, path, cfg->profile, cfg, err);
    else if (!err->hint[0])
        zf_error_hint(err, "the config file must be a readable file; fix it or name another "
                           "with --config / ZOOMFLOW_CONFIG");
    zf_buf_free(&text);
    return rc;
}

int cli_cfg_load(cli_cfg *cfg, zf_error *err)
{
#define CLI_X_DEF(f, k, env, def, help)                                                            \
    if (!cfg->f && def &&                                                                          \
        set_value(&cfg->f, &cfg->f##_from, CLI_FROM_DEFAULT, def, strlen(def ? def : "")))         \
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    CLI_CFG_MAP(CLI_X_DEF)
#undef CLI_X_DEF
    zf_buf path = ZF_BUF_INIT(4096);
    int explicit_path = cfg->config_path != NULL;
    if (explicit_path)
        zf_buf_puts(&path, cfg->config_path);
    else if (cli_config_dir(&path) == 0)
        zf_buf_puts(&path, "/config");
    int rc = 0;
    if (path.failed)
        rc = zf_error_set(err, ZF_ECONFIG, "the config file's path is longer than %zu bytes",
                          path.max);
    else if (path.len)
        rc = load_file(cfg, path.ptr, explicit_path, err);
    zf_buf_free(&path);
    if (rc)
        return rc;
#define CLI_X_ENV(f, k, env, def, help)                                                            \
    {                                                                                              \
        const char *v = getenv(env);                                                               \
        int rc_ =                                                                                  \
            v && v[0] ? set_key(cfg, k, strlen(k), v, strlen(v), CLI_FROM_ENV, env, err) : 0;      \
        if (rc_ == ZF_ENOMEM)                                                                      \
            return zf_error_set(err, ZF_ENOMEM, "out of memory");                                  \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    }
    CLI_CFG_MAP(CLI_X_ENV)
#undef CLI_X_ENV
    return 0;
}

int cli_cfg_set_flag(cli_cfg *cfg, const char *key, const char *value, zf_error *err)
{
    char label[LABEL_MAX];
    snprintf(label, sizeof label, "--%s", key);
    for (char *p = label; *p; p++)
        *p = *p == '_' ? '-' : *p;
    int rc = set_key(cfg, key, strlen(key), value, strlen(value), CLI_FROM_FLAG, label, err);
    if (rc == ZF_ENOMEM)
        return zf_error_set(err, rc, "out of memory");
    if (rc == ZF_ENOTFOUND)
        return zf_error_set(err, ZF_EINVAL, "unknown setting %s", key); /* the caller's slip */
    return rc;
}

void cli_cfg_free(cli_cfg *cfg)
{
#define CLI_X_FREE(f, k, env, def, help)                                                           \
    free(cfg->f);                                                                                  \
    cfg->f = NULL;
    CLI_CFG_MAP(CLI_X_FREE)
#undef CLI_X_FREE
}
