/* SPDX-License-Identifier: MIT */
/*
 * ast.c - ls_qnode allocation, ownership (add, free) and the compact text form tests compare
 * against. Builds no trees itself: parser.c does, from analyzed text.
 * Kid arrays grow by doubling without a capacity field: a node with n kids has room for the
 * next power of two >= max(n, 4), so ls_qnode_add grows exactly when n is 0 or a power of two
 * of at least 4 (a query of a few words allocates its arrays once).
 */
#include "query/ast.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

ls_qnode *ls_qnode_new(ls_qkind kind)
{
    ls_qnode *n = ls_calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->field = LS_FIELD_ALL;
    n->boost = 1.0;
    return n;
}

static ls_qnode *new_text(ls_qkind kind, int field, const char *text, size_t len)
{
    ls_qnode *n = ls_qnode_new(kind);
    if (n == NULL)
        return NULL;
    n->field = field;
    n->text = ls_strndup(text, len);
    if (n->text == NULL) {
        ls_free(n);
        return NULL;
    }
    n->len = len;
    return n;
}

ls_qnode *ls_qnode_term(int field, const char *text, size_t len)
{
    return new_text(LS_Q_TERM, field, text, len);
}

ls_qnode *ls_qnode_prefix(int field, const char *text, size_t len)
{
    return new_text(LS_Q_PREFIX, field, text, len);
}

void ls_qnode_free(ls_qnode *n)
{
    if (n == NULL)
        return;
    /* Kids may be NULL: the parser empties slots when it moves kids to another node. */
    for (size_t i = 0; i < n->n_kids; i++)
        ls_qnode_free(n->kids[i]);
    ls_free(n->kids);
    ls_free(n->occur);
    ls_free(n->text);
    ls_free(n);
}

/* Room for one more kid; see the top of the file for the capacity rule. */
static int grow(ls_qnode *parent)
{
    size_t n = parent->n_kids;
    if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
        return LS_OK; /* room left */
    size_t cap = n == 0 ? 4 : n * 2;
    ls_qnode **kids = ls_reallocarray(parent->kids, cap, sizeof *kids);
    if (kids == NULL)
        return LS_ENOMEM;
    parent->kids = kids;
    if (parent->kind == LS_Q_BOOL) {
        int *occur = ls_reallocarray(parent->occur, cap, sizeof *occur);
        if (occur == NULL)
            return LS_ENOMEM;
        parent->occur = occur;
    }
    return LS_OK;
}

int ls_qnode_add(ls_qnode *parent, ls_qnode *kid, int occur)
{
    if (kid == NULL)
        return LS_ENOMEM;
    /* A failed grow leaves the arrays valid (maybe one of them larger) and n_kids unchanged,
     * so the next call with n_kids still a power of two simply retries. */
    if (grow(parent) != LS_OK) {
        ls_qnode_free(kid);
        return LS_ENOMEM;
    }
    parent->kids[parent->n_kids] = kid;
    if (parent->kind == LS_Q_BOOL)
        parent->occur[parent->n_kids] = occur;
    parent->n_kids++;
    return LS_OK;
}

/* snprintf-style sink: counts every byte, stores what fits. */
typedef struct sink {
    char *out;
    size_t cap;
    size_t n;
} sink;

static void put(sink *s, const char *p, size_t len)
{
    if (s->n < s->cap) {
        size_t room = s->cap - s->n;
        memcpy(s->out + s->n, p, len < room ? len : room);
    }
    s->n += len;
}

static void puts0(sink *s, const char *p) { put(s, p, strlen(p)); }

static void put_field(sink *s, int field)
{
    puts0(s, ls_field_name(field));
    puts0(s, ":");
}

static void format_node(sink *s, const ls_qnode *n)
{
    switch (n->kind) {
    case LS_Q_TERM:
    case LS_Q_PREFIX:
        put_field(s, n->field);
        put(s, n->text, n->len);
        if (n->kind == LS_Q_PREFIX)
            put(s, "*", 1);
        break;
    case LS_Q_PHRASE:
        put_field(s, n->field);
        put(s, "\"", 1);
        for (size_t i = 0; i < n->n_kids; i++) {
            if (i > 0)
                put(s, " ", 1);
            if (n->kids[i] != NULL)
                put(s, n->kids[i]->text, n->kids[i]->len);
        }
        put(s, "\"", 1);
        break;
    case LS_Q_BOOL:
        put(s, "(", 1);
        for (size_t i = 0; i < n->n_kids; i++) {
            if (i > 0)
                put(s, " ", 1);
            if (n->occur[i] == LS_OCCUR_MUST)
                put(s, "+", 1);
            else if (n->occur[i] == LS_OCCUR_NOT)
                put(s, "-", 1);
            if (n->kids[i] != NULL)
                format_node(s, n->kids[i]);
        }
        put(s, ")", 1);
        break;
    case LS_Q_ALL: puts0(s, "*:*"); break;
    }
    if (n->kind != LS_Q_BOOL && n->kind != LS_Q_ALL && n->boost != 1.0) {
        char b[32];
        snprintf(b, sizeof b, "^%g", n->boost);
        puts0(s, b);
    }
}

size_t ls_qnode_format(const ls_qnode *n, char *out, size_t cap)
{
    sink s = {out, cap, 0};
    if (n != NULL)
        format_node(&s, n);
    if (cap > 0)
        out[s.n < cap ? s.n : cap - 1] = '\0';
    return s.n;
}
