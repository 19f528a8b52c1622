/*
 * zf_webhook_tool: the store side of the webhook integration tests
 * (tests/integration/test_serve_webhooks.py), through the library, so the
 * tests see what the service stored on either backend.
 *
 *   zf_webhook_tool secret DSN ORG TOKEN   seals TOKEN as ORG's webhook
 *                                          secret token (master key from
 *                                          ZOOMFLOW_MASTER_KEY)
 *   zf_webhook_tool events DSN ORG         one JSON object per line per
 *                                          stored event, oldest first:
 *                                          {event_id, event, event_ts,
 *                                          account_id, request_id,
 *                                          tracking_id, state, body}
 * Exit status 0, else 1 with "error: CODE: message" on stderr.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "zoomflow/crypt.h"
#include "zoomflow/store.h"
#include "zoomflow/webhook.h"

static int fail(const zf_error *err)
{
    fprintf(stderr, "error: %s: %s\n", zf_code_name(err->code), err->message);
    return 1;
}

static int events(zf_store *st, const char *org, zf_error *err)
{
    zf_store_webhook_event *list = NULL;
    size_t n = 0;
    if (zf_store_webhook_event_list(st, org, NULL, 100000, &list, &n, err) < 0)
        return fail(err);
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_pack("{s:s,s:s,s:I,s:s?,s:s?,s:s?,s:s,s:s}", "event_id",
                              list[i].event_id, "event", list[i].event, "event_ts",
                              (json_int_t)list[i].event_ts, "account_id", list[i].account_id,
                              "request_id", list[i].request_id, "tracking_id",
                              list[i].tracking_id, "state", list[i].state, "body", list[i].body);
        char *s = json_dumps(j, JSON_COMPACT);
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(j);
    }
    zf_store_webhook_event_free_list(list, n);
    return 0;
}

int main(int argc, char **argv)
{
    zf_error err = ZF_ERROR_INIT;
    zf_store *st = NULL;
    zf_crypt *c = NULL;
    int rc = 1;
    if (argc < 4) {
        fprintf(stderr, "usage: zf_webhook_tool secret DSN ORG TOKEN | events DSN ORG\n");
        return 1;
    }
    if (zf_store_open(&st, argv[2], &err) < 0)
        return fail(&err);
    if (strcmp(argv[1], "events") == 0) {
        rc = events(st, argv[3], &err);
    } else if (strcmp(argv[1], "secret") == 0 && argc == 5) {
        if (zf_crypt_new(&c, NULL, &err) < 0 ||
            zf_webhook_secret_set(st, c, argv[3], argv[4], strlen(argv[4]), "test",
                                  (int64_t)time(NULL), &err) < 0)
            rc = fail(&err);
        else
            rc = 0;
    } else {
        fprintf(stderr, "unknown command %s\n", argv[1]);
    }
    zf_crypt_free(c);
    zf_store_free(st);
    return rc;
}
