/* Internal to the library and its tests: SHA-256 of a download on a thread
 * of its own, so the receive path only copies and writes.
 *
 * The writer fills one of a few fixed buffers (ZF_DL_HASH_SLOTS x
 * ZF_DL_HASH_SLOT bytes, allocated once: memory does not grow with the
 * file), writes it to disk and hands it over; the hasher thread hashes the
 * buffers in the order they were handed over and gives them back. When
 * every buffer is waiting to be hashed the writer waits (the disk and the
 * network then go at the hash's speed, never ahead of it in memory).
 *
 * Single writer: every function but the hasher's own loop is called from
 * one thread. */
#ifndef ZF_DOWNLOAD_HASH_H
#define ZF_DOWNLOAD_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZF_DL_HASH_SLOTS 4
#define ZF_DL_HASH_SLOT ((size_t)256 << 10)

typedef struct zf_dl_hash zf_dl_hash;

/* A hasher with its thread started and SHA-256 begun; NULL when memory,
 * the digest or the thread could not be had. */
zf_dl_hash *zf_dl_hash_new(void);

/* The buffer the writer fills next (ZF_DL_HASH_SLOT bytes); waits while
 * every buffer is queued. The same buffer until zf_dl_hash_submit. */
unsigned char *zf_dl_hash_slot(zf_dl_hash *h);

/* The first len bytes of the current slot go to the hasher, after the
 * bytes handed over before them. len 0 hands nothing over. */
void zf_dl_hash_submit(zf_dl_hash *h, size_t len);

/* Back to the hash of nothing: the buffers still queued are dropped (their
 * bytes belong to the file being thrown away), one being hashed is waited
 * for. The current slot's contents are the writer's to discard. false when
 * the digest cannot restart. */
bool zf_dl_hash_reset(zf_dl_hash *h);

/* Waits for every queued buffer and writes the SHA-256 of all the bytes
 * handed over since the start or the last reset; false when the digest
 * failed on the way. The hasher is done afterwards: only free is left. */
bool zf_dl_hash_final(zf_dl_hash *h, unsigned char digest[32]);

/* Stops the thread and frees everything (NULL is fine). */
void zf_dl_hash_free(zf_dl_hash *h);

/* For tests: while held, the hasher thread takes no new buffer, so what is
 * handed over stays queued. Release before zf_dl_hash_final. */
void zf_dl_hash__hold(zf_dl_hash *h, bool hold);

/* For tests: buffers dropped by resets, and buffers hashed, so far. */
uint64_t zf_dl_hash__dropped(const zf_dl_hash *h);
uint64_t zf_dl_hash__hashed(const zf_dl_hash *h);

#endif
