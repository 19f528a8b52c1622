/*
 * next_page_token: a stateless, signed cursor. The token carries where the
 * next page starts (pos, extra) and its expiry in sim time, plus an HMAC
 * over those and the list's `key` (path + filters) under a secret drawn at
 * every reset. So a token replayed with other query parameters, altered,
 * issued before a reset or older than SIM_PAGE_TOKEN_TTL is refused, as
 * Zoom refuses it, and serving pages costs no memory however fast a client
 * pages (a stored-cursor table grew by every page for 15 minutes).
 *
 * Layout (24 bytes, base64url: 32 characters):
 *   pos u32 | extra u32 | expires_at u32 | HMAC-SHA256 truncated to 12
 */
#include "sim.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#define TOK_RAW 24
#define MAC_LEN 12

struct sim_paging {
    unsigned char secret[32];
};

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void mac(const struct sim_paging *pg, const char *key, const unsigned char *fields,
                unsigned char out[MAC_LEN])
{
    unsigned char full[32];
    unsigned int n = sizeof full;
    zf_buf msg = ZF_BUF_INIT(1 << 16);
    zf_buf_append(&msg, fields, TOK_RAW - MAC_LEN);
    zf_buf_append(&msg, key, strlen(key) + 1);
    if (msg.failed || !HMAC(EVP_sha256(), pg->secret, sizeof pg->secret,
                            (const unsigned char *)msg.ptr, msg.len, full, &n))
        abort();
    zf_buf_free(&msg);
    memcpy(out, full, MAC_LEN);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void encode(const unsigned char in[TOK_RAW], char out[33])
{
    for (int i = 0, o = 0; i < TOK_RAW; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = b64[v >> 6 & 63];
        out[o++] = b64[v & 63];
    }
    out[32] = '\0';
}

/* false when s is not 32 characters of the token alphabet */
static bool decode(const char *s, unsigned char out[TOK_RAW])
{
    if (strlen(s) != 32)
        return false;
    for (int i = 0, o = 0; i < 32; i += 4) {
        uint32_t v = 0;
        for (int k = 0; k < 4; k++) {
            const char *c = strchr(b64, s[i + k]);
            if (!c || !s[i + k])
                return false;
            v = v << 6 | (uint32_t)(c - b64);
        }
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    return true;
}

void sim_paging_put(sim *s, const char *key, uint64_t pos, uint64_t extra, char out[33])
{
    unsigned char raw[TOK_RAW];
    out[0] = '\0';
    if (pos > UINT32_MAX || extra > UINT32_MAX)
        return;
    put32(raw, (uint32_t)pos);
    put32(raw + 4, (uint32_t)extra);
    put32(raw + 8, (uint32_t)(sim_now(s) + SIM_PAGE_TOKEN_TTL));
    mac(s->paging, key, raw, raw + TOK_RAW - MAC_LEN);
    encode(raw, out);
}

bool sim_paging_get(sim *s, const char *token, const char *key, uint64_t *pos, uint64_t *extra)
{
    unsigned char raw[TOK_RAW], want[MAC_LEN];
    if (!decode(token, raw))
        return false;
    mac(s->paging, key, raw, want);
    if (CRYPTO_memcmp(want, raw + TOK_RAW - MAC_LEN, MAC_LEN) != 0)
        return false;
    if ((int64_t)get32(raw + 8) <= sim_now(s))
        return false;
    *pos = get32(raw);
    *extra = get32(raw + 4);
    return true;
}

int sim_page_start(sim *s, sim_resp *rs, const char *token, const char *key, long page_size,
                   long page_number, sim_page *pg)
{
    memset(pg, 0, sizeof *pg);
    if (token && *token) {
        if (!sim_paging_get(s, token, key, &pg->pos, &pg->offset)) {
            sim_error(rs, 400, 300, "The next page token is invalid or expired.");
            return ZF_EVALIDATION;
        }
        pg->number = (long)(pg->offset / (uint64_t)page_size) + 1;
    } else {
        pg->offset = (uint64_t)(page_number - 1) * (uint64_t)page_size;
        pg->skip = (size_t)pg->offset;
        pg->number = page_number;
    }
    return 0;
}

void sim_page_next(sim *s, const char *key, const sim_page *pg, size_t end, size_t got,
                   size_t total, long page_size, char next[33])
{
    next[0] = '\0';
    if (pg->offset + got < total && got == (size_t)page_size)
        sim_paging_put(s, key, end, pg->offset + got, next);
}

static int paging_init(sim *s)
{
    s->paging = calloc(1, sizeof *s->paging);
    return s->paging ? 0 : ZF_ENOMEM;
}

static void paging_reset(sim *s)
{
    if (RAND_bytes(s->paging->secret, sizeof s->paging->secret) != 1)
        abort();
}

static void paging_destroy(sim *s)
{
    free(s->paging);
    s->paging = NULL;
}

const sim_module sim_mod_paging = {
    "paging", NULL, paging_init, paging_reset, paging_destroy, NULL, NULL,
};
