/*
 * The envelope of a delivery, decoded strictly, and its dedupe id
 * (zoomflow/webhook.h says why the id is made from the body and what is
 * left out of it). Pure: bytes in, a struct out.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zoomflow/crypt.h"
#include "zoomflow/json.h"
#include "zoomflow/webhook.h"

#define WHAT "webhook body"
#define EVENT_MAX 128
#define ACCOUNT_MAX 256
#define PLAIN_MAX 256
#define ID_PREFIX "zb1-"

/* Members Zoom mints per delivery, left out of the id: the top-level
 * download_token of recording events and every download_url. */
static const char TOP_VOLATILE[] = "download_token";
static const char ANY_VOLATILE[] = "download_url";

void zf_webhook_event_free(zf_webhook_event *e)
{
    if (!e)
        return;
    free(e->name);
    free(e->account_id);
    free(e->plain_token);
    free(e->client_id);
    free(e->user_id);
    free(e->deauthorization_time);
    free(e->signature);
    json_decref(e->object);
    memset(e, 0, sizeof *e);
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > EVENT_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

static bool printable(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* A field getter's failure, told as the body's. */
static int relabel(zf_error *err, int rc)
{
    return zf_error_restate(err, rc, WHAT ": %s", err->message);
}

/* Removes every ANY_VOLATILE member below j, in place. */
static void drop_volatile(json_t *j)
{
    if (json_is_object(j)) {
        json_object_del(j, ANY_VOLATILE);
        const char *k;
        json_t *v;
        json_object_foreach (j, k, v)
            drop_volatile(v);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach (j, i, v)
            drop_volatile(v);
    }
}

int zf_webhook_event_id(const json_t *envelope, char out[ZF_WEBHOOK_ID_LEN + 1], zf_error *err)
{
    out[0] = '\0';
    if (!json_is_object(envelope))
        return zf_error_set(err, ZF_EINVAL, "zf_webhook_event_id: not an object");
    json_t *copy = json_deep_copy(envelope);
    if (!copy)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    json_object_del(copy, TOP_VOLATILE);
    drop_volatile(copy);
    char *canon = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    if (!canon)
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    unsigned char d[32];
    zf_sha256(canon, strlen(canon), d);
    free(canon);
    memcpy(out, ID_PREFIX, 4);
    zf_hex(d, 32, out + 4);
    return 0;
}

/* The payload of an event: account_id and object. */
static int decode_event(zf_webhook_event *e, const json_t *payload, zf_error *err)
{
    const char *acct;
    json_t *obj;
    int rc = zf_json_get_str(payload, "account_id", &acct, err);
    if (rc < 0) {
        zf_error_restate(err, rc, WHAT ": payload.%s", err->message + strlen("field "));
        return rc;
    }
    if (!printable(acct, ACCOUNT_MAX))
        return zf_error_set(err, ZF_EPARSE,
                            WHAT ": payload.account_id must be 1-256 printable characters");
    if ((rc = zf_json_get_obj(payload, "object", &obj, err)) < 0) {
        zf_error_restate(err, rc, WHAT ": payload.%s", err->message + strlen("field "));
        return rc;
    }
    e->account_id = strdup(acct);
    e->object = json_incref(obj);
    return e->account_id ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

/* An optional printable string member of app_deauthorized's payload into
 * *slot (left NULL when absent); required ones must be there. */
static int deauth_str(const json_t *payload, const char *key, size_t max, int required, char **slot,
                      zf_error *err)
{
    json_t *v = json_object_get(payload, key);
    if (!v && !required)
        return 0;
    const char *str = json_string_value(v);
    if (!str || !printable(str, max))
        return zf_error_set(err, ZF_EPARSE,
                            WHAT ": payload.%s must be %s1-%zu printable characters", key,
                            v ? "" : "present: ", max);
    *slot = strdup(str);
    return *slot ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

static int decode_deauthorization(zf_webhook_event *e, const json_t *payload, zf_error *err)
{
    int rc;
    e->is_deauthorization = 1;
    if ((rc = deauth_str(payload, "account_id", ACCOUNT_MAX, 1, &e->account_id, err)) < 0 ||
        (rc = deauth_str(payload, "client_id", ACCOUNT_MAX, 1, &e->client_id, err)) < 0 ||
        (rc = deauth_str(payload, "user_id", ACCOUNT_MAX, 0, &e->user_id, err)) < 0 ||
        (rc = deauth_str(payload, "deauthorization_time", 64, 0, &e->deauthorization_time, err)) <
            0 ||
        (rc = deauth_str(payload, "signature", ACCOUNT_MAX, 0, &e->signature, err)) < 0)
        return rc;
    if (e->event_ts < 0) { /* none at the top: the payload's when an integer */
        json_t *ts = json_object_get(payload, "event_ts");
        e->event_ts =
            json_is_integer(ts) && json_integer_value(ts) >= 0 ? json_integer_value(ts) : 0;
    }
    return 0;
}

static int decode_validation(zf_webhook_event *e, const json_t *payload, zf_error *err)
{
    const char *plain;
    int rc = zf_json_get_str(payload, "plainToken", &plain, err);
    if (rc < 0) {
        zf_error_restate(err, rc, WHAT ": payload.%s", err->message + strlen("field "));
        return rc;
    }
    if (!printable(plain, PLAIN_MAX))
        return zf_error_set(err, ZF_EPARSE,
                            WHAT ": payload.plainToken must be 1-256 printable ASCII characters");
    e->plain_token = strdup(plain);
    return e->plain_token ? 0 : zf_error_set(err, ZF_ENOMEM, "out of memory");
}

static int decode_top(zf_webhook_event *e, const json_t *j, zf_error *err)
{
    const char *name;
    json_t *payload;
    int rc;
    if (!json_is_object(j))
        return zf_error_set(err, ZF_EPARSE,
                            WHAT ": expected a JSON object {event, event_ts, payload}, got %s",
                            zf_json_type_name(j));
    if ((rc = zf_json_get_str(j, "event", &name, err)) < 0)
        return relabel(err, rc);
    if (!name_ok(name))
        return zf_error_set(err, ZF_EPARSE,
                            WHAT ": field event must be 1-128 of A-Z a-z 0-9 . _ - (got \"%.64s\")",
                            name);
    int deauth = strcmp(name, ZF_WEBHOOK_DEAUTHORIZED_EVENT) == 0;
    if (deauth && !json_object_get(j, "event_ts")) {
        e->event_ts = -1; /* the payload's (decode_deauthorization) */
    } else {
        if ((rc = zf_json_get_int(j, "event_ts", &e->event_ts, err)) < 0)
            return relabel(err, rc);
        if (e->event_ts < 0)
            return zf_error_set(err, ZF_EPARSE, WHAT ": field event_ts must not be negative");
    }
    if ((rc = zf_json_get_obj(j, "payload", &payload, err)) < 0)
        return relabel(err, rc);
    if (!(e->name = strdup(name)))
        return zf_error_set(err, ZF_ENOMEM, "out of memory");
    e->is_validation = strcmp(name, ZF_WEBHOOK_VALIDATION_EVENT) == 0;
    if (e->is_validation)
        return decode_validation(e, payload, err);
    if ((rc = deauth ? decode_deauthorization(e, payload, err) : decode_event(e, payload, err)) < 0)
        return rc;
    return zf_webhook_event_id(j, e->id, err);
}

int zf_webhook_decode(zf_webhook_event *out, const void *body, size_t len, zf_error *err)
{
    if (!out || (!body && len))
        return zf_error_set(err, ZF_EINVAL, "zf_webhook_decode: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > ZF_WEBHOOK_BODY_MAX)
        return zf_error_set(err, ZF_ETOOBIG, WHAT ": %zu bytes, more than the %u allowed", len,
                            ZF_WEBHOOK_BODY_MAX);
    if (len == 0)
        return zf_error_set(err, ZF_EPARSE, WHAT ": empty; expected a JSON object");
    json_t *j = NULL;
    int rc = zf_json_parse(&j, body, len, ZF_WEBHOOK_BODY_MAX, WHAT, err);
    if (rc == 0)
        rc = decode_top(out, j, err);
    json_decref(j);
    if (rc < 0)
        zf_webhook_event_free(out);
    return rc;
}
