/* SPDX-License-Identifier: MIT */
/*
 * lexer.c - the query tokenizer (rules in lexer.h). Works on bytes: every delimiter it knows is
 * ASCII or a whole UTF-8 space character, so it never splits a multi-byte character, and
 * invalid UTF-8 simply stays inside words for the analyzer to treat as separators.
 */
#include "query/lexer.h"

#include <string.h>

void ls_qlexer_init(ls_qlexer *lx, const char *q, size_t len)
{
    lx->q = q;
    lx->len = len;
    lx->pos = 0;
    lx->prev = LS_QTOK_END;
    lx->prev_end = 0;
    lx->pending_star = 0;
}

/* Byte length of the whitespace character at pos, 0 when there is none. Besides ASCII:
 * U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
static size_t space_len(const ls_qlexer *lx, size_t pos)
{
    const unsigned char *s = (const unsigned char *)lx->q + pos;
    size_t left = lx->len - pos;
    if (left == 0)
        return 0;
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (left >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (left < 3)
        return 0;
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 &&
        (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF) && s[2] >= 0x80)
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
        return 3;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

static int is_delim(const ls_qlexer *lx, size_t pos)
{
    char c = lx->q[pos];
    return c == '(' || c == ')' || c == '"' || space_len(lx, pos) > 0;
}

static ls_qtok_kind operator_kind(const char *s, size_t len)
{
    if (len == 3 && memcmp(s, "AND", 3) == 0)
        return LS_QTOK_AND;
    if (len == 2 && memcmp(s, "OR", 2) == 0)
        return LS_QTOK_OR;
    if (len == 3 && memcmp(s, "NOT", 3) == 0)
        return LS_QTOK_NOT;
    return LS_QTOK_WORD;
}

/* A word, a field prefix or an operator word, starting at lx->pos. after_field: the token
 * is glued to a "name:" (no second field split); glued: to a "name:", + or - (no operator). */
static void lex_word(ls_qlexer *lx, ls_qtoken *out, int glued, int after_field)
{
    size_t pos = lx->pos, end = pos;
    while (end < lx->len && !is_delim(lx, end))
        end++;
    const char *colon = after_field ? NULL : memchr(lx->q + pos, ':', end - pos);
    if (colon != NULL && colon > lx->q + pos) {
        out->kind = LS_QTOK_FIELD;
        out->len = (size_t)(colon - (lx->q + pos));
        lx->pos = pos + out->len + 1;
        return;
    }
    size_t wend = end;
    if (end - pos > 1 && lx->q[end - 1] == '*') {
        wend = end - 1;
        lx->pending_star = 1;
    }
    out->kind = LS_QTOK_WORD;
    out->len = wend - pos;
    lx->pos = wend;
    if (!glued && !lx->pending_star)
        out->kind = operator_kind(lx->q + pos, out->len);
}

static void lex_phrase(ls_qlexer *lx, ls_qtoken *out)
{
    size_t open = lx->pos;
    const char *close = memchr(lx->q + open + 1, '"', lx->len - open - 1);
    out->kind = LS_QTOK_PHRASE;
    out->text = open + 1;
    if (close == NULL) {
        out->unterminated = 1;
        out->len = lx->len - open - 1;
        lx->pos = lx->len;
    } else {
        out->len = (size_t)(close - (lx->q + open + 1));
        lx->pos = open + 1 + out->len + 1;
    }
}

/* + or - at lx->pos: an operator when something it can apply to follows straight away. */
static int sign_is_operator(const ls_qlexer *lx, int after_field)
{
    size_t next = lx->pos + 1;
    return !after_field && next < lx->len && lx->q[next] != ')' && space_len(lx, next) == 0;
}

static void lex_one(ls_qlexer *lx, ls_qtoken *out)
{
    size_t sp;
    while ((sp = space_len(lx, lx->pos)) > 0)
        lx->pos += sp;
    int glued_to = lx->pos == lx->prev_end;
    int after_field = glued_to && lx->prev == LS_QTOK_FIELD;
    int glued = after_field || (glued_to && (lx->prev == LS_QTOK_PLUS || lx->prev == LS_QTOK_MINUS));
    out->start = out->text = lx->pos;
    if (lx->pos >= lx->len) {
        out->kind = LS_QTOK_END;
        return;
    }
    char c = lx->q[lx->pos];
    if (c == '(' || c == ')') {
        out->kind = c == '(' ? LS_QTOK_LPAREN : LS_QTOK_RPAREN;
        out->len = 1;
        lx->pos++;
    } else if (c == '"') {
        lex_phrase(lx, out);
    } else if ((c == '+' || c == '-') && sign_is_operator(lx, after_field)) {
        out->kind = c == '+' ? LS_QTOK_PLUS : LS_QTOK_MINUS;
        out->len = 1;
        lx->pos++;
    } else {
        lex_word(lx, out, glued, after_field);
    }
}

void ls_qlexer_next(ls_qlexer *lx, ls_qtoken *out)
{
    memset(out, 0, sizeof *out);
    if (lx->pending_star) {
        lx->pending_star = 0;
        out->kind = LS_QTOK_STAR;
        out->start = out->text = lx->pos;
        out->len = 1;
        lx->pos++;
    } else {
        lex_one(lx, out);
    }
    lx->prev = out->kind;
    lx->prev_end = lx->pos;
}

const char *ls_qtok_name(ls_qtok_kind kind)
{
    switch (kind) {
    case LS_QTOK_END: return "end of query";
    case LS_QTOK_WORD: return "word";
    case LS_QTOK_PHRASE: return "phrase";
    case LS_QTOK_LPAREN: return "(";
    case LS_QTOK_RPAREN: return ")";
    case LS_QTOK_AND: return "AND";
    case LS_QTOK_OR: return "OR";
    case LS_QTOK_NOT: return "NOT";
    case LS_QTOK_PLUS: return "+";
    case LS_QTOK_MINUS: return "-";
    case LS_QTOK_FIELD: return "field";
    case LS_QTOK_STAR: return "*";
    }
    return "token";
}
