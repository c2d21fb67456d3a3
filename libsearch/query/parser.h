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
 * Strict: any error gives LS_EQUERY with the byte position and reason. Lenient never fails:
 * an unmatched quote closes at the end, stray operators and unknown fields become words, an
 * unmatched parenthesis is ignored.
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
    int drop_stopwords; /* PLAIN only: drop stop-word tokens, unless all tokens are stop words */
} ls_parse_options;

/**
 * Parses q[0..len). The tree root is always a LS_Q_BOOL (possibly empty: matches nothing).
 * @return LS_OK, LS_EQUERY (strict only; err->position set), LS_ENOMEM, LS_ELIMIT (query over
 *         64 KiB or nested over 100 levels).
 */
int ls_query_parse(const char *q, size_t len, const ls_parse_options *opts, ls_analyzer *an,
                   ls_qnode **out, ls_error *err);

#endif
