/* Webhooks: HMAC and x-zm-signature against independently computed vectors,
 * the envelope, and events recorded without a subscription. Delivery over
 * HTTP is covered by tests/integration/test_sim_webhooks.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "webhooks.h"

static sim *new_sim(void)
{
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.webhook_retry_scale = 1.0;
    sim *s;
    assert_int_equal(sim_new(&s, &o), 0);
    return s;
}

/* RFC 4231 test case 2 */
static void hmac_sha256_known_vector(void **state)
{
    char hex[65];
    const char *msg = "what do ya want for nothing?";
    sim_webhook__hmac_hex("Jefe", msg, strlen(msg), hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* expected value from Python: hmac.new(b"whsec_abc",
 * b'v0:1700000000:{"event":"meeting.created"}', sha256).hexdigest() */
static void signature_is_v0_over_timestamp_and_body(void **state)
{
    char sig[68];
    const char *body = "{\"event\":\"meeting.created\"}";
    sim_webhook__signature("whsec_abc", 1700000000, body, strlen(body), sig);
    assert_string_equal(sig, "v0=723f0d7f886dcba867a88995773da5a43b27c623af3e0cb323fdfddbdff6030b");
}

static void envelope_shape(void **state)
{
    sim *s = new_sim();
    json_t *obj = json_pack("{s:I,s:s}", "id", (json_int_t)85746065432, "topic", "Day 1");
    json_t *top = json_pack("{s:s,s:s}", "download_token", "dl", "event", "spoofed");
    pthread_mutex_lock(&s->lock);
    char *text = sim_webhook__envelope(s, "recording.completed", obj, top);
    pthread_mutex_unlock(&s->lock);
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "event")), "recording.completed");
    assert_true(json_is_integer(json_object_get(j, "event_ts")));
    assert_true(json_integer_value(json_object_get(j, "event_ts")) >
                (json_int_t)sim_now(s) * 1000 - 5000);
    json_t *p = json_object_get(j, "payload");
    assert_string_equal(json_string_value(json_object_get(p, "account_id")), s->account_id);
    assert_true(json_equal(json_object_get(p, "object"), obj));
    assert_string_equal(json_string_value(json_object_get(j, "download_token")), "dl");
    /* the first key is "event" and the text has no spaces: serialised once, compact */
    assert_int_equal(strncmp(text, "{\"event\":", 9), 0);
    assert_null(strstr(text, "\": "));
    json_decref(j);
    json_decref(obj);
    json_decref(top);
    free(text);
    sim_free(s);
}

static void emit_without_subscription_is_recorded(void **state)
{
    sim *s = new_sim();
    pthread_mutex_lock(&s->lock);
    sim_webhook_emit(s, "meeting.created", json_pack("{s:i}", "id", 1), NULL);
    sim_webhook_emit(s, "meeting.deleted", json_object(), json_pack("{s:s}", "x", "y"));
    json_t *d = sim_webhook__deliveries(s, "meeting.deleted", 0);
    json_t *all = sim_webhook__deliveries(s, NULL, 1);
    pthread_mutex_unlock(&s->lock);
    json_t *list = json_object_get(d, "deliveries");
    assert_int_equal(json_array_size(list), 1);
    json_t *e = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(e, "result")), "no subscription");
    assert_int_equal(json_integer_value(json_object_get(e, "event_id")), 2);
    assert_true(json_is_null(json_object_get(e, "status")));
    assert_int_equal(json_array_size(json_object_get(all, "deliveries")), 1); /* since=1 */
    json_decref(d);
    json_decref(all);
    sim_free(s);
}

static void url_without_secret_refuses_to_start(void **state)
{
    sim_opts o;
    memset(&o, 0, sizeof o);
    o.webhook_url = "http://127.0.0.1:9/hook";
    sim *s = NULL;
    assert_int_equal(sim_new(&s, &o), ZF_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hmac_sha256_known_vector),
        cmocka_unit_test(signature_is_v0_over_timestamp_and_body),
        cmocka_unit_test(envelope_shape),
        cmocka_unit_test(emit_without_subscription_is_recorded),
        cmocka_unit_test(url_without_secret_refuses_to_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
