/*
 * Meetings: POST/GET /users/{userId}/meetings, GET/PATCH/DELETE
 * /meetings/{meetingId}. Validation follows the 2026 OpenAPI file: topic
 * <= 200, type 1/2/3/8/10, duration 1-1440, Zoom time zone ids, passcode
 * <= 10 of Zoom's charset, agenda <= 2000, recurrence rules for type 8, typed
 * settings (unknown keys dropped, as Zoom ignores them). PATCH rebuilds the
 * meeting from its current fields with the patch merged in, so both paths
 * share one validator; a start_time in the past is ignored, as Zoom says.
 * A host may create + update 100 meetings per UTC day.
 *
 * Occurrences of a type 8 meeting are computed from the recurrence; what
 * an occurrence changes (PATCH ?occurrence_id: agenda, start_time,
 * duration and seven settings, Zoom's list; DELETE ?occurrence_id) is kept
 * per occurrence id in m->occ. An unknown or deleted occurrence is 400
 * code 300 "Invalid parameter: occurrence_id." (the code Zoom's spec gives
 * for DELETE). GET lists occurrences already over only with
 * show_previous_occurrences=true.
 */
#include "data.h"
#include "civil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Zoom's time zone ids (docs "abbreviations#timezones"), all IANA names. */
static const char *const tz_ids[] = {
    "Pacific/Midway",
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Juneau",
    "America/Vancouver",
    "America/Los_Angeles",
    "America/Tijuana",
    "America/Edmonton",
    "America/Denver",
    "America/Phoenix",
    "America/Mazatlan",
    "America/Winnipeg",
    "America/Regina",
    "America/Chicago",
    "America/Mexico_City",
    "America/Guatemala",
    "America/El_Salvador",
    "America/Managua",
    "America/Costa_Rica",
    "America/Montreal",
    "America/New_York",
    "America/Indianapolis",
    "America/Panama",
    "America/Bogota",
    "America/Lima",
    "America/Halifax",
    "America/Puerto_Rico",
    "America/Caracas",
    "America/Santiago",
    "America/St_Johns",
    "America/Montevideo",
    "America/Araguaina",
    "America/Argentina/Buenos_Aires",
    "America/Godthab",
    "America/Sao_Paulo",
    "Atlantic/Azores",
    "Canada/Atlantic",
    "Atlantic/Cape_Verde",
    "UTC",
    "Etc/Greenwich",
    "Europe/Belgrade",
    "CET",
    "Atlantic/Reykjavik",
    "Europe/Dublin",
    "Europe/London",
    "Europe/Lisbon",
    "Africa/Casablanca",
    "Africa/Nouakchott",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Europe/Amsterdam",
    "Europe/Rome",
    "Europe/Stockholm",
    "Europe/Vienna",
    "Europe/Luxembourg",
    "Europe/Paris",
    "Europe/Zurich",
    "Europe/Madrid",
    "Africa/Bangui",
    "Africa/Algiers",
    "Africa/Tunis",
    "Africa/Harare",
    "Africa/Nairobi",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Budapest",
    "Europe/Sofia",
    "Europe/Istanbul",
    "Europe/Athens",
    "Europe/Bucharest",
    "Asia/Nicosia",
    "Asia/Beirut",
    "Asia/Damascus",
    "Asia/Jerusalem",
    "Asia/Amman",
    "Africa/Tripoli",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Europe/Moscow",
    "Asia/Baghdad",
    "Asia/Kuwait",
    "Asia/Riyadh",
    "Asia/Bahrain",
    "Asia/Qatar",
    "Asia/Aden",
    "Asia/Tehran",
    "Africa/Khartoum",
    "Africa/Djibouti",
    "Africa/Mogadishu",
    "Asia/Dubai",
    "Asia/Muscat",
    "Asia/Baku",
    "Asia/Kabul",
    "Asia/Yekaterinburg",
    "Asia/Tashkent",
    "Asia/Calcutta",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Novosibirsk",
    "Asia/Almaty",
    "Asia/Dacca",
    "Asia/Dhaka",
    "Asia/Krasnoyarsk",
    "Asia/Bangkok",
    "Asia/Saigon",
    "Asia/Jakarta",
    "Asia/Irkutsk",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Kuala_Lumpur",
    "Asia/Singapore",
    "Australia/Perth",
    "Asia/Yakutsk",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Darwin",
    "Australia/Adelaide",
    "Asia/Vladivostok",
    "Pacific/Port_Moresby",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Australia/Hobart",
    "Asia/Magadan",
    "SST",
    "Pacific/Noumea",
    "Asia/Kamchatka",
    "Pacific/Fiji",
    "Pacific/Auckland",
    "Asia/Karachi",
    "Pacific/Apia",
    "Asia/Colombo",
    "Asia/Yangon",
    "Europe/Kiev",
    "Europe/Riga",
    "Europe/Tallinn",
    "Europe/Vilnius",
    "America/Havana",
    "America/Asuncion",
    "America/La_Paz",
    "Asia/Manila",
    "Asia/Ho_Chi_Minh",
    NULL,
};

int sim_data_tz_valid(const char *tz)
{
    for (int i = 0; tz_ids[i]; i++)
        if (strcmp(tz, tz_ids[i]) == 0)
            return 1;
    return 0;
}

/* --- settings: known keys and their types */

typedef enum { K_BOOL, K_IENUM, K_SENUM, K_STR, K_OBJ, K_ARR } kind;
typedef struct setting {
    const char *key;
    kind k;
    const char *enums; /* "|a|b|" for K_SENUM, "|0|5|" for K_IENUM */
    size_t maxlen;
} setting;

static const setting settings_tab[] = {
    {"host_video", K_BOOL, NULL, 0},
    {"participant_video", K_BOOL, NULL, 0},
    {"cn_meeting", K_BOOL, NULL, 0},
    {"in_meeting", K_BOOL, NULL, 0},
    {"join_before_host", K_BOOL, NULL, 0},
    {"jbh_time", K_IENUM, "|0|5|10|15|", 0},
    {"mute_upon_entry", K_BOOL, NULL, 0},
    {"watermark", K_BOOL, NULL, 0},
    {"use_pmi", K_BOOL, NULL, 0},
    {"approval_type", K_IENUM, "|0|1|2|", 0},
    {"registration_type", K_IENUM, "|1|2|3|", 0},
    {"audio", K_SENUM, "|both|telephony|voip|thirdParty|", 0},
    {"auto_recording", K_SENUM, "|local|cloud|none|", 0},
    {"enforce_login", K_BOOL, NULL, 0},
    {"enforce_login_domains", K_STR, NULL, 0},
    {"alternative_hosts", K_STR, NULL, 0},
    {"alternative_hosts_email_notification", K_BOOL, NULL, 0},
    {"close_registration", K_BOOL, NULL, 0},
    {"show_share_button", K_BOOL, NULL, 0},
    {"allow_multiple_devices", K_BOOL, NULL, 0},
    {"registrants_confirmation_email", K_BOOL, NULL, 0},
    {"registrants_email_notification", K_BOOL, NULL, 0},
    {"waiting_room", K_BOOL, NULL, 0},
    {"meeting_authentication", K_BOOL, NULL, 0},
    {"authentication_option", K_STR, NULL, 0},
    {"authentication_domains", K_STR, NULL, 0},
    {"audio_conference_info", K_STR, NULL, 2048},
    {"encryption_type", K_SENUM, "|enhanced_encryption|e2ee|", 0},
    {"email_notification", K_BOOL, NULL, 0},
    {"private_meeting", K_BOOL, NULL, 0},
    {"contact_name", K_STR, NULL, 0},
    {"contact_email", K_STR, NULL, 0},
    {"focus_mode", K_BOOL, NULL, 0},
    {"host_save_video_order", K_BOOL, NULL, 0},
    {"participant_focused_meeting", K_BOOL, NULL, 0},
    {"auto_start_meeting_summary", K_BOOL, NULL, 0},
    {"auto_start_ai_companion_questions", K_BOOL, NULL, 0},
    {"internal_meeting", K_BOOL, NULL, 0},
    {"push_change_to_calendar", K_BOOL, NULL, 0},
    {"request_permission_to_unmute_participants", K_BOOL, NULL, 0},
    {"calendar_type", K_IENUM, "|1|2|", 0},
    {"device_testing", K_BOOL, NULL, 0},
    {"email_in_attendee_report", K_BOOL, NULL, 0},
    {"global_dial_in_countries", K_ARR, NULL, 0},
    {"meeting_invitees", K_ARR, NULL, 0},
    {"resources", K_ARR, NULL, 0},
    {"breakout_room", K_OBJ, NULL, 0},
    {"approved_or_denied_countries_or_regions", K_OBJ, NULL, 0},
    {"language_interpretation", K_OBJ, NULL, 0},
    {"sign_language_interpretation", K_OBJ, NULL, 0},
    {"continuous_meeting_chat", K_OBJ, NULL, 0},
    {"question_and_answer", K_OBJ, NULL, 0},
    {NULL, K_BOOL, NULL, 0},
};

static json_t *default_settings(void)
{
    return json_pack(
        "{s:b,s:b,s:b,s:b,s:b,s:i,s:b,s:b,s:b,s:i,s:s,s:s,s:b,s:s,s:s,s:b,s:b,s:b,s:b,"
        "s:b,s:b,s:b,s:s,s:b,s:b,s:{s:b},s:{s:b}}",
        "host_video", 0, "participant_video", 0, "cn_meeting", 0, "in_meeting", 0,
        "join_before_host", 0, "jbh_time", 0, "mute_upon_entry", 0, "watermark", 0, "use_pmi", 0,
        "approval_type", 2, "audio", "both", "auto_recording", "none", "enforce_login", 0,
        "enforce_login_domains", "", "alternative_hosts", "", "close_registration", 0,
        "show_share_button", 0, "allow_multiple_devices", 0, "registrants_confirmation_email", 1,
        "waiting_room", 0, "registrants_email_notification", 1, "meeting_authentication", 0,
        "encryption_type", "enhanced_encryption", "email_notification", 1, "private_meeting", 0,
        "breakout_room", "enable", 0, "continuous_meeting_chat", "enable", 1);
}

static int in_enum(const char *list, const char *v)
{
    char pat[64];
    snprintf(pat, sizeof pat, "|%s|", v);
    return strstr(list, pat) != NULL;
}

static void check_setting(const setting *st, json_t *v, json_t *errs, json_t *out)
{
    char field[96], num[24];
    snprintf(field, sizeof field, "settings.%s", st->key);
    int ok = 1;
    switch (st->k) {
    case K_BOOL:
        ok = json_is_boolean(v);
        break;
    case K_IENUM:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        ok = json_is_integer(v) && in_enum(st->enums, num);
        break;
    case K_SENUM:
        ok = json_is_string(v) && in_enum(st->enums, json_string_value(v));
        break;
    case K_STR:
        ok = json_is_string(v) && (!st->maxlen || strlen(json_string_value(v)) <= st->maxlen);
        break;
    case K_OBJ:
        ok = json_is_object(v);
        break;
    case K_ARR:
        ok = json_is_array(v);
        break;
    }
    if (!ok) {
        const char *what = st->k == K_BOOL  ? "a boolean"
                           : st->k == K_OBJ ? "an object"
                           : st->k == K_ARR ? "an array"
                           : st->k == K_STR ? "a string"
                                            : "one of";
        if (st->k == K_IENUM || st->k == K_SENUM)
            sim_data_verr(errs, field, "%s must be one of %s.", field, st->enums);
        else if (st->maxlen)
            sim_data_verr(errs, field, "%s must be a string of at most %zu characters.", field,
                          st->maxlen);
        else
            sim_data_verr(errs, field, "%s must be %s.", field, what);
        return;
    }
    json_object_set(out, st->key, v);
}

static json_t *build_settings(json_t *given, json_t *errs)
{
    json_t *out = default_settings();
    if (!given)
        return out;
    if (!json_is_object(given)) {
        sim_data_verr(errs, "settings", "settings must be an object.");
        return out;
    }
    for (const setting *st = settings_tab; st->key; st++) {
        json_t *v = json_object_get(given, st->key);
        if (v)
            check_setting(st, v, errs, out);
    }
    return out;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

static void validate_recurrence(json_t *r, json_t *errs)
{
    if (!json_is_object(r)) {
        sim_data_verr(errs, "recurrence", "recurrence (an object) is required for type 8.");
        return;
    }
    json_t *t = json_object_get(r, "type");
    json_int_t ty = json_integer_value(t);
    if (!json_is_integer(t) || ty < 1 || ty > 3) {
        sim_data_verr(errs, "recurrence.type",
                      "recurrence.type must be 1 (daily), 2 (weekly) or "
                      "3 (monthly).");
        return;
    }
    static const int maxint[] = {0, 99, 50, 10};
    json_t *ri = json_object_get(r, "repeat_interval");
    if (ri &&
        (!json_is_integer(ri) || json_integer_value(ri) < 1 || json_integer_value(ri) > maxint[ty]))
        sim_data_verr(errs, "recurrence.repeat_interval",
                      "recurrence.repeat_interval must be 1-%d for this recurrence type.",
                      maxint[ty]);
    json_t *wd = json_object_get(r, "weekly_days");
    if (wd) {
        const char *w = json_string_value(wd);
        int ok = w && *w;
        for (const char *p = w; ok && *p; p++)
            ok = (p - w) % 2 == 0 ? (*p >= '1' && *p <= '7') : *p == ',';
        if (!ok || (w && w[strlen(w) - 1] == ','))
            sim_data_verr(errs, "recurrence.weekly_days",
                          "recurrence.weekly_days must be a comma-separated list of 1-7 "
                          "(1 = Sunday), e.g. \"2,4\".");
    }
    json_t *md = json_object_get(r, "monthly_day");
    if (md && (!json_is_integer(md) || json_integer_value(md) < 1 || json_integer_value(md) > 31))
        sim_data_verr(errs, "recurrence.monthly_day", "recurrence.monthly_day must be 1-31.");
    json_t *mw = json_object_get(r, "monthly_week"), *mwd = json_object_get(r, "monthly_week_day");
    json_int_t mwv = json_integer_value(mw);
    if (mw && (!json_is_integer(mw) || mwv < -1 || mwv > 4 || mwv == 0))
        sim_data_verr(errs, "recurrence.monthly_week",
                      "recurrence.monthly_week must be -1, 1, 2, "
                      "3 or 4.");
    if (mwd &&
        (!json_is_integer(mwd) || json_integer_value(mwd) < 1 || json_integer_value(mwd) > 7))
        sim_data_verr(errs, "recurrence.monthly_week_day",
                      "recurrence.monthly_week_day must be 1-7 (1 = Sunday).");
    if ((mw != NULL) != (mwd != NULL))
        sim_data_verr(errs, "recurrence.monthly_week",
                      "recurrence.monthly_week and monthly_week_day go together.");
    json_t *et = json_object_get(r, "end_times"), *ed = json_object_get(r, "end_date_time");
    if (et && (!json_is_integer(et) || json_integer_value(et) < 0 || json_integer_value(et) > 60))
        sim_data_verr(errs, "recurrence.end_times", "recurrence.end_times must be 0-60.");
    int64_t t64;
    int hz;
    if (ed && (!json_is_string(ed) || sim_parse_time(json_string_value(ed), &t64, &hz) != 0))
        sim_data_verr(errs, "recurrence.end_date_time",
                      "recurrence.end_date_time must be a UTC date-time like "
                      "2026-04-02T15:59:00Z.");
    if (et && ed)
        sim_data_verr(errs, "recurrence.end_times",
                      "recurrence.end_times and end_date_time cannot be used together.");
}

/* Occurrence start times of a type-8 meeting (at most 60). The series is
 * laid out in the meeting's zone on local wall-clock days (weekdays, month
 * days and the time of day are local), and each occurrence is converted to
 * UTC with its own date's offset: a weekly 09:30 New York meeting stays at
 * 09:30 local across the DST change (14:30Z in winter, 13:30Z in summer). */
static int occurrences(const sim_meeting *m, int64_t *out)
{
    const char *tz = m->timezone         ? m->timezone
                     : m->host->timezone ? m->host->timezone
                                         : "America/Los_Angeles";
    json_t *r = m->recurrence;
    int ty = (int)json_integer_value(json_object_get(r, "type"));
    json_int_t iv = json_integer_value(json_object_get(r, "repeat_interval"));
    json_t *etj = json_object_get(r, "end_times");
    int64_t end_dt = INT64_MAX;
    int hz, n = 0;
    const char *eds = json_string_value(json_object_get(r, "end_date_time"));
    int max = etj ? (int)json_integer_value(etj) : 1;
    if (eds && sim_parse_time(eds, &end_dt, &hz) == 0)
        max = 60;
    if (max <= 0 || max > 60)
        max = 60;
    if (iv < 1)
        iv = 1;
    int64_t local0 = m->start_time + sim_tz_offset(tz, m->start_time);
    int64_t day0 = sim_data_day(local0), tod = local0 - day0 * 86400;
    time_t st = (time_t)local0;
    struct tm tm;
    gmtime_r(&st, &tm);
    for (int step = 0; n < max && step < 800; step++) {
        int64_t cand[7];
        int nc = 0;
        if (ty == 1) {
            cand[nc++] = local0 + (int64_t)step * iv * 86400;
        } else if (ty == 2) {
            const char *wd = json_string_value(json_object_get(r, "weekly_days"));
            int64_t sunday = day0 - ((day0 + 4) % 7 + 7) % 7 + (int64_t)step * iv * 7;
            char def[2] = {(char)('1' + ((day0 + 4) % 7 + 7) % 7), 0};
            for (int d = 1; d <= 7; d++)
                if (strchr(wd ? wd : def, '0' + d))
                    cand[nc++] = (sunday + d - 1) * 86400 + tod;
        } else {
            int mon = tm.tm_mon + (int)(step * iv), y = tm.tm_year + 1900 + mon / 12;
            mon = mon % 12 + 1;
            json_t *md = json_object_get(r, "monthly_day");
            json_t *mw = json_object_get(r, "monthly_week");
            if (mw) {
                int w = (int)json_integer_value(mw);
                int wday = (int)json_integer_value(json_object_get(r, "monthly_week_day")) - 1;
                int64_t first = zf_days_from_civil(y, (unsigned)mon, 1);
                int fw = (int)(((first + 4) % 7 + 7) % 7);
                int dom = 1 + (wday - fw + 7) % 7;
                if (w > 0)
                    dom += (w - 1) * 7;
                else
                    while (dom + 7 <= days_in_month(y, mon))
                        dom += 7;
                cand[nc++] = (first + dom - 1) * 86400 + tod;
            } else {
                int dom = md ? (int)json_integer_value(md) : tm.tm_mday;
                if (dom <= days_in_month(y, mon))
                    cand[nc++] =
                        (zf_days_from_civil(y, (unsigned)mon, (unsigned)dom)) * 86400 + tod;
            }
        }
        for (int i = 0; i < nc && n < max; i++) {
            int64_t t = sim_tz_local_to_utc(tz, cand[i]); /* wall time -> UTC */
            if (t < m->start_time)
                continue;
            if (t > end_dt)
                return n;
            out[n++] = t;
        }
    }
    return n;
}

/* --- the meeting object */

static const char pw_special[] = "@-_*!#$%^&+=.,:;?|~";

static void validate_body(json_t *b, json_t *errs, int *type)
{
    json_t *t = json_object_get(b, "type");
    json_int_t tv = t ? json_integer_value(t) : 2;
    if (t && (!json_is_integer(t) || !(tv == 1 || tv == 2 || tv == 3 || tv == 8 || tv == 10)))
        sim_data_verr(errs, "type", "type must be 1, 2, 3, 8 or 10.");
    *type = (int)tv;
    sim_data_vstr(errs, b, "topic", "topic", 0, 200);
    sim_data_vstr(errs, b, "agenda", "agenda", 0, 2000);
    const char *pw = sim_data_vstr(errs, b, "password", "password", 0, 10);
    for (const char *p = pw; p && *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(pw_special, *p)) {
            sim_data_verr(errs, "password",
                          "password may only contain letters, digits and "
                          "%s.",
                          pw_special);
            break;
        }
    json_t *d = json_object_get(b, "duration");
    if (d && (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 1440))
        sim_data_verr(errs, "duration", "duration must be an integer number of minutes, 1-1440.");
    const char *tz = sim_data_vstr(errs, b, "timezone", "timezone", 0, 0);
    if (tz && *tz && !sim_data_tz_valid(tz))
        sim_data_verr(errs, "timezone",
                      "timezone \"%s\" is not a Zoom time zone id (e.g. "
                      "America/Los_Angeles).",
                      tz);
    const char *st = sim_data_vstr(errs, b, "start_time", "start_time", 0, 0);
    int64_t t64;
    int hz;
    if (st && *st && sim_parse_time(st, &t64, &hz) != 0)
        sim_data_verr(errs, "start_time",
                      "start_time must be yyyy-MM-ddTHH:mm:ssZ (UTC) or "
                      "yyyy-MM-ddTHH:mm:ss with a timezone.");
    json_t *dp = json_object_get(b, "default_password");
    if (dp && !json_is_boolean(dp))
        sim_data_verr(errs, "default_password", "default_password must be a boolean.");
    if (tv == 8)
        validate_recurrence(json_object_get(b, "recurrence"), errs);
    json_t *tf = json_object_get(b, "tracking_fields"), *it;
    size_t i;
    if (tf && !json_is_array(tf))
        sim_data_verr(errs, "tracking_fields", "tracking_fields must be an array.");
    json_array_foreach (tf, i, it) {
        if (!json_is_string(json_object_get(it, "field")))
            sim_data_verr(errs, "tracking_fields.field",
                          "each tracking field needs a \"field\" "
                          "string.");
    }
}

static int64_t new_meeting_id(sim *s)
{
    for (;;) {
        unsigned char r[8];
        uint64_t v = 0;
        sim_data_rand_bytes(r, 8);
        for (int i = 0; i < 8; i++)
            v = v << 8 | r[i];
        int64_t id = 10000000000LL + (int64_t)(v % 89999999999ull);
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        if (!sim_map_get(&s->data->meetings, key))
            return id;
    }
}

/* A meeting owns its registrants and recordings: their memory is released
 * here, so recordings.c depends on meetings.c and not the other way. */
void sim_data_recording_free(sim_recording *rec)
{
    if (!rec)
        return;
    free(rec->files);
    free(rec);
}

void sim_data_past_free(sim_past *p)
{
    if (!p)
        return;
    json_decref(p->participants);
    free(p);
}

void sim_data_meeting_free(sim_meeting *m)
{
    if (!m)
        return;
    free(m->topic);
    free(m->agenda);
    free(m->password);
    free(m->timezone);
    json_decref(m->settings);
    json_decref(m->recurrence);
    json_decref(m->tracking_fields);
    for (uint32_t i = 0; i < m->nregs; i++) {
        free(m->regs[i]->email);
        free(m->regs[i]->occurrence_ids);
        json_decref(m->regs[i]->fields);
        free(m->regs[i]);
    }
    free(m->regs);
    sim_map_clear(&m->reg_email, NULL);
    for (int i = 0; i < m->nrecs; i++)
        sim_data_recording_free(m->recs[i]);
    free(m->recs);
    for (int i = 0; i < m->npasts; i++)
        sim_data_past_free(m->pasts[i]);
    free(m->pasts);
    json_decref(m->occ);
    json_decref(m->questions);
    free(m);
}

/* Fills the user-visible fields of m from body (already validated). */
static void apply_body(sim_meeting *m, json_t *b, json_t *settings, int64_t now)
{
    int64_t st = now;
    int hz = 1;
    const char *sts = json_string_value(json_object_get(b, "start_time"));
    const char *tz = json_string_value(json_object_get(b, "timezone"));
    if (!tz || !*tz)
        tz = m->host->timezone ? m->host->timezone : "America/Los_Angeles";
    if (sts && *sts && sim_parse_time(sts, &st, &hz) == 0 && !hz)
        st = sim_tz_local_to_utc(tz, st);
    if (st < now)
        st = now; /* Zoom: a missing or past start_time means now */
    m->type = json_object_get(b, "type") ? (int)json_integer_value(json_object_get(b, "type")) : 2;
    m->start_time = st;
    json_t *d = json_object_get(b, "duration");
    m->duration = d ? (int)json_integer_value(d) : 60;
    const char *topic = json_string_value(json_object_get(b, "topic"));
    m->topic = strdup(topic ? topic : "Zoom meeting");
    m->agenda = sim_data_strdup0(json_string_value(json_object_get(b, "agenda")));
    m->timezone = strdup(tz);
    const char *pw = json_string_value(json_object_get(b, "password"));
    if (!pw && !json_is_false(json_object_get(b, "default_password"))) {
        char gen[8];
        sim_random_id(gen, sizeof gen, 6);
        for (char *p = gen; *p; p++)
            if (!isalnum((unsigned char)*p))
                *p = 'x';
        m->password = strdup(gen);
    } else {
        m->password = strdup(pw ? pw : "");
    }
    m->settings = settings;
    json_t *rec = json_object_get(b, "recurrence");
    m->recurrence = m->type == 8 || (m->type == 3 && json_is_object(rec)) ? json_copy(rec) : NULL;
    json_t *tf = json_object_get(b, "tracking_fields");
    m->tracking_fields = json_array_size(tf) ? json_deep_copy(tf) : NULL;
}

sim_meeting *sim_data_meeting_new(sim *s, sim_user *host, json_t *body, json_t *errs, int64_t now)
{
    int type;
    validate_body(body, errs, &type);
    json_t *settings = build_settings(json_object_get(body, "settings"), errs);
    if (json_array_size(errs)) {
        json_decref(settings);
        return NULL;
    }
    sim_meeting *m = calloc(1, sizeof *m);
    if (!m) {
        json_decref(settings);
        return NULL;
    }
    m->host = host;
    m->id = new_meeting_id(s);
    sim_data_new_uuid(m->uuid);
    m->created_at = now;
    sim_map_init(&m->reg_email);
    apply_body(m, body, settings, now);
    if (sim_data_meeting_insert(s, m) != 0) {
        sim_data_meeting_free(m);
        return NULL;
    }
    return m;
}

int sim_data_meeting_insert(sim *s, sim_meeting *m)
{
    struct sim_data *d = s->data;
    sim_user *host = m->host;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)m->id);
    if (d->nall == d->capall) {
        size_t nc = d->capall ? d->capall * 2 : 64;
        sim_meeting **n = realloc(d->all_meetings, nc * sizeof *n);
        if (!n)
            return ZF_ENOMEM;
        d->all_meetings = n;
        d->capall = nc;
    }
    if (host->nmeetings == host->capmeetings) {
        uint32_t nc = host->capmeetings ? host->capmeetings * 2 : 4;
        sim_meeting **n = realloc(host->meetings, nc * sizeof *n);
        if (!n)
            return ZF_ENOMEM;
        host->meetings = n;
        host->capmeetings = nc;
    }
    if (sim_map_put(&d->meetings, key, m) != 0)
        return ZF_ENOMEM;
    d->all_meetings[d->nall++] = m;
    host->meetings[host->nmeetings++] = m;
    return 0;
}

sim_meeting *sim_data_meeting_find(sim *s, const char *id)
{
    for (const char *p = id; *p; p++)
        if (!isdigit((unsigned char)*p))
            return NULL;
    return sim_map_get(&s->data->meetings, id);
}

static void hash_hex(const char *a, const char *b, char out[33])
{
    uint64_t h1 = 1469598103934665603ull, h2 = 0x9e3779b97f4a7c15ull;
    for (const char *p = a; *p; p++) {
        h1 = (h1 ^ (unsigned char)*p) * 1099511628211ull;
        h2 = (h2 ^ (unsigned char)*p) * 0x100000001b3ull + 7;
    }
    for (const char *p = b; *p; p++) {
        h1 = (h1 ^ (unsigned char)*p) * 1099511628211ull;
        h2 = (h2 ^ (unsigned char)*p) * 0x100000001b3ull + 7;
    }
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

int sim_data_registration_on(const sim_meeting *m)
{
    json_int_t a = json_integer_value(json_object_get(m->settings, "approval_type"));
    return a == 0 || a == 1;
}

/* --- occurrences */

static void occ_id(char out[24], int64_t start)
{
    snprintf(out, 24, "%lld", (long long)start * 1000);
}

static json_t *occ_override(const sim_meeting *m, const char *oid)
{
    return m->occ ? json_object_get(m->occ, oid) : NULL;
}

/* An occurrence's own start and duration: its override, else the series'. */
static void occ_times(const sim_meeting *m, const json_t *ov, int64_t first, int64_t *start,
                      int *duration)
{
    json_t *st = json_object_get(ov, "start_time"), *d = json_object_get(ov, "duration");
    *start = json_is_integer(st) ? (int64_t)json_integer_value(st) : first;
    *duration = json_is_integer(d) ? (int)json_integer_value(d) : m->duration;
}

int sim_data_occurrence(const sim_meeting *m, const char *oid, int64_t *start, int *duration)
{
    int64_t occ[60];
    int n = m->type == 8 && m->recurrence ? occurrences(m, occ) : 0;
    for (int i = 0; i < n; i++) {
        char id[24];
        occ_id(id, occ[i]);
        if (strcmp(id, oid) != 0)
            continue;
        json_t *ov = occ_override(m, id);
        if (json_is_true(json_object_get(ov, "deleted")))
            return 0;
        occ_times(m, ov, occ[i], start, duration);
        return 1;
    }
    return 0;
}

/* The occurrences as Zoom lists them: each with its own start and
 * duration, status deleted for a deleted one; those over before `now`
 * only with show_past. */
static json_t *occurrences_json(const sim_meeting *m, int64_t now, int show_past)
{
    int64_t occ[60];
    int n = occurrences(m, occ);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char oid[24], ot[32];
        int64_t st;
        int dur;
        occ_id(oid, occ[i]);
        json_t *ov = occ_override(m, oid);
        occ_times(m, ov, occ[i], &st, &dur);
        if (!show_past && st + (int64_t)dur * 60 < now)
            continue;
        sim_fmt_time(ot, st);
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:i,s:s}", "occurrence_id", oid, "start_time", ot, "duration",
                           dur, "status",
                           json_is_true(json_object_get(ov, "deleted")) ? "deleted" : "available"));
    }
    return arr;
}

static json_t *meeting_json(sim *s, const sim_meeting *m, int full, int64_t now, int show_past);

json_t *sim_data_meeting_json(sim *s, const sim_meeting *m, int full)
{
    return meeting_json(s, m, full, INT64_MIN, 1);
}

/* The meeting object; full = GET's and create's (links, settings,
 * occurrences), else the list's. */
static json_t *meeting_json(sim *s, const sim_meeting *m, int full, int64_t now, int show_past)
{
    char iso[32], cre[32], enc[33], url[256];
    sim_fmt_time(iso, m->start_time);
    sim_fmt_time(cre, m->created_at);
    hash_hex(m->uuid, m->password, enc);
    json_t *j = json_pack("{s:s,s:I,s:s}", "uuid", m->uuid, "id", (json_int_t)m->id, "host_id",
                          m->host->id);
    if (full)
        json_object_set_new(j, "host_email", json_string(m->host->email));
    json_object_set_new(j, "topic", json_string(m->topic));
    json_object_set_new(j, "type", json_integer(m->type));
    if (full)
        json_object_set_new(j, "status", json_string("waiting"));
    if (m->type != 3)
        json_object_set_new(j, "start_time", json_string(iso));
    json_object_set_new(j, "duration", json_integer(m->duration));
    json_object_set_new(j, "timezone", json_string(m->timezone));
    const char *ag = m->agenda ? m->agenda : "";
    json_object_set_new(j, "agenda", full ? json_string(ag) : json_stringn(ag, strnlen(ag, 250)));
    json_object_set_new(j, "created_at", json_string(cre));
    if (full) {
        snprintf(url, sizeof url, "%s/s/%lld?zak=%s", s->base_url, (long long)m->id, enc);
        json_object_set_new(j, "start_url", json_string(url));
    }
    snprintf(url, sizeof url, "%s/j/%lld?pwd=%s", s->base_url, (long long)m->id, enc);
    json_object_set_new(j, "join_url", json_string(url));
    if (!full)
        return j;
    if (sim_data_registration_on(m)) {
        snprintf(url, sizeof url, "%s/meeting/register/%s", s->base_url, enc);
        json_object_set_new(j, "registration_url", json_string(url));
    }
    json_object_set_new(j, "password", json_string(m->password));
    json_object_set_new(j, "h323_password", json_string(m->password));
    json_object_set_new(j, "encrypted_password", json_string(enc));
    json_object_set_new(j, "pre_schedule", json_false());
    if (m->type == 8 && m->recurrence)
        json_object_set_new(j, "occurrences", occurrences_json(m, now, show_past));
    if (m->recurrence)
        json_object_set(j, "recurrence", m->recurrence);
    json_object_set(j, "settings", m->settings);
    if (m->tracking_fields)
        json_object_set(j, "tracking_fields", m->tracking_fields);
    json_object_set_new(j, "creation_source", json_string("open_api"));
    return j;
}

int sim_data_meeting_quota(sim *s, sim_user *u, int64_t now, sim_resp *rs)
{
    if (u->mtg_day != sim_data_day(now)) {
        u->mtg_day = sim_data_day(now);
        u->mtg_writes = 0;
    }
    if (u->mtg_writes < DATA_MAX_USER_MEETINGS_PER_DAY)
        return 0;
    sim_data_daily_429(rs, now, DATA_MAX_USER_MEETINGS_PER_DAY,
                       "You have exceeded the daily rate limit (100) of Meeting Create/Update API "
                       "requests permitted for this particular user. You may resume these requests "
                       "at GMT 00:00:00.");
    return ZF_EDAILYLIMIT;
}

/* --- handlers */

static sim_user *host_or_404(sim_req *rq, sim_resp *rs)
{
    sim_user *u = sim_data_user_find(rq->s, rq, rq->param[0]);
    if (!u)
        sim_error(rs, 404, 1001, "User does not exist: %s.", rq->param[0]);
    return u;
}

static json_t *hook_meeting(sim *s, const sim_meeting *m);
static void emit_meeting(sim_req *rq, const char *event, const char *opkey, const char *op,
                         json_t *object, json_t *old);

void sim_h_meeting_create(sim_req *rq, sim_resp *rs)
{
    sim_user *u = host_or_404(rq, rs);
    if (!u)
        return;
    if (u->status != U_ACTIVE) {
        sim_error(rs, 400, 3161,
                  "Meeting hosting and scheduling capabilities are not allowed "
                  "for your user account.");
        return;
    }
    json_t *body = sim_body_json(rq, rs), *errs = json_array();
    if (!body || sim_data_meeting_quota(rq->s, u, rq->now, rs) != 0)
        goto done;
    sim_meeting *m = sim_data_meeting_new(rq->s, u, body, errs, rq->now);
    if (!m) {
        if (json_array_size(errs)) {
            sim_validation_error(rs, errs);
            errs = NULL;
        } else {
            sim_error(rs, 500, 500, "out of memory");
        }
        goto done;
    }
    u->mtg_writes++;
    sim_json(rs, 201, sim_data_meeting_json(rq->s, m, 1));
    emit_meeting(rq, "meeting.created", NULL, NULL, hook_meeting(rq->s, m), NULL);
done:
    json_decref(body);
    json_decref(errs);
}

sim_meeting *sim_data_meeting_or_404(sim_req *rq, sim_resp *rs)
{
    sim_meeting *m = sim_data_meeting_find(rq->s, rq->param[0]);
    if (!m)
        sim_error(rs, 404, 3001, "Meeting does not exist: %s.", rq->param[0]);
    return m;
}

/* A boolean query value, true or false (Zoom's words); false when absent,
 * an entry in errs when it is anything else. */
static void query_bool(sim_req *rq, json_t *errs, const char *key, int *out)
{
    const char *v = sim_query(rq, key);
    *out = v && strcmp(v, "true") == 0;
    if (v && !*out && strcmp(v, "false") != 0)
        sim_data_verr(errs, key, "%s must be true or false.", key);
}

static void bad_occurrence(sim_resp *rs)
{
    sim_error(rs, 400, 300, "Invalid parameter: occurrence_id.");
}

/* GET ?occurrence_id: the meeting as that occurrence is (its start,
 * duration, agenda and settings), listing only it. */
static void as_occurrence(json_t *j, const sim_meeting *m, const char *oid, int64_t start,
                          int duration)
{
    char iso[32];
    json_t *ov = occ_override(m, oid), *ag = json_object_get(ov, "agenda");
    json_t *set = json_object_get(ov, "settings");
    sim_fmt_time(iso, start);
    json_object_set_new(j, "start_time", json_string(iso));
    json_object_set_new(j, "duration", json_integer(duration));
    if (json_is_string(ag))
        json_object_set(j, "agenda", ag);
    if (json_is_object(set)) {
        json_t *merged = json_deep_copy(m->settings);
        json_object_update(merged, set);
        json_object_set_new(j, "settings", merged);
    }
    json_object_set_new(j, "occurrences",
                        json_pack("[{s:s,s:s,s:i,s:s}]", "occurrence_id", oid, "start_time", iso,
                                  "duration", duration, "status", "available"));
}

/* --- webhooks: meeting.created / updated / deleted (zoom-api.md §D) */

/* Members of GET's meeting object the meeting.* events do not carry. */
static const char *const hook_drop[] = {"host_email",         "status",          "start_url",
                                        "created_at",         "h323_password",   "pre_schedule",
                                        "encrypted_password", "creation_source", NULL};

/* The meeting as meeting.created carries it. */
static json_t *hook_meeting(sim *s, const sim_meeting *m)
{
    json_t *j = meeting_json(s, m, 1, INT64_MIN, 1);
    for (const char *const *k = hook_drop; *k; k++)
        json_object_del(j, *k);
    return j;
}

/* payload: operator, operator_id, [opkey: op], object[, time_stamp,
 * old_object]; object and old are stolen. */
static void emit_meeting(sim_req *rq, const char *event, const char *opkey, const char *op,
                         json_t *object, json_t *old)
{
    json_t *pl = sim_webhook_operator(rq->s, rq);
    if (opkey)
        json_object_set_new(pl, opkey, json_string(op));
    json_object_set_new(pl, "object", object);
    if (old) {
        json_object_set_new(pl, "time_stamp", json_integer(sim_webhook_now_ms(rq->s)));
        json_object_set_new(pl, "old_object", old);
    }
    sim_webhook_emit_payload(rq->s, event, pl, NULL);
}

/* meeting.updated: id and uuid, then only what changed, new values in
 * *obj and the values before in *old (settings: the changed keys). Steals
 * before and after. */
static void hook_diff(json_t *before, json_t *after, json_t **obj, json_t **old)
{
    *obj = json_pack("{s:O,s:O}", "id", json_object_get(after, "id"), "uuid",
                     json_object_get(after, "uuid"));
    *old = json_pack("{s:O,s:O}", "id", json_object_get(before, "id"), "uuid",
                     json_object_get(before, "uuid"));
    const char *k;
    json_t *v;
    json_object_foreach (after, k, v) {
        json_t *was = json_object_get(before, k);
        if (json_equal(v, was))
            continue;
        if (strcmp(k, "settings") == 0 && json_is_object(was)) {
            json_t *ns = json_object(), *os = json_object(), *sv;
            const char *sk;
            json_object_foreach (v, sk, sv) {
                json_t *sw = json_object_get(was, sk);
                if (json_equal(sv, sw))
                    continue;
                json_object_set(ns, sk, sv);
                if (sw)
                    json_object_set(os, sk, sw);
            }
            json_object_set_new(*obj, k, ns);
            json_object_set_new(*old, k, os);
            continue;
        }
        json_object_set(*obj, k, v);
        if (was)
            json_object_set(*old, k, was);
    }
    json_decref(before);
    json_decref(after);
}

/* The short meeting object meeting.deleted and the registration events
 * carry. */
static json_t *hook_meeting_short(const sim_meeting *m)
{
    char iso[32];
    sim_fmt_time(iso, m->start_time);
    json_t *j = json_pack("{s:s,s:I,s:s,s:s,s:i}", "uuid", m->uuid, "id", (json_int_t)m->id,
                          "host_id", m->host->id, "topic", m->topic, "type", m->type);
    if (m->type != 3)
        json_object_set_new(j, "start_time", json_string(iso));
    json_object_set_new(j, "duration", json_integer(m->duration));
    json_object_set_new(j, "timezone", json_string(m->timezone));
    return j;
}

json_t *sim_data_meeting_hook_json(sim *s, const sim_meeting *m)
{
    json_t *j = hook_meeting_short(m);
    if (m->type == 8 && m->recurrence) {
        /* the registration events list the occurrences, each
         * {occurrence_id, start_time} */
        json_t *occ = occurrences_json(m, INT64_MIN, 1), *o;
        size_t i;
        json_array_foreach (occ, i, o) {
            json_object_del(o, "duration");
            json_object_del(o, "status");
        }
        json_object_set_new(j, "occurrences", occ);
    }
    (void)s;
    return j;
}

void sim_h_meeting_get(sim_req *rq, sim_resp *rs)
{
    sim_meeting *m = sim_data_meeting_or_404(rq, rs);
    json_t *errs = json_array();
    const char *oid = sim_query(rq, "occurrence_id");
    int show_past, duration;
    int64_t start;
    if (!m)
        goto done;
    query_bool(rq, errs, "show_previous_occurrences", &show_past);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    if (oid && !sim_data_occurrence(m, oid, &start, &duration)) {
        bad_occurrence(rs);
        goto done;
    }
    json_t *j = meeting_json(rq->s, m, 1, rq->now, show_past);
    if (oid)
        as_occurrence(j, m, oid, start, duration);
    sim_json(rs, 200, j);
done:
    json_decref(errs);
}

/* The override object of occurrence oid, made on first use. */
static json_t *occ_entry(sim_meeting *m, const char *oid)
{
    if (!m->occ && !(m->occ = json_object()))
        return NULL;
    json_t *ov = json_object_get(m->occ, oid);
    if (!ov && json_object_set_new(m->occ, oid, ov = json_object()) != 0)
        return NULL;
    return ov;
}

void sim_h_meeting_delete(sim_req *rq, sim_resp *rs)
{
    sim_meeting *m = sim_data_meeting_or_404(rq, rs);
    json_t *errs = json_array();
    const char *oid = sim_query(rq, "occurrence_id");
    int hosts, registrants, duration;
    int64_t start;
    if (!m)
        goto done;
    query_bool(rq, errs, "schedule_for_reminder", &hosts);
    query_bool(rq, errs, "cancel_meeting_reminder", &registrants);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    if (oid && !sim_data_occurrence(m, oid, &start, &duration)) {
        bad_occurrence(rs);
        goto done;
    }
    json_t *hook = hook_meeting_short(m);
    const char *op = m->type == 8 ? "all" : NULL;
    if (oid) {
        char iso[32];
        sim_fmt_time(iso, start);
        json_object_set_new(hook, "occurrences",
                            json_pack("[{s:s,s:s}]", "occurrence_id", oid, "start_time", iso));
        op = "single";
    }
    if (oid) {
        json_t *ov = occ_entry(m, oid);
        if (!ov) {
            json_decref(hook);
            sim_error(rs, 500, 500, "out of memory");
            goto done;
        }
        json_object_set_new(ov, "deleted", json_true());
    } else {
        m->deleted = 1;
        sim_map_del(&rq->s->data->meetings, rq->param[0]);
    }
    emit_meeting(rq, "meeting.deleted", op ? "operation" : NULL, op, hook, NULL);
    /* no mail is sent; the request log says what would have been */
    snprintf(rq->log_detail, sizeof rq->log_detail, "%s%s%semail host: %s, registrants: %s",
             oid ? "occurrence " : "", oid ? oid : "", oid ? "; " : "", hosts ? "yes" : "no",
             registrants ? "yes" : "no");
    sim_empty(rs, 204);
done:
    json_decref(errs);
}

/* The current meeting as a create body, with the patch merged over it. */
static json_t *merged_body(const sim_meeting *m, json_t *patch)
{
    char iso[32];
    sim_fmt_time(iso, m->start_time);
    json_t *b = json_pack("{s:s,s:i,s:s,s:i,s:s,s:s,s:b}", "topic", m->topic, "type", m->type,
                          "start_time", iso, "duration", m->duration, "timezone", m->timezone,
                          "password", m->password, "default_password", 0);
    if (m->agenda)
        json_object_set_new(b, "agenda", json_string(m->agenda));
    if (m->recurrence)
        json_object_set(b, "recurrence", m->recurrence);
    if (m->tracking_fields)
        json_object_set(b, "tracking_fields", m->tracking_fields);
    json_t *settings = json_deep_copy(m->settings);
    json_t *ps = json_object_get(patch, "settings");
    json_object_update(b, patch);
    if (json_is_object(ps))
        json_object_update(settings, ps);
    json_object_set_new(b, "settings", json_is_object(ps) || !ps ? settings : json_incref(ps));
    if (!json_is_object(ps) && ps)
        json_decref(settings);
    return b;
}

/* The UTC instant of a start_time in a patch; a local time is read in the
 * patch's timezone, else the meeting's. false when it is not a time. */
static bool patch_start(const sim_meeting *m, json_t *patch, int64_t *t)
{
    const char *st = json_string_value(json_object_get(patch, "start_time"));
    const char *tz = json_string_value(json_object_get(patch, "timezone"));
    int hz;
    if (!st || sim_parse_time(st, t, &hz) != 0)
        return false;
    if (!hz)
        *t = sim_tz_local_to_utc(tz && *tz ? tz : m->timezone, *t);
    return true;
}

/* What Zoom changes of one occurrence (the spec's occurrence_id text). */
static const char *const occ_keys[] = {"agenda", "start_time", "duration", "settings", NULL};
static const char *const occ_settings[] = {
    "host_video",   "participant_video", "join_before_host", "mute_upon_entry",
    "waiting_room", "watermark",         "auto_recording",   NULL};

static bool listed(const char *const *list, const char *key)
{
    for (; *list; list++)
        if (strcmp(*list, key) == 0)
            return true;
    return false;
}

static const setting *setting_of(const char *key)
{
    for (const setting *st = settings_tab; st->key; st++)
        if (strcmp(st->key, key) == 0)
            return st;
    return NULL;
}

/* Checks a patch for one occurrence; the accepted settings go to *set. */
static void check_occurrence_patch(json_t *patch, json_t *errs, json_t *set)
{
    const char *key;
    json_t *v;
    json_object_foreach (patch, key, v) {
        if (!listed(occ_keys, key))
            sim_data_verr(errs, key,
                          "%s cannot be changed for one occurrence; update the "
                          "series without occurrence_id.",
                          key);
    }
    sim_data_vstr(errs, patch, "agenda", "agenda", 0, 2000);
    json_t *d = json_object_get(patch, "duration");
    if (d && (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 1440))
        sim_data_verr(errs, "duration", "duration must be an integer number of minutes, 1-1440.");
    const char *st = sim_data_vstr(errs, patch, "start_time", "start_time", 0, 0);
    int64_t t;
    int hz;
    if (st && sim_parse_time(st, &t, &hz) != 0)
        sim_data_verr(errs, "start_time",
                      "start_time must be yyyy-MM-ddTHH:mm:ssZ (UTC) or "
                      "yyyy-MM-ddTHH:mm:ss in the meeting's timezone.");
    json_t *given = json_object_get(patch, "settings");
    if (given && !json_is_object(given))
        sim_data_verr(errs, "settings", "settings must be an object.");
    json_object_foreach (given, key, v) {
        const setting *sd = setting_of(key);
        if (sd && listed(occ_settings, key))
            check_setting(sd, v, errs, set);
        else if (sd) {
            char field[96];
            snprintf(field, sizeof field, "settings.%s", key);
            sim_data_verr(errs, field,
                          "%s cannot be changed for one occurrence; update the "
                          "series without occurrence_id.",
                          field);
        }
    }
}

/* PATCH ?occurrence_id: the occurrence's own agenda, start, duration and
 * settings; a start in the past is ignored, as for the series. */
static void patch_occurrence(sim_req *rq, sim_resp *rs, sim_meeting *m, json_t *patch,
                             const char *oid)
{
    int64_t start, t;
    int duration;
    json_t *errs = json_array(), *set = json_object(), *ov;
    if (!sim_data_occurrence(m, oid, &start, &duration)) {
        bad_occurrence(rs);
        goto done;
    }
    check_occurrence_patch(patch, errs, set);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    if (!(ov = occ_entry(m, oid))) {
        sim_error(rs, 500, 500, "out of memory");
        goto done;
    }
    json_t *before = hook_meeting(rq->s, m);
    as_occurrence(before, m, oid, start, duration);
    json_t *ag = json_object_get(patch, "agenda"), *d = json_object_get(patch, "duration");
    if (patch_start(m, patch, &t) && t >= rq->now)
        json_object_set_new(ov, "start_time", json_integer(t));
    if (d)
        json_object_set(ov, "duration", d);
    if (ag)
        json_object_set(ov, "agenda", ag);
    if (json_object_size(set)) {
        if (!json_object_get(ov, "settings"))
            json_object_set_new(ov, "settings", json_object());
        json_object_update(json_object_get(ov, "settings"), set);
    }
    m->host->mtg_writes++;
    sim_empty(rs, 204);
    /* meeting.updated for one occurrence: scope single, the occurrence
     * listed in both objects */
    json_t *after = hook_meeting(rq->s, m), *obj, *old;
    if (sim_data_occurrence(m, oid, &start, &duration))
        as_occurrence(after, m, oid, start, duration);
    hook_diff(json_incref(before), json_incref(after), &obj, &old);
    json_object_set(obj, "occurrences", json_object_get(after, "occurrences"));
    json_object_set(old, "occurrences", json_object_get(before, "occurrences"));
    json_decref(before);
    json_decref(after);
    emit_meeting(rq, "meeting.updated", "scope", "single", obj, old);
done:
    json_decref(errs);
    json_decref(set);
}

void sim_h_meeting_patch(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    sim_meeting *m = sim_data_meeting_or_404(rq, rs), tmp;
    json_t *patch = NULL, *b = NULL, *errs = json_array();
    const char *oid = sim_query(rq, "occurrence_id");
    int64_t t;
    if (!m || !(patch = sim_body_json(rq, rs)) || sim_data_meeting_quota(s, m->host, rq->now, rs))
        goto done;
    if (oid) {
        patch_occurrence(rq, rs, m, patch, oid);
        goto done;
    }
    /* Zoom: a start_time in the past is ignored (the meeting keeps its own) */
    if (patch_start(m, patch, &t) && t < rq->now)
        json_object_del(patch, "start_time");
    b = merged_body(m, patch);
    int type;
    validate_body(b, errs, &type);
    json_t *settings = build_settings(json_object_get(b, "settings"), errs);
    if (json_array_size(errs)) {
        json_decref(settings);
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    json_t *before = hook_meeting(s, m);
    memset(&tmp, 0, sizeof tmp);
    tmp.host = m->host;
    apply_body(&tmp, b, settings, json_object_get(patch, "start_time") ? rq->now : m->start_time);
    free(m->topic);
    free(m->agenda);
    free(m->password);
    free(m->timezone);
    json_decref(m->settings);
    json_decref(m->recurrence);
    json_decref(m->tracking_fields);
    m->topic = tmp.topic;
    m->agenda = tmp.agenda;
    m->password = tmp.password;
    m->timezone = tmp.timezone;
    m->settings = tmp.settings;
    m->recurrence = tmp.recurrence;
    m->tracking_fields = tmp.tracking_fields;
    m->type = tmp.type;
    m->start_time = tmp.start_time;
    m->duration = tmp.duration;
    m->host->mtg_writes++;
    sim_empty(rs, 204);
    json_t *obj, *old;
    hook_diff(before, hook_meeting(s, m), &obj, &old);
    emit_meeting(rq, "meeting.updated", m->type == 8 ? "scope" : NULL, "all", obj, old);
done:
    json_decref(patch);
    json_decref(b);
    json_decref(errs);
}

/* --- GET /users/{userId}/meetings */

enum { LT_SCHEDULED, LT_LIVE, LT_UPCOMING, LT_UPCOMING_M, LT_PREVIOUS };
static const char *const list_types[] = {
    "scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings", NULL};

static int parse_date(const char *s, int64_t *day)
{
    int64_t t;
    int hz;
    char buf[32];
    if (strlen(s) != 10)
        return ZF_EPARSE;
    snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
    if (sim_parse_time(buf, &t, &hz) != 0)
        return ZF_EPARSE;
    *day = sim_data_day(t);
    return 0;
}

static int list_match(const sim_meeting *m, int lt, int64_t now, int64_t from, int64_t to)
{
    if (m->deleted || m->type == 1)
        return 0;
    int64_t end = m->start_time + (int64_t)m->duration * 60;
    int recurring = m->type == 3 || m->type == 8;
    switch (lt) {
    case LT_LIVE:
        return 0; /* nobody starts meetings in the emulator */
    case LT_UPCOMING:
    case LT_UPCOMING_M:
        if (!recurring && m->start_time < now)
            return 0;
        break;
    case LT_PREVIOUS:
        if (recurring || end >= now)
            return 0;
        break;
    default:
        break;
    }
    int64_t day = sim_data_day(m->start_time);
    return day >= from && day <= to;
}

void sim_h_meetings_list(sim_req *rq, sim_resp *rs)
{
    sim *s = rq->s;
    json_t *errs = json_array();
    sim_user *u = host_or_404(rq, rs);
    long ps, pn;
    int lt = -1;
    int64_t from = INT32_MIN, to = INT32_MAX;
    if (!u)
        goto done;
    const char *type = sim_query(rq, "type"), *fs = sim_query(rq, "from"),
               *ts = sim_query(rq, "to"), *tok = sim_query(rq, "next_page_token");
    for (int i = 0; list_types[i]; i++)
        if (!type || !*type || strcmp(type, list_types[i]) == 0) {
            lt = i;
            break;
        }
    if (lt < 0)
        sim_data_verr(errs, "type",
                      "type must be one of scheduled, live, upcoming, "
                      "upcoming_meetings, previous_meetings.");
    if (fs && *fs && parse_date(fs, &from) != 0)
        sim_data_verr(errs, "from", "from must be a date yyyy-MM-dd.");
    if (ts && *ts && parse_date(ts, &to) != 0)
        sim_data_verr(errs, "to", "to must be a date yyyy-MM-dd.");
    const char *tz = sim_query(rq, "timezone");
    if (tz && *tz && !sim_data_tz_valid(tz))
        sim_data_verr(errs, "timezone", "timezone \"%s\" is not a Zoom time zone id.", tz);
    sim_data_qint(rq, errs, "page_size", 30, 1, 300, &ps);
    sim_data_qint(rq, errs, "page_number", 1, 1, 1000000000, &pn);
    if (json_array_size(errs)) {
        sim_validation_error(rs, errs);
        errs = NULL;
        goto done;
    }
    char key[128];
    snprintf(key, sizeof key, "meetings|%s|%d|%s|%s", u->id, lt, fs ? fs : "", ts ? ts : "");
    size_t total = 0;
    for (uint32_t i = 0; i < u->nmeetings; i++)
        total += (size_t)list_match(u->meetings[i], lt, rq->now, from, to);
    sim_page pg;
    if (sim_page_start(s, rs, tok, key, ps, pn, &pg) != 0)
        goto done;
    json_t *arr = json_array();
    size_t got = 0, i = (size_t)pg.pos;
    for (; i < u->nmeetings && got < (size_t)ps; i++) {
        if (!list_match(u->meetings[i], lt, rq->now, from, to))
            continue;
        if (pg.skip) {
            pg.skip--;
            continue;
        }
        json_t *mj = sim_data_meeting_json(s, u->meetings[i], 0);
        json_array_append_new(arr, mj);
        got++;
    }
    char next[33];
    sim_page_next(s, key, &pg, i, got, total, ps, next);
    size_t pages = total ? (total + (size_t)ps - 1) / (size_t)ps : 0;
    sim_json(rs, 200,
             json_pack("{s:s,s:I,s:i,s:i,s:I,s:o}", "next_page_token", next, "page_count",
                       (json_int_t)pages, "page_number", (int)pg.number, "page_size", (int)ps,
                       "total_records", (json_int_t)total, "meetings", arr));
done:
    json_decref(errs);
}
