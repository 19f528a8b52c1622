/*
 * The action registry: the table alone. An action is one file in defs/
 * (its descriptor row, zf_action__<name>) plus one line in ZF_ACTION_ROWS;
 * the order here is the order of --help, docs/actions.md and zf_actions().
 * Nothing else includes this file's names, so the defs never depend on it.
 */
#include "zoomflow/actions.h"

#include <string.h>

#define ZF_ACTION_ROWS(X)                                                                          \
    X(create_meeting)                                                                              \
    X(list_users)                                                                                  \
    X(create_user)                                                                                 \
    X(list_meetings)                                                                               \
    X(add_meeting_registrant)                                                                      \
    X(list_meeting_registrants)                                                                    \
    X(get_meeting_recordings)                                                                      \
    /* meetings after they are made: read, change, remove; registration; attendance */             \
    X(get_meeting)                                                                                 \
    X(update_meeting)                                                                              \
    X(delete_meeting)                                                                              \
    X(update_registrant_status)                                                                    \
    X(get_registrant_questions)                                                                    \
    X(update_registrant_questions)                                                                 \
    X(list_past_meeting_participants)                                                              \
    /* users and recordings: offboarding and the compliance archive */                             \
    X(get_user)                                                                                    \
    X(update_user)                                                                                 \
    X(delete_user)                                                                                 \
    X(list_user_recordings)                                                                        \
    X(list_account_recordings)                                                                     \
    X(call_api)

#define ZF_ACTION_DECLARE(name) extern const zf_action zf_action__##name;
ZF_ACTION_ROWS(ZF_ACTION_DECLARE)

#define ZF_ACTION_ROW(name) &zf_action__##name,
static const zf_action *const registry[] = {ZF_ACTION_ROWS(ZF_ACTION_ROW) NULL};

const zf_action *const *zf_actions(void)
{
    return registry;
}

const zf_action *zf_action_find(const char *name)
{
    for (const zf_action *const *a = registry; name && *a; a++)
        if (strcmp((*a)->name, name) == 0)
            return *a;
    return NULL;
}
