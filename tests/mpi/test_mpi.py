# SPDX-License-Identifier: MIT
"""cisearch-mpi under mpirun on this machine (ranks on loopback), against one index.

Every rank owns shards of one collection; a search over them must answer as `cisearch
search` does over one index holding the same documents in shard order (shard 0's, then
shard 1's, ...: the order ties are broken by). The collection is random text from a fixed
seed with a vocabulary wide enough for RM3 to find expansion terms. Then what must fail, and
how: a missing shard (the job fails naming rank and directory, unless --allow-partial, which
flags the results), shards of two languages, a malformed input line, a prefix whose
expansions pass the cap only over the union of the shards.
"""
import json
import os
import random
import shutil
import subprocess
import zlib

import pytest

CISEARCH = os.environ.get("CISEARCH", "build/release/cisearch")
CISEARCH_MPI = os.environ.get("CISEARCH_MPI", "build/release/cisearch-mpi")
MPIRUN = shutil.which("mpirun")

pytestmark = pytest.mark.skipif(MPIRUN is None, reason="mpirun is not installed")


def mpirun(ranks, *args, check=True, stdin=None, timeout=300):
    """Runs cisearch-mpi on `ranks` ranks of this machine, traffic kept on loopback."""
    cmd = [MPIRUN, "--oversubscribe", "--mca", "btl", "self,vader",
           "--mca", "oob_tcp_if_include", "lo", "-n", str(ranks)]
    if os.geteuid() == 0:
        cmd.insert(1, "--allow-run-as-root")
    p = subprocess.run(cmd + [CISEARCH_MPI] + list(args), capture_output=True, text=True,
                       timeout=timeout, input=stdin)
    if check and p.returncode not in (0, 1):
        raise AssertionError("cisearch-mpi %s: exit %d\n%s" % (args, p.returncode, p.stderr))
    return p


def launcher_crashed_forwarding_stdin(p):
    """Open MPI 4.1's mpirun itself dies of SIGSEGV now and then while forwarding a large
    standard input to rank 0 (open-mpi/ompi#7483, fixed only in 5.0): its own backtrace names
    the forwarding handler. Nothing of ours ran wrong, so such a run is tried again."""
    return p.returncode == -11 and "orte_iof_hnp_read_local_handler" in p.stderr


def cisearch(*args, check=True):
    p = subprocess.run([CISEARCH] + list(args), capture_output=True, text=True, timeout=300)
    if check and p.returncode not in (0, 1):
        raise AssertionError("cisearch %s: exit %d\n%s" % (args, p.returncode, p.stderr))
    return p


def make_corpus(rng, n):
    """n documents of Zipf-like words (rare words for RM3 to find), ids d0.. in order."""
    vocab = ["%s%s" % (rng.choice("bcdfghklmnprstvz"), "".join(
        rng.choice("aeiou") + rng.choice("bcdfghklmnprstvz") for _ in range(rng.randint(1, 3))))
        for _ in range(400)]
    vocab = sorted(set(vocab))
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    docs = []
    for i in range(n):
        words = rng.choices(vocab, weights, k=rng.randint(5, 80))
        docs.append({"id": "d%d" % i, "title": " ".join(rng.choices(vocab, weights, k=3)),
                     "body": " ".join(words)})
    return docs, vocab


def write_jsonl(path, docs):
    with open(path, "w") as f:
        for d in docs:
            f.write(json.dumps(d) + "\n")


def shard_of(doc_id, shards):
    return zlib.crc32(doc_id.encode()) % shards


def union_index(tmp, docs, shards, name):
    """One index of docs in shard order: the oracle of a search over the shards."""
    ordered = sorted(docs, key=lambda d: shard_of(d["id"], shards))  # stable: input order kept
    path = os.path.join(tmp, name + ".jsonl")
    write_jsonl(path, ordered)
    out = os.path.join(tmp, name)
    cisearch("index", "--index", out, "--jsonl", path, "--quiet")
    return out


def make_queries(rng, docs, vocab):
    """Every query type of the plain and full syntax, as a batch (qid, text)."""
    qs = []
    common, rare = vocab[:20], vocab[60:]
    for i in range(12):
        qs.append(rng.choice(common if i % 2 else rare))
    for i in range(8):
        qs.append("%s %s" % (rng.choice(common), rng.choice(rare)))
        qs.append("+%s +%s" % (rng.choice(common), rng.choice(common)))
    for i in range(8):
        words = rng.choice(docs)["body"].split()
        at = rng.randrange(max(1, len(words) - 2))
        qs.append('"%s"' % " ".join(words[at:at + 2 + i % 2]))
    for i in range(6):
        qs.append(rng.choice(vocab)[:2] + "*")
    qs += ["%s -%s" % (common[0], common[1]), "title:%s" % common[2],
           "(%s OR %s) +%s" % (common[3], rare[0], common[4]), "body:%s*" % rare[1][:2]]
    return [("q%d" % i, q) for i, q in enumerate(qs)]


def parse_json_lines(text):
    """A batch's results (one JSON object a line), or one query's (one indented object)."""
    if text.startswith("{\n"):
        return [json.loads(text)]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def essential(result):
    """What must agree between one index and the shards (hits also name their shard)."""
    hits = [(h["rank"], h["id"], h["title"], round(h["score"], 9), h.get("snippet"),
             h.get("matches")) for h in result["hits"]]
    return result.get("qid"), result["total_hits"], result["total_exact"], hits


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("mpi"))
    rng = random.Random(20261201)
    docs, vocab = make_corpus(rng, 700)
    src = os.path.join(tmp, "docs.jsonl")
    write_jsonl(src, docs)
    queries = make_queries(rng, docs, vocab)
    qfile = os.path.join(tmp, "queries.tsv")
    with open(qfile, "w") as f:
        for qid, q in queries:
            f.write("%s\t%s\n" % (qid, q))
    return {"tmp": tmp, "docs": docs, "vocab": vocab, "src": src, "queries": qfile,
            "n_queries": len(queries)}


OPTION_SETS = [
    ["-n", "10", "--count-all"],
    ["-n", "7", "--offset", "4", "--count-all"],
    ["-n", "10", "--rm3", "--count-all"],
    ["-n", "5", "--plain", "--rm3", "--rm3-widen"],
    ["-n", "20"],  # pruned counts: compared only when exact
    ["-n", "3", "--explain", "--and"],
]


@pytest.mark.parametrize("ranks,shards", [(1, 1), (2, 2), (3, 3), (2, 5), (4, 4)])
def test_shards_answer_as_one_index(corpus, ranks, shards):
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "r%ds%d_%%d" % (ranks, shards))
    p = mpirun(ranks, "index", "--shard", pattern, "--shards", str(shards), corpus["src"])
    assert "indexed %d documents into %d shards" % (len(corpus["docs"]), shards) in p.stderr
    counts = [0] * shards
    for d in corpus["docs"]:
        counts[shard_of(d["id"], shards)] += 1
    for s in range(shards):
        assert "shard %d (%s): %d documents" % (s, pattern % s, counts[s]) in p.stderr
    union = union_index(tmp, corpus["docs"], shards, "union%d" % shards)
    expanded = 0
    for opts in OPTION_SETS:
        want = parse_json_lines(cisearch("search", "--index", union, "--format", "json",
                                         "--queries", corpus["queries"], *opts).stdout)
        got = parse_json_lines(mpirun(ranks, "search", "--shard", pattern, "--shards",
                                      str(shards), "--format", "json", "--queries",
                                      corpus["queries"], *opts).stdout)
        assert len(want) == len(got) == corpus["n_queries"]
        for w, g in zip(want, got):
            we, ge = essential(w), essential(g)
            if not (w["total_exact"] and g["total_exact"]):  # a lower bound each: not equal
                we, ge = we[:1] + we[3:], ge[:1] + ge[3:]
            assert we == ge, "options %s, query %s (%s)" % (opts, w.get("qid"), w["query"])
            for h in g["hits"]:
                assert h.get("index_dir", pattern % 0) == pattern % shard_of(h["id"], shards)
            if "--explain" in opts:
                for hw, hg in zip(w["hits"], g["hits"]):
                    assert [(t["term"], t["df"], round(t["score"], 9)) for t in hw["explain"]] == \
                           [(t["term"], t["df"], round(t["score"], 9)) for t in hg["explain"]]
        if "--rm3" in opts:  # feedback must have changed some ranking, or it was not tested
            plain = parse_json_lines(cisearch("search", "--index", union, "--format", "json",
                                              "--queries", corpus["queries"],
                                              *[o for o in opts if not o.startswith("--rm3")]).stdout)
            expanded += sum(essential(a) != essential(b) for a, b in zip(plain, want))
    assert expanded > 0
    # TREC output, byte for byte
    want = cisearch("search", "--index", union, "--format", "trec", "--queries",
                    corpus["queries"], "-n", "10").stdout
    got = mpirun(ranks, "search", "--shard", pattern, "--shards", str(shards), "--format",
                 "trec", "--queries", corpus["queries"], "-n", "10").stdout
    assert want == got and want.count("\n") > corpus["n_queries"]


def test_updates_reach_the_shard_holding_the_old_version(corpus):
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "upd_%d")
    mpirun(3, "index", "--shard", pattern, corpus["src"])
    changed = [dict(d, body=d["body"] + " zzupdated") for d in corpus["docs"][:40]]
    upd = os.path.join(tmp, "upd.jsonl")
    write_jsonl(upd, changed)
    mpirun(2, "index", "--shard", pattern, "--shards", "3", upd)  # fewer ranks, same shards
    got = parse_json_lines(mpirun(3, "search", "--shard", pattern, "--format", "json",
                                  "-n", "100", "zzupdated").stdout)[0]
    assert sorted(h["id"] for h in got["hits"]) == sorted(d["id"] for d in changed)
    stats = [json.loads(cisearch("stats", "--index", pattern % s, "--format", "json").stdout)
             for s in range(3)]
    assert sum(s["documents"] for s in stats) == len(corpus["docs"])


def test_a_missing_shard_fails_the_job_or_is_flagged(corpus):
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "miss_%d")
    mpirun(3, "index", "--shard", pattern, corpus["src"])
    shutil.rmtree(pattern % 1)
    p = mpirun(3, "search", "--shard", pattern, "--format", "json", "-n", "5",
               corpus["vocab"][0], check=False)
    assert p.returncode == 2 and p.stdout == ""
    assert "cisearch-mpi: rank 1: cannot open shard 1 (%s)" % (pattern % 1) in p.stderr
    p = mpirun(3, "search", "--shard", pattern, "--allow-partial", "--format", "json",
               "-n", "500", "--count-all", corpus["vocab"][0])
    res = parse_json_lines(p.stdout)[0]
    assert "shard 1 (%s)" % (pattern % 1) in res["partial"]
    assert "rank 1" in p.stderr and "--allow-partial" in p.stderr
    assert res["hits"] and all(shard_of(h["id"], 3) != 1 for h in res["hits"])
    p = mpirun(3, "search", "--shard", pattern, "--allow-partial", "-n", "2",
               "--color", "never", corpus["vocab"][0])
    assert "partial results: " in p.stdout


def test_shards_of_two_languages_are_refused(corpus):
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "lang_%d")
    mpirun(2, "index", "--shard", pattern, corpus["src"])
    shutil.rmtree(pattern % 1)
    cisearch("index", "--index", pattern % 1, "--language", "french", "--jsonl", corpus["src"],
             "--quiet")
    p = mpirun(2, "search", "--shard", pattern, "-n", "3", corpus["vocab"][0], check=False)
    assert p.returncode == 2 and "shards must share an analyzer language" in p.stderr


def test_malformed_lines_are_told_once_and_skipped(corpus):
    tmp = corpus["tmp"]
    src = os.path.join(tmp, "bad.jsonl")
    with open(src, "w") as f:
        f.write('{"id": "a", "body": "good one"}\n{"id": 5\n{"id": "b", "body": "good two"}\n')
    pattern = os.path.join(tmp, "bad_%d")
    p = mpirun(3, "index", "--shard", pattern, src, check=False)
    assert p.returncode == 2
    assert p.stderr.count("%s:2" % src) == 1, p.stderr
    assert "indexed 2 documents into 3 shards" in p.stderr


def test_prefix_cap_counts_the_union_of_the_shards(tmp_path):
    """1000 words each in two documents: per shard ~750 distinct, summed ~1500 (over the
    cap of 1024), the union 1000 (under it), as one index sees it; then 1100 words."""
    for n_words, ok in ((1000, True), (1100, False)):
        docs = []
        for i in range(n_words):
            w = "zq%c%c%c" % (97 + i // 676, 97 + i // 26 % 26, 97 + i % 26)
            docs += [{"id": "a%d" % i, "body": w}, {"id": "b%d" % i, "body": w}]
        src = str(tmp_path / ("cap%d.jsonl" % n_words))
        write_jsonl(src, docs)
        pattern = str(tmp_path / ("cap%d_%%d" % n_words))
        mpirun(2, "index", "--shard", pattern, "--language", "none", src)
        per = [sum(1 for i in range(n_words)
                   if shard_of("a%d" % i, 2) == s or shard_of("b%d" % i, 2) == s)
               for s in range(2)]
        assert sum(per) > 1024 and max(per) <= 1024  # only the union can tell
        union = str(tmp_path / ("capu%d" % n_words))
        ordered = sorted(docs, key=lambda d: shard_of(d["id"], 2))
        write_jsonl(src + ".u", ordered)
        cisearch("index", "--index", union, "--language", "none", "--jsonl", src + ".u",
                 "--quiet")
        want = cisearch("search", "--strict", "--index", union, "--format", "trec", "zq*",
                        check=False)
        got = mpirun(2, "search", "--strict", "--shard", pattern, "--format", "trec", "zq*",
                     check=False)
        assert (want.returncode == 0) == ok and (got.returncode == 0) == ok
        if ok:
            assert got.stdout == want.stdout and got.stdout
        else:
            assert "matches over 1024 terms" in want.stderr
            assert "matches over 1024 terms" in got.stderr


def test_a_bad_query_in_a_batch_is_told_once_and_the_rest_answered(corpus):
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "batch_%d")
    mpirun(3, "index", "--shard", pattern, corpus["src"])
    qfile = os.path.join(tmp, "bad_queries.tsv")
    with open(qfile, "w") as f:
        f.write("a\t%s\nb\t\"%s\nc\t%s\n" % (corpus["vocab"][0], corpus["vocab"][1],
                                                corpus["vocab"][2]))
    p = mpirun(3, "search", "--strict", "--shard", pattern, "--format", "trec", "-n", "2",
               "--queries", qfile, check=False)
    assert p.returncode == 2
    assert p.stderr.count("unterminated phrase") == 1, p.stderr
    assert "\n  ^" in p.stderr  # the caret under the query
    assert [line.split()[0] for line in p.stdout.splitlines()] == ["a", "a", "c", "c"]


def test_what_fails_on_rank_0_alone_ends_the_job(corpus):
    """Rank 0 reads standard input and its environment: a failure there must not leave the
    other ranks waiting (a hang would pass the timeout)."""
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "alone_%d")
    mpirun(2, "index", "--shard", pattern, corpus["src"])
    for _ in range(3):
        p = mpirun(2, "search", "--shard", pattern, "-", check=False, stdin="a" * 300000,
                   timeout=60)
        if not launcher_crashed_forwarding_stdin(p):
            break
    assert p.returncode == 2 and "standard input is over" in p.stderr
    p = mpirun(2, "search", "--shard", pattern, "-n", "5", "--offset", str(2 ** 24),
               corpus["vocab"][0], check=False, timeout=60)
    assert p.returncode == 2 and "capped at" in p.stderr


def test_odd_queries_answer_as_one_index(corpus):
    """A NUL inside a query (the library reads its bytes), a count only with an offset."""
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "odd_%d")
    mpirun(3, "index", "--shard", pattern, corpus["src"])
    union = union_index(tmp, corpus["docs"], 3, "odd_union")
    v = corpus["vocab"]
    qfile = os.path.join(tmp, "odd.tsv")
    with open(qfile, "w") as f:
        f.write("n1\t%s\0%s %s\n" % (v[0], v[1], v[2]))
        f.write("n2\t%s %s\0\n" % (v[3], v[4]))
    for opts in (["-n", "10"], ["-n", "0", "--offset", "3"]):
        want = cisearch("search", "--index", union, "--format", "json", "--queries", qfile,
                        *opts).stdout
        got = mpirun(3, "search", "--shard", pattern, "--format", "json", "--queries", qfile,
                     *opts).stdout
        w, g = parse_json_lines(want), parse_json_lines(got)
        assert [essential(x) for x in w] == [essential(x) for x in g] and len(w) == 2
        if "0" in opts:
            assert all(x["total_exact"] for x in g)


def test_a_lost_shard_is_not_recreated_silently(corpus):
    tmp = corpus["tmp"]
    pattern = os.path.join(tmp, "lost_%d")
    mpirun(3, "index", "--shard", pattern, corpus["src"])
    shutil.rmtree(pattern % 2)
    upd = os.path.join(tmp, "lost_upd.jsonl")
    write_jsonl(upd, corpus["docs"][:30])
    p = mpirun(3, "index", "--shard", pattern, upd, check=False)
    assert p.returncode == 2
    assert "rank 2: shard 2 (%s) does not exist" % (pattern % 2) in p.stderr
    assert not os.path.exists(pattern % 2)
    p = mpirun(3, "index", "--shard", pattern, "--create", upd)
    want = sum(1 for d in corpus["docs"][:30] if shard_of(d["id"], 3) == 2)
    assert "shard 2 (%s): %d documents" % (pattern % 2, want) in p.stderr


def test_the_readme_example_prints_what_it_shows(tmp_path):
    here = os.path.dirname(os.path.abspath(__file__))
    text = open(os.path.join(here, "..", "..", "README.md")).read()
    block = text.split("<!-- mpi-example -->\n```\n", 1)[1].split("```", 1)[0]
    commands = block.split("$ ")[1:]
    cat, index, search = commands
    docs = cat.split("\n", 1)[1]
    (tmp_path / "docs.jsonl").write_text(docs)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for cmd in (index, search):
            line, shown = cmd.split("\n", 1)
            args = line.split()[4:]  # after "mpirun -n 2 cisearch-mpi"
            p = mpirun(2, *args, "--color", "never") if args[0] == "search" else mpirun(2, *args)
            assert (p.stdout + p.stderr) == shown, (p.stdout + p.stderr)
    finally:
        os.chdir(cwd)
