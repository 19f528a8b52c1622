/*
 * Recordings download (download.h): list, then per file
 *
 *   decide (download_rules.c) --SKIP--> verify hash / add to manifest
 *      |FRESH / RESUME
 *      v
 *   request (Range from the .part's size) --2xx--> stream to .part --> size check
 *      |  401 -> re-list (new token + url)              |ok           |mismatch
 *      |  5xx / transport error -> backoff, resume      v             v
 *      |  416 and .part full -> size check          rename, manifest  ZF_EIO, .part kept
 *      +  200 for a Range -> truncate, write from 0
 *
 * Invariant while a file streams: the bytes in .part up to `off` are the
 * file's first `off` bytes, and `hash` has been handed exactly those bytes,
 * in order (download_hash.h: a thread of its own hashes them, a few write
 * buffers behind the receive path). So a resumed file's SHA-256 costs one
 * read of the .part once, not a second pass over the whole file.
 */
#include "zoomflow/download.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "download_hash.h"
#include "zoom_internal.h"
#include "zoomflow/crypt.h"
#include "zoomflow/json.h"

#define WRITE_CHUNK ZF_DL_HASH_SLOT
#define PATH_MAX_BYTES 4096
#define ERR_BODY_MAX ((size_t)4 << 10)

typedef struct dl_file {
    char name[ZF_DOWNLOAD_NAME_MAX + 1];
    char *id; /* NULL for items Zoom lists without one */
    char *url;
    int64_t listed; /* -1 when the listing gives no file_size */
} dl_file;

typedef struct dl_run {
    const zf_download_opts *o;
    const char *meeting;
    const char *dir;
    int dir_fd; /* held with flock(LOCK_EX) for the whole run */
    zf_http *http;
    char *api_base;
    zf_secret access;   /* the API access token: fallback for downloads */
    zf_secret dl_token; /* the listing's download_access_token */
    dl_file *files;
    int nfiles;
    zf_manifest *manifest;
    uint64_t all_total, all_done;
    zf_download_result res;
} dl_run;

/* One file's streaming state, shared with the sink. */
typedef struct dl_sink {
    dl_run *r;
    dl_file *f;
    int index;
    int fd;
    uint64_t from;      /* the offset asked for in this exchange */
    uint64_t off;       /* bytes of the file on disk and hashed */
    unsigned char *buf; /* the hasher's current slot (WRITE_CHUNK bytes) */
    size_t blen;
    int begun;            /* the first body byte (or the end) of this exchange seen */
    int bad_range;        /* a 206 that does not start where we asked */
    int io_err;           /* errno of a failed write, 0 otherwise */
    int64_t total;        /* the size the server states, -1 unknown */
    int renew;            /* the last 401 may renew the Zoom token (zf_download_may_renew) */
    char refused_by[256]; /* origin of the last 401, "a redirect's target" */
    zf_http_resp *resp;
    zf_dl_hash *hash;
} dl_sink;

static void files_free(dl_run *r)
{
    for (int i = 0; i < r->nfiles; i++) {
        free(r->files[i].id);
        free(r->files[i].url);
    }
    free(r->files);
    r->files = NULL;
    r->nfiles = 0;
}

/* dir/name[suffix] into out (PATH_MAX_BYTES); false when it does not fit. */
static bool join_path(char *out, const char *dir, const char *name, const char *suffix)
{
    int n = snprintf(out, PATH_MAX_BYTES, "%s/%s%s", dir, name, suffix ? suffix : "");
    return n > 0 && n < PATH_MAX_BYTES;
}

/* The output directory leaves no room for a file's path under it. */
static int dir_too_long(const dl_run *r, zf_error *err)
{
    return zf_error_set(err, ZF_EVALIDATION, "directory path %s is too long", r->dir);
}

static void progress(dl_sink *s, zf_download_event ev)
{
    const zf_download_opts *o = s->r->o;
    if (!o->progress)
        return;
    zf_download_progress p = {ev,
                              s->f->name,
                              s->index,
                              s->r->nfiles,
                              s->off + s->blen,
                              s->f->listed > 0 ? (uint64_t)s->f->listed : 0,
                              s->r->all_done + s->off + s->blen,
                              s->r->all_total};
    if (ev == ZF_DL_EV_DONE || ev == ZF_DL_EV_SKIPPED)
        p.all_done = s->r->all_done;
    o->progress(o->progress_ctx, &p);
}

/* ---- listing ---------------------------------------------------------- */

static int parse_file(dl_file *f, const json_t *j, int index, zf_error *err)
{
    const char *url = json_string_value(json_object_get(j, "download_url"));
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *status = json_string_value(json_object_get(j, "status"));
    json_t *size = json_object_get(j, "file_size");
    int rc = zf_download_file_name(f->name, sizeof f->name, j, index);
    if (rc == ZF_EPARSE)
        return zf_error_set(err, ZF_EPARSE, "recording file %d is not a JSON object", index + 1);
    if (rc)
        return zf_error_set(err, ZF_ENOMEM, "out of memory (file name)");
    if (!url || !*url)
        return zf_error_set(err, ZF_EPARSE, "recording file %d (%s) has no download_url", index + 1,
                            f->name);
    if (status && strcmp(status, "completed") != 0) {
        zf_error_set(err, ZF_EBUSY, "recording file %s is still %s at Zoom", f->name, status);
        zf_error_hint_id(err, ZF_HINT_RUN_AGAIN,
                         "Zoom is still processing the recording; run "
                         "the download again in a few minutes");
        return ZF_EBUSY;
    }
    if (size && (!json_is_integer(size) || json_integer_value(size) < 0))
        return zf_error_set(err, ZF_EPARSE,
                            "recording file %s has a file_size that is not "
                            "a non-negative integer",
                            f->name);
    f->listed = size ? (int64_t)json_integer_value(size) : -1;
    f->url = strdup(url);
    f->id = id && *id ? strdup(id) : NULL;
    if (!f->url || (id && *id && !f->id))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    return 0;
}

static int parse_listing(dl_run *r, const json_t *body, zf_error *err)
{
    json_t *arr = json_object_get(body, "recording_files");
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        zf_error_set(err, ZF_ENOTFOUND, "meeting %s has a recording but no files in it",
                     r->meeting);
        zf_error_hint_id(err, ZF_HINT_CHECK_RECORDING,
                         "check the meeting in Zoom's web portal "
                         "(Recordings); files may have been deleted");
        return ZF_ENOTFOUND;
    }
    size_t n = json_array_size(arr);
    if (!(r->files = calloc(n, sizeof *r->files)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    r->nfiles = (int)n;
    r->all_total = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = parse_file(&r->files[i], json_array_get(arr, i), (int)i, err);
        if (rc)
            return rc;
        r->all_total += r->files[i].listed > 0 ? (uint64_t)r->files[i].listed : 0;
    }
    const char *tok = json_string_value(json_object_get(body, "download_access_token"));
    zf_secret_free(&r->dl_token);
    if (tok && *tok && zf_secret_set(&r->dl_token, tok, strlen(tok)) != 0)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    return 0;
}

/* GET /meetings/{id}/recordings?include_fields=download_access_token[&ttl=] */
static int list(dl_run *r, zf_error *err)
{
    zf_buf path = ZF_BUF_INIT(PATH_MAX_BYTES);
    zf_zoom_resp resp;
    zf_zoom_resp_init(&resp);
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%lld", (long long)r->o->ttl);
    zf_zoom_param q[2] = {{"include_fields", "download_access_token"}, {"ttl", ttl}};
    int rc;
    zf_buf_puts(&path, "/meetings/");
    if (zf_zoom_put_segment(&path, r->meeting) != 0 || zf_buf_puts(&path, "/recordings") != 0) {
        rc = zf_error_set(err, ZF_EVALIDATION, "the meeting id is too long (%zu bytes)",
                          strlen(r->meeting));
        goto done;
    }
    zf_zoom_req req = ZF_ZOOM_REQ_INIT;
    req.path = path.ptr;
    req.query = q;
    req.nquery = r->o->ttl > 0 ? 2 : 1;
    req.category = "Light";
    if ((rc = zf_zoom_call(r->o->zoom, &req, &resp, err)) != 0)
        goto done;
    if (!resp.json) {
        rc = zf_error_set(err, ZF_EPARSE, "the recording listing for meeting %s is empty",
                          r->meeting);
        goto done;
    }
    files_free(r);
    rc = parse_listing(r, resp.json, err);
done:
    zf_zoom_resp_free(&resp);
    zf_buf_free(&path);
    return rc;
}

/* ---- files on disk ---------------------------------------------------- */

static int64_t file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return (int64_t)st.st_size;
}

/* Hashes the first `len` bytes of fd (from offset 0) into md; false when
 * they cannot be read (errno set) or memory ran out. */
static bool hash_prefix(int fd, uint64_t len, EVP_MD_CTX *md)
{
    unsigned char *b = malloc(WRITE_CHUNK);
    uint64_t done = 0;
    bool ok = b != NULL;
    while (ok && done < len) {
        size_t want = len - done < WRITE_CHUNK ? (size_t)(len - done) : WRITE_CHUNK;
        ssize_t n = pread(fd, b, want, (off_t)done);
        if (n <= 0) {
            ok = false;
            break;
        }
        EVP_DigestUpdate(md, b, (size_t)n);
        done += (uint64_t)n;
    }
    free(b);
    return ok;
}

/* The SHA-256 of the file at path as hex; false when it cannot be read. */
static bool hash_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char d[32];
    unsigned int dl = 0;
    struct stat st;
    bool ok = md && fstat(fd, &st) == 0 && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              hash_prefix(fd, (uint64_t)st.st_size, md) && EVP_DigestFinal_ex(md, d, &dl) == 1;
    if (ok)
        zf_hex(d, 32, hex);
    EVP_MD_CTX_free(md);
    close(fd);
    return ok;
}

static int write_manifest(dl_run *r, zf_error *err)
{
    char path[PATH_MAX_BYTES], tmp[PATH_MAX_BYTES];
    char *text = NULL;
    int rc = 0, fd = -1;
    if (!join_path(path, r->dir, ZF_DOWNLOAD_MANIFEST, NULL) ||
        !join_path(tmp, r->dir, ZF_DOWNLOAD_MANIFEST, ".tmp"))
        return dir_too_long(r, err);
    if (zf_manifest_format(&text, r->manifest) != 0)
        return zf_error_set(err, ZF_ENOMEM, "out of memory (manifest)");
    size_t len = strlen(text), done = 0;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    while (fd >= 0 && done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (fd < 0 || done < len || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        rc = zf_error_set(err, ZF_EIO, "cannot write %s: %s", path, strerror(errno));
        zf_error_hint_id(err, ZF_HINT_CHECK_DISK, NULL);
        if (fd >= 0 && done < len)
            close(fd);
        unlink(tmp);
    }
    free(text);
    return rc;
}

static int load_manifest(dl_run *r, zf_error *err)
{
    char path[PATH_MAX_BYTES];
    zf_buf text = ZF_BUF_INIT((size_t)64 << 20);
    if (!join_path(path, r->dir, ZF_DOWNLOAD_MANIFEST, NULL))
        return dir_too_long(r, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char b[16384];
        ssize_t n;
        while ((n = read(fd, b, sizeof b)) > 0)
            zf_buf_append(&text, b, (size_t)n);
        close(fd);
    } else if (errno != ENOENT) {
        zf_buf_free(&text);
        return zf_error_set(err, ZF_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    int rc = text.failed ? zf_error_set(err, ZF_ETOOBIG, "%s is too large", path)
                         : zf_manifest_parse(&r->manifest, text.ptr, text.len, err);
    zf_buf_free(&text);
    return rc;
}

/* ---- streaming -------------------------------------------------------- */

/* Writes the buffered bytes and hands them to the hasher; false with
 * s->io_err set when the disk refused them. */
static bool flush(dl_sink *s)
{
    size_t done = 0;
    while (done < s->blen) {
        ssize_t n = write(s->fd, s->buf + done, s->blen - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            s->io_err = n < 0 ? errno : ENOSPC;
            return false;
        }
        done += (size_t)n;
    }
    zf_dl_hash_submit(s->hash, s->blen);
    s->off += s->blen;
    s->blen = 0;
    s->buf = zf_dl_hash_slot(s->hash);
    return true;
}

/* Back to an empty .part (a 200 to a Range request, a bad 416); false when
 * the file cannot be emptied (s->io_err set) or the hash cannot restart. */
static bool restart(dl_sink *s)
{
    s->blen = 0;
    s->off = 0;
    if (ftruncate(s->fd, 0) != 0 || lseek(s->fd, 0, SEEK_SET) != 0) {
        s->io_err = errno;
        return false;
    }
    bool ok = zf_dl_hash_reset(s->hash); /* drops what is still queued */
    s->buf = zf_dl_hash_slot(s->hash);
    return ok;
}

/* The first body byte of a 2xx (or its end, for an empty body): is it the
 * continuation we asked for, or the whole file again? false when the body
 * cannot be taken: bytes from elsewhere in the file (s->bad_range) or a
 * restart that failed. */
static bool begin_body(dl_sink *s)
{
    char cr[128];
    const char *v = zf_http_resp_header(s->resp, "Content-Range", cr, sizeof cr);
    s->begun = 1;
    zf_download_verdict d = zf_download_judge(v ? 206 : 200, v, s->from, s->f->listed, &s->total);
    if (d == ZF_DL_APPEND)
        return true;
    if (v) {
        s->bad_range = 1; /* bytes from elsewhere in the file: refuse them */
        return false;
    }
    return s->from > 0 || s->off > 0 ? restart(s) : true;
}

static int on_data(void *ctx, const void *data, size_t n)
{
    dl_sink *s = ctx;
    if (!s->begun && !begin_body(s))
        return 1;
    s->r->res.bytes += n;
    while (n) {
        size_t k = WRITE_CHUNK - s->blen < n ? WRITE_CHUNK - s->blen : n;
        memcpy(s->buf + s->blen, data, k);
        s->blen += k;
        data = (const char *)data + k;
        n -= k;
        if (s->blen == WRITE_CHUNK && !flush(s))
            return 1;
    }
    progress(s, ZF_DL_EV_DATA);
    return 0;
}

/* ---- one file --------------------------------------------------------- */

static void backoff(dl_run *r, int n)
{
    int64_t cap = r->o->base_ms;
    for (int i = 1; i < n && cap < r->o->max_backoff_ms; i++)
        cap *= 2;
    if (cap > r->o->max_backoff_ms)
        cap = r->o->max_backoff_ms;
    uint64_t rnd = 0;
    zf_random_bytes(&rnd, sizeof rnd);
    int64_t ms = cap > 0 ? (int64_t)(rnd % (uint64_t)(cap + 1)) : 0;
    if (r->o->sleep_ms) {
        r->o->sleep_ms(r->o->sleep_ctx, ms);
        return;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The token for this download: the listing's, else the API access token. */
static const zf_secret *token_for(dl_run *r)
{
    return zf_secret_empty(&r->dl_token) ? &r->access : &r->dl_token;
}

static int check_url(dl_run *r, const dl_file *f, zf_error *err)
{
    if (zf_download_url_allowed(f->url, r->api_base))
        return 0;
    char origin[256] = "?";
    zf_zoom__url_origin(f->url, origin, sizeof origin);
    zf_error_set(err, ZF_EPATH,
                 "refusing to send the download token for %s to %s: it is "
                 "neither the API's origin nor a Zoom host",
                 f->name, origin);
    zf_error_hint_id(err, ZF_HINT_CHECK_DOWNLOAD_URL, NULL);
    return ZF_EPATH;
}

/* After a 401: list again for a fresh token and this file's fresh URL; the
 * Zoom access token is renewed only when `renew` (the API itself said 124). */
static int relist(dl_run *r, int index, int renew, zf_error *err)
{
    char name[ZF_DOWNLOAD_NAME_MAX + 1];
    memcpy(name, r->files[index].name, sizeof name);
    int rc = list(r, err);
    if (rc)
        return rc;
    r->res.relists++;
    if (index >= r->nfiles || strcmp(r->files[index].name, name) != 0) {
        zf_error_set(err, ZF_ECONFLICT,
                     "the recording's files changed while downloading "
                     "(%s is no longer file %d)",
                     name, index + 1);
        zf_error_hint_id(err, ZF_HINT_RUN_AGAIN, "run the download again");
        return ZF_ECONFLICT;
    }
    if (renew && zf_secret_empty(&r->dl_token) && r->o->tokens->reject) {
        zf_secret fresh = ZF_SECRET_INIT;
        rc = r->o->tokens->reject(r->o->tokens->ctx, &r->access, &fresh, err);
        if (rc)
            return rc;
        zf_secret_free(&r->access);
        r->access = fresh;
    }
    return check_url(r, &r->files[index], err);
}

static int size_mismatch(dl_sink *s, uint64_t expected, zf_error *err)
{
    zf_error_set(err, ZF_EIO,
                 "recording file %s: received %llu bytes but the %s says "
                 "%llu bytes",
                 s->f->name, (unsigned long long)s->off,
                 s->f->listed >= 0 ? "listing" : "server's Content-Range",
                 (unsigned long long)expected);
    zf_error_hint_id(err, ZF_HINT_RUN_AGAIN,
                     "the partial file %s.part is kept; run the "
                     "download again to resume, and if the sizes still differ report it to "
                     "Zoom support",
                     s->f->name);
    return ZF_EIO;
}

/* The .part holds the whole file: size check, fsync, rename, manifest. */
static int finish(dl_sink *s, zf_error *err)
{
    uint64_t expected = s->f->listed >= 0 ? (uint64_t)s->f->listed
                        : s->total >= 0   ? (uint64_t)s->total
                                          : s->off;
    if (s->off != expected)
        return size_mismatch(s, expected, err);
    char part[PATH_MAX_BYTES], final[PATH_MAX_BYTES], hex[65];
    unsigned char d[32];
    join_path(part, s->r->dir, s->f->name, ".part");
    join_path(final, s->r->dir, s->f->name, NULL);
    /* the hasher catches up while the disk syncs */
    if (fsync(s->fd) != 0)
        return zf_error_set(err, ZF_EIO, "cannot complete %s: %s", final, strerror(errno));
    if (!zf_dl_hash_final(s->hash, d))
        return zf_error_set(err, ZF_ENOMEM, "cannot compute the SHA-256 of %s", part);
    if (rename(part, final) != 0)
        return zf_error_set(err, ZF_EIO, "cannot complete %s: %s", final, strerror(errno));
    zf_hex(d, 32, hex);
    int dfd = open(s->r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the rename survives a crash */
        close(dfd);
    }
    if (zf_manifest_set(s->r->manifest, s->f->name, hex) != 0)
        return zf_error_set(err, ZF_ENOMEM, "out of memory (manifest)");
    return write_manifest(s->r, err);
}

static int http_failure(dl_sink *s, const zf_http_resp *resp, zf_error *err)
{
    zf_error_set(err, ZF_EHTTP, "downloading %s: HTTP %ld: %.200s", s->f->name, resp->status,
                 resp->body.len ? zf_buf_cstr(&resp->body) : "(no body)");
    err->http_status = (int)resp->status;
    if (resp->status == 403 || resp->status == 404)
        zf_error_hint_id(err, ZF_HINT_CHECK_CONNECTION,
                         "the connection may lack the "
                         "cloud_recording read scope, or the file was deleted; check the "
                         "connection's status and the recording");
    return ZF_EHTTP;
}

static void note_401(dl_sink *s, const zf_http_resp *resp)
{
    char origin[200] = "the download URL";
    int code = zf_zoom__body_code(resp->body.ptr, resp->body.len);
    s->renew = zf_download_may_renew(s->f->url, resp->redirects, s->r->api_base, code);
    zf_zoom__url_origin(s->f->url, origin, sizeof origin);
    snprintf(s->refused_by, sizeof s->refused_by,
             resp->redirects ? "the host %s redirected "
                               "to"
                             : "%s",
             origin);
}

/* One exchange. Returns 0 with *verdict set, or a fatal error. */
static int exchange(dl_sink *s, zf_download_verdict *verdict, zf_error *lasterr, zf_error *err)
{
    dl_run *r = s->r;
    zf_http_resp resp;
    zf_http_resp_init(&resp);
    zf_http_req req = ZF_HTTP_REQ_INIT;
    req.method = "GET";
    req.url = s->f->url;
    req.bearer = token_for(r);
    req.sink = on_data;
    req.sink_ctx = s;
    req.range_from = s->from;
    req.follow_redirects = 1;
    s->resp = &resp;
    s->begun = 0;
    s->bad_range = 0;
    r->res.attempts++;
    zf_error_reset(lasterr);
    int rc = zf_http_do(r->http, &req, &resp, lasterr);
    if (s->io_err || !flush(s)) {
        rc = zf_error_set(err, ZF_EIO, "cannot write %s.part: %s", s->f->name,
                          strerror(s->io_err ? s->io_err : EIO));
        zf_error_hint_id(err, ZF_HINT_CHECK_DISK, NULL);
        goto done;
    }
    if (s->bad_range) {
        *verdict = ZF_DL_RESTART;
        rc = 0;
        goto done;
    }
    if (rc != 0) {
        *verdict = ZF_DL_RETRY; /* transport error: resume from what arrived */
        rc = 0;
        goto done;
    }
    char cr[128];
    const char *v = zf_http_resp_header(&resp, "Content-Range", cr, sizeof cr);
    if (resp.status >= 200 && resp.status < 300) {
        if (!s->begun && !begin_body(s)) {
            *verdict = ZF_DL_RESTART;
            rc = 0;
            goto done;
        }
        *verdict = ZF_DL_COMPLETE; /* the body arrived whole */
        goto done;
    }
    *verdict = zf_download_judge(resp.status, v, s->from, s->f->listed, &s->total);
    if (*verdict == ZF_DL_REAUTH)
        note_401(s, &resp);
    if (*verdict == ZF_DL_FAIL)
        rc = http_failure(s, &resp, err);
    else if (*verdict == ZF_DL_RETRY)
        zf_error_set(lasterr, ZF_ESERVER, "HTTP %ld", resp.status);
done:
    zf_http_resp_free(&resp);
    s->resp = NULL;
    return rc;
}

static int give_up(dl_sink *s, const zf_error *last, zf_error *err)
{
    zf_error_set(err, last->code ? last->code : ZF_ENET,
                 "downloading %s failed after %d attempts (%llu of %lld bytes on disk): %s",
                 s->f->name, s->r->o->max_attempts, (unsigned long long)s->off,
                 (long long)s->f->listed, last->message[0] ? last->message : "error");
    zf_error_hint_id(err, ZF_HINT_RUN_AGAIN,
                     "the partial file %s.part is kept; run the "
                     "download again to resume",
                     s->f->name);
    return err->code;
}

static int refused(const dl_sink *s, zf_error *err)
{
    if (s->renew) {
        zf_error_set(err, ZF_EAUTH,
                     "downloading %s: Zoom refused the download token (401) "
                     "even after listing the recording again",
                     s->f->name);
        zf_error_hint_id(err, ZF_HINT_CHECK_CONNECTION,
                         "check the connection's status; it "
                         "may need to be reconnected");
        return ZF_EAUTH;
    }
    zf_error_set(err, ZF_EAUTH,
                 "downloading %s: %s refused the download token (401) even "
                 "after listing the recording again; the Zoom access token was not renewed, "
                 "since only the API's own 401 with code 124 says it expired",
                 s->f->name, s->refused_by);
    zf_error_hint_id(err, ZF_HINT_CHECK_RECORDING,
                     "the file host rejects this recording's "
                     "download token: check that the recording still exists and allows "
                     "downloads, then run the download again");
    return ZF_EAUTH;
}

static int stream_file(dl_sink *s, zf_error *err)
{
    dl_run *r = s->r;
    int failures = 0, relists = 0, rc;
    zf_error last = ZF_ERROR_INIT;
    for (;;) {
        zf_download_verdict v = ZF_DL_FAIL;
        if ((rc = exchange(s, &v, &last, err)) != 0)
            return rc;
        switch (v) {
        case ZF_DL_COMPLETE:
            return finish(s, err);
        case ZF_DL_REAUTH:
            if (relists++ >= r->o->max_relists)
                return refused(s, err);
            if ((rc = relist(r, s->index, s->renew, err)) != 0)
                return rc;
            s->f = &r->files[s->index];
            break;
        case ZF_DL_RESTART:
            if (!restart(s))
                return zf_error_set(err, ZF_EIO, "cannot truncate %s.part: %s", s->f->name,
                                    strerror(s->io_err));
            /* a restart counts against the attempts too */
            /* fall through */
        default: /* ZF_DL_RETRY; ZF_DL_FAIL ended in exchange() */
            if (++failures >= r->o->max_attempts)
                return give_up(s, &last, err);
            backoff(r, failures);
            break;
        }
        s->from = s->off;
    }
}

/* Hands the first `len` bytes of the .part to the hasher, read into its
 * slots (the reading and the hashing overlap); false when they cannot be
 * read (errno set). */
static bool feed_prefix(dl_sink *s, uint64_t len)
{
    uint64_t done = 0;
    while (done < len) {
        size_t want = len - done < WRITE_CHUNK ? (size_t)(len - done) : WRITE_CHUNK;
        ssize_t n = pread(s->fd, s->buf, want, (off_t)done);
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        zf_dl_hash_submit(s->hash, (size_t)n);
        s->buf = zf_dl_hash_slot(s->hash);
        done += (uint64_t)n;
    }
    return true;
}

/* Opens the .part as the plan says and hashes what it already holds. */
static int open_part(dl_sink *s, zf_download_plan plan, zf_error *err)
{
    char part[PATH_MAX_BYTES];
    join_path(part, s->r->dir, s->f->name, ".part");
    s->fd = open(part, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->fd < 0)
        return zf_error_set(err, ZF_EIO, "cannot open %s: %s", part, strerror(errno));
    struct stat st;
    if (fstat(s->fd, &st) != 0)
        return zf_error_set(err, ZF_EIO, "cannot stat %s: %s", part, strerror(errno));
    uint64_t have = plan == ZF_DL_PLAN_RESUME ? (uint64_t)st.st_size : 0;
    if (plan != ZF_DL_PLAN_RESUME && ftruncate(s->fd, 0) != 0)
        return zf_error_set(err, ZF_EIO, "cannot truncate %s: %s", part, strerror(errno));
    if (!feed_prefix(s, have) || lseek(s->fd, (off_t)have, SEEK_SET) < 0)
        return zf_error_set(err, ZF_EIO, "cannot read %s: %s", part, strerror(errno));
    s->off = s->from = have;
    return 0;
}

static int download_one(dl_run *r, int index, zf_download_plan plan, zf_error *err)
{
    dl_sink s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.f = &r->files[index];
    s.index = index;
    s.fd = -1;
    s.total = -1;
    s.hash = zf_dl_hash_new();
    int rc;
    if (!s.hash) {
        rc = zf_error_set(err, ZF_ENOMEM, "out of memory (or no thread) for the SHA-256");
        goto done;
    }
    s.buf = zf_dl_hash_slot(s.hash);
    if ((rc = check_url(r, s.f, err)) != 0 || (rc = open_part(&s, plan, err)) != 0)
        goto done;
    progress(&s, ZF_DL_EV_START);
    if ((rc = stream_file(&s, err)) != 0)
        goto done;
    r->all_done += s.off;
    r->res.downloaded++;
    progress(&s, ZF_DL_EV_DONE);
done:
    if (s.fd >= 0)
        close(s.fd);
    zf_dl_hash_free(s.hash);
    return rc;
}

/* Looks at DIR/NAME and DIR/NAME.part; hashes the final file only when the
 * manifest has a line to compare it with, or must get one. */
static int plan_file(dl_run *r, int index, zf_download_plan *plan, zf_error *err)
{
    dl_file *f = &r->files[index];
    char final[PATH_MAX_BYTES], part[PATH_MAX_BYTES], hex[65];
    if (!join_path(final, r->dir, f->name, NULL) || !join_path(part, r->dir, f->name, ".part"))
        return dir_too_long(r, err);
    zf_download_disk d = {file_size(final), file_size(part), f->listed, 0, 0};
    const char *want = zf_manifest_get(r->manifest, f->name);
    int hashed = 0;
    if (d.final_size >= 0 && (f->listed < 0 || d.final_size == f->listed)) {
        hashed = hash_file(final, hex);
        d.manifest_listed = want != NULL;
        d.manifest_matches = hashed && want && strcmp(want, hex) == 0;
    }
    *plan = zf_download_decide(&d);
    if (*plan != ZF_DL_PLAN_SKIP)
        return 0;
    if (!hashed)
        return zf_error_set(err, ZF_EIO, "cannot read %s: %s", final, strerror(errno));
    if (!want) {
        if (zf_manifest_set(r->manifest, f->name, hex) != 0)
            return zf_error_set(err, ZF_ENOMEM, "out of memory (manifest)");
        return write_manifest(r, err);
    }
    return 0;
}

static int prepare(dl_run *r, zf_error *err)
{
    struct stat st;
    if (stat(r->dir, &st) != 0) {
        if (errno != ENOENT || mkdir(r->dir, 0700) != 0) {
            /* a parent that is not there is the caller's choice of path,
             * not a storage failure */
            int code = errno == ENOENT || errno == ENOTDIR ? ZF_EVALIDATION : ZF_EIO;
            zf_error_set(err, code, "cannot create the directory %s: %s%s", r->dir, strerror(errno),
                         code == ZF_EVALIDATION ? " (only the last part of the path is created)"
                                                : "");
            zf_error_hint_id(err, ZF_HINT_CHOOSE_DIRECTORY,
                             "create its parent directory "
                             "first, or choose another output directory");
            zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, r->dir);
            return code;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        return zf_error_set(err, ZF_EVALIDATION, "%s exists and is not a directory", r->dir);
    }
    /* one download per directory at a time: two would write the same .part
     * files and overwrite each other's SHA256SUMS */
    r->dir_fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r->dir_fd < 0)
        return zf_error_set(err, ZF_EIO, "cannot open the directory %s: %s", r->dir,
                            strerror(errno));
    if (flock(r->dir_fd, LOCK_EX | LOCK_NB) != 0) {
        zf_error_set(err, ZF_EBUSY, "another download is writing into %s", r->dir);
        zf_error_hint_id(err, ZF_HINT_CHOOSE_DIRECTORY,
                         "wait for it to finish, or choose "
                         "another output directory");
        zf_error_hint_arg(err, ZF_HINT_ARG_VALUE, r->dir);
        return ZF_EBUSY;
    }
    int rc = zf_http_new(&r->http, &r->o->http, err);
    if (rc)
        return rc;
    if ((rc = r->o->tokens->get(r->o->tokens->ctx, &r->access, &r->api_base, err)) != 0)
        return rc;
    if ((rc = load_manifest(r, err)) != 0)
        return rc;
    return list(r, err);
}

static void skip_file(dl_run *r, int index)
{
    dl_sink s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.f = &r->files[index];
    s.index = index;
    char final[PATH_MAX_BYTES];
    join_path(final, r->dir, s.f->name, NULL);
    int64_t size = file_size(final);
    s.off = size > 0 ? (uint64_t)size : 0;
    r->all_done += s.off;
    r->res.skipped++;
    progress(&s, ZF_DL_EV_SKIPPED);
}

int zf_download_recording(zf_download_result *out, const zf_download_opts *opts,
                          const char *meeting, const char *dir, zf_error *err)
{
    if (!opts || !opts->zoom || !opts->tokens || !opts->tokens->get || !meeting || !*meeting ||
        !dir || !*dir || opts->max_attempts < 1)
        return zf_error_set(err, ZF_EINVAL,
                            "zf_download_recording needs a zoom client, a "
                            "token source, a meeting id, a directory and max_attempts >= 1");
    dl_run r;
    memset(&r, 0, sizeof r);
    r.o = opts;
    r.meeting = meeting;
    r.dir = dir;
    r.dir_fd = -1;
    int rc = prepare(&r, err);
    for (int i = 0; rc == 0 && i < r.nfiles; i++) {
        zf_download_plan plan = ZF_DL_PLAN_FRESH;
        if ((rc = plan_file(&r, i, &plan, err)) != 0)
            break;
        if (plan == ZF_DL_PLAN_SKIP)
            skip_file(&r, i);
        else
            rc = download_one(&r, i, plan, err);
    }
    r.res.files = r.nfiles;
    r.res.total = r.all_done;
    if (out)
        *out = r.res;
    files_free(&r);
    zf_manifest_free(r.manifest);
    zf_http_free(r.http);
    zf_secret_free(&r.access);
    zf_secret_free(&r.dl_token);
    free(r.api_base);
    if (r.dir_fd >= 0)
        close(r.dir_fd); /* releases the lock */
    return rc;
}
