/*
 * The store's row vocabulary, shared by zf_store (store.c) and every
 * backend (backends/): the names a connection's kind and state have in the
 * database and in output, and the release of the row structs. Depends on
 * nothing else in the store.
 */
#include "zoomflow/store.h"

#include <stdlib.h>
#include <string.h>

const char *zf_conn_kind_name(int kind)
{
    return kind == ZF_CONN_S2S ? "s2s" : "oauth";
}

const char *zf_conn_state_name(int state)
{
    return state == ZF_CONN_NEEDS_REAUTH ? "NEEDS_REAUTH" : "VALID";
}

void zf_store_conn_free(zf_store_conn *c)
{
    if (!c)
        return;
    char **strs[] = {&c->id, &c->oauth_base, &c->api_base, &c->client_id,
                     &c->client_secret_sealed, &c->account_id, &c->redirect_uri,
                     &c->access_token_sealed, &c->refresh_token_sealed, &c->scopes,
                     &c->last_error, &c->last_hint, &c->token_endpoint,
                     &c->revoke_endpoint, &c->refresh_host};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(*strs[i]);
    memset(c, 0, sizeof *c);
}

void zf_store_state_free(zf_store_state *s)
{
    if (!s)
        return;
    char **strs[] = {&s->state_hash, &s->conn_id, &s->verifier_sealed, &s->redirect_uri,
                     &s->oauth_base, &s->client_id, &s->client_secret_sealed, &s->actor,
                     &s->token_endpoint, &s->revoke_endpoint};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(*strs[i]);
    memset(s, 0, sizeof *s);
}

void zf_store_audit_free(zf_store_audit *a)
{
    if (!a)
        return;
    free(a->conn_id);
    free(a->actor);
    free(a->action);
    free(a->outcome);
    free(a->detail);
    memset(a, 0, sizeof *a);
}

void zf_store_audit_free_list(zf_store_audit *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        zf_store_audit_free(&list[i]);
    free(list);
}
