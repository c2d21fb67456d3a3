/* SPDX-License-Identifier: MIT */
/*
 * test_extract.c - the extract suite: titles and bodies of files for `cisearch index`
 * (cli/extract.c). Plain text against a copy of the old split_text; HTML (a realistic page,
 * title fallbacks, sniffing, XHTML, character references, attributes, broken input at every
 * truncation point and mutated, pathological input in linear time); Markdown (ATX, setext,
 * front matter, code); gzip (inner kinds, concatenated members, truncation, corruption,
 * trailing bytes, 1 GiB bombs under the cap with bounded memory); binary detection; the
 * title cap at UTF-8 boundaries. Inputs are passed in buffers of their exact size, without a
 * NUL, so that AddressSanitizer sees any read past the end.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define ZLIB_CONST
#include <zlib.h>

#include "../../cli/extract.h"
#include "testutil.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ----------------------------------------------------------------------------- */

/* cli_extract on an exact-size copy of data[0..len). */
static int extract_n(const char *name, const void *data, size_t len, size_t max_bytes,
                     cli_extracted *e, const char **why)
{
    char *copy = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len > 0)
        memcpy(copy, data, len);
    int rc = cli_extract(name, copy, len, max_bytes, e, why);
    free(copy);
    return rc;
}

/* Extracts the C string s and checks that it succeeds, with the lengths right. */
static void extract_ok(const char *name, const char *s, cli_extracted *e)
{
    const char *why = "unset";
    int rc = extract_n(name, s, strlen(s), 0, e, &why);
    ck_assert_int_eq(rc, CLI_EXTRACT_OK);
    ck_assert_ptr_null(why);
    ck_assert_ptr_nonnull(e->title);
    ck_assert_ptr_nonnull(e->body);
    ck_assert_ptr_nonnull(e->kind);
    ck_assert_uint_eq(strlen(e->title), e->title_len);
    ck_assert_uint_eq(strlen(e->body), e->body_len);
    ck_assert_uint_le(e->title_len, CLI_TITLE_MAX_BYTES);
}

/* Title, body and kind of s under name are as expected. */
static void expect(const char *name, const char *s, const char *kind, const char *title,
                   const char *body)
{
    cli_extracted e;
    extract_ok(name, s, &e);
    ck_assert_str_eq(e.kind, kind);
    ck_assert_str_eq(e.title, title);
    if (body != NULL)
        ck_assert_str_eq(e.body, body);
    cli_extracted_free(&e);
}

/* A growable byte buffer for building test inputs. */
typedef struct tbuf {
    unsigned char *p;
    size_t len, cap;
} tbuf;

static void tb_reserve(tbuf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    b->p = realloc(b->p, cap);
    ck_assert_ptr_nonnull(b->p);
    b->cap = cap;
}

static void tb_put(tbuf *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    tb_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* Appends the gzip member of data[0..len) made by zlib's deflate, fed in 64 KiB pieces, or
 * `repeat` times data when repeat > 1 (streamed: the whole input is never in memory). */
static void gz_append(tbuf *out, const void *data, size_t len, size_t repeat)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    size_t done = 0, total = len * (repeat ? repeat : 1);
    int ret;
    do {
        size_t piece = 0;
        if (done < total) {
            size_t off = done % (len ? len : 1);
            piece = len - off < 65536 ? len - off : 65536;
            z.next_in = (const unsigned char *)data + off;
        }
        z.avail_in = (unsigned)piece;
        int flush = done + piece >= total ? Z_FINISH : Z_NO_FLUSH;
        do {
            tb_reserve(out, 65536);
            z.next_out = out->p + out->len;
            z.avail_out = 65536;
            ret = deflate(&z, flush);
            ck_assert_int_ne(ret, Z_STREAM_ERROR);
            out->len += 65536 - z.avail_out;
        } while (z.avail_out == 0);
        done += piece;
    } while (ret != Z_STREAM_END);
    deflateEnd(&z);
}

static tbuf gz(const char *s)
{
    tbuf b = {0};
    gz_append(&b, s, strlen(s), 1);
    return b;
}

/* A reference copy of cli/source.c split_text as it was: title = the first non-blank line,
 * trimmed; body = everything after that line. */
static int ref_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void ref_split_text(const char *t, size_t len, const char **title, size_t *title_len,
                           const char **body, size_t *body_len)
{
    size_t pos = 0;
    if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    *title = t + len;
    *title_len = 0;
    *body = t + len;
    *body_len = 0;
    while (pos < len) {
        const char *nl = memchr(t + pos, '\n', len - pos);
        size_t eol = nl ? (size_t)(nl - t) : len;
        size_t a = pos, b = eol;
        while (a < b && ref_blank(t[a]))
            a++;
        while (b > a && ref_blank(t[b - 1]))
            b--;
        pos = nl ? eol + 1 : len;
        if (a < b) {
            *title = t + a;
            *title_len = b - a;
            *body = t + pos;
            *body_len = len - pos;
            return;
        }
    }
}

static void check_like_split_text(const char *name, const char *t, size_t len)
{
    const char *rt, *rb;
    size_t rtl, rbl;
    ref_split_text(t, len, &rt, &rtl, &rb, &rbl);
    cli_extracted e;
    const char *why;
    ck_assert_int_eq(extract_n(name, t, len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.kind, "text");
    ck_assert_uint_eq(e.title_len, rtl);
    ck_assert_uint_eq(e.body_len, rbl);
    ck_assert(memcmp(e.title, rt, rtl) == 0);
    ck_assert(memcmp(e.body, rb, rbl) == 0);
    ck_assert_int_eq(e.title[rtl], '\0');
    ck_assert_int_eq(e.body[rbl], '\0');
    cli_extracted_free(&e);
}

/* The text invariants of the HTML body: no blank at either end of a line, no blank runs,
 * no empty line, no other whitespace. (One assertion at the end: Check's assertions each
 * tell the parent process, too slow for every byte of 4 MiB.) */
static void check_collapsed(const char *s, size_t len)
{
    size_t bad = len;
    for (size_t i = 0; i < len && bad == len; i++) {
        if (s[i] == ' ' || s[i] == '\n') {
            if (i == 0 || i + 1 == len || s[i - 1] == ' ' || s[i - 1] == '\n' ||
                s[i + 1] == ' ' || s[i + 1] == '\n')
                bad = i;
        } else if (s[i] == '\t' || s[i] == '\r' || s[i] == '\f') {
            bad = i;
        }
    }
    ck_assert_msg(bad == len, "whitespace at %zu of %zu: \"%.40s\"", bad, len,
                  s + (bad > 20 ? bad - 20 : 0));
}

static int valid_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = p[i] < 0x80 ? 1 : (p[i] >> 5) == 6 ? 2 : (p[i] >> 4) == 14 ? 3
                                     : (p[i] >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > len)
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
        i += n;
    }
    return 1;
}

static double cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* ---- plain text -------------------------------------------------------------------------- */

START_TEST(text_matches_split_text)
{
    static const char *const cases[] = {
        "",
        "\n",
        "\n\n  \t\n",
        "Title",
        "Title\n",
        "Title\nbody line 1\nbody line 2\n",
        "  \t Padded title \t \n  indented body\n",
        "\n\n\nLate title\n\nafter a blank\n",
        "\xEF\xBB\xBFWith BOM\nbody",
        "\xEF\xBB\xBF\n\n  BOM then blanks\nbody",
        "\xEF\xBB",
        "Windows\r\nline endings\r\n",
        "\r\n\r\n\v\fform feeds\f\nrest\n",
        "only title no newline  ",
        "a\nb",
        "  \xEF\xBB\xBF not a BOM here\n",
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        check_like_split_text("notes.txt", cases[i], strlen(cases[i]));
        check_like_split_text(NULL, cases[i], strlen(cases[i]));
        check_like_split_text("dir.html/README", cases[i], strlen(cases[i]));
    }
    /* random short texts over blanks, line breaks, letters and the BOM's bytes */
    static const char alphabet[] = " \t\r\n\f\vab\xEF\xBB\xBF";
    ls_rng r;
    ls_rng_init(&r, 1);
    char buf[64];
    for (int iter = 0; iter < 5000; iter++) {
        size_t len = ls_rng_below(&r, sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[ls_rng_below(&r, sizeof alphabet - 1)];
        if (len >= 3 && ls_rng_below(&r, 4) == 0)
            memcpy(buf, "\xEF\xBB\xBF", 3);
        check_like_split_text("random.txt", buf, len);
    }
}
END_TEST

START_TEST(text_title_cap_at_utf8_boundary)
{
    char buf[1024];
    cli_extracted e;
    /* 150 x "é" (2 bytes): 100 characters fit exactly */
    size_t n = 0;
    for (int i = 0; i < 150; i++)
        n += (size_t)sprintf(buf + n, "\xC3\xA9");
    n += (size_t)sprintf(buf + n, "\nsecond line\n");
    extract_ok("a.txt", buf, &e);
    ck_assert_uint_eq(e.title_len, 200);
    ck_assert(memcmp(e.title, buf, 200) == 0);
    /* the title was cut: its whole line stays in the body, nothing is lost */
    ck_assert_str_eq(e.body, buf);
    cli_extracted_free(&e);

    /* "a" then 3-byte characters: the cut falls inside one, so it backs up to 199 */
    n = (size_t)sprintf(buf, "a");
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(buf + n, "\xE2\x82\xAC");
    extract_ok("a.txt", buf, &e);
    ck_assert_uint_eq(e.title_len, 199);
    ck_assert(valid_utf8(e.title, e.title_len));
    ck_assert(memcmp(e.title, buf, 199) == 0);
    cli_extracted_free(&e);

    /* 4-byte characters after one byte: 1 + 4 * 49 = 197 */
    n = (size_t)sprintf(buf, "a");
    for (int i = 0; i < 60; i++)
        n += (size_t)sprintf(buf + n, "\xF0\x9F\x98\x80");
    extract_ok("a.txt", buf, &e);
    ck_assert_uint_eq(e.title_len, 197);
    ck_assert(valid_utf8(e.title, e.title_len));
    cli_extracted_free(&e);

    /* the cut leaves a trailing blank: trimmed */
    memset(buf, 'x', 198);
    buf[198] = ' ';
    strcpy(buf + 199, "\xC3\xA9 and more words after the cut\nbody");
    extract_ok("a.txt", buf, &e);
    ck_assert_uint_eq(e.title_len, 198);
    ck_assert(e.title[197] == 'x');
    cli_extracted_free(&e);

    /* exactly 200 bytes: not cut, the body is the rest as before */
    memset(buf, 'y', 200);
    strcpy(buf + 200, "\nrest");
    extract_ok("a.txt", buf, &e);
    ck_assert_uint_eq(e.title_len, 200);
    ck_assert_str_eq(e.body, "rest");
    cli_extracted_free(&e);

    /* bytes that are not UTF-8 (all continuation bytes): cut at the limit */
    memset(buf, 0x80, 300);
    buf[300] = '\0';
    extract_ok("latin.txt", buf, &e);
    ck_assert_uint_eq(e.title_len, 200);
    cli_extracted_free(&e);

    /* HTML and Markdown titles are cut the same way */
    n = (size_t)sprintf(buf, "<title>");
    for (int i = 0; i < 150; i++)
        n += (size_t)sprintf(buf + n, "\xC3\xBC");
    sprintf(buf + n, "</title><p>x");
    extract_ok("p.html", buf, &e);
    ck_assert_uint_eq(e.title_len, 200);
    ck_assert(valid_utf8(e.title, e.title_len));
    ck_assert_str_eq(e.body, "x");
    cli_extracted_free(&e);

    n = (size_t)sprintf(buf, "# a");
    for (int i = 0; i < 150; i++)
        n += (size_t)sprintf(buf + n, "\xC3\xBC");
    extract_ok("p.md", buf, &e);
    ck_assert_uint_eq(e.title_len, 199);
    ck_assert(valid_utf8(e.title, e.title_len));
    cli_extracted_free(&e);
}
END_TEST

/* ---- HTML -------------------------------------------------------------------------------- */

static const char page[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "  <meta charset=\"utf-8\">\n"
    "  <meta name=\"description\" content=\"A page about caching &amp; indexing\">\n"
    "  <title>\n"
    "    Caching &amp; Indexing &mdash; Notes\n"
    "  </title>\n"
    "  <link rel=\"stylesheet\" href=\"style.css\">\n"
    "  <style>\n"
    "    body { color: #333; }\n"
    "    p > a { color: red; }\n"
    "  </style>\n"
    "  <script type=\"text/javascript\">\n"
    "    window.onload = function() { if (a < b && c > d) { document.title = \"</p>\"; } };\n"
    "  </script>\n"
    "</head>\n"
    "<body class=\"docs\">\n"
    "  <nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/docs\">Docs</a></li></ul></nav>\n"
    "  <h1 id=\"top\">Caching <em>basics</em></h1>\n"
    "  <!-- TODO: remove the <b>old</b> section -->\n"
    "  <p>A <b>cache</b> keeps <a href=\"x>y\" title='a \"quoted\" > title'>hot data</a> "
    "close.\n"
    "     It&rsquo;s fast&hellip; usually &ndash; see &lt;below&gt;.</p>\n"
    "  <p>Prices: &euro;5 &amp; &pound;4, 50&deg;, caf&eacute; &copy; 2024&nbsp;ACME</p>\n"
    "  <pre>\n"
    "int main(void) {\n"
    "    return 0;\n"
    "}</pre>\n"
    "  <table>\n"
    "    <tr><th>Name</th><th>Hits</th></tr>\n"
    "    <tr><td>alpha</td><td>42</td></tr>\n"
    "  </table>\n"
    "  <noscript><p>Enable JavaScript</p></noscript>\n"
    "  <footer>Written by <i>me</i>.<br>Last line</footer>\n"
    "</body>\n"
    "</html>\n";

static const char page_body[] =
    "Home\n"
    "Docs\n"
    "Caching basics\n"
    "A cache keeps hot data close. It\u2019s fast\u2026 usually \u2013 see <below>.\n"
    "Prices: \u20AC5 & \u00A34, 50\u00B0, caf\u00E9 \u00A9 2024 ACME\n"
    "int main(void) {\n"
    "return 0;\n"
    "}\n"
    "Name Hits\n"
    "alpha 42\n"
    "Written by me.\n"
    "Last line";

START_TEST(html_realistic_page)
{
    cli_extracted e;
    extract_ok("site/notes.html", page, &e);
    ck_assert_str_eq(e.kind, "html");
    ck_assert_str_eq(e.title, "Caching & Indexing \u2014 Notes");
    ck_assert_str_eq(e.body, page_body);
    /* what must never show */
    static const char *const hidden[] = {"href", "function(", "color:", "charset", "stylesheet",
                                         "TODO", "old", "quoted", "Enable", "DOCTYPE", "<b>",
                                         "</", "x>y", "&amp;", "&nbsp;", "Indexing"};
    for (size_t i = 0; i < N_OF(hidden); i++)
        ck_assert_msg(strstr(e.body, hidden[i]) == NULL, "body shows %s", hidden[i]);
    /* the only '<' is the one typed as &lt; */
    const char *lt = strchr(e.body, '<');
    ck_assert_ptr_eq(lt, strstr(e.body, "<below>"));
    ck_assert_ptr_null(strchr(lt + 1, '<'));
    check_collapsed(e.body, e.body_len);
    cli_extracted_free(&e);

    /* the same page under other names, and sniffed under a name that says nothing */
    expect("NOTES.HTM", page, "html", "Caching & Indexing \u2014 Notes", page_body);
    expect("notes.xhtml", page, "html", "Caching & Indexing \u2014 Notes", page_body);
    expect("notes.shtml", page, "html", "Caching & Indexing \u2014 Notes", page_body);
    expect("saved-page", page, "html", "Caching & Indexing \u2014 Notes", page_body);
    expect("page.md", page, "html", "Caching & Indexing \u2014 Notes", page_body);
}
END_TEST

START_TEST(html_title_fallbacks)
{
    /* no <title>: the first <h1>, its inline markup and references read */
    expect("a.html", "<html><body><p>Intro</p><h1>The <b>Main</b>&nbsp;Heading</h1><p>Text",
           "html", "The Main Heading", "Intro\nThe Main Heading\nText");
    /* an empty <title> and an empty <h1> do not count */
    expect("a.html", "<title> \n </title><h1><img src=x></h1><h2>Sub</h2><h1>Second</h1>x",
           "html", "Second", "Sub\nSecond\nx");
    /* <br> in the <h1>: a blank in the title, a line break in the body */
    expect("a.html", "<h1>Line one<br>line two</h1>", "html", "Line one line two",
           "Line one\nline two");
    /* an unclosed <h1> ends at the next block */
    expect("a.html", "<h1>Open heading<p>paragraph", "html", "Open heading",
           "Open heading\nparagraph");
    /* neither: the first line of the visible text, which stays in the body */
    expect("a.html", "<div>\n  <span>First</span> visible line\n</div><p>Second</p>", "html",
           "First visible line", "First visible line\nSecond");
    /* nothing visible at all */
    expect("a.html", "<html><head><script>x()</script></head></html>", "html", "", "");
    expect("a.html", "", "html", "", "");
    /* <title> wins over <h1>; only the first <title> counts and none is shown */
    expect("a.html", "<h1>Heading</h1><title>Real</title><title>Other</title>", "html", "Real",
           "Heading");
    /* a <title> in SVG is not the page's */
    expect("a.html", "<svg><title>Icon</title></svg><h1>Page</h1>", "html", "Page",
           "Icon\nPage");
    /* a <title> in a <template> neither */
    expect("a.html", "<template><title>T</title><p>hidden</p></template><p>Shown", "html",
           "Shown", "Shown");
    /* a missing </title> ends the title at the next tag instead of taking the page */
    expect("a.html", "<title>Broken & title<body><p>Body text</p>", "html", "Broken & title",
           "Body text");
    /* the title's text is not repeated in the body, unless the page shows it */
    expect("a.html", "<title>Same</title><h1>Same</h1>", "html", "Same", "Same");
}
END_TEST

START_TEST(html_sniffed_by_content)
{
    expect("notes.txt", "<!DOCTYPE html><title>T</title><p>x", "html", "T", "x");
    expect("notes.txt", "\xEF\xBB\xBF \n\t<!doctype HTML>\n<p>bom", "html", "bom", "bom");
    expect("README", "<HTML><BODY><P>upper</P></BODY></HTML>", "html", "upper", "upper");
    expect("README", "<html>", "html", "", "");
    expect("x.md", "<html lang=en><h1>In md</h1>", "html", "In md", "In md");
    expect("x", "<?xml version=\"1.0\"?>\n<!-- saved -->\n<html><p>xml", "html", "xml", "xml");
    /* not HTML */
    expect("x.txt", "<htmlish> not a tag we sniff\nline", "text", "<htmlish> not a tag we sniff",
           "line");
    expect("x.txt", "text first\n<html><p>late", "text", "text first", "<html><p>late");
    expect("x.txt", "<!DOCTYPE svg>\nz", "text", "<!DOCTYPE svg>", "z");
    expect("x.txt", "<p>a paragraph</p>", "text", "<p>a paragraph</p>", "");
}
END_TEST

START_TEST(xhtml_with_cdata)
{
    static const char xhtml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\"\n"
        "  \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\">\n"
        "<head><title>XHTML &#38; CDATA</title>\n"
        "<script type=\"text/javascript\" src=\"lib.js\"/>\n"
        "<script type=\"text/javascript\">\n"
        "//<![CDATA[\n"
        "if (a < b && b > c) document.write('<p>no</p>');\n"
        "//]]>\n"
        "</script></head>\n"
        "<body><p>Before<br/>after</p>\n"
        "<p><![CDATA[ raw <b>cdata</b> ]]>kept</p>\n"
        "<?php echo 'pi'; ?>\n"
        "<p>Self-closed <span/>span &amp; <img src=\"a.png\" alt=\"alt text\"/> image</p>\n"
        "</body></html>\n";
    cli_extracted e;
    extract_ok("doc.xhtml", xhtml, &e);
    ck_assert_str_eq(e.kind, "html");
    ck_assert_str_eq(e.title, "XHTML & CDATA");
    ck_assert_str_eq(e.body, "Before\nafter\nkept\nSelf-closed span & image");
    cli_extracted_free(&e);
    expect("doc", xhtml, "html", "XHTML & CDATA", NULL); /* sniffed past <?xml ?> */
}
END_TEST

START_TEST(html_numeric_references)
{
    expect("a.html", "<p>&#65;&#x42;&#X43;&#0068;&#x0045; plain</p>", "html", "ABCDE plain",
           NULL);
    expect("a.html", "<p>&#233; &#x20AC; &#x1F600; &#128512;</p>", "html",
           "\u00E9 \u20AC \U0001F600 \U0001F600", NULL);
    /* NUL, surrogates, past U+10FFFF, absurdly long: U+FFFD */
    expect("a.html", "<p>a&#0;b&#xD800;c&#xDFFF;d&#x110000;e&#99999999999999999999;f</p>", "html",
           "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf", NULL);
    /* C1 controls read as windows-1252, as browsers do */
    expect("a.html", "<p>&#150;&#147;q&#148;&#128;</p>", "html", "\u2013\u201Cq\u201D\u20AC",
           NULL);
    /* no semicolon: read up to the last digit; no digits: text */
    expect("a.html", "<p>&#65x &#x41g &# &#x; &#;</p>", "html", "Ax Ag &# &#x; &#;", NULL);
    /* whitespace references are blanks, collapsed */
    expect("a.html", "<p>a&#32;&#32;b&#9;c&#10;d&#160;e&nbsp;&nbsp;f</p>", "html",
           "a b c d e f", NULL);
    /* the maximum and references at the very end */
    expect("a.html", "<p>&#x10FFFF;</p>&#x41", "html", "\U0010FFFF", "\U0010FFFF\nA");
    expect("a.html", "x&#", "html", "x&#", NULL);
    expect("a.html", "x&", "html", "x&", NULL);
}
END_TEST

START_TEST(html_named_references)
{
    expect("a.html",
           "<p>&amp; &lt; &gt; &quot; &apos; &copy; &reg; &trade; &hellip; &mdash; &ndash;</p>"
           "<p>&lsquo;&rsquo;&ldquo;&rdquo; &laquo;&raquo; &bull; &middot; &deg;</p>"
           "<p>&eacute;&egrave;&agrave;&aacute;&ccedil;&ouml;&uuml;&auml;&szlig;</p>"
           "<p>&euro;&pound;&yen;&cent;&sect;&para;&times;&divide;&plusmn;&frac12;</p>"
           "<p>&Eacute;&Ouml;&shy;x</p>",
           "html", "& < > \" ' \u00A9 \u00AE \u2122 \u2026 \u2014 \u2013",
           "& < > \" ' \u00A9 \u00AE \u2122 \u2026 \u2014 \u2013\n"
           "\u2018\u2019\u201C\u201D \u00AB\u00BB \u2022 \u00B7 \u00B0\n"
           "\u00E9\u00E8\u00E0\u00E1\u00E7\u00F6\u00FC\u00E4\u00DF\n"
           "\u20AC\u00A3\u00A5\u00A2\u00A7\u00B6\u00D7\u00F7\u00B1\u00BD\n"
           "\u00C9\u00D6x");
    /* unknown ones, a bare '&', a name that is too long: left as typed */
    expect("a.html", "<p>&bogus; AT&T &nosuchentityatallbutverylongindeed; a & b &;</p>", "html",
           "&bogus; AT&T &nosuchentityatallbutverylongindeed; a & b &;", NULL);
    /* the legacy ones without a semicolon, but not as a prefix of a longer word */
    expect("a.html", "<p>&amp &lt3 &copy 2024 &ampere &notanentity</p>", "html",
           "& &lt3 \u00A9 2024 &ampere &notanentity", NULL);
    /* case matters */
    expect("a.html", "<p>&AMP; &Amp; &eacute; &Eacute;</p>", "html",
           "&AMP; &Amp; \u00E9 \u00C9", NULL);
}
END_TEST

START_TEST(html_attributes_never_shown)
{
    expect("a.html",
           "<p><a href=\"x>y\" title='single > quoted' data-x=unquoted>link</a></p>"
           "<p><img alt=\"ALT TEXT\" src=a.png><input value=\"VALUE\">after</p>"
           "<p class = \"spaced > out\" id= 'z>z' lang =en>spaced</p>"
           "<p data-json='{\"a\": \"<b>\"}'>json</p>"
           "<p title=\"a=b\" checked disabled>bare</p>"
           "<a href=x/>selfish</a><br/ ><p/>end",
           "html", "link", "link\nafter\nspaced\njson\nbare\nselfish\nend");
    /* an end tag with attributes, a '<' in a tag name, odd spacing */
    expect("a.html", "<p>one</p class=\"x>y\"><p\n\tclass=a\n>two</p><a<b>three</a<b>", "html",
           "one", "one\ntwo\nthree");
}
END_TEST

START_TEST(html_markup_dropped)
{
    /* comments, empty comments, bogus comments, doctype, processing instructions */
    expect("a.html",
           "a<!-- c1 -->b<!---->c<!-->d<!--->e<!-- -- > still -->f<!bogus>g<?pi x?>h</>i"
           "<!DOCTYPE html>j</ nope>k",
           "html", "abcdefghijk", NULL);
    /* raw-text elements: their '<' and '&' are not markup */
    expect("a.html",
           "<script>var s = '<p>' + '&amp;';</script>1"
           "<style>a > b { content: '</p>' }</style>2"
           "<noscript><p>no</p></noscript>3"
           "<iframe src=x><p>frame</p></iframe>4"
           "<SCRIPT>x</SCRIPT >5<script>y</scriptx></script>6",
           "html", "123456", NULL);
    /* <template> is read but not shown, nested */
    expect("a.html", "<template><p>a<template>b</template>c</p></template><p>shown", "html",
           "shown", "shown");
    /* a self-closed <script/> does not hide what follows */
    expect("a.html", "<script src=a.js /><p>visible</p>", "html", "visible", "visible");
    /* a '<' that starts no markup is text */
    expect("a.html", "<p>1 < 2 and 3 <4 and a<-b <</p>", "html", "1 < 2 and 3 <4 and a<-b <",
           NULL);
    /* <textarea> shows its text as text */
    expect("a.html", "<textarea>a <b>not bold</b> &amp; c</textarea>", "html",
           "a <b>not bold</b> & c", NULL);
}
END_TEST

START_TEST(html_block_and_inline)
{
    expect("a.html",
           "<div>one<span>two</span><b>three</b></div><section>four</section>"
           "<ul><li>five</li><li>six</li></ul><dl><dt>seven</dt><dd>eight</dd></dl>"
           "<blockquote>nine</blockquote><h2>ten</h2><h6>eleven</h6>"
           "<article><header>twelve</header><footer>thirteen</footer></article>"
           "a<br>b<hr>c",
           "html", "onetwothree",
           "onetwothree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen\n"
           "a\nb\nc");
    /* blanks collapsed within lines, kept between words across inline tags */
    expect("a.html", "<p>  many \t\r\n  blanks <em> here </em> and\nthere  </p>", "html",
           "many blanks here and there", NULL);
    /* <pre> keeps its line breaks (not its indentation or empty lines) */
    expect("a.html", "<p>a\nb</p><pre>x\n  y\n\n z</pre>w\nv", "html", "a b",
           "a b\nx\ny\nz\nw v");
    /* cells in a row are blanks apart, rows lines apart */
    expect("a.html", "<table><tr><td>1</td><td>2</td></tr><tr><th>3</th><td>4</td></table>",
           "html", "1 2", "1 2\n3 4");
}
END_TEST

/* A sample with every construct, for the truncation and mutation runs. */
static const char broken_sample[] =
    "\xEF\xBB\xBF<!DOCTYPE html><html><head><title>T &amp; t</title>"
    "<script>if (a<b) x='</p>';</script><style>p{}</style></head>"
    "<body><h1 class=\"a>b\">Head&#x1F600;</h1><!-- c --><p>x &lt; y &#150; &euro; "
    "<a href='q'>l</a></p><![CDATA[d]]><?p i?><pre>p\nq</pre><template><p>t</p></template>"
    "<svg><title>s</title></svg><textarea>ta</textarea><table><tr><td>c</td></tr></table>"
    "&#99999999; &bogus; <br/><a b=c d='e' f=\"g\" h>i</a></body></html>";

static void check_sane(const cli_extracted *e)
{
    ck_assert_uint_eq(strlen(e->title), e->title_len);
    ck_assert_uint_eq(strlen(e->body), e->body_len);
    ck_assert_uint_le(e->title_len, CLI_TITLE_MAX_BYTES);
    check_collapsed(e->body, e->body_len);
}

START_TEST(html_broken_every_truncation)
{
    size_t len = sizeof broken_sample - 1;
    for (size_t cut = 0; cut <= len; cut++) {
        cli_extracted e;
        const char *why;
        ck_assert_int_eq(extract_n("b.html", broken_sample, cut, 0, &e, &why), CLI_EXTRACT_OK);
        ck_assert_str_eq(e.kind, "html");
        check_sane(&e);
        if (cut == len) {
            ck_assert_str_eq(e.title, "T & t");
            ck_assert_ptr_null(strstr(e.body, "</p>"));
            ck_assert_ptr_nonnull(strstr(e.body, "Head\U0001F600"));
        }
        cli_extracted_free(&e);
        /* the tail alone starts inside whatever the cut fell in */
        ck_assert_int_eq(extract_n("b.html", broken_sample + cut, len - cut, 0, &e, &why),
                         CLI_EXTRACT_OK);
        check_sane(&e);
        cli_extracted_free(&e);
    }
}
END_TEST

START_TEST(html_broken_mutations)
{
    static const char marks[] = "<>\"'&/=!-?#;[] \nx";
    size_t len = sizeof broken_sample - 1;
    char *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    /* every byte replaced by every mark */
    for (size_t i = 0; i < len; i++) {
        for (size_t m = 0; m < sizeof marks - 1; m++) {
            memcpy(buf, broken_sample, len);
            buf[i] = marks[m];
            cli_extracted e;
            const char *why;
            ck_assert_int_eq(extract_n("b.html", buf, len, 0, &e, &why), CLI_EXTRACT_OK);
            check_sane(&e);
            cli_extracted_free(&e);
        }
    }
    /* random soups of markup characters */
    ls_rng r;
    ls_rng_init(&r, 2);
    static const char *const atoms[] = {"<", ">", "\"", "'", "&", "&#", "&#x", "1F", ";", "=",
                                        "<!--", "-->", "<![CDATA[", "]]>", "<?", "</", "/>",
                                        "<p>", "<title>", "</title>", "<script>", "</script>",
                                        "<template>", "</template>", "<h1>", "</h1>", "<pre>",
                                        "<textarea>", "<svg>", "a", " ", "\n", "&amp;", "<br>"};
    for (int iter = 0; iter < 3000; iter++) {
        tbuf b = {0};
        size_t atoms_n = ls_rng_below(&r, 40);
        for (size_t k = 0; k < atoms_n; k++) {
            const char *a = atoms[ls_rng_below(&r, N_OF(atoms))];
            tb_put(&b, a, strlen(a));
        }
        cli_extracted e;
        const char *why;
        ck_assert_int_eq(extract_n("soup.html", b.p, b.len, 0, &e, &why), CLI_EXTRACT_OK);
        check_sane(&e);
        cli_extracted_free(&e);
        free(b.p);
    }
    free(buf);
}
END_TEST

/* Pathological inputs of 4 MiB (1 MiB under valgrind) take linear time: a quadratic rescan
 * would take hours. */
START_TEST(html_and_markdown_linear_time)
{
    static const struct {
        const char *name, *head, *unit, *tail;
    } cases[] = {
        {"a.html", "", "<", ""},
        {"a.html", "", "<a ", ""},
        {"a.html", "", "<a href='", ""},
        {"a.html", "", "<title>x", ""},
        {"a.html", "", "<textarea>", ""},
        {"a.html", "", "<script>", ""},
        {"a.html", "<script>", "</scrip", ""},
        {"a.html", "", "<!--", ""},
        {"a.html", "", "<!-- -->", ""},
        {"a.html", "", "<![CDATA[", ""},
        {"a.html", "", "&#", ""},
        {"a.html", "", "&#x1", ""},
        {"a.html", "", "&amp", ""},
        {"a.html", "", "<h1>", ""},
        {"a.html", "", "<template>", ""},
        {"a.html", "", "<svg>", ""},
        {"a.html", "", "<pre>", ""},
        {"a.md", "# ", "[", ""},
        {"a.md", "# ", "[a]", ""},
        {"a.md", "# ", "[a](", ""},
        {"a.md", "# ", "![a](", ""},
        {"a.md", "# ", "`*", ""},
        {"a.md", "", "para\n", ""},
        {"a.md", "", "```\n", ""},
        {"a.md", "", "-\n", ""},
        {"a.txt", "", "\n", ""},
        {"a.md", "---\ntitle: '", "''", "'\n---\n"},
        {"a.md", "---\ntitle: >\n", "  folded\n", "---\n"},
        {"a.md", "", "a\n", "===\n"},
        {"a.md", "", "[a](", "\n===\n"},
    };
    size_t target = (size_t)(getenv("LS_TEST_VALGRIND") != NULL ? 1 : 4) << 20;
    for (size_t c = 0; c < N_OF(cases); c++) {
        tbuf b = {0};
        tb_put(&b, cases[c].head, strlen(cases[c].head));
        size_t ul = strlen(cases[c].unit);
        while (b.len < target)
            tb_put(&b, cases[c].unit, ul);
        tb_put(&b, cases[c].tail, strlen(cases[c].tail));
        double t0 = cpu_seconds();
        cli_extracted e;
        const char *why;
        ck_assert_int_eq(extract_n(cases[c].name, b.p, b.len, 0, &e, &why), CLI_EXTRACT_OK);
        double spent = cpu_seconds() - t0;
        ck_assert_msg(spent < 20.0, "%s%s...: %.1f s", cases[c].head, cases[c].unit, spent);
        ck_assert_uint_eq(strlen(e.title), e.title_len);
        if (strcmp(cases[c].name, "a.html") == 0)
            check_sane(&e);
        cli_extracted_free(&e);
        free(b.p);
    }
}
END_TEST

/* ---- Markdown ---------------------------------------------------------------------------- */

START_TEST(markdown_atx_headings)
{
    expect("a.md", "# Title\n\nSome text.\n", "markdown", "Title", "# Title\n\nSome text.\n");
    expect("a.md", "Intro line\n\n## Second level ##\ntext", "markdown", "Second level", NULL);
    expect("a.md", "   ###   Spaced   out   #####   \n", "markdown", "Spaced out", NULL);
    expect("a.md", "# C# and F#\n", "markdown", "C# and F#", NULL);
    expect("a.md", "# Ends with#\n", "markdown", "Ends with#", NULL);
    expect("a.md", "#\n# ###\n#hashtag\n####### seven\n## Real\n", "markdown", "Real", NULL);
    expect("a.md", "# The `cisearch` [tool](https://x.org/a_b) ![logo](l.png) **now**\n",
           "markdown", "The cisearch tool logo now", NULL);
    expect("a.md", "# Escaped \\# and \\*stars\\* [not a link]\n", "markdown",
           "Escaped # and *stars* [not a link]", NULL);
    expect("a.MARKDOWN", "\xEF\xBB\xBF# BOM\r\nbody\r\n", "markdown", "BOM", "# BOM\r\nbody\r\n");
    expect("a.mdown", "#\tTabbed\n", "markdown", "Tabbed", NULL);
}
END_TEST

START_TEST(markdown_setext_headings)
{
    expect("a.md", "Main Title\n==========\n\ntext\n", "markdown", "Main Title", NULL);
    expect("a.md", "Sub title\n---\ntext\n", "markdown", "Sub title", NULL);
    expect("a.md", "Spread over\ntwo lines\n===\n", "markdown", "Spread over two lines", NULL);
    /* the first heading of either kind wins */
    expect("a.md", "Setext\n======\n# ATX\n", "markdown", "Setext", NULL);
    expect("a.md", "# ATX\nSetext\n======\n", "markdown", "ATX", NULL);
    /* a rule after a blank line, a list item or a quote is no heading */
    expect("a.md", "para\n\n---\nmore\n", "markdown", "para", NULL);
    expect("a.md", "- item\n---\n> quote\n===\n1. one\n---\nlast\n", "markdown", "- item", NULL);
    expect("a.md", "***\nstars\n* * *\nx\n", "markdown", "***", NULL);
    expect("a.md", "text\n- - -\n", "markdown", "text", NULL);
}
END_TEST

START_TEST(markdown_code_is_no_heading)
{
    expect("a.md", "```sh\n# a comment\n```\n# Real\n", "markdown", "Real", NULL);
    expect("a.md", "~~~~\n# no\n~~~\n# still in code\n~~~~\nText\n---\n", "markdown", "Text",
           NULL);
    expect("a.md", "    # indented code\n\n# Real\n", "markdown", "Real", NULL);
    expect("a.md", "``` unclosed\n# no\n", "markdown", "``` unclosed", NULL);
    /* an inline ``` is not a fence */
    expect("a.md", "```a``` inline\n# Yes\n", "markdown", "Yes", NULL);
}
END_TEST

START_TEST(markdown_front_matter)
{
    expect("a.md", "---\ntitle: From front matter\ndate: 2024-01-01\n---\n# Heading\nbody\n",
           "markdown", "From front matter", "# Heading\nbody\n");
    expect("a.md", "---\ntags: [a]\ntitle: \"Quoted: \\\"yes\\\"\"\n---\ntext\n", "markdown",
           "Quoted: \"yes\"", "text\n");
    expect("a.md", "---\ntitle: 'It''s single'\n---\n", "markdown", "It's single", "");
    expect("a.md", "---\r\ntitle: CRLF # a comment\r\n---\r\nx\r\n", "markdown", "CRLF",
           "x\r\n");
    expect("a.md", "---\ntitle: >-\n  Folded\n  over lines\nother: 1\n---\nx\n", "markdown",
           "Folded over lines", "x\n");
    expect("a.md", "\xEF\xBB\xBF---\nTitle: Case\n...\nx", "markdown", "Case", "x");
    /* front matter without a title: the first heading, the block still left out */
    expect("a.md", "---\nauthor: me\n---\n\nIntro\n## Heading\n", "markdown", "Heading",
           "\nIntro\n## Heading\n");
    expect("a.md", "---\nauthor: me\n---\nFirst line\n", "markdown", "First line",
           "First line\n");
    /* an empty title key is no title */
    expect("a.md", "---\ntitle:\n---\n# H\n", "markdown", "H", "# H\n");
    /* not front matter: not on the first line, or never closed */
    expect("a.md", "\n---\ntitle: no\n---\n", "markdown", "title: no", NULL);
    expect("a.md", "---\ntitle: unclosed\n# H\n", "markdown", "H",
           "---\ntitle: unclosed\n# H\n");
}
END_TEST

START_TEST(markdown_without_heading)
{
    expect("a.md", "\n\n   Just a paragraph.  \nAnd more.\n", "markdown", "Just a paragraph.",
           "\n\n   Just a paragraph.  \nAnd more.\n");
    expect("a.md", "", "markdown", "", "");
    expect("a.md", " \n\t\n", "markdown", "", " \n\t\n");
}
END_TEST

/* ---- kinds ------------------------------------------------------------------------------- */

START_TEST(kinds_by_name)
{
    static const struct {
        const char *name, *kind;
    } cases[] = {
        {"a.html", "html"},       {"A.HTML", "html"},         {"a.htm", "html"},
        {"a.xhtml", "html"},      {"a.shtml", "html"},        {"/x/y/a.html", "html"},
        {"a.md", "markdown"},     {"a.Markdown", "markdown"}, {"a.mdown", "markdown"},
        {"docs/README.md", "markdown"}, {"a.txt", "text"},    {"a", "text"},
        {"a.html.bak", "text"},   {"html", "text"},           {".md", "text"},
        {"dir.md/file", "text"},  {"a.mdx", "text"},          {"a.htmlx", "text"},
        {"", "text"},
    };
    for (size_t i = 0; i < N_OF(cases); i++) {
        cli_extracted e;
        extract_ok(cases[i].name, "Plain words\nmore", &e);
        ck_assert_msg(strcmp(e.kind, cases[i].kind) == 0, "%s: %s", cases[i].name, e.kind);
        cli_extracted_free(&e);
    }
    cli_extracted e;
    const char *why;
    ck_assert_int_eq(cli_extract(NULL, "x", 1, 0, &e, NULL), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.kind, "text");
    cli_extracted_free(&e);
    ck_assert_int_eq(cli_extract("empty.html", NULL, 0, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.title, "");
    ck_assert_str_eq(e.body, "");
    cli_extracted_free(&e);
    cli_extracted_free(&e); /* twice, and NULL: fine */
    cli_extracted_free(NULL);
}
END_TEST

START_TEST(binary_detection)
{
    char buf[CLI_EXTRACT_PROBE_BYTES + 16];
    memset(buf, 'a', sizeof buf);
    cli_extracted e;
    const char *why = NULL;
    buf[CLI_EXTRACT_PROBE_BYTES - 1] = '\0'; /* the last byte looked at */
    ck_assert_int_eq(extract_n("a.txt", buf, sizeof buf, 0, &e, &why), CLI_EXTRACT_BINARY);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_null(e.title);
    ck_assert_ptr_null(e.body);
    cli_extracted_free(&e);
    ck_assert_int_eq(extract_n("a.html", buf, sizeof buf, 0, &e, &why), CLI_EXTRACT_BINARY);
    buf[CLI_EXTRACT_PROBE_BYTES - 1] = 'a';
    buf[CLI_EXTRACT_PROBE_BYTES] = '\0'; /* past the probe: text (as before) */
    ck_assert_int_eq(extract_n("a.txt", buf, sizeof buf, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_ptr_null(why);
    cli_extracted_free(&e);
    ck_assert_int_eq(extract_n("a.txt", "\0", 1, 0, &e, &why), CLI_EXTRACT_BINARY);

    /* after decompression */
    tbuf z = {0};
    gz_append(&z, "text\0binary", 11, 1);
    ck_assert_int_eq(extract_n("a.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_BINARY);
    ck_assert_str_eq(why, "binary file");
    ck_assert_ptr_null(e.body);
    free(z.p);
    /* a tar.gz-like file: NULs early in a big stream, told without inflating it all */
    memset(&z, 0, sizeof z);
    char block[4096];
    memset(block, 0, sizeof block);
    memcpy(block, "file.txt", 8);
    gz_append(&z, block, sizeof block, 4096); /* 16 MiB */
    ck_assert_int_eq(extract_n("a.tar.gz", z.p, z.len, 1 << 20, &e, &why), CLI_EXTRACT_BINARY);
    free(z.p);
}
END_TEST

/* ---- gzip -------------------------------------------------------------------------------- */

START_TEST(gzip_text_and_html)
{
    tbuf z = gz("\xEF\xBB\xBF  Compressed title \nbody of the\nfile\n");
    cli_extracted e;
    const char *why;
    ck_assert_int_eq(extract_n("notes.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_ptr_null(why);
    ck_assert_str_eq(e.kind, "text");
    ck_assert_str_eq(e.title, "Compressed title");
    ck_assert_str_eq(e.body, "body of the\nfile\n");
    cli_extracted_free(&e);
    ck_assert_int_eq(extract_n("NOTES.GZ", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.kind, "text");
    cli_extracted_free(&e);
    free(z.p);

    z = gz(page);
    ck_assert_int_eq(extract_n("site/page.html.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.kind, "html");
    ck_assert_str_eq(e.title, "Caching & Indexing \u2014 Notes");
    ck_assert_str_eq(e.body, page_body);
    cli_extracted_free(&e);
    /* sniffed inside, whatever the inner name */
    ck_assert_int_eq(extract_n("page.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.kind, "html");
    cli_extracted_free(&e);
    free(z.p);

    z = gz("---\ntitle: Zipped\n---\n# H\n");
    ck_assert_int_eq(extract_n("doc.md.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.kind, "markdown");
    ck_assert_str_eq(e.title, "Zipped");
    ck_assert_str_eq(e.body, "# H\n");
    cli_extracted_free(&e);
    free(z.p);

    z = gz("");
    ck_assert_int_eq(extract_n("empty.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.title, "");
    ck_assert_str_eq(e.body, "");
    cli_extracted_free(&e);
    free(z.p);

    /* a file named .gz that is not gzip */
    ck_assert_int_eq(extract_n("plain.txt.gz", "Title\nbody", 10, 0, &e, &why),
                     CLI_EXTRACT_BAD_GZIP);
    ck_assert_str_eq(why, "not gzip data");
    ck_assert_ptr_null(e.title);
}
END_TEST

START_TEST(gzip_concatenated_members)
{
    tbuf z = {0};
    gz_append(&z, "First member\n", 13, 1);
    gz_append(&z, "second ", 7, 1);
    gz_append(&z, "", 0, 1);
    gz_append(&z, "third\n", 6, 1);
    cli_extracted e;
    const char *why;
    ck_assert_int_eq(extract_n("cat.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.title, "First member");
    ck_assert_str_eq(e.body, "second third\n");
    cli_extracted_free(&e);
    /* zero padding after the last member (tape blocks) is ignored */
    size_t real = z.len;
    tb_put(&z, "\0\0\0\0\0\0\0\0", 8);
    ck_assert_int_eq(extract_n("cat.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_str_eq(e.body, "second third\n");
    cli_extracted_free(&e);
    /* other bytes after it are not */
    z.len = real;
    tb_put(&z, "junk", 4);
    ck_assert_int_eq(extract_n("cat.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_BAD_GZIP);
    ck_assert_str_eq(why, "trailing garbage after gzip data");
    /* nor a damaged next member */
    z.len = real;
    tb_put(&z, "\x1f\x8b\x08\x00garbage-garbage", 19);
    ck_assert_int_eq(extract_n("cat.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_BAD_GZIP);
    free(z.p);
}
END_TEST

START_TEST(gzip_truncated_every_prefix)
{
    tbuf z = {0};
    gz_append(&z, page, sizeof page - 1, 1);
    gz_append(&z, "tail\n", 5, 1);
    size_t first = 0; /* where the second member starts */
    {
        tbuf one = {0};
        gz_append(&one, page, sizeof page - 1, 1);
        first = one.len;
        free(one.p);
    }
    for (size_t cut = 0; cut < z.len; cut++) {
        cli_extracted e;
        const char *why = NULL;
        int rc = extract_n("p.html.gz", z.p, cut, 0, &e, &why);
        if (cut == first) { /* a whole first member */
            ck_assert_int_eq(rc, CLI_EXTRACT_OK);
            cli_extracted_free(&e);
            continue;
        }
        ck_assert_msg(rc == CLI_EXTRACT_BAD_GZIP, "cut %zu: %d", cut, rc);
        ck_assert_ptr_nonnull(why);
        ck_assert_ptr_null(e.title);
        ck_assert_ptr_null(e.body);
        if (cut >= 2 && cut < first)
            ck_assert_str_eq(why, "truncated gzip data");
    }
    free(z.p);
}
END_TEST

START_TEST(gzip_corrupted_bytes)
{
    tbuf z = gz(page);
    unsigned char *buf = malloc(z.len);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < z.len; i++) {
        for (int flip = 0; flip < 3; flip++) {
            static const unsigned char masks[3] = {0xFF, 0x01, 0x80};
            memcpy(buf, z.p, z.len);
            buf[i] ^= masks[flip];
            cli_extracted e;
            const char *why = NULL;
            int rc = extract_n("p.html.gz", buf, z.len, 0, &e, &why);
            if ((i >= 4 && i < 10) || (i == 3 && masks[flip] == 0x01) ||
                (i == z.len - 9 && rc == CLI_EXTRACT_OK)) {
                /* mtime, extra flags, OS and the FTEXT flag are not checked by gzip, nor are
                 * the padding bits of the last deflate byte: the same page comes out */
                ck_assert_int_eq(rc, CLI_EXTRACT_OK);
                ck_assert_str_eq(e.body, page_body);
                cli_extracted_free(&e);
                continue;
            }
            /* the header, the deflate data (CRC-checked) and the trailer */
            ck_assert_msg(rc == CLI_EXTRACT_BAD_GZIP, "byte %zu ^ %02x: %d", i, masks[flip],
                          rc);
            ck_assert_ptr_nonnull(why);
            ck_assert_ptr_null(e.body);
        }
    }
    free(buf);
    free(z.p);
}
END_TEST

/* A gzip member of `count` 258-byte runs of c after one c (count * 258 + 1 bytes), written
 * bit by bit in a loop: one fixed-Huffman block of a literal then length-258 matches at
 * distance 1, then the CRC-32 and size made with crc32_combine. About 6.5 MB for 1 GiB, built
 * in a few milliseconds where zlib's deflate of 1 GiB takes seconds. */
static tbuf gzip_bomb(unsigned char c, size_t count)
{
    tbuf b = {0};
    tb_reserve(&b, count * 13 / 8 + 64);
    static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    tb_put(&b, header, sizeof header);
    uint64_t acc = 0;
    unsigned nacc = 0;
#define PUT_BITS(v, n)                                                                          \
    do {                                                                                        \
        acc |= (uint64_t)(v) << nacc;                                                           \
        nacc += (n);                                                                            \
        while (nacc >= 8) {                                                                     \
            b.p[b.len++] = (unsigned char)acc;                                                  \
            acc >>= 8;                                                                          \
            nacc -= 8;                                                                          \
        }                                                                                       \
    } while (0)
    PUT_BITS(1, 1); /* BFINAL */
    PUT_BITS(1, 2); /* BTYPE 01: fixed Huffman codes */
    /* the literal c: codes 0x30 + c (8 bits) for c < 144, sent most significant bit first */
    ck_assert_uint_lt(c, 144);
    unsigned lit = 0x30u + c, rev = 0;
    for (int i = 0; i < 8; i++)
        rev |= ((lit >> i) & 1u) << (7 - i);
    PUT_BITS(rev, 8);
    /* length 258: symbol 285, code 11000101 (reversed 10100011); distance 1: code 00000 */
    for (size_t i = 0; i < count; i++)
        PUT_BITS(0xA3u, 13);
    PUT_BITS(0, 7); /* end of block: symbol 256, code 0000000 */
    if (nacc > 0)
        PUT_BITS(0, 8 - nacc);
#undef PUT_BITS
    /* CRC-32 of the content: one c, then count runs of 258, doubled up with crc32_combine */
    unsigned char run[258];
    memset(run, c, sizeof run);
    uLong crc_run = crc32(0, run, sizeof run), crc_pow = crc_run, crc = crc32(0, run, 1);
    z_off_t pow_len = sizeof run;
    for (size_t k = count; k > 0; k >>= 1) {
        if (k & 1)
            crc = crc32_combine(crc, crc_pow, pow_len);
        crc_pow = crc32_combine(crc_pow, crc_pow, pow_len);
        pow_len *= 2;
    }
    uint64_t size = (uint64_t)count * 258 + 1;
    unsigned char trailer[8];
    for (int i = 0; i < 4; i++) {
        trailer[i] = (unsigned char)(crc >> (8 * i));
        trailer[4 + i] = (unsigned char)(size >> (8 * i));
    }
    tb_put(&b, trailer, sizeof trailer);
    return b;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

START_TEST(gzip_bomb_generator_is_right)
{
    /* a small one inflates to what it says (zlib checks the CRC and the size) */
    tbuf z = gzip_bomb('a', 10000);
    cli_extracted e;
    const char *why;
    ck_assert_int_eq(extract_n("small.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_OK);
    ck_assert_uint_eq(e.title_len, CLI_TITLE_MAX_BYTES);
    ck_assert_uint_eq(e.body_len, 10000 * 258 + 1);
    ck_assert_uint_eq(strspn(e.body, "a"), e.body_len);
    cli_extracted_free(&e);
    free(z.p);
}
END_TEST

#define GIB_RUNS ((((size_t)1 << 30) - 1) / 258 + 1) /* 258-byte runs for just over 1 GiB */

START_TEST(gzip_bomb_over_the_cap)
{
    tbuf z = gzip_bomb(' ', GIB_RUNS);
    ck_assert_uint_lt(z.len, (size_t)8 << 20);
    cli_extracted e;
    const char *why = NULL;
    /* a small cap: refused at once */
    double t0 = cpu_seconds();
    ck_assert_int_eq(extract_n("bomb.txt.gz", z.p, z.len, 1 << 20, &e, &why),
                     CLI_EXTRACT_TOO_LARGE);
    ck_assert_str_eq(why, "decompressed size over the cap");
    ck_assert_ptr_null(e.body);
    ck_assert_msg(cpu_seconds() - t0 < 5.0, "%.1f s for a 1 MiB cap", cpu_seconds() - t0);
    /* the default cap (256 MiB): refused, the memory held well under the 1 GiB it would take */
    long before = max_rss_kib();
    ck_assert_int_eq(extract_n("bomb.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_TOO_LARGE);
    long grew_mib = (max_rss_kib() - before) / 1024;
    ck_assert_msg(grew_mib < 512, "memory grew by %ld MiB", grew_mib);
    free(z.p);
}
END_TEST

START_TEST(gzip_bomb_of_zeros_is_binary_at_once)
{
    /* 1 GiB of NULs: binary after the first 8 KiB inflated, before any cap matters */
    tbuf z = gzip_bomb(0, GIB_RUNS);
    cli_extracted e;
    const char *why = NULL;
    double t0 = cpu_seconds();
    long before = max_rss_kib();
    ck_assert_int_eq(extract_n("zeros.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_BINARY);
    ck_assert_str_eq(why, "binary file");
    ck_assert_msg(cpu_seconds() - t0 < 2.0, "%.1f s", cpu_seconds() - t0);
    ck_assert_msg((max_rss_kib() - before) / 1024 < 64, "memory grew");
    free(z.p);
}
END_TEST

START_TEST(gzip_streamed_deflate_over_the_cap)
{
    /* 16 MiB of text deflated by zlib in a streaming loop (never whole in memory) */
    static const char line[] = "the quick brown fox jumps over the lazy dog\n";
    tbuf z = {0};
    gz_append(&z, line, sizeof line - 1, ((size_t)16 << 20) / (sizeof line - 1));
    cli_extracted e;
    const char *why = NULL;
    ck_assert_int_eq(extract_n("fox.txt.gz", z.p, z.len, 1 << 20, &e, &why),
                     CLI_EXTRACT_TOO_LARGE);
    ck_assert_ptr_null(e.title);
    /* with room for it: read whole */
    ck_assert_int_eq(extract_n("fox.txt.gz", z.p, z.len, (size_t)16 << 20, &e, &why),
                     CLI_EXTRACT_OK);
    ck_assert_str_eq(e.title, "the quick brown fox jumps over the lazy dog");
    cli_extracted_free(&e);
    free(z.p);
}
END_TEST

START_TEST(gzip_cap_is_exact)
{
    char data[5000];
    memset(data, 'w', sizeof data);
    tbuf z = {0};
    gz_append(&z, data, sizeof data, 1);
    cli_extracted e;
    const char *why;
    ck_assert_int_eq(extract_n("w.txt.gz", z.p, z.len, sizeof data, &e, &why), CLI_EXTRACT_OK);
    ck_assert_uint_eq(e.body_len, sizeof data); /* one long line: all in the body */
    cli_extracted_free(&e);
    ck_assert_int_eq(extract_n("w.txt.gz", z.p, z.len, sizeof data - 1, &e, &why),
                     CLI_EXTRACT_TOO_LARGE);
    /* the same over two members */
    tbuf z2 = {0};
    gz_append(&z2, data, 2500, 1);
    gz_append(&z2, data, 2500, 1);
    ck_assert_int_eq(extract_n("w.txt.gz", z2.p, z2.len, sizeof data, &e, &why),
                     CLI_EXTRACT_OK);
    cli_extracted_free(&e);
    ck_assert_int_eq(extract_n("w.txt.gz", z2.p, z2.len, sizeof data - 1, &e, &why),
                     CLI_EXTRACT_TOO_LARGE);
    /* a trailer that lies about the size only misguides the first allocation */
    z.p[z.len - 1] = 0x7f;
    ck_assert_int_eq(extract_n("w.txt.gz", z.p, z.len, 0, &e, &why), CLI_EXTRACT_BAD_GZIP);
    ck_assert_str_eq(why, "incorrect length check");
    free(z.p);
    free(z2.p);
}
END_TEST

Suite *ls_suite_extract(void)
{
    Suite *s = suite_create("extract");

    TCase *tc = tcase_create("text");
    tcase_add_test(tc, text_matches_split_text);
    tcase_add_test(tc, text_title_cap_at_utf8_boundary);
    tcase_add_test(tc, kinds_by_name);
    tcase_add_test(tc, binary_detection);
    suite_add_tcase(s, tc);

    tc = tcase_create("html");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, html_realistic_page);
    tcase_add_test(tc, html_title_fallbacks);
    tcase_add_test(tc, html_sniffed_by_content);
    tcase_add_test(tc, xhtml_with_cdata);
    tcase_add_test(tc, html_numeric_references);
    tcase_add_test(tc, html_named_references);
    tcase_add_test(tc, html_attributes_never_shown);
    tcase_add_test(tc, html_markup_dropped);
    tcase_add_test(tc, html_block_and_inline);
    tcase_add_test(tc, html_broken_every_truncation);
    tcase_add_test(tc, html_broken_mutations);
    tcase_add_test(tc, html_and_markdown_linear_time);
    suite_add_tcase(s, tc);

    tc = tcase_create("markdown");
    tcase_add_test(tc, markdown_atx_headings);
    tcase_add_test(tc, markdown_setext_headings);
    tcase_add_test(tc, markdown_code_is_no_heading);
    tcase_add_test(tc, markdown_front_matter);
    tcase_add_test(tc, markdown_without_heading);
    suite_add_tcase(s, tc);

    tc = tcase_create("gzip");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, gzip_text_and_html);
    tcase_add_test(tc, gzip_concatenated_members);
    tcase_add_test(tc, gzip_truncated_every_prefix);
    tcase_add_test(tc, gzip_corrupted_bytes);
    tcase_add_test(tc, gzip_bomb_generator_is_right);
    tcase_add_test(tc, gzip_bomb_over_the_cap);
    tcase_add_test(tc, gzip_bomb_of_zeros_is_binary_at_once);
    tcase_add_test(tc, gzip_streamed_deflate_over_the_cap);
    tcase_add_test(tc, gzip_cap_is_exact);
    suite_add_tcase(s, tc);

    return s;
}
