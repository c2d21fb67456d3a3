// SPDX-License-Identifier: MIT
//
// xapian_peer.cc - a Xapian 1.4 peer for the benchmarks, doing what `cisearch index` and
// `cisearch bench` do so that the two engines can be compared side by side.
//
//   xapian_peer index INDEX_DIR JSONL_FILE
//       Reads JSON lines {"id": ..., "title": ..., "body": ...}. Each document is
//       title + " " + body indexed as ONE positional text by Xapian::TermGenerator (no
//       stemmer, no stopper, Xapian's own lowercasing). The id is the document data and the
//       unique boolean term Q<id> (replace_document by that term, so a repeated id replaces).
//       Everything goes into a scratch glass database INDEX_DIR.build, committed once at the
//       end, then Xapian::Database::compact writes the final INDEX_DIR (glass has no segments
//       to merge; compacting is Xapian's equivalent of an optimize) and the scratch dir is
//       removed. Prints `docs<TAB>wall_seconds` (the wall time covers parsing, indexing,
//       commit and compaction).
//
//   xapian_peer search INDEX_DIR QUERY_FILE K REPEAT
//       Like `cisearch bench --index INDEX_DIR --queries QUERY_FILE -k K --repeat REPEAT`:
//       one query per line (blank lines skipped, trailing CR/LF stripped) in the plain syntax
//       `+a +b` (AND), `a b` (OR), `"a b"` (phrase), `abc*` (prefix), parsed by
//       Xapian::QueryParser with FLAG_PHRASE|FLAG_LOVEHATE|FLAG_WILDCARD, default operator OR,
//       no stemming, unlimited wildcard expansion. Ranking is BM25 with k1=1.2, b=0.75
//       (BM25Weight(1.2, 0, 1, 0.75, 0)), the same defaults as cisearch. The database is
//       opened once; every query runs once to warm up, then each query REPEAT times in turn,
//       each run timed with std::chrono::steady_clock around parse + get_mset(0, K) + reading
//       every hit's document data (the id), K = 0 meaning count only: get_mset(0, 0, doccount),
//       which counts every match exactly (a bare get_mset(0, 0) would only estimate the count
//       from the term statistics, without looking at a posting).
//       Prints `latency_us<TAB>hits<TAB>query` per query: the median of the REPEAT runs (the
//       mean of the two middle runs when REPEAT is even, as cisearch does), and the exact
//       number of matches, computed outside the timed runs with
//       get_mset(0, 0, doccount).get_matches_estimated(). A summary goes to stderr:
//       `xapian: N queries, R timed runs each; median latency: mean X us, sum Y ms; open Z us`,
//       Z being the time to open the database and set up the query parser and the enquire
//       (the database's get_doccount included).
//
// Exit status: 0 on success, 2 on an error (as cisearch).
//
// Build: bench/peers/build_xapian.sh (from the repository root), output build/peers/xapian_peer.

#include <jansson.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int EXIT_ERR = 2;

// The string value of a JSON member: strings as they are, integers printed, null/absent "".
std::string json_text(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (v == nullptr || json_is_null(v))
        return std::string();
    if (json_is_string(v))
        return std::string(json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return std::to_string(json_integer_value(v));
    if (json_is_real(v)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", json_real_value(v));
        return buf;
    }
    return std::string();
}

int cmd_index(const std::string &dir, const std::string &jsonl)
{
    auto t0 = std::chrono::steady_clock::now();
    std::ifstream in(jsonl, std::ios::binary);
    if (!in) {
        std::cerr << "xapian_peer: cannot open '" << jsonl << "'\n";
        return EXIT_ERR;
    }
    // Refuse to clobber a directory that is neither empty nor a Xapian database.
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec) && !fs::exists(fs::path(dir) / "iamglass", ec)) {
        std::cerr << "xapian_peer: '" << dir << "' exists and is not a Xapian glass database\n";
        return EXIT_ERR;
    }
    const std::string build_dir = dir + ".build";
    fs::remove_all(build_dir, ec);

    unsigned long docs = 0;
    {
        Xapian::WritableDatabase db(build_dir, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
        Xapian::TermGenerator tg;  // default: no stemmer, no stopper, lowercases
        std::string line;
        unsigned long line_no = 0;
        while (std::getline(in, line)) {
            line_no++;
            if (line.find_first_not_of(" \t\r") == std::string::npos)
                continue;
            json_error_t jerr;
            json_t *obj = json_loadb(line.data(), line.size(), 0, &jerr);
            if (obj == nullptr || !json_is_object(obj)) {
                std::cerr << "xapian_peer: " << jsonl << ":" << line_no << ": bad JSON: "
                          << (obj ? "not an object" : jerr.text) << "\n";
                json_decref(obj);
                return EXIT_ERR;
            }
            const std::string id = json_text(obj, "id");
            const std::string text = json_text(obj, "title") + " " + json_text(obj, "body");
            json_decref(obj);

            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(text);  // positional; terms at positions 1, 2, ...
            doc.set_data(id);
            const std::string idterm = "Q" + id;
            doc.add_boolean_term(idterm);
            db.replace_document(idterm, doc);
            docs++;
        }
        if (in.bad()) {
            std::cerr << "xapian_peer: cannot read '" << jsonl << "'\n";
            return EXIT_ERR;
        }
        db.commit();
        db.close();
    }
    // Compact the single revision into the final directory.
    fs::remove_all(dir, ec);
    {
        Xapian::Database src(build_dir);
        src.compact(dir, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::Compactor::FULLER);
    }
    fs::remove_all(build_dir, ec);

    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%lu\t%.3f\n", docs, secs);
    return 0;
}

bool read_queries(const std::string &name, std::vector<std::string> &out)
{
    std::ifstream in(name, std::ios::binary);
    if (!in) {
        std::cerr << "xapian_peer: cannot open '" << name << "'\n";
        return false;
    }
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        out.push_back(line);
    }
    return !in.bad();
}

// One timed run: parse + search + read every hit's id. Returns microseconds.
double run_once(Xapian::QueryParser &qp, Xapian::Enquire &enq, const std::string &q,
                Xapian::doccount k, Xapian::doccount all, std::size_t &sink)
{
    constexpr unsigned flags = Xapian::QueryParser::FLAG_PHRASE |
                               Xapian::QueryParser::FLAG_LOVEHATE |
                               Xapian::QueryParser::FLAG_WILDCARD;
    auto t0 = std::chrono::steady_clock::now();
    enq.set_query(qp.parse_query(q, flags));
    // K = 0: an exact count (checkatleast = every document).
    Xapian::MSet ms = k == 0 ? enq.get_mset(0, 0, all) : enq.get_mset(0, k);
    if (k == 0)
        sink += ms.get_matches_estimated();
    for (auto it = ms.begin(); it != ms.end(); ++it)
        sink += it.get_document().get_data().size();  // the id, as a user would read it
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::micro>(t1 - t0).count();
}

int cmd_search(const std::string &dir, const std::string &qfile, unsigned long k, unsigned long repeat)
{
    std::vector<std::string> qs;
    if (!read_queries(qfile, qs))
        return EXIT_ERR;

    // The open time: the database, query parser and enquire set up, as `cisearch bench`'s
    // "open" covers opening its reader.
    const auto open_t0 = std::chrono::steady_clock::now();
    Xapian::Database db(dir);
    Xapian::QueryParser qp;  // no stemmer, no stopper
    qp.set_database(db);     // needed to expand wildcards
    qp.set_default_op(Xapian::Query::OP_OR);
    qp.set_max_expansion(0, Xapian::Query::WILDCARD_LIMIT_ERROR,
                         Xapian::QueryParser::FLAG_WILDCARD);  // 0 = unlimited
    Xapian::Enquire enq(db);
    enq.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0));
    const Xapian::doccount K = static_cast<Xapian::doccount>(k);
    const Xapian::doccount all = db.get_doccount();
    const double open_us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - open_t0).count();

    std::size_t sink = 0;
    for (const auto &q : qs)  // warm-up
        run_once(qp, enq, q, K, all, sink);

    std::vector<double> runs(repeat);
    double total = 0;
    for (const auto &q : qs) {
        for (unsigned long j = 0; j < repeat; j++)
            runs[j] = run_once(qp, enq, q, K, all, sink);
        std::sort(runs.begin(), runs.end());
        double med = repeat % 2 ? runs[repeat / 2] : (runs[repeat / 2 - 1] + runs[repeat / 2]) / 2;
        total += med;

        // Exact match count, outside the timed runs (enq still holds this query).
        Xapian::MSet cnt = enq.get_mset(0, 0, all);
        if (cnt.get_matches_lower_bound() != cnt.get_matches_upper_bound())
            std::cerr << "xapian_peer: warning: inexact count for '" << q << "'\n";
        std::printf("%.2f\t%lu\t%s\n", med, static_cast<unsigned long>(cnt.get_matches_estimated()),
                    q.c_str());
    }
    const double n = static_cast<double>(qs.size());
    std::fprintf(stderr,
                 "xapian: %zu queries, %lu timed runs each; median latency: mean %.1f us, sum %.1f ms; "
                 "open %.1f us\n",
                 qs.size(), repeat, qs.empty() ? 0.0 : total / n, total / 1e3, open_us);
    if (sink == static_cast<std::size_t>(-1))  // keep the id reads from being optimised away
        std::fputc('\0', stderr);
    if (std::fflush(stdout) != 0) {
        std::perror("xapian_peer: writing results");
        return EXIT_ERR;
    }
    return 0;
}

bool parse_count(const char *s, unsigned long &out)
{
    char *end = nullptr;
    if (*s == '\0' || *s == '-')
        return false;
    out = std::strtoul(s, &end, 10);
    return *end == '\0';
}

int usage()
{
    std::cerr << "usage: xapian_peer index INDEX_DIR JSONL_FILE\n"
                 "       xapian_peer search INDEX_DIR QUERY_FILE K REPEAT\n";
    return EXIT_ERR;
}

}  // namespace

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && std::string(argv[1]) == "index")
            return cmd_index(argv[2], argv[3]);
        if (argc == 6 && std::string(argv[1]) == "search") {
            unsigned long k, repeat;
            if (!parse_count(argv[4], k) || !parse_count(argv[5], repeat) || repeat < 1 ||
                repeat > 100000) {
                std::cerr << "xapian_peer: K must be a count and REPEAT 1 to 100000\n";
                return EXIT_ERR;
            }
            return cmd_search(argv[2], argv[3], k, repeat);
        }
        return usage();
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian_peer: " << e.get_description() << "\n";
    } catch (const std::exception &e) {
        std::cerr << "xapian_peer: " << e.what() << "\n";
    }
    return EXIT_ERR;
}
