/* SPDX-License-Identifier: MIT */
/*
 * test_jsonl_fast.c - the jsonl_fast suite: cli/jsonl_fast.c against jansson, the reader it
 * stands in for. Every line it takes must be one jansson reads (with JSON_ALLOW_NUL, as
 * source.c does) to the same id, title, body and path, byte for byte; a line jansson refuses
 * or source.c would tell as malformed must be left to jansson. Random lines from a grammar of
 * the usual and the odd (escapes, \u0000, surrogates, UTF-8, control bytes, numbers jansson
 * reads otherwise, repeated keys, nesting, broken syntax), and a table of edge lines. Lines
 * are passed in buffers of their exact size, so AddressSanitizer sees a read past the end.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/jsonl_fast.h"
#include "testutil.h"

/* The four members as source.c reads them with jansson. @return 1 when the line is a
 * document it takes (id, and title/body/path strings or absent or null), else 0. */
static int jansson_fields(const char *line, size_t n, char *num, size_t num_size, jf_line *out)
{
    memset(out, 0, sizeof *out);
    json_error_t err;
    json_t *obj = json_loadb(line, n, JSON_ALLOW_NUL, &err);
    if (obj == NULL)
        return 0;
    int ok = json_is_object(obj);
    static const char *const keys[JF_FIELDS] = {"id", "title", "body", "path"};
    for (int f = 0; ok && f < JF_FIELDS; f++) {
        json_t *v = json_object_get(obj, keys[f]);
        if (f == JF_ID && json_is_integer(v)) {
            int k = snprintf(num, num_size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            out->v[f] = num;
            out->len[f] = (size_t)k;
        } else if (f == JF_ID && json_is_real(v)) {
            int k = snprintf(num, num_size, "%.17g", json_real_value(v));
            out->v[f] = num;
            out->len[f] = (size_t)k;
        } else if (json_is_string(v)) {
            out->v[f] = json_string_value(v);
            out->len[f] = json_string_length(v);
        } else if (f == JF_ID || (v != NULL && !json_is_null(v))) {
            ok = 0;
        }
    }
    /* keep the strings: copy them out before the object goes */
    static char copy[JF_FIELDS][65536];
    for (int f = 0; ok && f < JF_FIELDS; f++)
        if (out->v[f] != NULL) {
            ck_assert_uint_lt(out->len[f], sizeof copy[f]);
            memcpy(copy[f], out->v[f], out->len[f]);
            out->v[f] = copy[f];
        }
    json_decref(obj);
    return ok;
}

/* jf_parse on an exact-size copy; checks it against jansson. @return jf_parse's answer. */
static int check_line(const char *line, size_t n)
{
    char *exact = malloc(n ? n : 1), *scratch = malloc(n ? n : 1), num[64];
    ck_assert(exact != NULL && scratch != NULL);
    memcpy(exact, line, n);
    jf_line fast, slow;
    int took = jf_parse(exact, n, scratch, &fast);
    int jans = jansson_fields(line, n, num, sizeof num, &slow);
    if (took) {
        ck_assert_msg(jans, "jf_parse took a line source.c refuses: %.*s", (int)n, line);
        for (int f = 0; f < JF_FIELDS; f++) {
            ck_assert_msg((fast.v[f] == NULL) == (slow.v[f] == NULL) &&
                              fast.len[f] == slow.len[f] &&
                              (fast.v[f] == NULL || memcmp(fast.v[f], slow.v[f], fast.len[f]) == 0),
                          "member %d differs from jansson's (%zu against %zu bytes): %.*s", f,
                          fast.len[f], slow.len[f], (int)n, line);
        }
    }
    ck_assert_mem_eq(exact, line, n); /* the line itself is left alone */
    free(exact);
    free(scratch);
    return took;
}

static int check_str(const char *line) { return check_line(line, strlen(line)); }

START_TEST(jsonl_fast_edge_lines)
{
    static const struct {
        const char *line;
        int took;
    } cases[] = {
        {"{\"id\": \"a\", \"title\": \"T\", \"body\": \"b\", \"path\": \"/p\"}\n", 1},
        {"{\"id\":\"a\"}", 1},
        {"  {\"id\" : 42 , \"extra\": [1, 2]}\r\n", 0}, /* nesting: jansson's */
        {"{\"id\": 42, \"extra\": 7, \"x\": null}\n", 1},
        {"{\"id\": -5}", 1},
        {"{\"id\": 0}", 1},
        {"{\"id\": -0}", 0},
        {"{\"id\": 007}", 0},
        {"{\"id\": 1.5}", 0},
        {"{\"id\": 1e3}", 0},
        {"{\"id\": 1234567890123456789}", 0},
        {"{\"id\": 123456789012345678}", 1},
        {"{\"id\": null}", 0},
        {"{\"title\": \"no id\"}", 0},
        {"{\"id\": \"a\", \"title\": null, \"body\": null}", 1},
        {"{\"id\": \"a\", \"title\": 3}", 0},
        {"{\"id\": \"a\", \"title\": true}", 0},
        {"{\"id\": \"a\", \"id\": \"b\"}", 0},
        {"{\"id\": \"a\", \"x\": 1, \"x\": 2}", 1},
        {"{\"id\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}", 1},
        {"{\"id\": \"\\u0041\\u00e9\\u20ac\\uFFFF\\u0000z\"}", 1},
        {"{\"id\": \"\\ud83d\\ude00\"}", 0}, /* a surrogate pair: jansson's */
        {"{\"id\": \"\\ud83d\"}", 0},
        {"{\"id\": \"\\u12\"}", 0},
        {"{\"id\": \"\\x\"}", 0},
        {"{\"id\": \"caf\xc3\xa9\"}", 0}, /* UTF-8: jansson checks it */
        {"{\"id\": \"\xff\"}", 0},
        {"{\"id\": \"tab\there\"}", 0}, /* a raw control byte */
        {"{\"\\u0000\": 1, \"id\": \"a\"}", 0},
        {"{\"i\\u0064\": \"escaped key\"}", 1},
        {"{\"id\": \"a\",}", 0},
        {"{\"id\": \"a\"", 0},
        {"{\"id\": \"a\"} x", 0},
        {"{\"id\" \"a\"}", 0},
        {"[\"id\"]", 0},
        {"{}", 0},
        {"{\"id\": \"\"}", 1},
        {"{\"id\": \"unterminated}", 0},
        {"{\"id\": \"a\", \"body\": \"\x7f\"}", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(check_str(cases[i].line) == cases[i].took, "case %zu: %s: expected %s", i,
                      cases[i].line, cases[i].took ? "taken" : "left to jansson");
}
END_TEST

/* ---- random lines ---- */

static void put(char *b, size_t cap, size_t *n, const char *s)
{
    size_t l = strlen(s);
    ck_assert_uint_lt(*n + l, cap);
    memcpy(b + *n, s, l);
    *n += l;
}

static void ws(ls_rng *r, char *b, size_t cap, size_t *n)
{
    static const char *const w[] = {"", "", "", " ", "  ", "\t", " \r\n "};
    put(b, cap, n, w[ls_rng_below(r, 7)]);
}

static void random_string(ls_rng *r, char *b, size_t cap, size_t *n)
{
    static const char *const pieces[] = {
        "plain", " words ", "x", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
        "\\u0000", "\\u0041", "\\u007f", "\\u0080", "\\u07FF", "\\u0800", "\\uffff", "\\ud800",
        "\\udc00", "\\ud83d\\ude00", "\xc3\xa9", "\xe2\x82\xac", "\xff", "\x01", "\x7f", "\\q",
        "\\u12G4", "{", "}", ",", ":", "[", "]",
    };
    put(b, cap, n, "\"");
    uint32_t k = ls_rng_below(r, 8);
    for (uint32_t i = 0; i < k; i++)
        put(b, cap, n, pieces[ls_rng_below(r, 12) ? ls_rng_below(r, 3) : ls_rng_below(r, 34)]);
    if (ls_rng_below(r, 40) != 0)
        put(b, cap, n, "\"");
}

static void random_value(ls_rng *r, char *b, size_t cap, size_t *n)
{
    static const char *const other[] = {"null", "0", "-0", "7", "-12", "007", "1.5", "2e3",
                                        "123456789012345678", "1234567890123456789", "true",
                                        "false", "[1, \"a\"]", "{\"k\": 1}", "nul", "-"};
    if (ls_rng_below(r, 3) != 0)
        random_string(r, b, cap, n);
    else
        put(b, cap, n, other[ls_rng_below(r, 16)]);
}

START_TEST(jsonl_fast_random_lines_agree_with_jansson)
{
    static const char *const keys[] = {"\"id\"", "\"title\"", "\"body\"", "\"path\"",
                                       "\"extra\"", "\"\"", "\"i\\u0064\"", "\"\\u0000\"",
                                       "\"ti\xc3\xa9\"", "id"};
    ls_rng r;
    ls_rng_init(&r, 0x150F);
    int n_lines = ls_test_long() ? 200000 : 20000, took = 0;
    char b[4096];
    for (int i = 0; i < n_lines; i++) {
        size_t n = 0;
        ws(&r, b, sizeof b, &n);
        put(b, sizeof b, &n, ls_rng_below(&r, 50) ? "{" : "[");
        uint32_t members = ls_rng_below(&r, 6);
        for (uint32_t m = 0; m < members; m++) {
            if (m > 0 || ls_rng_below(&r, 60) == 0)
                put(b, sizeof b, &n, ",");
            ws(&r, b, sizeof b, &n);
            uint32_t k = ls_rng_below(&r, 8) ? ls_rng_below(&r, 4) : ls_rng_below(&r, 10);
            put(b, sizeof b, &n, keys[k]);
            ws(&r, b, sizeof b, &n);
            if (ls_rng_below(&r, 60) != 0)
                put(b, sizeof b, &n, ":");
            ws(&r, b, sizeof b, &n);
            random_value(&r, b, sizeof b, &n);
            ws(&r, b, sizeof b, &n);
        }
        if (ls_rng_below(&r, 40) == 0)
            put(b, sizeof b, &n, ",");
        put(b, sizeof b, &n, ls_rng_below(&r, 50) ? "}" : "");
        if (ls_rng_below(&r, 30) == 0)
            put(b, sizeof b, &n, " x");
        ws(&r, b, sizeof b, &n);
        put(b, sizeof b, &n, ls_rng_below(&r, 2) ? "\n" : "");
        took += check_line(b, n);
    }
    /* both paths must have been walked often enough for the comparison to prove anything */
    ck_assert_msg(took > n_lines / 50 && took < n_lines / 2, "%d of %d lines taken", took,
                  n_lines);
}
END_TEST

Suite *ls_suite_jsonl_fast(void);

Suite *ls_suite_jsonl_fast(void)
{
    Suite *s = suite_create("jsonl_fast");
    TCase *tc = tcase_create("jansson");
    tcase_set_timeout(tc, ls_test_long() ? 600 : 60);
    tcase_add_test(tc, jsonl_fast_edge_lines);
    tcase_add_test(tc, jsonl_fast_random_lines_agree_with_jansson);
    suite_add_tcase(s, tc);
    return s;
}
