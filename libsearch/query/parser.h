/* SPDX-License-Identifier: MIT */
/*
 * parser.h - query text to ls_qnode tree.
 *
 * Syntax (LS_SYNTAX_STRICT and LS_SYNTAX_LENIENT):
 *   query   := or_expr
 *   or_expr := and_expr ( ("OR" | implicit) and_expr )*     implicit joins here when default OR
 *   and_expr:= unary ( ("AND" | implicit) unary )*          implicit joins here when default AND
 *   unary   := ("NOT" | "-" | "+") unary | primary
 *   primary := "(" or_expr ")" | [field ":"] ( word | word "*" | '"' words '"' )
 *   field   := "title" | "body"
 * Operators are upper-case words AND, OR, NOT; "+x" makes x required, "-x" excludes it.
 * A word is analyzed: no token -> dropped; one -> TERM; several (e.g. "25-year") -> PHRASE.
 * "word*" is a prefix, analyzed without stemming; if it gives several tokens ("25-ye*") it
 * becomes BOOL(+25 +ye*): earlier words as required stemmed terms, the last as a required
 * prefix (their order is not checked). Field names are matched ignoring ASCII case, may be
 * followed by spaces ("title: iran") and apply to the next primary; for a group, to every leaf
 * that has no field of its own. A word glued to "name:", "+" or "-" is never an operator
 * ("-AND", "title:OR"), nor is one followed by '*'. A lone "+" or "-" is a word (analyzes to
 * nothing). Modifiers work as clause flags, as in Lucene: "+a b -c" is BOOL(+a b -c) and
 * "a OR NOT b" is BOOL(a -b).
 * Strict: any error gives LS_EQUERY with the byte position and reason; also "()" (empty
 * parentheses), an empty query and one whose words all analyze to nothing. Lenient never
 * fails: an unmatched quote closes at the end, stray operators and unknown fields become
 * words, an unmatched '(' closes at the end and an unmatched ')' is ignored; a query with
 * no words gives an empty BOOL.
 * LS_SYNTAX_PLAIN: every analyzed token becomes its own TERM clause (SHOULD, or MUST with
 * default_and); nothing is syntax.
 */
#ifndef LS_QUERY_PARSER_H
#define LS_QUERY_PARSER_H

#include "analysis/analyzer.h"
#include "query/ast.h"

typedef struct ls_parse_options {
    int syntax;         /* LS_SYNTAX_* */
    int default_and;    /* implicit operator is AND */
    int drop_stopwords; /* drop stop words: PLAIN every stop-word token, unless all tokens are;
                         * STRICT and LENIENT every bare stop word (unquoted, no +, -, NOT or
                         * field) of a group, unless the group has no other positive clause */
} ls_parse_options;

/**
 * Parses q[0..len). The tree root is always a LS_Q_BOOL (possibly empty: matches nothing).
 * Nesting counts parentheses and prefix operators (NOT, +, -) together. opts may be NULL
 * (strict, default OR). On failure *out is NULL and nothing is leaked.
 * Limits (libsearch.h): in strict syntax a query over LS_MAX_QUERY_BYTES, nested deeper than
 * LS_MAX_QUERY_DEPTH or with a phrase over LS_MAX_PHRASE_WORDS is LS_ELIMIT. Lenient and plain
 * syntax read around them instead: text past the byte limit is ignored, parentheses and
 * operators past the depth limit are read as nothing (their contents join the enclosing
 * list), and a longer phrase becomes required consecutive phrases of at most the limit.
 * @return LS_OK, LS_EQUERY (strict only; err->position set), LS_ENOMEM, LS_ELIMIT (strict
 *         only), LS_EINVAL (no analyzer, NULL text with a nonzero length, unknown syntax).
 */
int ls_query_parse(const char *q, size_t len, const ls_parse_options *opts, ls_analyzer *an,
                   ls_qnode **out, ls_error *err);

#endif
