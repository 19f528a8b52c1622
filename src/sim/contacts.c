/*
 * GET /contacts (Team Chat "Search company contacts"): the account's users
 * whose name or email contains search_key (case-insensitive). page_size
 * defaults to 1 and caps at 25, as in the spec; pending users are not
 * contacts yet.
 */
#include "data.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Case-insensitive substring test; needle already lowercase. */
static int contains(const char *hay, const char *needle)
{
    if (!hay)
        return 0;
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static int contact_match(const sim_user *u, const char *key)
{
    return u->status != U_PENDING && !u->deleted &&
           (contains(u->email, key) || contains(u->first_name, key) ||
            contains(u->last_name, key) || contains(u->display_name, key));
}

static json_t *contact_json(const sim_user *u, int presence)
{
    char name[200];
    snprintf(name, sizeof name, "%s%s%s", u->first_name ? u->first_name : "",
             u->first_name && u->last_name ? " " : "", u->last_name ? u->last_name : "");
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "id", u->id, "email", u->email,
                          "first_name", u->first_name ? u->first_name : "", "last_name",
                          u->last_name ? u->last_name : "", "display_name",
                          u->display_name ? u->display_name : name, "contact_type", 1, "dept", "",
                          "job_title", "", "location", "");
    json_object_set_new(j, "phone_numbers", json_array());
    if (presence)
        json_object_set_new(j, "presence_status",
                            json_string(u->status == U_ACTIVE ? "Offline" : "Do_Not_Disturb"));
    return j;
}

void sim_h_contacts(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    struct sim_data *d = s->data;
    json_t *errs = json_array();
    long ps;
    const char *sk = sim_query(rq, "search_key"), *tok = sim_query(rq, "next_page_token");
    const char *pres = sim_query(rq, "query_presence_status");
    if (!sk || !*sk)
        sim_data_verr(errs, "search_key",
                      "search_key is required: a first name, last name or "
                      "email to search for.");
    else if (strlen(sk) > 128)
        sim_data_verr(errs, "search_key", "search_key must be at most 128 characters long.");
    if (pres && *pres && strcmp(pres, "true") != 0 && strcmp(pres, "false") != 0)
        sim_data_verr(errs, "query_presence_status",
                      "query_presence_status must be true or false.");
    sim_data_qint(rq, errs, "page_size", 1, 1, 25, &ps);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        return;
    }
    json_decref(errs);
    char low[160], key[200];
    sim_data_lower(low, sizeof low, sk);
    snprintf(key, sizeof key, "contacts|%s", low);
    uint64_t pos = 0, extra = 0;
    if (tok && *tok && !sim_paging_get(s, tok, key, &pos, &extra)) {
        sim_error(rs, 400, 300, "The next page token is invalid or expired.");
        return;
    }
    json_t *arr = json_array();
    size_t i = (size_t)pos, got = 0;
    for (; i < d->nusers && got < (size_t)ps; i++) {
        if (!contact_match(d->users[i], low))
            continue;
        json_array_append_new(arr, contact_json(d->users[i], pres && !strcmp(pres, "true")));
        got++;
    }
    size_t more = i;
    while (more < d->nusers && !contact_match(d->users[more], low))
        more++;
    char next[33] = "";
    if (more < d->nusers)
        sim_paging_put(s, key, more, 0, next);
    sim_json(
        rs, 200,
        json_pack("{s:o,s:s,s:i}", "contacts", arr, "next_page_token", next, "page_size", (int)ps));
}
