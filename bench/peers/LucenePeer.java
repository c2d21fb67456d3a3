/* SPDX-License-Identifier: MIT */
/*
 * LucenePeer.java - a Lucene 8 peer for bench/: indexes the same JSON lines and times the same
 * query files as `cisearch index` / `cisearch bench`, printing the same line format, so the
 * two engines can be compared side by side.  Built by bench/peers/build_lucene.sh.
 *
 *   LucenePeer index INDEX_DIR JSONL_FILE
 *       Reads JSON lines {"id": ..., "title": ..., "body": ...} and indexes each as one
 *       TextField "text" = title + " " + body (positions indexed, not stored) and a stored
 *       StringField "id".  Analyzer: StandardTokenizer + LowerCaseFilter (no stemming, no stop
 *       words, like `cisearch index --language none`).  BM25(1.2, 0.75), a 256 MB RAM buffer,
 *       forceMerge(1) (one segment), commit.  Prints `docs<TAB>wall_seconds` (the time from
 *       opening the input to the closed index; JVM start-up is not included).
 *
 *   LucenePeer search INDEX_DIR QUERY_FILE K REPEAT
 *       As `cisearch bench -k K --repeat REPEAT`: the index is opened once, every query runs
 *       once to warm up (which also warms the JIT; a short query file leaves much of it still
 *       interpreted, so $LUCENE_PEER_WARMUP=N runs the warm-up pass N times), then each query
 *       runs REPEAT times in turn.  A timed run is parse (classic QueryParser
 *       on "text", same analyzer, default operator OR) + searcher.search(query, K) + reading
 *       every hit's stored id, like a user would; K = 0 counts only (searcher.count).  Prints
 *       `latency_us<TAB>hits<TAB>query` per query: the median of the REPEAT runs (the mean of
 *       the middle two when REPEAT is even, as cisearch does) and the exact number of matches,
 *       computed outside the timed runs with searcher.count (search with block-max WAND only
 *       gives a lower bound).  A summary goes to stderr.  Query lines use the plain syntax
 *       shared with cisearch: `+a +b` (AND), `a b` (OR), `"a b"` (phrase), `abc*` (prefix,
 *       constant-score rewrite); blank lines are skipped.  The summary ends with
 *       `; open Z us`: the time to open the MMapDirectory and the DirectoryReader and to set
 *       up the IndexSearcher (as `cisearch bench` reports opening its reader), after Lucene's
 *       classes were loaded on a one-document index in memory (untimed; see preload).
 *
 * Differences from cisearch worth knowing: cisearch's analyzer also splits hyphenated words
 * and folds accents, and its strict syntax drops bare English stop words from a query that
 * has other words; Lucene here does neither.  The query cache is disabled so that repeated
 * runs of one query are not answered from a cache (cisearch has none).
 *
 * Exit status: 0 on success, 2 on any error (a bad argument, an unreadable file, a query that
 * does not parse), with a message on stderr.
 */

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;

public final class LucenePeer {
    private static final String FIELD = "text";
    private static final float K1 = 1.2f, B = 0.75f;
    /** Where the runs' checksums end up, so the JIT cannot drop the work. */
    static volatile long blackhole;

    /** StandardTokenizer + LowerCaseFilter; normalize() lowercases prefix terms too. */
    static final class PeerAnalyzer extends Analyzer {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            StandardTokenizer source = new StandardTokenizer();
            return new TokenStreamComponents(source, new LowerCaseFilter(source));
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return new LowerCaseFilter(in);
        }
    }

    /** An error to report on stderr before exiting with status 2. */
    static final class PeerError extends Exception {
        PeerError(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        try {
            if (args.length == 3 && args[0].equals("index")) {
                index(Paths.get(args[1]), Paths.get(args[2]));
            } else if (args.length == 5 && args[0].equals("search")) {
                search(Paths.get(args[1]), Paths.get(args[2]), parseCount("K", args[3], 0),
                       parseCount("REPEAT", args[4], 1));
            } else {
                System.err.println("usage: LucenePeer index INDEX_DIR JSONL_FILE\n"
                                   + "       LucenePeer search INDEX_DIR QUERY_FILE K REPEAT");
                System.exit(2);
            }
        } catch (PeerError | IOException e) {
            System.err.println("lucene: " + e.getMessage());
            System.exit(2);
        }
    }

    private static int parseCount(String name, String v, int min) throws PeerError {
        try {
            int n = Integer.parseInt(v);
            if (n >= min)
                return n;
        } catch (NumberFormatException e) {
            /* reported below */
        }
        throw new PeerError(name + " wants a whole number >= " + min + ", not '" + v + "'");
    }

    /* ---------------------------------------------------------------------------------- */
    /* index                                                                                */

    private static void index(Path indexDir, Path jsonl) throws IOException, PeerError {
        long t0 = System.nanoTime();
        IndexWriterConfig cfg = new IndexWriterConfig(new PeerAnalyzer());
        cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        cfg.setSimilarity(new BM25Similarity(K1, B));
        cfg.setRAMBufferSizeMB(256);
        long docs = 0;
        try (Directory dir = new MMapDirectory(indexDir);
             IndexWriter w = new IndexWriter(dir, cfg);
             BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            /* One Document and its fields reused for every line, as Lucene recommends. */
            Document doc = new Document();
            Field id = new StringField("id", "", Field.Store.YES);
            Field text = new TextField(FIELD, "", Field.Store.NO);
            doc.add(id);
            doc.add(text);
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank())
                    continue;
                Map<String, String> obj;
                try {
                    obj = Json.parseFlatObject(line);
                } catch (PeerError e) {
                    throw new PeerError(jsonl + ":" + lineNo + ": " + e.getMessage());
                }
                String idv = obj.get("id");
                if (idv == null)
                    throw new PeerError(jsonl + ":" + lineNo + ": no \"id\"");
                id.setStringValue(idv);
                text.setStringValue(obj.getOrDefault("title", "") + " "
                                    + obj.getOrDefault("body", ""));
                w.addDocument(doc);
                docs++;
            }
            w.forceMerge(1);
            w.commit();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%d\t%.3f%n", docs, secs);
    }

    /* ---------------------------------------------------------------------------------- */
    /* search                                                                               */

    private static void search(Path indexDir, Path queryFile, int k, int repeat)
        throws IOException, PeerError {
        if (!Files.isDirectory(indexDir)) /* MMapDirectory would create it */
            throw new PeerError("no index at '" + indexDir + "'");
        List<String> queries = new ArrayList<>();
        for (String line : Files.readAllLines(queryFile, StandardCharsets.UTF_8))
            if (!line.isBlank())
                queries.add(line);
        Analyzer analyzer = new PeerAnalyzer();
        QueryParser parser = new QueryParser(FIELD, analyzer);
        parser.setDefaultOperator(QueryParser.Operator.OR);
        parser.setAllowLeadingWildcard(false);
        preload(analyzer);
        long openT0 = System.nanoTime(); /* the open time: directory, reader, searcher */
        try (Directory dir = new MMapDirectory(indexDir);
             DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(new BM25Similarity(K1, B));
            searcher.setQueryCache(null); /* every run does the work (see the top) */
            double openUs = (System.nanoTime() - openT0) / 1e3;
            long sink = 0;                /* keeps the JIT from dropping the id reads */
            for (int pass = 0; pass < warmupPasses(); pass++) /* warm-up: caches and JIT */
                for (String q : queries)
                    sink += runOnce(searcher, parser, q, k);
            double[] runs = new double[repeat];
            double total = 0;
            StringBuilder out = new StringBuilder();
            for (String q : queries) {
                for (int j = 0; j < repeat; j++) {
                    long t0 = System.nanoTime();
                    sink += runOnce(searcher, parser, q, k);
                    runs[j] = (System.nanoTime() - t0) / 1e3;
                }
                Arrays.sort(runs);
                double med = repeat % 2 == 1 ? runs[repeat / 2]
                                             : (runs[repeat / 2 - 1] + runs[repeat / 2]) / 2;
                total += med;
                int hits = searcher.count(parse(parser, q)); /* exact, untimed */
                out.append(String.format(Locale.ROOT, "%.2f", med)).append('\t').append(hits)
                    .append('\t').append(q).append('\n');
            }
            System.out.print(out);
            System.out.flush();
            System.err.printf("lucene: %d queries, %d timed runs each; median latency: mean %.1f"
                              + " us, sum %.1f ms; open %.1f us%n", queries.size(), repeat,
                              queries.isEmpty() ? 0.0 : total / queries.size(), total / 1e3,
                              openUs);
            blackhole = sink;
        }
    }

    /** Loads and initializes the classes that opening an index needs, by writing and opening a
     *  one-document index in memory, so that the timed open measures opening the index rather
     *  than the JVM loading Lucene (about 0.2 s; cisearch and Xapian have their code mapped
     *  before they open anything). */
    private static void preload(Analyzer analyzer) throws IOException {
        if (!MMapDirectory.UNMAP_SUPPORTED) /* initializes MMapDirectory */
            blackhole++;
        try (Directory dir = new ByteBuffersDirectory()) {
            IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
            cfg.setSimilarity(new BM25Similarity(K1, B));
            try (IndexWriter w = new IndexWriter(dir, cfg)) {
                Document doc = new Document();
                doc.add(new StringField("id", "0", Field.Store.YES));
                doc.add(new TextField(FIELD, "preload", Field.Store.NO));
                w.addDocument(doc);
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                searcher.setSimilarity(new BM25Similarity(K1, B));
                searcher.setQueryCache(null);
                blackhole += reader.maxDoc();
            }
        }
    }

    /** Warm-up passes over the query file: 1 as in cisearch, or $LUCENE_PEER_WARMUP. */
    private static int warmupPasses() throws PeerError {
        String v = System.getenv("LUCENE_PEER_WARMUP");
        return v == null || v.isEmpty() ? 1 : parseCount("LUCENE_PEER_WARMUP", v, 1);
    }

    /** One run: parse, search top k (reading each hit's id) or count. @return a checksum. */
    private static long runOnce(IndexSearcher searcher, QueryParser parser, String q, int k)
        throws IOException, PeerError {
        Query query = parse(parser, q);
        if (k == 0)
            return searcher.count(query);
        TopDocs top = searcher.search(query, k);
        long sum = 0;
        for (ScoreDoc sd : top.scoreDocs)
            sum += searcher.doc(sd.doc).get("id").length();
        return sum;
    }

    private static Query parse(QueryParser parser, String q) throws PeerError {
        try {
            return parser.parse(q);
        } catch (ParseException e) {
            String m = e.getMessage(); /* its first line; the rest lists the expected tokens */
            throw new PeerError("query '" + q + "': " + m.lines().findFirst().orElse(m));
        }
    }

    /* ---------------------------------------------------------------------------------- */
    /* JSON                                                                                 */

    /** A parser for flat JSON objects: string keys; string values (numbers, true, false and
     *  null are kept as their text; nested objects and arrays are an error). */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Map<String, String> parseFlatObject(String line) throws PeerError {
            Json p = new Json(line);
            Map<String, String> obj = new HashMap<>();
            p.expect('{');
            if (p.peek() == '}') {
                p.i++;
            } else {
                for (;;) {
                    String key = p.string();
                    p.expect(':');
                    obj.put(key, p.peek() == '"' ? p.string() : p.scalar());
                    char c = p.next();
                    if (c == '}')
                        break;
                    if (c != ',')
                        throw p.error("',' or '}' expected");
                }
            }
            if (p.peek() != 0)
                throw p.error("text after the object");
            return obj;
        }

        private PeerError error(String what) {
            return new PeerError("bad JSON at column " + (i + 1) + ": " + what);
        }

        /** The next character that is not white space (0 at the end), not consumed. */
        private char peek() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0)
                i++;
            return i < s.length() ? s.charAt(i) : 0;
        }

        private char next() {
            char c = peek();
            if (c != 0)
                i++;
            return c;
        }

        private void expect(char c) throws PeerError {
            if (next() != c)
                throw error("'" + c + "' expected");
        }

        private String scalar() throws PeerError {
            int start = i;
            while (i < s.length() && ",} \t\r\n".indexOf(s.charAt(i)) < 0) {
                char c = s.charAt(i);
                if (c == '{' || c == '[' || c == '"')
                    throw error("only flat objects of strings are read");
                i++;
            }
            if (i == start)
                throw error("a value expected");
            return s.substring(start, i);
        }

        private String string() throws PeerError {
            expect('"');
            StringBuilder b = new StringBuilder();
            for (;;) {
                if (i >= s.length())
                    throw error("unterminated string");
                char c = s.charAt(i++);
                if (c == '"')
                    return b.toString();
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length())
                    throw error("unterminated string");
                char e = s.charAt(i++);
                switch (e) {
                case '"': case '\\': case '/': b.append(e); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    /* Surrogate pairs come as two \\u escapes: appended as two chars. */
                    if (i + 4 > s.length())
                        throw error("short \\u escape");
                    try {
                        b.append((char)Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException x) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                    break;
                default:
                    throw error("bad escape '\\" + e + "'");
                }
            }
        }
    }
}
