/*
 * OAuth protocol checks with no emulator state: secret comparison, PKCE
 * (RFC 7636), redirect URI matching, HTTP Basic client credentials, HTML
 * escaping and the scope descriptions of the consent page.
 *
 * Secrets are compared through their SHA-256 digests with CRYPTO_memcmp, so
 * neither their content nor their length shows in the timing.
 */
#include "oauth.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sim_oauth_secret_eq(const char *a, const char *b)
{
    unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
    if (!a || !b)
        return 0;
    SHA256((const unsigned char *)a, strlen(a), da);
    SHA256((const unsigned char *)b, strlen(b), db);
    return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

void sim_oauth_sha256_hex(const char *s, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)s, strlen(s), d);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = '\0';
}

void sim_oauth_secret_free(char *p)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, strlen(p));
    free(p);
}

static int unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

int sim_oauth_pkce_verifier_ok(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (n < 43 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!unreserved((unsigned char)v[i]))
            return 0;
    return 1;
}

int sim_oauth_pkce_challenge_ok(const char *method, const char *challenge)
{
    if (!challenge)
        return 0;
    if (strcmp(method, "plain") == 0)
        return sim_oauth_pkce_verifier_ok(challenge);
    if (strcmp(method, "S256") != 0 || strlen(challenge) != 43)
        return 0;
    for (const char *p = challenge; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return 1;
}

void sim_oauth_pkce_s256(const char *verifier, char out[44])
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)verifier, strlen(verifier), d);
    size_t o = 0;
    for (size_t i = 0; i < sizeof d; i += 3) {
        uint32_t w = (uint32_t)d[i] << 16;
        size_t left = sizeof d - i;
        if (left > 1)
            w |= (uint32_t)d[i + 1] << 8;
        if (left > 2)
            w |= d[i + 2];
        out[o++] = abc[(w >> 18) & 63];
        out[o++] = abc[(w >> 12) & 63];
        if (left > 1)
            out[o++] = abc[(w >> 6) & 63];
        if (left > 2)
            out[o++] = abc[w & 63];
    }
    out[o] = '\0'; /* 32 bytes -> 43 characters, no padding */
}

int sim_oauth_pkce_verify(const char *method, const char *challenge, const char *verifier)
{
    if (!challenge || !sim_oauth_pkce_verifier_ok(verifier))
        return 0;
    if (strcmp(method, "plain") == 0)
        return sim_oauth_secret_eq(challenge, verifier);
    if (strcmp(method, "S256") != 0)
        return 0;
    char want[44];
    sim_oauth_pkce_s256(verifier, want);
    return sim_oauth_secret_eq(challenge, want);
}

/* --- redirect URIs */

/* Splits "scheme://host[:port]rest": lengths of "scheme://host" and of the
 * port (0 when absent), and where rest starts. */
typedef struct uri_parts {
    size_t prefix_len; /* "http://host" */
    const char *host;
    size_t host_len;
    const char *port; /* after ':' or NULL */
    size_t port_len;
    const char *rest; /* "/path?query" or "" */
} uri_parts;

/* false when uri is not http(s) or has no host (uri_split). */
static bool uri_split(const char *uri, uri_parts *u)
{
    const char *p;
    if (strncmp(uri, "http://", 7) == 0)
        p = uri + 7;
    else if (strncmp(uri, "https://", 8) == 0)
        p = uri + 8;
    else
        return false;
    u->host = p;
    if (*p == '[') { /* IPv6 literal */
        const char *e = strchr(p, ']');
        if (!e)
            return false;
        p = e + 1;
    } else {
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#')
            p++;
    }
    u->host_len = (size_t)(p - u->host);
    u->prefix_len = (size_t)(p - uri);
    u->port = NULL;
    u->port_len = 0;
    if (*p == ':') {
        u->port = ++p;
        while (*p && *p != '/' && *p != '?' && *p != '#')
            p++;
        u->port_len = (size_t)(p - u->port);
    }
    u->rest = p;
    return u->host_len != 0;
}

static int is_loopback(const char *host, size_t len)
{
    static const char *const names[] = {"127.0.0.1", "localhost", "[::1]", NULL};
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == len && strncasecmp(host, names[i], len) == 0)
            return 1;
    return 0;
}

static int star_port(const uri_parts *u)
{
    return u->port && u->port_len == 1 && u->port[0] == '*';
}

int sim_oauth_redirect_match(const char *registered, const char *given)
{
    uri_parts r, g;
    if (!registered || !given)
        return 0;
    if (!uri_split(registered, &r) || !star_port(&r) || !is_loopback(r.host, r.host_len))
        return strcmp(registered, given) == 0;
    if (!uri_split(given, &g) || !g.port || g.port_len < 1 || g.port_len > 5)
        return 0;
    if (g.prefix_len != r.prefix_len || strncmp(registered, given, r.prefix_len) != 0)
        return 0;
    long port = 0;
    for (size_t i = 0; i < g.port_len; i++) {
        if (!isdigit((unsigned char)g.port[i]))
            return 0;
        port = port * 10 + (g.port[i] - '0');
    }
    return port >= 1 && port <= 65535 && strcmp(r.rest, g.rest) == 0;
}

int sim_oauth_redirect_check(const char *uri, char *err, size_t errlen)
{
    uri_parts u;
    size_t n = strlen(uri);
    const char *why = NULL;
    if (n > SIM_OAUTH_MAX_REDIRECT)
        why = "it is longer than 512 bytes";
    else if (!uri_split(uri, &u))
        why = "it must be an absolute http:// or https:// URL with a host";
    else if (strchr(uri, '#'))
        why = "a redirect URI cannot have a #fragment (RFC 6749 §3.1.2)";
    else if (star_port(&u) && !is_loopback(u.host, u.host_len))
        why = "a '*' port is only allowed on a loopback host (127.0.0.1, localhost, [::1])";
    else if (strchr(uri, '*') && !star_port(&u))
        why = "'*' is only allowed as the whole port, e.g. http://127.0.0.1:*/callback";
    if (!why && u.port && !star_port(&u)) {
        int ok = u.port_len >= 1 && u.port_len <= 5;
        for (size_t i = 0; ok && i < u.port_len; i++)
            ok = isdigit((unsigned char)u.port[i]);
        if (!ok)
            why = "the port must be a number or '*' (loopback hosts only)";
    }
    for (const unsigned char *p = (const unsigned char *)uri; !why && *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            why = "it contains a space or control character; percent-encode it";
    if (why) {
        snprintf(err, errlen, "redirect URI '%.200s': %s", uri, why);
        return ZF_EVALIDATION;
    }
    return 0;
}

/* --- HTTP Basic */

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Standard base64, padding optional; NULL on any other character. */
static char *b64_decode(const char *s, size_t len)
{
    while (len && s[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return NULL;
    char *out = malloc(len * 3 / 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0) {
            OPENSSL_cleanse(out, o); /* not NUL-terminated yet */
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    if (memchr(out, '\0', o)) { /* an embedded NUL would truncate the id */
        OPENSSL_cleanse(out, o);
        free(out);
        return NULL;
    }
    return out;
}

/* RFC 6749 §2.3.1: id and secret are each application/x-www-form-urlencoded
 * before they are joined by ':' and base64'd, so both are form-decoded here
 * ("%2B" is '+', '+' is a space). A raw ':' after the first one stays part
 * of the secret. A bad escape, or one that decodes to NUL, is malformed. */
static char *form_part(const char *s, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++)
        if (s[i] == '%' && s[i + 1] == '0' && s[i + 2] == '0')
            return NULL;
    return sim_urldecode(s, len, 1);
}

int sim_oauth_basic_parse(const char *header, char **id, char **secret)
{
    *id = *secret = NULL;
    if (!header || strncasecmp(header, "Basic", 5) != 0 || (header[5] != ' ' && header[5] != '\t'))
        return ZF_EPARSE;
    const char *p = header + 5;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    char *plain = len ? b64_decode(p, len) : NULL;
    char *colon = plain ? strchr(plain, ':') : NULL;
    if (!colon || colon == plain) {
        sim_oauth_secret_free(plain);
        return ZF_EPARSE;
    }
    *id = form_part(plain, (size_t)(colon - plain));
    *secret = form_part(colon + 1, strlen(colon + 1));
    sim_oauth_secret_free(plain);
    if (!*id || !*secret || !**id) {
        free(*id);
        sim_oauth_secret_free(*secret);
        *id = *secret = NULL;
        return ZF_EPARSE;
    }
    return 0;
}

void sim_oauth_html_escape(zf_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            zf_buf_puts(b, "&amp;");
            break;
        case '<':
            zf_buf_puts(b, "&lt;");
            break;
        case '>':
            zf_buf_puts(b, "&gt;");
            break;
        case '"':
            zf_buf_puts(b, "&quot;");
            break;
        case '\'':
            zf_buf_puts(b, "&#39;");
            break;
        default:
            zf_buf_putc(b, *s);
        }
    }
}

static const struct {
    const char *scope, *desc;
} scope_descs[] = {
    {"meeting:read:list_meetings:admin", "List the meetings of any user on the account"},
    {"meeting:read:meeting:admin", "View the details of any meeting on the account"},
    {"meeting:write:meeting:admin", "Create meetings for any user on the account"},
    {"meeting:read:list_registrants:admin", "List the registrants of any meeting"},
    {"meeting:write:registrant:admin", "Register people for any meeting"},
    {"user:read:list_users:admin", "List the users of the account"},
    {"user:read:user:admin", "View the profile of any user on the account"},
    {"user:read:settings:admin", "View the settings of any user on the account"},
    {"user:write:user:admin", "Create users on the account"},
    {"cloud_recording:read:list_recording_files:admin",
     "List and download the cloud recordings of any meeting"},
    {"contact:read:list_contacts:admin", "Search the company's contacts"},
    {NULL, NULL},
};

const char *sim_oauth_scope_desc(const char *scope)
{
    for (int i = 0; scope_descs[i].scope; i++)
        if (strcmp(scope_descs[i].scope, scope) == 0)
            return scope_descs[i].desc;
    return strstr(scope, ":write:") ? "Change data covered by this scope"
                                    : "Read data covered by this scope";
}
