/* SPDX-License-Identifier: MIT */
/*
 * lexer.h - query text to tokens, one at a time, each with its byte offset. Decides only what
 * the bytes are (word, phrase, operator, field prefix, ...); what they mean, and whether they
 * are in the right place, is parser.c's business. Allocates nothing; copying an ls_qlexer
 * saves its state, which is how the parser peeks ahead.
 */
#ifndef LS_QUERY_LEXER_H
#define LS_QUERY_LEXER_H

#include <stddef.h>

typedef enum ls_qtok_kind {
    LS_QTOK_END,    /* no more input; start = len */
    LS_QTOK_WORD,   /* a run of bytes up to whitespace, ( ) or " */
    LS_QTOK_PHRASE, /* "..."; text is what is inside the quotes */
    LS_QTOK_LPAREN,
    LS_QTOK_RPAREN,
    LS_QTOK_AND, /* the upper-case words AND, OR, NOT standing alone */
    LS_QTOK_OR,
    LS_QTOK_NOT,
    LS_QTOK_PLUS,  /* + or - starting a term and followed by it: "+x", "-(x)", "-\"a b\"" */
    LS_QTOK_MINUS,
    LS_QTOK_FIELD, /* "name:" at the start of a word; text is the name */
    LS_QTOK_STAR,  /* '*' ending a word, straight after that WORD token */
} ls_qtok_kind;

typedef struct ls_qtoken {
    ls_qtok_kind kind;
    size_t start;     /* byte offset of the token's first byte (a phrase's opening quote) */
    size_t text;      /* byte offset of the token's text (word, phrase contents, field name) */
    size_t len;       /* bytes of text */
    int unterminated; /* PHRASE: the closing quote is missing; text runs to the end */
} ls_qtoken;

/*
 * Lexing rules:
 * - Whitespace (ASCII and the Unicode space characters such as U+00A0 and U+3000) separates
 *   tokens and is never part of one. ( and ) are always tokens; " opens a phrase.
 * - + and - are operators only where a token starts (not straight after "name:") and when a
 *   non-space byte other than ')' follows; otherwise they begin a word ("-", "foo-bar").
 * - AND, OR, NOT are operators unless glued to a preceding +, - or "name:", or followed by
 *   '*' ("-AND", "title:OR" and "AND*" are words).
 * - A word whose first ':' is not its first byte is split: FIELD for the part before the colon,
 *   then the rest lexes as usual ("foo:bar" -> FIELD foo, WORD bar).
 * - A word longer than one byte that ends in '*' gives WORD (without the star), then STAR.
 */
typedef struct ls_qlexer {
    const char *q;
    size_t len;
    size_t pos;
    ls_qtok_kind prev;  /* kind of the last token returned */
    size_t prev_end;    /* byte offset just past it */
    int pending_star;   /* the last WORD dropped a trailing '*' at pos: STAR comes next */
} ls_qlexer;

void ls_qlexer_init(ls_qlexer *lx, const char *q, size_t len);
/** Reads the next token into out. After END, keeps returning END. */
void ls_qlexer_next(ls_qlexer *lx, ls_qtoken *out);
/** @return how a token kind is written in messages: "AND", "+", "(", "word", ... */
const char *ls_qtok_name(ls_qtok_kind kind);

#endif
