/* SPDX-License-Identifier: MIT */
/*
 * params.c - the query-string parameters of the API: lookup, the check that every parameter
 * is known and given once, and strict parsing of counts and switches (no signs, no spaces, no
 * overflow: anything else is a 400).
 */
#include <stdio.h>
#include <string.h>

#include "serve.h"

const serve_param *serve_param_get(const serve_params *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].key, key) == 0)
            return &p->items[i];
    return NULL;
}

static int is_allowed(const char *key, const char *const *allowed)
{
    for (; *allowed != NULL; allowed++)
        if (strcmp(key, *allowed) == 0)
            return 1;
    return 0;
}

/* Prints at most 64 bytes of a key, with anything but printable ASCII as '?'. */
static void safe_key(const char *key, char *out, size_t cap)
{
    size_t i = 0;
    for (; i < 64 && i + 1 < cap && key[i] != '\0'; i++)
        out[i] = key[i] > 0x20 && key[i] < 0x7F && key[i] != '"' && key[i] != '\\' ? key[i] : '?';
    out[i] = '\0';
}

const char *serve_params_check(const serve_params *p, const char *const *allowed, char *msg,
                               size_t cap)
{
    char key[72];
    if (p->too_many) {
        snprintf(msg, cap, "too many parameters (at most %u)", SERVE_MAX_PARAMS);
        return msg;
    }
    for (size_t i = 0; i < p->n; i++) {
        safe_key(p->items[i].key, key, sizeof key);
        if (!is_allowed(p->items[i].key, allowed)) {
            snprintf(msg, cap, "unknown parameter '%s'", key);
            return msg;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p->items[i].key, p->items[j].key) == 0) {
                snprintf(msg, cap, "parameter '%s' given twice", key);
                return msg;
            }
        }
    }
    return NULL;
}

int serve_param_uint(const serve_param *p, unsigned long dflt, unsigned long max,
                     unsigned long *out)
{
    if (p == NULL) {
        *out = dflt;
        return 0;
    }
    if (p->value_len == 0 || p->value_len > 20)
        return -1;
    unsigned long v = 0;
    for (size_t i = 0; i < p->value_len; i++) {
        char c = p->value[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (unsigned long)(c - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

static int is_word(const serve_param *p, const char *w)
{
    return p->value_len == strlen(w) && memcmp(p->value, w, p->value_len) == 0;
}

int serve_param_bool(const serve_param *p, int dflt, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no",
                                                                                "off"};
    if (p == NULL) {
        *out = dflt;
        return 0;
    }
    for (size_t i = 0; i < 4; i++) {
        if (is_word(p, yes[i]) || is_word(p, no[i])) {
            *out = is_word(p, yes[i]);
            return 0;
        }
    }
    return -1;
}
