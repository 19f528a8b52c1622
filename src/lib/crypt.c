/*
 * Secrets at rest (AES-256-GCM) and the small crypto helpers.
 *
 * Guarantees:
 *  - the master key comes from ZOOMFLOW_MASTER_KEY when set (an empty value
 *    counts as unset), else from the key file; a malformed key is ZF_ECONFIG
 *    and the message never echoes the key material;
 *  - a missing key file is created atomically: fresh random bytes are
 *    written to a temporary file opened O_CREAT|O_EXCL with mode 0600 and
 *    then link()ed into place, so a reader sees either no file or a whole
 *    key, and two processes racing agree on one key (the loser reads the
 *    winner's); a missing directory is created 0700;
 *  - an existing key file readable or writable by group/other, or not a
 *    regular file, is refused;
 *  - every sealed value has its own random 96-bit nonce; opening checks the
 *    key id first (wrong key: a message naming both ids), then the GCM tag
 *    over ciphertext and aad (any flipped byte or another aad: ZF_ECRYPT);
 *  - key bytes and plaintext scratch copies are wiped after use.
 */
#include "zoomflow/crypt.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define KEY_ID_LEN 10 /* "k:" + 8 hex */
#define SEALED_PREFIX "zf1:"
#define SEALED_MAX ((size_t)1 << 20) /* plaintexts are tokens and secrets */
#define KEY_FILE_MAX 256

struct zf_crypt {
    unsigned char key[KEY_LEN];
    char key_id[KEY_ID_LEN + 1];
};

/* ---- helpers ---------------------------------------------------------- */

int zf_random_bytes(void *out, size_t n)
{
    if (n > (size_t)0x7fffffff || RAND_bytes(out, (int)n) != 1)
        return ZF_EIO;
    return 0;
}

int zf_random_token(char *out, size_t nchars_plus_nul)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if (!out || nchars_plus_nul == 0)
        return ZF_EINVAL;
    size_t n = nchars_plus_nul - 1;
    if (zf_random_bytes(out, n) != 0)
        return ZF_EIO;
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[(unsigned char)out[i] & 63]; /* 256 % 64 == 0: uniform */
    out[n] = '\0';
    return 0;
}

void zf_sha256(const void *data, size_t len, unsigned char out[32])
{
    SHA256(data, len, out);
}

void zf_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
                    unsigned char out[32])
{
    unsigned int outlen = 32;
    HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &outlen);
}

void zf_hex(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void zf_base64url(const unsigned char *in, size_t n, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = b64[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = b64[v & 63];
    }
    out[o] = '\0';
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decodes standard or url-safe base64, padding optional. Returns the byte
 * count, or -1 when s is not base64 or would not fit in max bytes. */
static long b64decode(const char *s, size_t len, unsigned char *out, size_t max)
{
    while (len && s[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return -1;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == max)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (acc & ((1u << bits) - 1))
        return -1; /* non-canonical: leftover bits must be zero */
    return (long)o;
}

long zf_base64_decode(const char *s, size_t len, unsigned char *out, size_t max)
{
    return b64decode(s, len, out, max);
}

static void b64encode(const unsigned char *in, size_t n, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* ---- the key ---------------------------------------------------------- */

/* 64 hex characters or base64 of exactly 32 bytes, surrounding whitespace
 * ignored. false when s is neither. */
static bool parse_key(const char *s, size_t len, unsigned char key[KEY_LEN])
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 2 * KEY_LEN) {
        int ok = 1;
        for (size_t i = 0; i < KEY_LEN && ok; i++) {
            int hi = zf_hexval((unsigned char)s[2 * i]),
                lo = zf_hexval((unsigned char)s[2 * i + 1]);
            ok = hi >= 0 && lo >= 0;
            if (ok)
                key[i] = (unsigned char)(hi << 4 | lo);
        }
        if (ok)
            return true;
    }
    unsigned char tmp[KEY_LEN + 3];
    long n = b64decode(s, len, tmp, sizeof tmp);
    bool ok = n == KEY_LEN;
    if (ok)
        memcpy(key, tmp, KEY_LEN);
    OPENSSL_cleanse(tmp, sizeof tmp);
    return ok;
}

static void make_key_id(zf_crypt *c)
{
    static const char label[] = "zoomflow key id v1:";
    unsigned char h[32];
    unsigned char in[sizeof label - 1 + KEY_LEN];
    memcpy(in, label, sizeof label - 1);
    memcpy(in + sizeof label - 1, c->key, KEY_LEN);
    zf_sha256(in, sizeof in, h);
    OPENSSL_cleanse(in, sizeof in);
    c->key_id[0] = 'k';
    c->key_id[1] = ':';
    zf_hex(h, 4, c->key_id + 2);
}

static int key_from_env(zf_crypt *c, const char *v, zf_error *err)
{
    if (parse_key(v, strlen(v), c->key))
        return 0;
    zf_error_set(err, ZF_ECONFIG,
                 "ZOOMFLOW_MASTER_KEY is malformed (%zu characters): it must be 64 hex "
                 "characters or the base64 of exactly 32 bytes",
                 strlen(v));
    zf_error_hint_id(err, ZF_HINT_SET_MASTER_KEY,
                     "generate a key with `openssl rand -hex 32`; "
                     "keep the same key for as long as stored secrets must stay readable");
    return ZF_ECONFIG;
}

/* Creates every missing directory of path's parent with mode 0700. */
static int make_parent_dirs(const char *path, zf_error *err)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return zf_error_set(err, ZF_ECONFIG, "key file path is too long: %.64s...", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return zf_error_set(err, ZF_EIO, "cannot create directory %s for the key file: %s", dir,
                                strerror(errno));
        *p = saved;
        if (!saved)
            return 0;
    }
}

/* false with errno set when fd took fewer than n bytes. */
static bool write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

/* Writes a fresh key to path.tmp.<pid> (O_EXCL, 0600), then link()s it to
 * path. Returns 0, 1 when another process won the race (read its key), or
 * a negative code. */
static int create_key_file(zf_crypt *c, const char *path, zf_error *err)
{
    int rc = make_parent_dirs(path, err);
    if (rc != 0)
        return rc;
    char tmp[4200], text[2 * KEY_LEN + 2];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (zf_random_bytes(c->key, KEY_LEN) != 0)
        return zf_error_set(err, ZF_EIO, "cannot get random bytes for a new master key");
    zf_hex(c->key, KEY_LEN, text);
    text[2 * KEY_LEN] = '\n';
    unlink(tmp); /* a stale one of ours from a crash */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = zf_error_set(err, ZF_EIO, "cannot create key file %s: %s", tmp, strerror(errno));
        goto done;
    }
    if (fchmod(fd, 0600) != 0 || !write_all(fd, text, 2 * KEY_LEN + 1) || fsync(fd) != 0) {
        rc = zf_error_set(err, ZF_EIO, "cannot write key file %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto done;
    }
    close(fd);
    if (link(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        if (e == EEXIST) {
            rc = 1;
            goto done;
        }
        rc = zf_error_set(err, ZF_EIO, "cannot create key file %s: %s", path, strerror(e));
        goto done;
    }
    unlink(tmp);
    rc = 0;
done:
    OPENSSL_cleanse(text, sizeof text);
    return rc;
}

/* systemd hands a service its credentials (LoadCredential=) in
 * $CREDENTIALS_DIRECTORY, a private mount, as root-owned 0400 files with an
 * ACL for the service's user where the file system has ACLs; stat then shows
 * the ACL mask as group read (0440). A file directly in that directory, owned
 * by root or by us, readable by no one else and writable by no one, is the
 * credential as systemd made it. */
static int in_credentials_dir(const char *path, const struct stat *st)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir || (st->st_mode & 0137) != 0)
        return 0;
    if (st->st_uid != 0 && st->st_uid != geteuid())
        return 0;
    char *real_dir = realpath(dir, NULL), *real_path = realpath(path, NULL);
    int ok = 0;
    if (real_dir && real_path) {
        size_t n = strlen(real_dir);
        const char *slash = strrchr(real_path, '/');
        ok = strncmp(real_path, real_dir, n) == 0 && slash == real_path + n;
    }
    free(real_dir);
    free(real_path);
    return ok;
}

static int read_key_file(zf_crypt *c, const char *path, zf_error *err)
{
    char text[KEY_FILE_MAX + 1];
    int rc = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1
                               : zf_error_set(err, ZF_ECONFIG, "cannot open key file %s: %s", path,
                                              strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = zf_error_set(err, ZF_ECONFIG, "key file %s is not a regular file", path);
        goto done;
    }
    if ((st.st_mode & 077) && !in_credentials_dir(path, &st)) {
        rc = zf_error_set(err, ZF_ECONFIG,
                          "key file %s has mode %04o: other users may read the master key", path,
                          (unsigned)(st.st_mode & 07777));
        zf_error_hint_id(err, ZF_HINT_KEY_FILE_MODE,
                         "run `chmod 600 %s` (and check who may "
                         "have copied it)",
                         path);
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, path);
        goto done;
    }
    ssize_t n = read(fd, text, KEY_FILE_MAX + 1);
    if (n < 0 || n > KEY_FILE_MAX || !parse_key(text, (size_t)n, c->key)) {
        rc = zf_error_set(err, ZF_ECONFIG,
                          "key file %s does not hold a key (64 hex characters or base64 of "
                          "32 bytes)",
                          path);
        zf_error_hint_id(err, ZF_HINT_RESTORE_MASTER_KEY,
                         "restore the key file from your "
                         "backup; a new key cannot read secrets stored under the old one");
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, path);
    }
done:
    OPENSSL_cleanse(text, sizeof text);
    close(fd);
    return rc;
}

static int key_from_file(zf_crypt *c, const char *path, zf_error *err)
{
    int rc = read_key_file(c, path, err);
    if (rc != 1)
        return rc;
    rc = create_key_file(c, path, err);
    if (rc != 1)
        return rc;
    rc = read_key_file(c, path, err); /* another process created it first */
    return rc == 1 ? zf_error_set(err, ZF_EIO, "key file %s vanished while opening it", path) : rc;
}

int zf_crypt_new(zf_crypt **out, const char *key_file, zf_error *err)
{
    if (!out)
        return zf_error_set(err, ZF_EINVAL, "zf_crypt_new: output needed");
    *out = NULL;
    zf_crypt *c = calloc(1, sizeof *c);
    if (!c)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    const char *env = getenv("ZOOMFLOW_MASTER_KEY");
    int rc;
    if (env && *env)
        rc = key_from_env(c, env, err);
    else if (key_file && *key_file)
        rc = key_from_file(c, key_file, err);
    else {
        rc = zf_error_set(err, ZF_ECONFIG,
                          "no master key: ZOOMFLOW_MASTER_KEY is not set and "
                          "no key file was given");
        zf_error_hint_id(err, ZF_HINT_SET_MASTER_KEY, NULL);
    }
    if (rc != 0) {
        zf_crypt_free(c);
        return rc;
    }
    make_key_id(c);
    *out = c;
    return 0;
}

void zf_crypt_free(zf_crypt *c)
{
    if (!c)
        return;
    OPENSSL_cleanse(c, sizeof *c);
    free(c);
}

const char *zf_crypt_key_id(const zf_crypt *c)
{
    return c ? c->key_id : "";
}

/* ---- seal / open ------------------------------------------------------ */

/* One GCM pass. enc: in -> out and tag written; dec: tag checked. */
static int gcm(const zf_crypt *c, int enc, const unsigned char *nonce, const char *aad,
               const unsigned char *in, size_t n, unsigned char *out, unsigned char *tag)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int ok = 0, len = 0;
    if (!x || n > (size_t)0x7fffffff)
        goto done;
    if (EVP_CipherInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(x, NULL, NULL, c->key, nonce, enc) != 1)
        goto done;
    if (aad && *aad &&
        EVP_CipherUpdate(x, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1)
        goto done;
    if (n && EVP_CipherUpdate(x, out, &len, in, (int)n) != 1)
        goto done;
    if (!enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1)
        goto done;
    if (EVP_CipherFinal_ex(x, out + len, &len) != 1)
        goto done;
    if (enc && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1)
        goto done;
    ok = 1;
done:
    EVP_CIPHER_CTX_free(x);
    return ok;
}

int zf_crypt_seal(zf_crypt *c, const void *plain, size_t len, const char *aad, char **out,
                  zf_error *err)
{
    if (!c || !out || (!plain && len))
        return zf_error_set(err, ZF_EINVAL, "zf_crypt_seal: key, value and output needed");
    *out = NULL;
    if (len > SEALED_MAX)
        return zf_error_set(err, ZF_ETOOBIG, "secret of %zu bytes is too large to store", len);
    size_t raw_len = NONCE_LEN + len + TAG_LEN;
    unsigned char *raw = malloc(raw_len);
    size_t text_len = sizeof SEALED_PREFIX + KEY_ID_LEN + 1 + 4 * ((raw_len + 2) / 3) + 1;
    char *text = malloc(text_len);
    int rc = 0;
    if (!raw || !text) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    if (zf_random_bytes(raw, NONCE_LEN) != 0 ||
        !gcm(c, 1, raw, aad, plain, len, raw + NONCE_LEN, raw + NONCE_LEN + len)) {
        rc = zf_error_set(err, ZF_ECRYPT, "cannot encrypt: OpenSSL AES-256-GCM failed");
        goto done;
    }
    int n = snprintf(text, text_len, "%s%s:", SEALED_PREFIX, c->key_id);
    b64encode(raw, raw_len, text + n);
    *out = text;
    text = NULL;
done:
    free(text);
    if (raw)
        OPENSSL_cleanse(raw, raw_len);
    free(raw);
    return rc;
}

static int not_sealed(zf_error *err, const char *aad)
{
    zf_error_set(err, ZF_ECRYPT, "stored secret %s is not a zoomflow sealed value (zf1:...)",
                 aad && *aad ? aad : "(no aad)");
    zf_error_hint_id(err, ZF_HINT_RECONNECT,
                     "the stored value was damaged or written by "
                     "something else; reconnect the Zoom connection to store it again");
    return ZF_ECRYPT;
}

int zf_crypt_open(zf_crypt *c, const char *sealed, const char *aad, zf_secret *out, zf_error *err)
{
    if (!c || !out)
        return zf_error_set(err, ZF_EINVAL, "zf_crypt_open: key and output needed");
    size_t plen = sizeof SEALED_PREFIX - 1;
    size_t slen = sealed ? strlen(sealed) : 0;
    if (slen < plen + KEY_ID_LEN + 1 || memcmp(sealed, SEALED_PREFIX, plen) != 0 ||
        sealed[plen + KEY_ID_LEN] != ':' || slen > 2 * SEALED_MAX)
        return not_sealed(err, aad);
    const char *kid = sealed + plen, *b64 = kid + KEY_ID_LEN + 1;
    if (memcmp(kid, c->key_id, KEY_ID_LEN) != 0) {
        zf_error_set(err, ZF_ECRYPT,
                     "stored secret %s was sealed with master key %.*s, but the current key "
                     "is %s",
                     aad && *aad ? aad : "(no aad)", KEY_ID_LEN, kid, c->key_id);
        zf_error_hint_id(err, ZF_HINT_RESTORE_MASTER_KEY,
                         "set ZOOMFLOW_MASTER_KEY or restore "
                         "the key file that holds key %.*s; or reconnect the Zoom connection "
                         "to store new secrets under %s",
                         KEY_ID_LEN, kid, c->key_id);
        snprintf(err->hint_arg[ZF_HINT_ARG_VALUE], sizeof err->hint_arg[0], "%.*s", KEY_ID_LEN,
                 kid);
        return ZF_ECRYPT;
    }
    size_t b64_len = slen - (size_t)(b64 - sealed);
    size_t cap = b64_len / 4 * 3 + 3;
    unsigned char *raw = malloc(cap);
    unsigned char *plain = malloc(cap + 1);
    int rc = 0;
    long n = raw ? b64decode(b64, b64_len, raw, cap) : -1;
    if (!raw || !plain) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
        goto done;
    }
    if (n < NONCE_LEN + TAG_LEN) {
        rc = not_sealed(err, aad);
        goto done;
    }
    size_t clen = (size_t)n - NONCE_LEN - TAG_LEN;
    if (!gcm(c, 0, raw, aad, raw + NONCE_LEN, clen, plain, raw + NONCE_LEN + clen)) {
        rc = zf_error_set(err, ZF_ECRYPT,
                          "stored secret %s failed its integrity check: it was altered, or "
                          "was sealed for another place (aad)",
                          aad && *aad ? aad : "(no aad)");
        zf_error_hint_id(err, ZF_HINT_RECONNECT,
                         "reconnect the Zoom connection to replace "
                         "it; if this repeats, check who can write to the store");
        goto done;
    }
    if (zf_secret_set(out, (const char *)plain, clen) != 0)
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory");
done:
    if (plain)
        OPENSSL_cleanse(plain, cap + 1);
    free(plain);
    free(raw);
    return rc;
}
