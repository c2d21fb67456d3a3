/* SPDX-License-Identifier: MIT */
/*
 * anpool.c - a reader's idle analyzers (see anpool.h).
 */
#include "reader/anpool.h"

#include <pthread.h>
#include <string.h>

#include "util/alloc.h"

struct ls_anpool {
    pthread_mutex_t lock;
    char language[32];
    ls_analyzer *idle[LS_ANPOOL_KEEP];
    size_t n;
};

ls_anpool *ls_anpool_new(const char *language)
{
    ls_anpool *p = ls_calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        ls_free(p);
        return NULL;
    }
    size_t n = strlen(language);
    if (n >= sizeof p->language)
        n = sizeof p->language - 1; /* the manifest caps it below this already */
    memcpy(p->language, language, n);
    return p;
}

void ls_anpool_free(ls_anpool *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        ls_analyzer_free(p->idle[i]);
    pthread_mutex_destroy(&p->lock);
    ls_free(p);
}

int ls_anpool_take(ls_anpool *p, ls_analyzer **out, ls_error *err)
{
    *out = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->n > 0)
        *out = p->idle[--p->n];
    pthread_mutex_unlock(&p->lock);
    if (*out != NULL)
        return LS_OK;
    return ls_analyzer_new(p->language, out, err);
}

void ls_anpool_give(ls_anpool *p, ls_analyzer *an)
{
    if (an == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    if (p->n < LS_ANPOOL_KEEP) {
        p->idle[p->n++] = an;
        an = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    ls_analyzer_free(an);
}
