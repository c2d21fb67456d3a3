/* SPDX-License-Identifier: MIT */
/*
 * test_parser.c - the query module's front end: ast.c (building, freeing, formatting), lexer.c
 * (tokens and offsets) and parser.c (strict, lenient and plain syntax, fields, prefixes, limits,
 * allocation failures, random input). Expected trees are written in ls_qnode_format's form and
 * use the English analyzer ("agreements" -> "agreement", "running*" stays unstemmed).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/ast.h"
#include "query/lexer.h"
#include "query/parser.h"
#include "testutil.h"
#include "util/alloc.h"

static ls_analyzer *an;

static void setup(void)
{
    ls_error err;
    ck_assert_int_eq(ls_analyzer_new("english", &an, &err), LS_OK);
}

static void teardown(void)
{
    ls_analyzer_free(an);
    an = NULL;
}

/* Parses q and formats the tree into buf; returns the parse code (buf = "" on failure). */
static int parse_fmt(const char *q, size_t len, int syntax, int default_and, int drop,
                     char *buf, size_t cap, ls_error *err)
{
    ls_parse_options o = {syntax, default_and, drop};
    ls_qnode *n = (ls_qnode *)&o; /* must be overwritten */
    int rc = ls_query_parse(q, len, &o, an, &n, err);
    buf[0] = '\0';
    if (rc != LS_OK) {
        ck_assert_ptr_null(n);
        return rc;
    }
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->kind, LS_Q_BOOL);
    size_t want = ls_qnode_format(n, buf, cap);
    ck_assert_uint_lt(want, cap);
    ck_assert_uint_eq(strlen(buf), want);
    ls_qnode_free(n);
    return rc;
}

/* ---- ast.c ---- */

START_TEST(ast_format_handbuilt_tree)
{
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    ls_qnode *ph = ls_qnode_new(LS_Q_PHRASE);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_nonnull(ph);
    ph->field = LS_FIELD_TITLE;
    ck_assert_int_eq(ls_qnode_add(ph, ls_qnode_term(LS_FIELD_TITLE, "a", 1), 0), LS_OK);
    ck_assert_int_eq(ls_qnode_add(ph, ls_qnode_term(LS_FIELD_TITLE, "b", 1), 0), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_term(LS_FIELD_ALL, "iran", 4), LS_OCCUR_MUST),
                     LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_term(LS_FIELD_ALL, "china", 5),
                                  LS_OCCUR_SHOULD), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ph, LS_OCCUR_NOT), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_prefix(LS_FIELD_ALL, "pre", 3),
                                  LS_OCCUR_SHOULD), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_prefix(LS_FIELD_BODY, "x", 1), LS_OCCUR_MUST),
                     LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_new(LS_Q_ALL), LS_OCCUR_SHOULD), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_new(LS_Q_BOOL), LS_OCCUR_SHOULD), LS_OK);
    char buf[128];
    const char *want = "(+all:iran all:china -title:\"a b\" all:pre* +body:x* *:* ())";
    ck_assert_uint_eq(ls_qnode_format(root, buf, sizeof buf), strlen(want));
    ck_assert_str_eq(buf, want);
    ck_assert_uint_eq(root->n_kids, 7);
    ck_assert_str_eq(root->kids[0]->text, "iran");
    ck_assert_uint_eq(root->kids[0]->len, 4);
    ls_qnode_free(root);
    ls_qnode_free(NULL);
}
END_TEST

START_TEST(ast_format_shows_boosts_other_than_one)
{
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    ls_qnode *t = ls_qnode_term(LS_FIELD_ALL, "lens", 4);
    ls_qnode *ph = ls_qnode_new(LS_Q_PHRASE);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(ph);
    ck_assert(root->boost == 1.0 && t->boost == 1.0 && ph->boost == 1.0);
    t->boost = 0.25;
    ph->boost = 2;
    ck_assert_int_eq(ls_qnode_add(ph, ls_qnode_term(LS_FIELD_ALL, "a", 1), 0), LS_OK);
    ck_assert_int_eq(ls_qnode_add(ph, ls_qnode_term(LS_FIELD_ALL, "b", 1), 0), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, t, LS_OCCUR_MUST), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ph, LS_OCCUR_SHOULD), LS_OK);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_term(LS_FIELD_TITLE, "x", 1), LS_OCCUR_SHOULD),
                     LS_OK);
    char buf[128];
    ls_qnode_format(root, buf, sizeof buf);
    ck_assert_str_eq(buf, "(+all:lens^0.25 all:\"a b\"^2 title:x)");
    ls_qnode_free(root);
}
END_TEST

START_TEST(ast_format_truncates_like_snprintf)
{
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    ck_assert_int_eq(ls_qnode_add(root, ls_qnode_term(LS_FIELD_ALL, "iran", 4), LS_OCCUR_MUST),
                     LS_OK);
    char buf[8];
    memset(buf, 'x', sizeof buf);
    ck_assert_uint_eq(ls_qnode_format(root, buf, 5), strlen("(+all:iran)"));
    ck_assert_str_eq(buf, "(+al");
    ck_assert_int_eq(buf[5], 'x');
    ck_assert_uint_eq(ls_qnode_format(root, NULL, 0), 11);
    ck_assert_uint_eq(ls_qnode_format(root, buf, 1), 11);
    ck_assert_str_eq(buf, "");
    ls_qnode_free(root);
}
END_TEST

START_TEST(ast_add_many_kids_and_null_kid)
{
    ls_qnode *root = ls_qnode_new(LS_Q_BOOL);
    for (int i = 0; i < 1000; i++) {
        char w[16];
        int n = snprintf(w, sizeof w, "t%d", i);
        ck_assert_int_eq(ls_qnode_add(root, ls_qnode_term(LS_FIELD_ALL, w, (size_t)n), i % 3),
                         LS_OK);
    }
    ck_assert_uint_eq(root->n_kids, 1000);
    ck_assert_str_eq(root->kids[999]->text, "t999");
    ck_assert_int_eq(root->occur[998], 998 % 3);
    /* A NULL kid is what a failed allocation passed straight in looks like. */
    ck_assert_int_eq(ls_qnode_add(root, NULL, LS_OCCUR_MUST), LS_ENOMEM);
    ck_assert_uint_eq(root->n_kids, 1000);
    /* A failed grow frees the kid and leaves the parent as it was. */
    ls_qnode *big = ls_qnode_new(LS_Q_BOOL);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(ls_qnode_add(big, ls_qnode_term(0, "a", 1), 0), LS_OK);
    ls_qnode *kid = ls_qnode_term(0, "b", 1);
    ls_alloc_fail_after(0);
    int rc = ls_qnode_add(big, kid, 0);
    ls_alloc_fail_after(-1);
    ck_assert_int_eq(rc, LS_ENOMEM);
    ck_assert_uint_eq(big->n_kids, 4);
    ck_assert_int_eq(ls_qnode_add(big, ls_qnode_term(0, "c", 1), LS_OCCUR_NOT), LS_OK);
    char buf[64];
    ls_qnode_format(big, buf, sizeof buf);
    ck_assert_str_eq(buf, "(all:a all:a all:a all:a -all:c)");
    ls_qnode_free(big);
    ls_qnode_free(root);
}
END_TEST

/* ---- lexer.c ---- */

static const char *tok_short(ls_qtok_kind k)
{
    static const char *const names[] = {"END", "W", "P", "(", ")", "AND", "OR", "NOT",
                                        "+",   "-", "F", "*"};
    return names[k];
}

/* "KIND@start[text]" for each token up to END, space-separated; '!' marks an open phrase. */
static void lex_all(const char *q, size_t len, char *out, size_t cap)
{
    ls_qlexer lx;
    ls_qtoken t;
    size_t n = 0;
    out[0] = '\0';
    ls_qlexer_init(&lx, q, len);
    for (int guard = 0; guard < 100; guard++) {
        ls_qlexer_next(&lx, &t);
        if (t.kind == LS_QTOK_END) {
            ck_assert_uint_eq(t.start, len);
            return;
        }
        int has_text = t.kind == LS_QTOK_WORD || t.kind == LS_QTOK_PHRASE || t.kind == LS_QTOK_FIELD;
        n += (size_t)snprintf(out + n, cap - n, "%s%s@%zu%s%.*s%s%s", n ? " " : "",
                              tok_short(t.kind), t.start, has_text ? "[" : "",
                              has_text ? (int)t.len : 0, q + t.text, has_text ? "]" : "",
                              t.unterminated ? "!" : "");
        ck_assert_uint_lt(n, cap);
    }
    ck_abort_msg("lexer did not reach END for '%s'", q);
}

START_TEST(lexer_tokens_and_offsets)
{
    static const struct {
        const char *q, *want;
    } cases[] = {
        {"", ""},
        {"  \t\n ", ""},
        {"title:pre* -\"a b\" (x OR y)",
         "F@0[title] W@6[pre] *@9 -@11 P@12[a b] (@18 W@19[x] OR@21 W@24[y] )@25"},
        {"a-b - -c", "W@0[a-b] W@4[-] -@6 W@7[c]"},
        {"+AND AND* title:OR AND", "+@0 W@1[AND] W@5[AND] *@8 F@10[title] W@16[OR] AND@19"},
        {"and NOT or", "W@0[and] NOT@4 W@8[or]"},
        {"\"open", "P@0[open]!"},
        {"x \"\" y", "W@0[x] P@2[] W@5[y]"},
        {":x a:b:c", "W@0[:x] F@3[a] W@5[b:c]"},
        {"title: x", "F@0[title] W@7[x]"},
        {"-) +", "W@0[-] )@1 W@3[+]"},
        {"--a", "-@0 -@1 W@2[a]"},
        {"* **", "W@0[*] W@2[*] *@3"},
        {"f(x)\"y\"z", "W@0[f] (@1 W@2[x] )@3 P@4[y] W@7[z]"},
        {"x\xc2\xa0y\xe3\x80\x80z\xe2\x80\x83w", "W@0[x] W@3[y] W@7[z] W@11[w]"},
        {"caf\xc3\xa9 \xff", "W@0[caf\xc3\xa9] W@6[\xff]"},
    };
    char buf[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lex_all(cases[i].q, strlen(cases[i].q), buf, sizeof buf);
        ck_assert_msg(strcmp(buf, cases[i].want) == 0, "lexing '%s': got '%s', want '%s'",
                      cases[i].q, buf, cases[i].want);
    }
    ck_assert_str_eq(ls_qtok_name(LS_QTOK_AND), "AND");
    ck_assert_str_eq(ls_qtok_name(LS_QTOK_MINUS), "-");
}
END_TEST

/* ---- parser.c: valid syntax ---- */

/* Valid in strict mode; lenient must give the same tree. want_and: with default_and. */
static const struct {
    const char *q, *want_or, *want_and;
} valid_cases[] = {
    {"iran", "(all:iran)", "(+all:iran)"},
    {"iran china", "(all:iran all:china)", "(+all:iran +all:china)"},
    {"agreements", "(all:agreement)", "(+all:agreement)"},
    {"iran AND china", "(+all:iran +all:china)", "(+all:iran +all:china)"},
    {"iran OR china", "(all:iran all:china)", "(all:iran all:china)"},
    {"iran AND china OR oil", "((+all:iran +all:china) all:oil)",
     "((+all:iran +all:china) all:oil)"},
    {"iran china AND oil", "(all:iran (+all:china +all:oil))", "(+all:iran +all:china +all:oil)"},
    {"iran china OR oil", "(all:iran all:china all:oil)", "((+all:iran +all:china) all:oil)"},
    {"+iran china -oil", "(+all:iran all:china -all:oil)", "(+all:iran +all:china -all:oil)"},
    {"NOT iran", "(-all:iran)", "(-all:iran)"},
    {"iran OR NOT china", "(all:iran -all:china)", "(all:iran -all:china)"},
    {"iran NOT china", "(all:iran -all:china)", "(+all:iran -all:china)"},
    {"iran AND NOT china", "(+all:iran -all:china)", "(+all:iran -all:china)"},
    {"(iran OR china) AND oil", "(+(all:iran all:china) +all:oil)",
     "(+(all:iran all:china) +all:oil)"},
    {"iran AND (china AND oil)", "(+all:iran +all:china +all:oil)",
     "(+all:iran +all:china +all:oil)"},
    {"iran OR (china OR oil)", "(all:iran all:china all:oil)", "(all:iran all:china all:oil)"},
    {"(((iran)))", "(all:iran)", "(+all:iran)"},
    {"(+iran china)", "(+all:iran all:china)", "(+all:iran +all:china)"},
    {"oil (+iran china)", "(all:oil (+all:iran all:china))", "(+all:oil +all:iran +all:china)"},
    {"-(iran china)", "(-all:iran -all:china)", "(-(+all:iran +all:china))"},
    {"+(iran china)", "(all:iran all:china)", "(+all:iran +all:china)"},
    {"oil -(-iran)", "(all:oil -(-all:iran))", "(+all:oil -(-all:iran))"},
    {"+-iran china", "(+(-all:iran) all:china)", "(+(-all:iran) +all:china)"},
    {"--iran", "(-(-all:iran))", "(-(-all:iran))"},
    {"-AND oil", "(-all:and all:oil)", "(-all:and +all:oil)"},
    {"and or not", "(all:and all:or all:not)", "(+all:and +all:or +all:not)"},
    {"iran - china", "(all:iran all:china)", "(+all:iran +all:china)"},
    {"iran -", "(all:iran)", "(+all:iran)"},
    {"\"trade wars\"", "(all:\"trade war\")", "(+all:\"trade war\")"},
    {"\"iran\"", "(all:iran)", "(+all:iran)"},
    {"\"!!\" iran \"\"", "(all:iran)", "(+all:iran)"},
    {"+\"trade wars\" -(oil OR coal)", "(+all:\"trade war\" -all:oil -all:coal)",
     "(+all:\"trade war\" -all:oil -all:coal)"},
    {"25-year agreements", "(all:\"25 year\" all:agreement)",
     "(+all:\"25 year\" +all:agreement)"},
    {"U.S. oil", "(all:\"u s\" all:oil)", "(+all:\"u s\" +all:oil)"},
    {"iran's", "(all:iran)", "(+all:iran)"},
    {"foo-bar", "(all:\"foo bar\")", "(+all:\"foo bar\")"},
    {"pre*", "(all:pre*)", "(+all:pre*)"},
    {"running*", "(all:running*)", "(+all:running*)"},
    {"AND*", "(all:and*)", "(+all:and*)"},
    {"25-ye*", "(+all:25 +all:ye*)", "(+all:25 +all:ye*)"},
    {"oil running-sh*", "(all:oil (+all:run +all:sh*))", "(+all:oil +all:run +all:sh*)"},
    {"title:iran body:\"trade wars\" china", "(title:iran body:\"trade war\" all:china)",
     "(+title:iran +body:\"trade war\" +all:china)"},
    {"title:(iran OR body:china) oil", "(title:iran body:china all:oil)",
     "(+(title:iran body:china) +all:oil)"},
    {"title:(iran -china)", "(title:iran -title:china)", "(+title:iran -title:china)"},
    {"-title:(25-year pre*)", "(-title:\"25 year\" -title:pre*)",
     "(-(+title:\"25 year\" +title:pre*))"},
    {"TITLE:iran Body:oil", "(title:iran body:oil)", "(+title:iran +body:oil)"},
    {"title:pre*", "(title:pre*)", "(+title:pre*)"},
    {"title: iran", "(title:iran)", "(+title:iran)"},
    {"title:foo:bar", "(title:\"foo bar\")", "(+title:\"foo bar\")"},
    {"title:-iran", "(title:iran)", "(+title:iran)"},
    {"+title:iran -body:oil", "(+title:iran -body:oil)", "(+title:iran -body:oil)"},
    {"iran\xe3\x80\x80" "china\xc2\xa0oil", "(all:iran all:china all:oil)",
     "(+all:iran +all:china +all:oil)"},
    {"Caf\xc3\xa9", "(all:cafe)", "(+all:cafe)"},
};

START_TEST(parse_valid_queries_strict_and_lenient)
{
    char buf[512];
    ls_error err;
    for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
        const char *q = valid_cases[i].q;
        for (int syntax = LS_SYNTAX_STRICT; syntax <= LS_SYNTAX_LENIENT; syntax++) {
            for (int da = 0; da <= 1; da++) {
                const char *want = da ? valid_cases[i].want_and : valid_cases[i].want_or;
                int rc = parse_fmt(q, strlen(q), syntax, da, 0, buf, sizeof buf, &err);
                ck_assert_msg(rc == LS_OK, "'%s' (syntax %d): rc %d: %s", q, syntax, rc,
                              err.message);
                ck_assert_msg(strcmp(buf, want) == 0,
                              "'%s' (syntax %d, default_and %d): got %s, want %s", q, syntax, da,
                              buf, want);
            }
        }
    }
}
END_TEST

START_TEST(parse_25_year_is_a_phrase_of_adjacent_terms)
{
    ls_parse_options o = {LS_SYNTAX_STRICT, 0, 0};
    ls_qnode *n;
    ck_assert_int_eq(ls_query_parse("25-year", 7, &o, an, &n, NULL), LS_OK);
    ck_assert_uint_eq(n->n_kids, 1);
    const ls_qnode *ph = n->kids[0];
    ck_assert_int_eq(ph->kind, LS_Q_PHRASE);
    ck_assert_int_eq(ph->field, LS_FIELD_ALL);
    ck_assert_uint_eq(ph->n_kids, 2);
    ck_assert_int_eq(ph->kids[0]->kind, LS_Q_TERM);
    ck_assert_str_eq(ph->kids[0]->text, "25");
    ck_assert_str_eq(ph->kids[1]->text, "year");
    ck_assert_uint_eq(ph->kids[1]->source_offset, 3);
    ls_qnode_free(n);
}
END_TEST

START_TEST(parse_field_reaches_phrase_terms_and_offsets)
{
    ls_parse_options o = {LS_SYNTAX_STRICT, 0, 0};
    ls_qnode *n;
    const char *q = "oil title:(\"trade wars\" body:x) -pre*";
    ck_assert_int_eq(ls_query_parse(q, strlen(q), &o, an, &n, NULL), LS_OK);
    ck_assert_uint_eq(n->n_kids, 4);
    ck_assert_uint_eq(n->kids[0]->source_offset, 0);
    const ls_qnode *ph = n->kids[1];
    ck_assert_int_eq(ph->kind, LS_Q_PHRASE);
    ck_assert_int_eq(ph->field, LS_FIELD_TITLE);
    ck_assert_int_eq(ph->kids[0]->field, LS_FIELD_TITLE);
    ck_assert_int_eq(ph->kids[1]->field, LS_FIELD_TITLE);
    ck_assert_uint_eq(ph->source_offset, 11);  /* the opening quote */
    ck_assert_uint_eq(ph->kids[1]->source_offset, 18);
    ck_assert_int_eq(n->kids[2]->field, LS_FIELD_BODY);
    ck_assert_int_eq(n->kids[3]->kind, LS_Q_PREFIX);
    ck_assert_int_eq(n->occur[3], LS_OCCUR_NOT);
    ck_assert_uint_eq(n->kids[3]->source_offset, 33); /* the word, not its "-" */
    ls_qnode_free(n);
}
END_TEST

/* ---- parser.c: errors ---- */

/* Strict errors: position and message; want_lenient: the lenient tree (default OR). */
static const struct {
    const char *q;
    size_t pos;
    const char *msg, *want_lenient;
} error_cases[] = {
    {"", 0, "empty query", "()"},
    {" \t ", 0, "empty query", "()"},
    {"!!! ... --", 0, "query has no searchable words", "()"},
    {"-\"!\"", 0, "query has no searchable words", "()"},
    {"\"a b", 0, "unterminated phrase: the quote at byte 0 is never closed", "(all:\"a b\")"},
    {"iran \"oil", 5, "unterminated phrase: the quote at byte 5 is never closed",
     "(all:iran all:oil)"},
    {"iran oil (china", 9, "unbalanced parenthesis at byte 9", "(all:iran all:oil all:china)"},
    {"(iran (china) oil", 0, "unbalanced parenthesis at byte 0", "(all:iran all:china all:oil)"},
    {"iran china)", 10, "unbalanced parenthesis at byte 10", "(all:iran all:china)"},
    {") iran (", 0, "unbalanced parenthesis at byte 0", "(all:iran)"},
    {"()", 0, "empty parentheses at byte 0", "()"},
    {"iran ( )", 5, "empty parentheses at byte 5", "(all:iran)"},
    {"foo:bar", 0, "unknown field 'foo' at byte 0 (fields: title, body)", "(all:foo all:bar)"},
    {"iran Foo:(oil coal)", 5, "unknown field 'Foo' at byte 5", "(all:iran all:foo all:oil all:coal)"},
    {"http://x.org", 0, "unknown field 'http'", "(all:http all:\"x org\")"},
    {"title:", 0, "field 'title' at byte 0 is not followed by a word, phrase or group",
     "(all:titl)"},
    {"oil title: AND iran", 4, "field 'title' at byte 4 is not followed",
     "(all:oil (+all:titl +all:iran))"},
    {"title: body:x", 0, "field 'title' at byte 0 is not followed", "(all:titl body:x)"},
    {"china AND", 6, "AND at byte 6 has nothing after it", "(all:china all:and)"},
    {"OR iran", 0, "OR at byte 0 has nothing before it", "(all:or all:iran)"},
    {"AND", 0, "AND at byte 0 has nothing before it", "(all:and)"},
    {"iran OR OR china", 5, "OR at byte 5 has nothing after it",
     "(all:iran all:or all:china)"},
    {"iran AND OR china", 5, "AND at byte 5 has nothing after it",
     "((+all:iran +all:or) all:china)"},
    {"(iran AND)", 6, "AND at byte 6 has nothing after it", "(all:iran all:and)"},
    {"iran (OR oil)", 6, "OR at byte 6 has nothing before it", "(all:iran all:or all:oil)"},
    {"NOT", 0, "NOT at byte 0 has nothing after it", "(all:not)"},
    {"iran NOT", 5, "NOT at byte 5 has nothing after it", "(all:iran all:not)"},
    {"NOT AND iran", 0, "NOT at byte 0 has nothing after it", "(-all:and all:iran)"},
    {"NOT OR", 0, "NOT at byte 0 has nothing after it", "(-all:or)"},
};

START_TEST(parse_strict_errors_position_and_message)
{
    char buf[512];
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const char *q = error_cases[i].q;
        for (int da = 0; da <= 1; da++) {
            ls_error err;
            memset(&err, 0, sizeof err);
            int rc = parse_fmt(q, strlen(q), LS_SYNTAX_STRICT, da, 0, buf, sizeof buf, &err);
            ck_assert_msg(rc == LS_EQUERY, "'%s': rc %d, tree %s", q, rc, buf);
            ck_assert_int_eq(err.code, LS_EQUERY);
            ck_assert_msg(err.position == error_cases[i].pos, "'%s': position %zu, want %zu", q,
                          err.position, error_cases[i].pos);
            ck_assert_msg(strstr(err.message, error_cases[i].msg) != NULL,
                          "'%s': message '%s' lacks '%s'", q, err.message, error_cases[i].msg);
        }
    }
}
END_TEST

START_TEST(parse_lenient_reads_mistakes_as_words)
{
    char buf[512];
    ls_error err;
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const char *q = error_cases[i].q;
        for (int da = 0; da <= 1; da++) {
            int rc = parse_fmt(q, strlen(q), LS_SYNTAX_LENIENT, da, 0, buf, sizeof buf, &err);
            ck_assert_msg(rc == LS_OK, "'%s': lenient rc %d: %s", q, rc, err.message);
            ck_assert_int_eq(err.code, LS_OK);
            if (!da)
                ck_assert_msg(strcmp(buf, error_cases[i].want_lenient) == 0,
                              "'%s': got %s, want %s", q, buf, error_cases[i].want_lenient);
        }
    }
}
END_TEST

/* ---- parser.c: plain ---- */

START_TEST(parse_plain_mode_bag_of_words)
{
    static const struct {
        const char *q;
        int default_and, drop;
        const char *want;
    } cases[] = {
        {"iran AND china", 0, 0, "(all:iran all:and all:china)"},
        {"iran AND china", 0, 1, "(all:iran all:china)"},
        {"iran AND china", 1, 1, "(+all:iran +all:china)"},
        {"the of", 0, 1, "(all:the all:of)"},
        {"oil oil Oil", 0, 0, "(all:oil all:oil all:oil)"},
        {"+iran -\"china (", 1, 0, "(+all:iran +all:china)"},
        {"title:iran pre*", 0, 0, "(all:titl all:iran all:pre)"},
        {"25-year agreements", 0, 0, "(all:25 all:year all:agreement)"},
        {"", 0, 0, "()"},
        {"!!! )(", 1, 1, "()"},
    };
    char buf[256];
    ls_error err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse_fmt(cases[i].q, strlen(cases[i].q), LS_SYNTAX_PLAIN, cases[i].default_and,
                           cases[i].drop, buf, sizeof buf, &err);
        ck_assert_int_eq(rc, LS_OK);
        ck_assert_msg(strcmp(buf, cases[i].want) == 0, "plain '%s': got %s, want %s",
                      cases[i].q, buf, cases[i].want);
    }
}
END_TEST

/* Strict and lenient syntax with drop on: a bare stop word leaves its group when the group has
 * another positive clause; quoted, fielded, +/- and parenthesised ones were asked for. */
START_TEST(parse_syntax_drops_bare_stop_words)
{
    static const struct {
        const char *q;
        int default_and;
        const char *want;
    } cases[] = {
        {"the cat", 0, "(all:cat)"},
        {"The Cat of the hat", 0, "(all:cat all:hat)"},
        {"the cat", 1, "(+all:cat)"},
        {"cat AND the", 0, "(+all:cat)"},
        {"cat OR the", 0, "(all:cat)"},
        {"the of", 0, "(all:the all:of)"},
        {"the", 0, "(all:the)"},
        {"the -cat", 0, "(all:the -all:cat)"},
        {"+the cat", 0, "(+all:the all:cat)"},
        {"cat -the", 0, "(all:cat -all:the)"},
        {"cat NOT the", 0, "(all:cat -all:the)"},
        {"\"the\" cat", 0, "(all:the all:cat)"},
        {"title:the cat", 0, "(title:the all:cat)"},
        {"(the) cat", 0, "(all:the all:cat)"},
        {"dog (the cat)", 0, "(all:dog all:cat)"},
        {"dog (the of)", 0, "(all:dog all:the all:of)"},
        {"dog -(the cat)", 0, "(all:dog -all:cat)"},
        {"dog -(the of)", 0, "(all:dog -all:the -all:of)"},
        {"\"the cat\" of", 0, "(all:\"the cat\")"},
        {"the 25-year", 0, "(all:\"25 year\")"},
        {"the pre*", 0, "(all:pre*)"},
    };
    char buf[256], off[256];
    ls_error err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int syntax = LS_SYNTAX_STRICT; syntax <= LS_SYNTAX_LENIENT; syntax++) {
            size_t len = strlen(cases[i].q);
            ck_assert_int_eq(
                parse_fmt(cases[i].q, len, syntax, cases[i].default_and, 1, buf, sizeof buf, &err),
                LS_OK);
            ck_assert_msg(strcmp(buf, cases[i].want) == 0, "syntax %d '%s': got %s, want %s",
                          syntax, cases[i].q, buf, cases[i].want);
            /* drop off: every word stays */
            ck_assert_int_eq(
                parse_fmt(cases[i].q, len, syntax, cases[i].default_and, 0, off, sizeof off, &err),
                LS_OK);
            ck_assert_msg(strstr(cases[i].q, "the") == NULL || strstr(off, "the") != NULL,
                          "syntax %d '%s' without drop: %s", syntax, cases[i].q, off);
        }
    }
}
END_TEST

/* ---- parser.c: limits, arguments, allocation failures ---- */

static char *repeat(const char *head, size_t n_head, const char *mid, const char *tail,
                    size_t n_tail)
{
    size_t len = strlen(head) * n_head + strlen(mid) + strlen(tail) * n_tail;
    char *s = malloc(len + 1), *p = s;
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n_head; i++)
        p = stpcpy(p, head);
    p = stpcpy(p, mid);
    for (size_t i = 0; i < n_tail; i++)
        p = stpcpy(p, tail);
    return s;
}

START_TEST(parse_limits_size_and_nesting)
{
    char buf[4096];
    ls_error err;
    for (int syntax = LS_SYNTAX_STRICT; syntax <= LS_SYNTAX_PLAIN; syntax++) {
        char *big = repeat("a ", 32768, "", "", 0); /* exactly 64 KiB: accepted */
        ls_parse_options o = {syntax, 0, 0};
        ls_qnode *n;
        ck_assert_int_eq(ls_query_parse(big, 65536, &o, an, &n, &err), LS_OK);
        ck_assert_uint_eq(n->n_kids, 32768);
        ls_qnode_free(n);
        free(big);
        big = repeat("a ", 32768, "b", "", 0);
        int rc = ls_query_parse(big, 65537, &o, an, &n, &err);
        if (syntax == LS_SYNTAX_STRICT) {
            ck_assert_int_eq(rc, LS_ELIMIT);
            ck_assert_ptr_null(n);
            ck_assert_ptr_nonnull(strstr(err.message, "65537 bytes"));
        } else { /* lenient and plain read the first 64 KiB: "b" is past the limit */
            ck_assert_int_eq(rc, LS_OK);
            ck_assert_uint_eq(n->n_kids, 32768);
            ls_qnode_free(n);
        }
        free(big);
    }
    for (int syntax = LS_SYNTAX_STRICT; syntax <= LS_SYNTAX_LENIENT; syntax++) {
        char *q = repeat("(", 100, "iran", ")", 100);
        ck_assert_int_eq(parse_fmt(q, strlen(q), syntax, 0, 0, buf, sizeof buf, &err), LS_OK);
        ck_assert_str_eq(buf, "(all:iran)");
        free(q);
        /* One level too deep: strict refuses it; lenient reads the extra '(' as nothing. */
        q = repeat("(", 101, "iran", ")", 101);
        int rc = parse_fmt(q, strlen(q), syntax, 0, 0, buf, sizeof buf, &err);
        if (syntax == LS_SYNTAX_STRICT) {
            ck_assert_int_eq(rc, LS_ELIMIT);
            ck_assert_ptr_nonnull(strstr(err.message, "deeper than 100"));
        } else {
            ck_assert_int_eq(rc, LS_OK);
            ck_assert_str_eq(buf, "(all:iran)");
        }
        free(q);
        q = repeat("(", 5000, "iran", "", 0); /* unclosed: lenient closes them */
        rc = parse_fmt(q, strlen(q), syntax, 0, 0, buf, sizeof buf, &err);
        ck_assert_int_eq(rc, syntax == LS_SYNTAX_STRICT ? LS_ELIMIT : LS_OK);
        free(q);
        q = repeat("NOT ", 100, "iran", "", 0);
        ck_assert_int_eq(parse_fmt(q, strlen(q), syntax, 0, 0, buf, sizeof buf, &err), LS_OK);
        free(q);
        q = repeat("-", 101, "iran", "", 0); /* lenient: the operator past the limit is nothing */
        ck_assert_int_eq(parse_fmt(q, strlen(q), syntax, 0, 0, buf, sizeof buf, &err),
                         syntax == LS_SYNTAX_STRICT ? LS_ELIMIT : LS_OK);
        free(q);
    }
}
END_TEST

START_TEST(parse_bad_arguments)
{
    ls_error err;
    ls_qnode *n = NULL;
    ls_parse_options bad = {7, 0, 0};
    ck_assert_int_eq(ls_query_parse("x", 1, NULL, NULL, &n, &err), LS_EINVAL);
    ck_assert_ptr_null(n);
    ck_assert_int_eq(ls_query_parse(NULL, 3, NULL, an, &n, &err), LS_EINVAL);
    ck_assert_int_eq(ls_query_parse("x", 1, &bad, an, &n, &err), LS_EINVAL);
    ck_assert_int_eq(ls_query_parse("x", 1, NULL, an, NULL, &err), LS_EINVAL);
    /* NULL options: strict with default OR; NULL text with length 0 is the empty query. */
    ck_assert_int_eq(ls_query_parse("x y", 3, NULL, an, &n, NULL), LS_OK);
    ck_assert_uint_eq(n->n_kids, 2);
    ck_assert_int_eq(n->occur[1], LS_OCCUR_SHOULD);
    ls_qnode_free(n);
    ck_assert_int_eq(ls_query_parse(NULL, 0, NULL, an, &n, &err), LS_EQUERY);
    ck_assert_str_eq(err.message, "empty query");
    /* Only len bytes are read: the text needs no NUL. */
    ck_assert_int_eq(ls_query_parse("iran\"", 4, NULL, an, &n, &err), LS_OK);
    ck_assert_int_eq(err.code, LS_OK);
    ls_qnode_free(n);
}
END_TEST

START_TEST(parse_alloc_failures_are_reported_and_leak_nothing)
{
    static const struct {
        const char *q;
        int syntax;
    } cases[] = {
        {"+iran title:(\"trade wars\" -oil) 25-ye* OR (china AND NOT coal) U.S.", 0},
        {"-(a b) --c +-d x* \"unclosed (", 1},
        {"iran AND china oil oil the", 2},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ls_parse_options o = {cases[c].syntax, 0, 1};
        char want[512], got[512];
        ls_qnode *n;
        ck_assert_int_eq(ls_query_parse(cases[c].q, strlen(cases[c].q), &o, an, &n, NULL), LS_OK);
        ls_qnode_format(n, want, sizeof want);
        ls_qnode_free(n);
        long fail_at;
        for (fail_at = 0; fail_at < 10000; fail_at++) {
            ls_error err;
            ls_alloc_fail_after(fail_at);
            int rc = ls_query_parse(cases[c].q, strlen(cases[c].q), &o, an, &n, &err);
            ls_alloc_fail_after(-1);
            if (rc == LS_OK) {
                ls_qnode_format(n, got, sizeof got);
                ls_qnode_free(n);
                ck_assert_str_eq(got, want);
                break;
            }
            ck_assert_int_eq(rc, LS_ENOMEM);
            ck_assert_int_eq(err.code, LS_ENOMEM);
            ck_assert_ptr_null(n);
        }
        ck_assert_int_gt(fail_at, 5);
        ck_assert_int_lt(fail_at, 10000);
    }
}
END_TEST

/* ---- parser.c: random input ---- */

/* Check records every passing ck_assert (a file write), which the random test would do
 * millions of times: its hot loop calls Check only on failure. */
#define REQUIRE(cond, ...)                                                                     \
    do {                                                                                       \
        if (!(cond))                                                                           \
            ck_abort_msg(__VA_ARGS__);                                                         \
    } while (0)

/* Structural invariants of any parsed tree. */
static void check_tree(const ls_qnode *n, int depth)
{
    REQUIRE(n != NULL && depth < 400, "NULL node or depth %d", depth);
    REQUIRE(n->field >= LS_FIELD_ALL && n->field <= LS_FIELD_BODY, "field %d", n->field);
    switch (n->kind) {
    case LS_Q_TERM:
    case LS_Q_PREFIX:
        REQUIRE(n->text != NULL && n->len > 0 && n->len <= LS_MAX_TERM_BYTES &&
                    strlen(n->text) == n->len && n->n_kids == 0,
                "bad term or prefix node");
        break;
    case LS_Q_PHRASE:
        REQUIRE(n->n_kids >= 2, "phrase of %zu terms", n->n_kids);
        for (size_t i = 0; i < n->n_kids; i++) {
            REQUIRE(n->kids[i]->kind == LS_Q_TERM && n->kids[i]->field == n->field,
                    "phrase kid %zu: kind %d field %d", i, (int)n->kids[i]->kind,
                    n->kids[i]->field);
            check_tree(n->kids[i], depth + 1);
        }
        break;
    case LS_Q_BOOL:
        for (size_t i = 0; i < n->n_kids; i++) {
            REQUIRE(n->occur[i] >= LS_OCCUR_SHOULD && n->occur[i] <= LS_OCCUR_NOT, "occur %d",
                    n->occur[i]);
            check_tree(n->kids[i], depth + 1);
        }
        break;
    case LS_Q_ALL: ck_abort_msg("the parser never makes ALL nodes"); break;
    }
}

static size_t random_query(ls_rng *r, char *q, size_t cap)
{
    static const char *const pieces[] = {
        "a",     "iran",  "25-year", " ",   "  ",     "\"",   "(",    ")",   "+",
        "-",     "*",     ":",       "AND", "OR",     "NOT",  "and",  "title:", "body:",
        "foo:",  "U.S.",  "\xc2\xa0", "\xff", "\xe3\x80\x80", "caf\xc3\xa9", "'s", "\t",
    };
    size_t n = 0, want = ls_rng_below(r, 40);
    int raw = ls_rng_below(r, 4) == 0;
    for (size_t i = 0; i < want && n + 16 < cap; i++) {
        if (raw) {
            q[n++] = (char)ls_rng_below(r, 256);
        } else {
            const char *p = pieces[ls_rng_below(r, sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(p);
            memcpy(q + n, p, l);
            n += l;
        }
    }
    return n;
}

START_TEST(parse_random_bytes_never_crash)
{
    ls_rng r;
    ls_rng_init(&r, 0x9a45e);
    int iters = ls_test_long() ? 100000 : 5000;
    char q[1024], strict_buf[4096], buf[4096];
    long n_ok[3] = {0, 0, 0}, n_strict_err = 0;
    for (int it = 0; it < iters; it++) {
        size_t len = random_query(&r, q, sizeof q);
        for (int da = 0; da <= 1; da++) {
            int strict_rc = LS_OK;
            int drop = (int)ls_rng_below(&r, 2); /* the same for every syntax: compared below */
            for (int syntax = LS_SYNTAX_STRICT; syntax <= LS_SYNTAX_PLAIN; syntax++) {
                ls_parse_options o = {syntax, da, drop};
                ls_error err;
                ls_qnode *n;
                int rc = ls_query_parse(q, len, &o, an, &n, &err);
                if (syntax == LS_SYNTAX_STRICT) {
                    strict_rc = rc;
                    REQUIRE(rc == LS_OK || (rc == LS_EQUERY && err.position <= len),
                            "strict rc %d at %zu on '%.*s'", rc, err.position, (int)len, q);
                    n_strict_err += rc != LS_OK;
                } else {
                    REQUIRE(rc == LS_OK, "syntax %d rc %d (%s) on '%.*s'", syntax, rc,
                            err.message, (int)len, q);
                }
                if (rc != LS_OK)
                    continue;
                n_ok[syntax]++;
                REQUIRE(n->kind == LS_Q_BOOL, "root kind %d", (int)n->kind);
                check_tree(n, 0);
                size_t fl = ls_qnode_format(n, buf, sizeof buf);
                REQUIRE(fl < sizeof buf, "format length %zu", fl);
                ls_qnode_free(n);
                /* What strict accepts, lenient reads the same way. */
                if (syntax == LS_SYNTAX_STRICT)
                    memcpy(strict_buf, buf, fl + 1);
                else if (syntax == LS_SYNTAX_LENIENT && strict_rc == LS_OK)
                    REQUIRE(strcmp(buf, strict_buf) == 0, "'%.*s': strict %s, lenient %s",
                            (int)len, q, strict_buf, buf);
            }
        }
    }
    /* Lenient and plain accepted everything; the inputs exercised both strict outcomes. */
    ck_assert_int_eq(n_ok[LS_SYNTAX_LENIENT], 2L * iters);
    ck_assert_int_eq(n_ok[LS_SYNTAX_PLAIN], 2L * iters);
    ck_assert_int_gt(n_ok[LS_SYNTAX_STRICT], iters / 10);
    ck_assert_int_gt(n_strict_err, iters / 10);
}
END_TEST

Suite *ls_suite_parser(void)
{
    Suite *s = suite_create("parser");
    TCase *tc = tcase_create("ast");
    tcase_add_test(tc, ast_format_handbuilt_tree);
    tcase_add_test(tc, ast_format_shows_boosts_other_than_one);
    tcase_add_test(tc, ast_format_truncates_like_snprintf);
    tcase_add_test(tc, ast_add_many_kids_and_null_kid);
    suite_add_tcase(s, tc);

    tc = tcase_create("lexer");
    tcase_add_test(tc, lexer_tokens_and_offsets);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, parse_valid_queries_strict_and_lenient);
    tcase_add_test(tc, parse_25_year_is_a_phrase_of_adjacent_terms);
    tcase_add_test(tc, parse_field_reaches_phrase_terms_and_offsets);
    tcase_add_test(tc, parse_strict_errors_position_and_message);
    tcase_add_test(tc, parse_lenient_reads_mistakes_as_words);
    tcase_add_test(tc, parse_plain_mode_bag_of_words);
    tcase_add_test(tc, parse_syntax_drops_bare_stop_words);
    tcase_add_test(tc, parse_limits_size_and_nesting);
    tcase_add_test(tc, parse_bad_arguments);
    tcase_add_test(tc, parse_alloc_failures_are_reported_and_leak_nothing);
    tcase_add_test(tc, parse_random_bytes_never_crash);
    suite_add_tcase(s, tc);
    return s;
}
