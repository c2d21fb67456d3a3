/* SPDX-License-Identifier: MIT */
/*
 * parser.c - query text to ls_qnode tree: recursive descent over lexer.c's tokens following the
 * grammar in parser.h, word analysis (analysis/analyzer.h), the strict / lenient / plain
 * syntaxes and the size and nesting limits. Does not plan or execute (planner.c does).
 *
 * Clause modifiers (+, -, NOT) travel up with their operand until a clause list (AND, OR or the
 * root) turns them into LS_OCCUR_*, as in Lucene: "+a b -c" is BOOL(+a b -c). Parentheses close
 * that scope. BOOLs are flattened into their parent only where matching and scores stay the
 * same (add_clause says which).
 */
#include "query/parser.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "query/lexer.h"
#include "util/alloc.h"
#include "util/error.h"

#define MAX_QUERY_BYTES LS_MAX_QUERY_BYTES
#define MAX_DEPTH ((int)LS_MAX_QUERY_DEPTH) /* parentheses plus prefix operators (NOT, +, -) */
#define MAX_SHOWN_NAME 40                   /* longest field name quoted in a message */

/* A clause modifier waiting for a clause list. */
enum { MOD_NONE, MOD_MUST, MOD_NOT };

/* A parsed piece: node NULL when its words all analyzed to nothing (dropped). */
typedef struct operand {
    ls_qnode *node;
    int mod;
} operand;

/* Analyzed tokens of one piece of text, as TERM nodes (slots emptied as they are taken). */
typedef struct qtok {
    ls_qnode *term;
    uint32_t pos;
    int stop;
} qtok;

typedef struct tokvec {
    qtok *v;
    size_t n, cap;
    size_t base; /* offset of the analyzed text in the query */
} tokvec;

typedef struct parser {
    const char *q;
    size_t len;
    int strict;
    int default_and;
    int drop_stopwords;
    ls_analyzer *an;
    ls_error *err;
    ls_qlexer lx;
    ls_qtoken cur;
    int depth;  /* current nesting, against MAX_DEPTH */
    int parens; /* open parentheses: a ')' at 0 is unbalanced */
    tokvec tv;
} parser;

static int parse_or(parser *p, operand *out);

/* ---- errors ---- */

static int oom(parser *p)
{
    return ls_error_set(p->err, LS_ENOMEM, "out of memory while parsing the query");
}

static int syntax_error(parser *p, size_t pos, const char *fmt, ...) LS_PRINTF(3, 4);

static int syntax_error(parser *p, size_t pos, const char *fmt, ...)
{
    char msg[LS_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ls_error_set_at(p->err, LS_EQUERY, pos, "%s", msg);
}

/* ---- analysis ---- */

static int collect(const ls_token *tok, void *payload)
{
    tokvec *tv = payload;
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : 8;
        qtok *v = ls_reallocarray(tv->v, cap, sizeof *v);
        if (v == NULL)
            return LS_ENOMEM;
        tv->v = v;
        tv->cap = cap;
    }
    ls_qnode *t = ls_qnode_term(LS_FIELD_ALL, tok->text, tok->len);
    if (t == NULL)
        return LS_ENOMEM;
    t->source_offset = tv->base + tok->start;
    tv->v[tv->n].term = t;
    tv->v[tv->n].pos = tok->pos;
    tv->v[tv->n].stop = tok->stop;
    tv->n++;
    return LS_OK;
}

static void tv_reset(tokvec *tv)
{
    for (size_t i = 0; i < tv->n; i++)
        ls_qnode_free(tv->v[i].term);
    tv->n = 0;
}

static ls_qnode *take(tokvec *tv, size_t i)
{
    ls_qnode *t = tv->v[i].term;
    tv->v[i].term = NULL;
    return t;
}

/* Analyzes q[off, off+len) into p->tv (emptied first). */
static int analyze(parser *p, size_t off, size_t len, unsigned flags)
{
    tv_reset(&p->tv);
    p->tv.base = off;
    if (len == 0)
        return LS_OK;
    int rc = ls_analyze(p->an, p->q + off, len, 0, flags, collect, &p->tv, NULL);
    if (rc == LS_OK)
        return LS_OK;
    tv_reset(&p->tv);
    if (rc == LS_ENOMEM)
        return oom(p);
    return ls_error_set(p->err, rc, "analyzing the query failed (%s)", ls_strerror(rc));
}

/* A PHRASE of the analyzed tokens [from, to). */
static int phrase_of(parser *p, size_t from, size_t to, size_t node_off, ls_qnode **out)
{
    ls_qnode *ph = ls_qnode_new(LS_Q_PHRASE);
    if (ph == NULL)
        return oom(p);
    ph->source_offset = node_off;
    for (size_t i = from; i < to; i++) {
        if (ls_qnode_add(ph, take(&p->tv, i), LS_OCCUR_MUST) != LS_OK) {
            ls_qnode_free(ph);
            return oom(p);
        }
    }
    *out = ph;
    return LS_OK;
}

/* A word's or a quoted phrase's text: no token -> NULL, one -> TERM (marked stop when the text
 * is a bare word that analyzes to a stop word), several -> PHRASE. A
 * phrase over LS_MAX_PHRASE_WORDS words is LS_ELIMIT in strict syntax; lenient syntax reads it
 * as consecutive phrases of at most that many words, all required. */
static int text_node(parser *p, size_t off, size_t len, size_t node_off, int bare,
                     ls_qnode **out)
{
    *out = NULL;
    int rc = analyze(p, off, len, 0);
    if (rc != LS_OK || p->tv.n == 0)
        return rc;
    if (p->tv.n == 1) {
        int stop = bare && p->tv.v[0].stop;
        *out = take(&p->tv, 0);
        (*out)->source_offset = node_off;
        (*out)->stop = stop;
        return LS_OK;
    }
    if (p->tv.n <= LS_MAX_PHRASE_WORDS)
        return phrase_of(p, 0, p->tv.n, node_off, out);
    if (p->strict)
        return ls_error_set(p->err, LS_ELIMIT, "phrase of %zu words at byte %zu (at most %u)",
                            p->tv.n, node_off, LS_MAX_PHRASE_WORDS);
    ls_qnode *b = ls_qnode_new(LS_Q_BOOL);
    if (b == NULL)
        return oom(p);
    b->source_offset = node_off;
    for (size_t i = 0; i < p->tv.n && rc == LS_OK; i += LS_MAX_PHRASE_WORDS) {
        size_t to = p->tv.n - i > LS_MAX_PHRASE_WORDS ? i + LS_MAX_PHRASE_WORDS : p->tv.n;
        ls_qnode *piece;
        rc = to - i == 1 ? ((piece = take(&p->tv, i)) ? LS_OK : LS_ENOMEM)
                         : phrase_of(p, i, to, node_off, &piece);
        if (rc == LS_OK && ls_qnode_add(b, piece, LS_OCCUR_MUST) != LS_OK)
            rc = oom(p);
    }
    if (rc != LS_OK) {
        ls_qnode_free(b);
        return rc;
    }
    *out = b;
    return LS_OK;
}

/*
 * "word*": the word analyzed without stemming; one token -> PREFIX. Several ("25-ye*") ->
 * BOOL(+25 +ye*): the earlier words as required (stemmed) TERMs, the last as a required PREFIX.
 * Word order is not enforced: the AST has no phrase-prefix node.
 */
static int prefix_node(parser *p, size_t off, size_t len, ls_qnode **out)
{
    ls_qnode *pre = NULL, *b = NULL;
    int rc;
    *out = NULL;
    LS_TRY(analyze(p, off, len, LS_ANALYZE_NOSTEM));
    if (p->tv.n == 0)
        return LS_OK;
    const qtok *last = &p->tv.v[p->tv.n - 1];
    pre = ls_qnode_prefix(LS_FIELD_ALL, last->term->text, last->term->len);
    if (pre == NULL)
        return oom(p);
    pre->source_offset = p->tv.n == 1 ? off : last->term->source_offset;
    if (p->tv.n > 1) {
        uint32_t last_pos = last->pos;
        LS_TRY(analyze(p, off, len, 0));
        if ((b = ls_qnode_new(LS_Q_BOOL)) == NULL)
            goto nomem;
        b->source_offset = off;
        for (size_t i = 0; i < p->tv.n; i++)
            if (p->tv.v[i].pos < last_pos &&
                ls_qnode_add(b, take(&p->tv, i), LS_OCCUR_MUST) != LS_OK)
                goto nomem;
        rc = ls_qnode_add(b, pre, LS_OCCUR_MUST);
        pre = NULL;
        if (rc != LS_OK)
            goto nomem;
    }
    *out = b != NULL ? b : pre;
    return LS_OK;
nomem:
    rc = oom(p);
fail:
    ls_qnode_free(pre);
    ls_qnode_free(b);
    return rc;
}

/* ---- tree building ---- */

static int has_must(const ls_qnode *b)
{
    for (size_t i = 0; i < b->n_kids; i++)
        if (b->occur[i] == LS_OCCUR_MUST)
            return 1;
    return 0;
}

static int only_should(const ls_qnode *b)
{
    for (size_t i = 0; i < b->n_kids; i++)
        if (b->occur[i] != LS_OCCUR_SHOULD)
            return 0;
    return b->n_kids > 0;
}

/* Moves from's kids into parent (with occur `forced`, or their own when it is -1); frees from. */
static int move_kids(parser *p, ls_qnode *parent, ls_qnode *from, int forced)
{
    int rc = LS_OK;
    for (size_t i = 0; i < from->n_kids && rc == LS_OK; i++) {
        ls_qnode *kid = from->kids[i];
        from->kids[i] = NULL;
        rc = ls_qnode_add(parent, kid, forced >= 0 ? forced : from->occur[i]);
    }
    ls_qnode_free(from);
    return rc == LS_OK ? LS_OK : oom(p);
}

/*
 * Adds node to the BOOL parent with occur (taking ownership, also on failure), flattening where
 * matching and scoring are unchanged:
 *   BOOL(x) or BOOL(+x) as any clause      -> x
 *   +BOOL(+a b -c)  (has a MUST kid)        -> +a b -c  (parent must match it: same constraints)
 *    BOOL(a b)      (only SHOULD kids)      -> a b
 *   -BOOL(a b)      (only SHOULD kids)      -> -a -b    (De Morgan)
 */
static int add_clause(parser *p, ls_qnode *parent, ls_qnode *node, int occur)
{
    while (node->kind == LS_Q_BOOL && node->n_kids == 1 && node->occur[0] != LS_OCCUR_NOT) {
        ls_qnode *kid = node->kids[0];
        node->kids[0] = NULL;
        ls_qnode_free(node);
        node = kid;
    }
    if (node->kind == LS_Q_BOOL) {
        if (occur == LS_OCCUR_MUST && has_must(node))
            return move_kids(p, parent, node, -1);
        if (occur != LS_OCCUR_MUST && only_should(node))
            return move_kids(p, parent, node, occur);
    }
    return ls_qnode_add(parent, node, occur) == LS_OK ? LS_OK : oom(p);
}

/* A BOOL holding just node, which keeps its modifier's meaning inside that BOOL. */
static int wrap(parser *p, operand *op, int occur, size_t at)
{
    ls_qnode *b = ls_qnode_new(LS_Q_BOOL);
    if (b == NULL) {
        ls_qnode_free(op->node);
        op->node = NULL;
        return oom(p);
    }
    b->source_offset = at;
    int rc = add_clause(p, b, op->node, occur);
    if (rc != LS_OK) { /* callers rely on a NULL node after any failure */
        ls_qnode_free(b);
        b = NULL;
    }
    op->node = b;
    return rc;
}

/* Applies a prefix operator. +(+x) = +x and -(+x) = -x; over a NOT the inner exclusion is
 * wrapped first ("+-x": required to match "everything but x"). */
static int apply_mod(parser *p, int mod, size_t at, operand *op)
{
    if (op->node == NULL)
        return LS_OK;
    int rc = LS_OK;
    if (op->mod == MOD_NOT)
        rc = wrap(p, op, LS_OCCUR_NOT, at);
    op->mod = mod;
    return rc;
}

static void set_field(ls_qnode *n, int field)
{
    if (n->kind == LS_Q_BOOL) {
        for (size_t i = 0; i < n->n_kids; i++)
            set_field(n->kids[i], field);
    } else if (n->kind != LS_Q_ALL && n->field == LS_FIELD_ALL) {
        n->field = field;
        for (size_t i = 0; i < n->n_kids; i++) /* a PHRASE's TERMs */
            n->kids[i]->field = field;
    }
}

/* The operands of one AND or OR list; a single operand passes through with its modifier. */
typedef struct clauses {
    operand first;
    ls_qnode *bool_node;
    size_t n;
    int is_and; /* an unmodified operand is MUST (AND list) or SHOULD (OR list) */
} clauses;

static int occur_of(int mod, int is_and)
{
    if (mod == MOD_NOT)
        return LS_OCCUR_NOT;
    return mod == MOD_MUST || is_and ? LS_OCCUR_MUST : LS_OCCUR_SHOULD;
}

static int clauses_add(parser *p, clauses *c, operand op)
{
    if (op.node == NULL)
        return LS_OK;
    if (c->n == 0) {
        c->first = op;
        c->n = 1;
        return LS_OK;
    }
    if (c->n == 1) {
        if ((c->bool_node = ls_qnode_new(LS_Q_BOOL)) == NULL) {
            ls_qnode_free(op.node);
            return oom(p);
        }
        c->bool_node->source_offset = c->first.node->source_offset;
        int rc = add_clause(p, c->bool_node, c->first.node, occur_of(c->first.mod, c->is_and));
        c->first.node = NULL;
        if (rc != LS_OK) {
            ls_qnode_free(op.node);
            return rc;
        }
    }
    c->n++;
    return add_clause(p, c->bool_node, op.node, occur_of(op.mod, c->is_and));
}

static void clauses_done(clauses *c, operand *out)
{
    if (c->n <= 1) {
        *out = c->first;
    } else {
        out->node = c->bool_node;
        out->mod = MOD_NONE;
    }
    c->first.node = c->bool_node = NULL;
}

static void clauses_free(clauses *c)
{
    ls_qnode_free(c->first.node);
    ls_qnode_free(c->bool_node);
}

/* ---- tokens ---- */

/* Lenient mode skips a ')' that no '(' opened. */
static void lex_skip(const parser *p, ls_qlexer *lx, ls_qtoken *t)
{
    do
        ls_qlexer_next(lx, t);
    while (!p->strict && t->kind == LS_QTOK_RPAREN && p->parens == 0);
}

static void advance(parser *p) { lex_skip(p, &p->lx, &p->cur); }

static ls_qtok_kind peek_kind(const parser *p)
{
    ls_qlexer lx = p->lx;
    ls_qtoken t;
    lex_skip(p, &lx, &t);
    return t.kind;
}

static int starts_operand(ls_qtok_kind k) { return k != LS_QTOK_END && k != LS_QTOK_RPAREN; }

static int is_binary(ls_qtok_kind k) { return k == LS_QTOK_AND || k == LS_QTOK_OR; }

/* Lenient: AND, OR or NOT with nothing after it is read as a word. */
static void lenient_stray(parser *p)
{
    ls_qtok_kind k = p->cur.kind;
    if (!p->strict && (is_binary(k) || k == LS_QTOK_NOT) && !starts_operand(peek_kind(p)))
        p->cur.kind = LS_QTOK_WORD;
}

/* Strict: the operator just consumed needs an operand at p->cur. */
static int need_operand(parser *p, const ls_qtoken *op)
{
    if (!p->strict || (starts_operand(p->cur.kind) && !is_binary(p->cur.kind)))
        return LS_OK;
    return syntax_error(p, op->start, "%s at byte %zu has nothing after it",
                        ls_qtok_name(op->kind), op->start);
}

/* Lenient syntax at the nesting limit: the '(' or prefix operator at p->cur is read as
 * nothing (what follows it joins the enclosing list), so deep nesting flattens, not fails. */
static int at_depth_limit(const parser *p) { return !p->strict && p->depth >= MAX_DEPTH; }

/* Counts one more nesting level (the caller undoes it), or fails without counting. */
static int enter(parser *p, size_t at)
{
    if (p->depth < MAX_DEPTH) {
        p->depth++;
        return LS_OK;
    }
    return ls_error_set(p->err, LS_ELIMIT, "query nests deeper than %d levels (at byte %zu)",
                        MAX_DEPTH, at);
}

/* The query syntax names title: and body:; "all" is the default and has no prefix. */
static int field_id(const char *s, size_t len)
{
    int f = ls_field_from_name(s, len);
    return f == LS_FIELD_ALL ? -1 : f;
}

/* ---- grammar ---- */

/* Drops the bare stop words (TERMs marked stop) of b and of the groups below it, each group
 * keeping them when it has no other positive clause ("the of", "the -cat"). Excluded words are
 * never marked: a modifier clears the mark, and so does parse_group for the words it lifts
 * ("x -(the of)" is x -the -of). */
static void drop_stop_clauses(ls_qnode *b)
{
    size_t positive = 0;
    for (size_t i = 0; i < b->n_kids; i++) {
        if (b->kids[i]->kind == LS_Q_BOOL)
            drop_stop_clauses(b->kids[i]);
        positive += b->occur[i] != LS_OCCUR_NOT && !b->kids[i]->stop;
    }
    if (positive == 0)
        return;
    size_t k = 0;
    for (size_t i = 0; i < b->n_kids; i++) {
        if (b->kids[i]->stop) {
            ls_qnode_free(b->kids[i]);
            continue;
        }
        b->kids[k] = b->kids[i];
        b->occur[k++] = b->occur[i];
    }
    b->n_kids = k;
}

static int parse_group(parser *p, operand *out)
{
    size_t open = p->cur.start;
    if (at_depth_limit(p)) {
        advance(p);
        return LS_OK;
    }
    int rc = enter(p, open);
    if (rc != LS_OK)
        return rc;
    p->parens++;
    advance(p);
    if (starts_operand(p->cur.kind))
        rc = parse_or(p, out);
    else if (p->strict && p->cur.kind == LS_QTOK_RPAREN)
        rc = syntax_error(p, open, "empty parentheses at byte %zu", open);
    if (rc == LS_OK && p->cur.kind != LS_QTOK_RPAREN && p->strict)
        rc = syntax_error(p, open, "unbalanced parenthesis at byte %zu: it is never closed",
                          open);
    p->parens--;
    p->depth--;
    if (rc != LS_OK) {
        ls_qnode_free(out->node);
        out->node = NULL;
        return rc;
    }
    if (p->cur.kind == LS_QTOK_RPAREN) /* lenient: a missing one closes at the end */
        advance(p);
    /* The parentheses end the scope of modifiers inside: (+x) is x, (-x) matches all but x. */
    if (out->node != NULL && out->mod == MOD_NOT)
        rc = wrap(p, out, LS_OCCUR_NOT, open);
    out->mod = MOD_NONE;
    if (out->node != NULL) {
        out->node->stop = 0; /* (the) was asked for */
        /* Decided here, before the group's clauses may be lifted into the enclosing one
         * ("dog (the of)", "dog -(the cat)"): what the group keeps stays. */
        if (p->drop_stopwords && out->node->kind == LS_Q_BOOL) {
            drop_stop_clauses(out->node);
            for (size_t i = 0; i < out->node->n_kids; i++)
                out->node->kids[i]->stop = 0;
        }
    }
    return rc;
}

/* WORD or WORD STAR; also any token read as a word in lenient mode. */
static int parse_word(parser *p, operand *out)
{
    ls_qtoken w = p->cur;
    advance(p);
    if (p->cur.kind == LS_QTOK_STAR) {
        advance(p);
        return prefix_node(p, w.text, w.len, &out->node);
    }
    return text_node(p, w.text, w.len, w.text, 1, &out->node);
}

static int parse_phrase(parser *p, operand *out)
{
    ls_qtoken t = p->cur;
    if (t.unterminated && p->strict)
        return syntax_error(p, t.start,
                            "unterminated phrase: the quote at byte %zu is never closed",
                            t.start);
    advance(p);
    return text_node(p, t.text, t.len, t.start, 0, &out->node);
}

/* primary := "(" or_expr ")" | [field ":"] ( word | word "*" | '"' words '"' ) */
static int parse_primary(parser *p, operand *out)
{
    int field = LS_FIELD_ALL, rc;
    if (p->cur.kind == LS_QTOK_FIELD) {
        ls_qtoken f = p->cur;
        int shown = (int)(f.len < MAX_SHOWN_NAME ? f.len : MAX_SHOWN_NAME);
        field = field_id(p->q + f.text, f.len);
        if (field < 0 && p->strict)
            return syntax_error(p, f.start, "unknown field '%.*s' at byte %zu (fields: title, body)",
                                shown, p->q + f.text, f.start);
        advance(p);
        ls_qtok_kind k = p->cur.kind;
        if (field >= 0 && k != LS_QTOK_WORD && k != LS_QTOK_PHRASE && k != LS_QTOK_LPAREN) {
            if (p->strict)
                return syntax_error(p, f.start,
                                    "field '%.*s' at byte %zu is not followed by a word, "
                                    "phrase or group", shown, p->q + f.text, f.start);
            field = -1;
        }
        /* Lenient: an unknown or dangling field name is a plain word; what follows stands
         * alone ("foo:bar" -> foo bar). */
        if (field < 0)
            return text_node(p, f.text, f.len, f.text, 1, &out->node);
    }
    if (p->cur.kind == LS_QTOK_LPAREN)
        rc = parse_group(p, out);
    else if (p->cur.kind == LS_QTOK_PHRASE)
        rc = parse_phrase(p, out);
    else
        rc = parse_word(p, out);
    if (rc == LS_OK && out->node != NULL && field != LS_FIELD_ALL) {
        set_field(out->node, field);
        out->node->stop = 0; /* title:the was asked for */
    }
    return rc;
}

/* unary := ("NOT" | "-" | "+") unary | primary */
static int parse_unary(parser *p, operand *out)
{
    out->node = NULL;
    out->mod = MOD_NONE;
    lenient_stray(p);
    ls_qtoken op = p->cur;
    if (is_binary(op.kind)) {
        if (p->strict)
            return syntax_error(p, op.start, "%s at byte %zu has nothing before it",
                                ls_qtok_name(op.kind), op.start);
        p->cur.kind = LS_QTOK_WORD;
    }
    if (op.kind != LS_QTOK_NOT && op.kind != LS_QTOK_PLUS && op.kind != LS_QTOK_MINUS)
        return parse_primary(p, out);
    if (at_depth_limit(p)) {
        advance(p);
        return LS_OK;
    }
    int rc = enter(p, op.start);
    if (rc != LS_OK)
        return rc;
    advance(p);
    rc = need_operand(p, &op);
    if (rc == LS_OK)
        rc = parse_unary(p, out);
    p->depth--;
    if (rc != LS_OK)
        return rc;
    if (out->node != NULL)
        out->node->stop = 0; /* +the and -the were asked for */
    return apply_mod(p, op.kind == LS_QTOK_PLUS ? MOD_MUST : MOD_NOT, op.start, out);
}

/*
 * One list level: and_expr (is_and) joins unary operands by AND, or_expr joins and_exprs by OR.
 * The default operator joins adjacent operands at its own level.
 */
static int parse_list(parser *p, int is_and, operand *out)
{
    clauses c = {{NULL, MOD_NONE}, NULL, 0, is_and};
    ls_qtok_kind op_kind = is_and ? LS_QTOK_AND : LS_QTOK_OR;
    operand op = {NULL, MOD_NONE};
    int rc;
    for (;;) {
        LS_TRY(is_and ? parse_unary(p, &op) : parse_list(p, 1, &op));
        LS_TRY(clauses_add(p, &c, op));
        lenient_stray(p);
        if (p->cur.kind == op_kind) {
            ls_qtoken t = p->cur;
            advance(p);
            LS_TRY(need_operand(p, &t));
        } else if (p->default_and != is_and || !starts_operand(p->cur.kind) ||
                   is_binary(p->cur.kind)) {
            break;
        }
    }
    clauses_done(&c, out);
    return LS_OK;
fail:
    clauses_free(&c);
    return rc;
}

static int parse_or(parser *p, operand *out) { return parse_list(p, 0, out); }

/* The root BOOL from the top operand: a BOOL stays as it is, anything else becomes a clause. */
static int make_root(parser *p, operand top, ls_qnode **out)
{
    if (top.node != NULL && top.node->kind == LS_Q_BOOL && top.mod == MOD_NONE) {
        *out = top.node;
        return LS_OK;
    }
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    if (root == NULL) {
        ls_qnode_free(top.node);
        return oom(p);
    }
    int rc = LS_OK;
    if (top.node != NULL) {
        root->source_offset = top.node->source_offset;
        rc = add_clause(p, root, top.node, occur_of(top.mod, p->default_and));
    }
    /* BOOL(+BOOL(...)) and BOOL(BOOL(...)) are the inner BOOL. */
    if (rc == LS_OK && root->n_kids == 1 && root->occur[0] != LS_OCCUR_NOT &&
        root->kids[0]->kind == LS_Q_BOOL) {
        ls_qnode *kid = root->kids[0];
        root->kids[0] = NULL;
        ls_qnode_free(root);
        root = kid;
    }
    if (rc != LS_OK) {
        ls_qnode_free(root);
        return rc;
    }
    *out = root;
    return LS_OK;
}

static int parse_syntax(parser *p, ls_qnode **out)
{
    operand top = {NULL, MOD_NONE};
    int rc = LS_OK;
    advance(p);
    if (p->cur.kind == LS_QTOK_END) {
        if (p->strict)
            return syntax_error(p, 0, "empty query");
    } else {
        if (p->cur.kind != LS_QTOK_RPAREN)
            rc = parse_or(p, &top);
        /* parse_or stops only at the end or at a ')' (strict: lenient skips unopened ones). */
        if (rc == LS_OK && p->cur.kind == LS_QTOK_RPAREN)
            rc = syntax_error(p, p->cur.start,
                              "unbalanced parenthesis at byte %zu: no '(' opens it",
                              p->cur.start);
        if (rc == LS_OK && top.node == NULL && p->strict)
            rc = syntax_error(p, 0, "query has no searchable words");
        if (rc != LS_OK) {
            ls_qnode_free(top.node);
            return rc;
        }
    }
    rc = make_root(p, top, out);
    if (rc == LS_OK && p->drop_stopwords)
        drop_stop_clauses(*out);
    return rc;
}

/* LS_SYNTAX_PLAIN: every token a clause, in order, duplicates kept. */
static int parse_plain(parser *p, ls_qnode **out)
{
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    if (root == NULL)
        return oom(p);
    int rc = analyze(p, 0, p->len, 0);
    if (rc != LS_OK) {
        ls_qnode_free(root);
        return rc;
    }
    size_t n_stop = 0;
    for (size_t i = 0; i < p->tv.n; i++)
        n_stop += p->tv.v[i].stop != 0;
    int drop = p->drop_stopwords && n_stop < p->tv.n;
    int occur = p->default_and ? LS_OCCUR_MUST : LS_OCCUR_SHOULD;
    for (size_t i = 0; i < p->tv.n; i++) {
        if (drop && p->tv.v[i].stop)
            continue;
        if (ls_qnode_add(root, take(&p->tv, i), occur) != LS_OK) {
            ls_qnode_free(root);
            return oom(p);
        }
    }
    *out = root;
    return LS_OK;
}

int ls_query_parse(const char *q, size_t len, const ls_parse_options *opts, ls_analyzer *an,
                   ls_qnode **out, ls_error *err)
{
    static const ls_parse_options defaults = {LS_SYNTAX_STRICT, 0, 0};
    if (out == NULL)
        return ls_error_set(err, LS_EINVAL, "ls_query_parse: out is NULL");
    *out = NULL;
    ls_error_clear(err);
    if (opts == NULL)
        opts = &defaults;
    if (an == NULL || (q == NULL && len > 0))
        return ls_error_set(err, LS_EINVAL, "ls_query_parse: no analyzer or no query text");
    if (opts->syntax < LS_SYNTAX_STRICT || opts->syntax > LS_SYNTAX_PLAIN)
        return ls_error_set(err, LS_EINVAL, "unknown query syntax %d", opts->syntax);
    if (len > MAX_QUERY_BYTES && opts->syntax == LS_SYNTAX_STRICT)
        return ls_error_set(err, LS_ELIMIT, "query is %zu bytes; the limit is %u (64 KiB)", len,
                            MAX_QUERY_BYTES);
    if (len > MAX_QUERY_BYTES) { /* lenient and plain: the text past the limit is ignored */
        len = MAX_QUERY_BYTES;
        while (len > 0 && ((unsigned char)q[len] & 0xC0) == 0x80)
            len--; /* not inside a UTF-8 sequence */
    }
    parser p;
    memset(&p, 0, sizeof p);
    p.q = q != NULL ? q : "";
    p.len = len;
    p.strict = opts->syntax == LS_SYNTAX_STRICT;
    p.default_and = opts->default_and != 0;
    p.drop_stopwords = opts->drop_stopwords != 0;
    p.an = an;
    p.err = err;
    ls_qlexer_init(&p.lx, p.q, len);
    int rc = opts->syntax == LS_SYNTAX_PLAIN ? parse_plain(&p, out) : parse_syntax(&p, out);
    tv_reset(&p.tv);
    ls_free(p.tv.v);
    return rc;
}
