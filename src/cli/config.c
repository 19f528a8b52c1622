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

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CFG_MAX_FILE (1u << 20)
#define CFG_MAX_LINE 4096

const char *cli_origin_name(cli_origin o)
{
    static const char *const names[] = {"default", "config file", "environment", "flag"};
    return names[o];
}

static int set_value(char **slot, cli_origin *from, cli_origin origin, const char *v,
                     size_t len)
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

static int set_key(cli_cfg *cfg, const char *key, size_t klen, const char *v, size_t vlen,
                   cli_origin origin)
{
#define CLI_X_SET(f, k, env, def, help)                                                  \
    if (klen == strlen(k) && memcmp(key, k, klen) == 0)                                  \
        return set_value(&cfg->f, &cfg->f##_from, origin, v, vlen);
    CLI_CFG_MAP(CLI_X_SET)
#undef CLI_X_SET
    return ZF_ENOTFOUND;
}

static const char *known_keys(void)
{
    return "db, key_file, oauth_base, api_base, authorize_endpoint, token_endpoint, "
           "revoke_endpoint, client_id, client_secret_file, account_id, redirect_uri, "
           "ca_file, timeout";
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

int cli_cfg_parse(const char *text, size_t len, const char *profile, cli_cfg *cfg,
                  zf_error *err)
{
    const char *p = text, *end = text + len;
    int lineno = 0, in_profile = 0;
    size_t plen = strlen(profile);
    if (len > CFG_MAX_FILE)
        return zf_error_set(err, ZF_ECONFIG, "config file is larger than %u bytes",
                            CFG_MAX_FILE);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (e - s > CFG_MAX_LINE)
            return zf_error_set(err, ZF_ECONFIG, "config line %d is longer than %u bytes",
                                lineno, CFG_MAX_LINE);
        if (memchr(s, '\0', (size_t)(e - s)))
            return zf_error_set(err, ZF_ECONFIG, "config line %d contains a NUL byte", lineno);
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            if (e[-1] != ']' || e - s < 3) {
                zf_error_set(err, ZF_ECONFIG, "config line %d: a section header is [NAME]",
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
            zf_error_set(err, ZF_ECONFIG, "config line %d: expected key = value", lineno);
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
        if (!in_profile) {
            /* keys of other profiles are still checked, so typos surface */
            cli_cfg scratch;
            memset(&scratch, 0, sizeof scratch);
            int rc = set_key(&scratch, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs),
                             CLI_FROM_FILE);
            cli_cfg_free(&scratch);
            if (rc == ZF_ENOTFOUND)
                goto unknown;
            continue;
        }
        int rc = set_key(cfg, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), CLI_FROM_FILE);
        if (rc == ZF_ENOTFOUND)
            goto unknown;
        if (rc)
            return zf_error_set(err, rc, "out of memory reading the config file");
        continue;
    unknown:
        zf_error_set(err, ZF_ECONFIG, "config line %d: unknown key '%.*s'", lineno,
                     (int)(ke - ks > 64 ? 64 : ke - ks), ks);
        zf_error_hint(err, "known keys: %s", known_keys());
        return ZF_ECONFIG;
    }
    return 0;
}

static int xdg_dir(const char *env, const char *fallback, zf_buf *out)
{
    const char *x = getenv(env), *home = getenv("HOME");
    zf_buf_reset(out);
    if (x && x[0] == '/')
        zf_buf_appendf(out, "%s/zoomflow", x);
    else if (home && home[0])
        zf_buf_appendf(out, "%s/%s/zoomflow", home, fallback);
    else
        return ZF_ECONFIG;
    return out->failed ? ZF_ENOMEM : 0;
}

int cli_config_dir(zf_buf *out)
{
    return xdg_dir("XDG_CONFIG_HOME", ".config", out);
}

int cli_data_dir(zf_buf *out)
{
    return xdg_dir("XDG_DATA_HOME", ".local/share", out);
}

int cli_read_file(const char *path, size_t max, zf_buf *out, zf_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return zf_error_set(err, ZF_EIO, "cannot open %s: %s", path, strerror(errno));
    char tmp[8192];
    size_t n;
    zf_buf_init(out, max);
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        zf_buf_append(out, tmp, n);
    int bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad)
        return zf_error_set(err, ZF_EIO, "cannot read %s", path);
    if (out->failed)
        return zf_error_set(err, ZF_EINVAL, "%s is larger than %zu bytes", path, max);
    return 0;
}

int cli_cfg_load(cli_cfg *cfg, zf_error *err)
{
#define CLI_X_DEF(f, k, env, def, help)                                                  \
    if (!cfg->f && def && set_value(&cfg->f, &cfg->f##_from, CLI_FROM_DEFAULT, def,        \
                                    strlen(def ? def : "")))                              \
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
    struct stat st;
    if (path.len && stat(path.ptr, &st) == 0) {
        zf_buf text;
        rc = cli_read_file(path.ptr, CFG_MAX_FILE, &text, err);
        if (rc == 0) {
            rc = cli_cfg_parse(text.ptr ? text.ptr : "", text.len, cfg->profile, cfg, err);
            if (rc)
                zf_error_hint(err, "fix %s (%s)", path.ptr, err->hint[0] ? err->hint : "");
        }
        zf_buf_free(&text);
    } else if (explicit_path) {
        rc = zf_error_set(err, ZF_ECONFIG, "config file %s does not exist", path.ptr);
        zf_error_hint(err, "create it or drop --config / ZOOMFLOW_CONFIG");
    }
    zf_buf_free(&path);
    if (rc)
        return rc;
#define CLI_X_ENV(f, k, env, def, help)                                                  \
    {                                                                                    \
        const char *v = getenv(env);                                                     \
        if (v && v[0] && set_value(&cfg->f, &cfg->f##_from, CLI_FROM_ENV, v, strlen(v))) \
            return zf_error_set(err, ZF_ENOMEM, "out of memory");                          \
    }
    CLI_CFG_MAP(CLI_X_ENV)
#undef CLI_X_ENV
    return 0;
}

int cli_cfg_set_flag(cli_cfg *cfg, const char *key, const char *value, zf_error *err)
{
    int rc = set_key(cfg, key, strlen(key), value, strlen(value), CLI_FROM_FLAG);
    if (rc == ZF_ENOTFOUND)
        return zf_error_set(err, ZF_EINVAL, "unknown setting %s", key);
    return rc;
}

void cli_cfg_free(cli_cfg *cfg)
{
#define CLI_X_FREE(f, k, env, def, help) free(cfg->f); cfg->f = NULL;
    CLI_CFG_MAP(CLI_X_FREE)
#undef CLI_X_FREE
}
