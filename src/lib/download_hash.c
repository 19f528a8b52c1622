/* SHA-256 of a download on its own thread (download_hash.h).
 *
 * A ring of ZF_DL_HASH_SLOTS buffers. `head` is the oldest queued buffer,
 * `queued` how many are waiting or being hashed; the writer's slot is
 * (head + queued) % SLOTS, which the hasher never touches (it only reads
 * head .. head + queued - 1), so a buffer's bytes move without the lock.
 * The lock guards the indices, `busy` (the hasher is reading slot head
 * outside the lock) and the digest whenever it is reset or finished. */
#include "download_hash.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>

struct zf_dl_hash {
    pthread_mutex_t mu;
    pthread_cond_t work; /* to the hasher: a buffer queued, hold released, stop */
    pthread_cond_t done; /* to the writer: a buffer hashed */
    pthread_t thread;
    EVP_MD_CTX *md;
    unsigned char *mem; /* SLOTS x SLOT bytes */
    size_t len[ZF_DL_HASH_SLOTS];
    unsigned head, queued;
    bool busy, stop, hold, failed;
    uint64_t dropped, hashed;
};

static void *hasher(void *arg)
{
    zf_dl_hash *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->stop && (h->queued == 0 || h->hold))
            pthread_cond_wait(&h->work, &h->mu);
        if (h->stop)
            break;
        unsigned i = h->head;
        h->busy = true;
        pthread_mutex_unlock(&h->mu);
        int ok = EVP_DigestUpdate(h->md, h->mem + (size_t)i * ZF_DL_HASH_SLOT, h->len[i]);
        pthread_mutex_lock(&h->mu);
        h->failed |= ok != 1;
        h->busy = false;
        h->head = (h->head + 1) % ZF_DL_HASH_SLOTS;
        h->queued--;
        h->hashed++;
        pthread_cond_broadcast(&h->done);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

zf_dl_hash *zf_dl_hash_new(void)
{
    zf_dl_hash *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->mem = malloc(ZF_DL_HASH_SLOTS * ZF_DL_HASH_SLOT);
    h->md = EVP_MD_CTX_new();
    if (!h->mem || !h->md || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
        goto fail;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->work, NULL);
    pthread_cond_init(&h->done, NULL);
    if (pthread_create(&h->thread, NULL, hasher, h) != 0) {
        pthread_cond_destroy(&h->done);
        pthread_cond_destroy(&h->work);
        pthread_mutex_destroy(&h->mu);
        goto fail;
    }
    return h;
fail:
    EVP_MD_CTX_free(h->md);
    free(h->mem);
    free(h);
    return NULL;
}

unsigned char *zf_dl_hash_slot(zf_dl_hash *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->queued == ZF_DL_HASH_SLOTS)
        pthread_cond_wait(&h->done, &h->mu);
    unsigned i = (h->head + h->queued) % ZF_DL_HASH_SLOTS;
    pthread_mutex_unlock(&h->mu);
    return h->mem + (size_t)i * ZF_DL_HASH_SLOT;
}

void zf_dl_hash_submit(zf_dl_hash *h, size_t len)
{
    if (len == 0)
        return;
    pthread_mutex_lock(&h->mu);
    /* the caller filled the slot zf_dl_hash_slot gave, which is free */
    unsigned i = (h->head + h->queued) % ZF_DL_HASH_SLOTS;
    h->len[i] = len < ZF_DL_HASH_SLOT ? len : ZF_DL_HASH_SLOT;
    h->queued++;
    pthread_cond_signal(&h->work);
    pthread_mutex_unlock(&h->mu);
}

bool zf_dl_hash_reset(zf_dl_hash *h)
{
    pthread_mutex_lock(&h->mu);
    while (h->busy)
        pthread_cond_wait(&h->done, &h->mu);
    /* not busy and the lock held: the hasher takes nothing until we let go */
    h->dropped += h->queued;
    h->queued = 0;
    bool ok = EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) == 1;
    h->failed = !ok;
    pthread_cond_broadcast(&h->done);
    pthread_mutex_unlock(&h->mu);
    return ok;
}

bool zf_dl_hash_final(zf_dl_hash *h, unsigned char digest[32])
{
    unsigned int dl = 0;
    pthread_mutex_lock(&h->mu);
    while (h->queued > 0)
        pthread_cond_wait(&h->done, &h->mu);
    bool ok = !h->failed && EVP_DigestFinal_ex(h->md, digest, &dl) == 1 && dl == 32;
    h->failed = true; /* finished: a second final has nothing to give */
    pthread_mutex_unlock(&h->mu);
    return ok;
}

void zf_dl_hash_free(zf_dl_hash *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_signal(&h->work);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->done);
    pthread_cond_destroy(&h->work);
    pthread_mutex_destroy(&h->mu);
    EVP_MD_CTX_free(h->md);
    free(h->mem);
    free(h);
}

void zf_dl_hash__hold(zf_dl_hash *h, bool hold)
{
    pthread_mutex_lock(&h->mu);
    h->hold = hold;
    pthread_cond_signal(&h->work);
    pthread_mutex_unlock(&h->mu);
}

uint64_t zf_dl_hash__dropped(const zf_dl_hash *h)
{
    zf_dl_hash *m = (zf_dl_hash *)h;
    pthread_mutex_lock(&m->mu);
    uint64_t n = m->dropped;
    pthread_mutex_unlock(&m->mu);
    return n;
}

uint64_t zf_dl_hash__hashed(const zf_dl_hash *h)
{
    zf_dl_hash *m = (zf_dl_hash *)h;
    pthread_mutex_lock(&m->mu);
    uint64_t n = m->hashed;
    pthread_mutex_unlock(&m->mu);
    return n;
}
