/* The workflow module's private interface (src/lib/workflow). */
#ifndef ZOOMFLOW_WORKFLOW_INTERNAL_H
#define ZOOMFLOW_WORKFLOW_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "zoomflow/workflow.h"

/* A definition file as JSON plus where each value and key came from:
 * pos maps a path ("steps[1].with.user_id") to [line, col] of its value,
 * kpos the same path to its key's place (members only). 1-based. */
typedef struct zf_wf__doc {
    json_t *model;
    json_t *pos;
    json_t *kpos;
} zf_wf__doc;

/* yaml.c: bytes -> doc. YAML (or JSON when json != 0) is read as events,
 * never as a document, so aliases are never expanded: anchors, aliases
 * and tags are refused, as are duplicate keys, keys that are not scalars,
 * more than one document, nesting past ZF_WF_DEPTH_MAX and more than
 * ZF_WF_NODES_MAX nodes. Plain scalars follow YAML 1.2's core schema
 * (null, true/false, integers, floats); quoted ones are strings. */
int zf_wf__read(zf_wf__doc *out, const char *file, const void *bytes, size_t len, int json,
                zf_wf_problems *p);
void zf_wf__doc_free(zf_wf__doc *d);
/* The place of path's value (key != 0: of its key); 0 when known, else
 * the nearest enclosing path's place and -1. */
int zf_wf__place(const zf_wf__doc *d, const char *path, int key, int *line, int *col);

/* problems.c */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void zf_wf__problem(zf_wf_problems *p, const char *file, int line, int col, const char *hint,
                    const char *fmt, ...);

/* zone.c: one zone's file read once, for many conversions. */
typedef struct zf_wf__zone {
    char name[64];
    unsigned char *img;
    size_t n;
    int utc; /* "UTC" / "Etc/UTC": no file needed */
} zf_wf__zone;
int zf_wf__zone_open(zf_wf__zone *z, const char *name, zf_error *err);
void zf_wf__zone_close(zf_wf__zone *z);
int zf_wf__zone_offset(const zf_wf__zone *z, int64_t t, int32_t *off);
/* Wall time (seconds, read as UTC) -> instant. *kind: 0 one answer, 1 a
 * gap (the answer moved forward by the gap), 2 an overlap (the first
 * occurrence; *second the other). */
int zf_wf__zone_resolve(const zf_wf__zone *z, int64_t wall, int64_t *out, int *kind,
                        int64_t *second);

int zf_wf__days_in_month(int64_t y, unsigned m);

#endif
