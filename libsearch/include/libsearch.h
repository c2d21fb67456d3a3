/* SPDX-License-Identifier: MIT */
/*
 * libsearch.h - the one public header of libsearch, an embeddable full-text search library.
 *
 * Index documents with an ls_writer, search them with an ls_reader. Everything else in the
 * source tree is internal.
 *
 * Threading
 * ---------
 * - An ls_reader is an immutable snapshot of the index as of its last commit when it was
 *   opened. Any number of threads may call ls_search() and the other const reader calls on the
 *   same reader at once. ls_reader_reopen() gives a reader of a later commit, sharing what did
 *   not change; readers may be closed from any thread.
 * - An ls_writer is used by one thread at a time, and at most one writer per index directory
 *   exists at once, across processes (a second ls_writer_open() fails with LS_ELOCKED).
 *   Readers may be opened and used while a writer works; they see only committed data.
 * - ls_error structs are caller-owned: use one per thread.
 *
 * Ownership
 * ---------
 * - Whatever comes back through a `**out` parameter belongs to the caller and is released with
 *   its own function (ls_writer_close, ls_reader_close, ls_hits_free), each of which accepts NULL.
 * - Pointers returned as values (ls_hits_get, fields of ls_hit, ls_snippet, ls_explain) are
 *   borrowed: valid until the object they came from is freed.
 * - The library copies every input it keeps (document text, query text, option strings).
 *
 * Errors
 * ------
 * Every fallible call returns LS_OK (0) or a negative LS_E* code, and, when `err` is not NULL,
 * fills it with the same code and a message naming what failed, on which file or query byte,
 * and why. No hits is not an error. The library never prints, aborts or exits.
 */
#ifndef LIBSEARCH_H
#define LIBSEARCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LS_BUILDING_LIBRARY) && defined(__GNUC__)
#define LS_API __attribute__((visibility("default")))
#else
#define LS_API
#endif

#define LS_VERSION_MAJOR 0
#define LS_VERSION_MINOR 1
#define LS_VERSION_PATCH 0
#define LS_VERSION_STRING "0.1.0"
#define LS_VERSION_NUMBER (LS_VERSION_MAJOR * 10000 + LS_VERSION_MINOR * 100 + LS_VERSION_PATCH)

/** @return LS_VERSION_NUMBER of the library actually linked. */
LS_API unsigned ls_version_number(void);
/** @return LS_VERSION_STRING of the library actually linked (static storage). */
LS_API const char *ls_version_string(void);

/* Status codes. Their values never change. */
#define LS_OK 0
#define LS_ENOMEM (-1)    /**< out of memory */
#define LS_EINVAL (-2)    /**< invalid argument */
#define LS_EIO (-3)       /**< operating-system I/O error (open, read, write, fsync, rename) */
#define LS_ENOTFOUND (-4) /**< no index (or file, or document) where one was expected */
#define LS_ELOCKED (-5)   /**< another writer holds the index lock */
#define LS_ECORRUPT (-6)  /**< an index file fails its checksum or holds impossible values */
#define LS_EFORMAT (-7)   /**< an index file of an unknown (newer) format version */
#define LS_EQUERY (-8)    /**< query syntax error (strict syntax); see ls_error.position */
#define LS_ELIMIT (-9)    /**< a size limit was exceeded (document, term, query) */

#define LS_ERROR_MESSAGE_SIZE 256

/** A caller-owned error, filled by a failing call. */
typedef struct ls_error {
    int code;                           /**< the LS_E* code, LS_OK when nothing failed */
    size_t position;                    /**< LS_EQUERY: byte offset in the query; else (size_t)-1 */
    char message[LS_ERROR_MESSAGE_SIZE]; /**< human-readable, NUL-terminated */
} ls_error;

/** @return a static description of a status code ("out of memory", ...). */
LS_API const char *ls_strerror(int code);

/* ------------------------------------------------------------------------------------------ */
/* Limits                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* Every limit is refused with LS_ELIMIT (or, in the lenient and plain query syntaxes, read
 * around: see ls_search), never by overflow. docs/LIMITS.md says where each is checked. */
#define LS_MAX_ID_BYTES 4096u            /**< external id of a document (non-empty) */
#define LS_MAX_STAMP_BYTES 255u          /**< stamp of a document */
#define LS_MAX_DOCUMENT_BYTES (2147483648u) /**< id + title + body + path of one document (2 GiB) */
#define LS_MAX_TERM_BYTES 128u           /**< a longer normalized word is not indexed (its
                                              position is kept) */
#define LS_MAX_SEGMENT_DOCS 2147483647u  /**< documents in one segment (2^31 - 1) */
#define LS_MAX_INDEX_DOCS (1ull << 48)   /**< documents in one index, deleted ones included */
#define LS_MAX_SEGMENTS 4096u            /**< segments of one commit */
#define LS_MAX_WRITER_THREADS 64u        /**< ls_writer_options threads */
#define LS_MAX_QUERY_BYTES 65536u        /**< query text */
#define LS_MAX_QUERY_DEPTH 100u          /**< nesting of parentheses and operators */
#define LS_MAX_PHRASE_WORDS 1024u        /**< words of one quoted phrase */
#define LS_MAX_PREFIX_TERMS 1024u        /**< dictionary terms one prefix (abc*) matches; more
                                              is LS_ELIMIT naming the prefix */
#define LS_MAX_LIMIT (1u << 24)          /**< ls_search_options limit and offset, each (more:
                                              LS_ELIMIT, whatever the syntax) */

/* ------------------------------------------------------------------------------------------ */
/* Writing                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct ls_writer ls_writer;

#define LS_WRITER_OPTIONS_VERSION 3
typedef struct ls_writer_options {
    unsigned version;     /**< LS_WRITER_OPTIONS_VERSION (1 and 2 are still accepted: they
                               end at `ram_budget` and at `recover`, and the fields after
                               take their defaults) */
    const char *language; /**< Snowball stemmer of a new index ("english", "french", ..., or
                               "none"); NULL = "english". An existing index keeps the language
                               recorded in it; naming another one is LS_EINVAL. */
    size_t ram_budget;    /**< bytes of postings buffered before a segment is written;
                               0 = 256 MiB */
    /* version 2: */
    unsigned merge_factor; /**< how many segments of a similar size a commit merges into one
                                (2..100); 0 = 10. Segment counts stay logarithmic in the
                                index size. */
    int no_auto_merge;     /**< nonzero: commits never merge (ls_writer_optimize still does) */
    int recover;           /**< nonzero: open an index whose last commit's manifest is damaged
                                at the newest intact commit (see ls_reader_open_opts); the
                                next commit supersedes the damaged one */
    /* version 3: */
    unsigned threads;      /**< index threads, 0..LS_MAX_WRITER_THREADS. 0 or 1: documents are
                                analyzed and inverted in the caller's thread, in ls_writer_add.
                                N >= 2: ls_writer_add copies the document into a batch and
                                returns; N lanes each build segments of their own from every
                                N-th batch, in order, and N threads invert them, a thread
                                taking the next batch of any lane no other holds (so the
                                lane of a full segment being written goes on). The budget
                                is one ram_budget: each lane's segment up to 7/8 of it /
                                (N + 1), as one full segment may be written while every lane
                                grows its next; batches waiting, and what ids need between
                                commits, about 1/8: past that the threads write the lanes'
                                segments, as one thread does at its budget. Ids stay keys: a
                                replaced or deleted document is gone as of the next commit,
                                as with one thread. The documents' order in the index (the
                                last tie-breaker of equal scores) then follows the batches,
                                not the calls; it is the same on every run of the same calls.
                                An error met by a thread (LS_ENOMEM, LS_EIO, LS_ELIMIT on a
                                document of over 2^32 words) is returned by the next call on
                                the writer, which has then failed: the documents given since
                                are lost with it, as every uncommitted change is. With
                                N >= 2, merges (a commit's and ls_writer_optimize) also run
                                in two threads: the stored fields and the word pairs apart
                                from the postings. */
} ls_writer_options;
#define LS_WRITER_OPTIONS_INIT {LS_WRITER_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0}

/**
 * Opens (creating when needed) the index in directory `dir` for writing and takes its lock.
 * @param opts NULL for defaults.
 * @param[out] out the writer; close it with ls_writer_close().
 * @return LS_OK, LS_ELOCKED (another writer, the message names its process id), LS_EIO,
 *         LS_ENOTFOUND (the directory's parent does not exist), LS_ECORRUPT (a damaged last
 *         commit: see `recover`), LS_EFORMAT (an index of another format version: re-index),
 *         LS_EINVAL, LS_ENOMEM.
 */
LS_API int ls_writer_open(const char *dir, const ls_writer_options *opts, ls_writer **out,
                          ls_error *err);

#define LS_DOCUMENT_VERSION 2
/** A document to add. Text is UTF-8 (invalid bytes act as word separators); lengths in bytes. */
typedef struct ls_document {
    unsigned version; /**< LS_DOCUMENT_VERSION (1 is still accepted: no stamp) */
    const char *id;   /**< external id: the document's key in the index, non-empty, at most
                           LS_MAX_ID_BYTES; returned with hits */
    size_t id_len;
    const char *title; /**< searchable, and returned with hits; may be NULL */
    size_t title_len;
    const char *body; /**< searchable; snippets come from it; may be NULL */
    size_t body_len;
    const char *path; /**< stored only (e.g. the source file); may be NULL */
    size_t path_len;
    /* version 2: */
    const void *stamp; /**< opaque bytes kept with the id (e.g. a file's size, time and
                            content hash), read back with ls_reader_get; may be NULL */
    size_t stamp_len;  /**< at most LS_MAX_STAMP_BYTES */
} ls_document;
#define LS_DOCUMENT_INIT {LS_DOCUMENT_VERSION, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, 0}

/**
 * Adds a document, or replaces the document with the same id: ids are keys, so an id is never
 * found twice. The change becomes visible to readers opened after the next successful commit
 * (the old version stays visible until then).
 * @return LS_OK, LS_EINVAL (no id, bad version), LS_ELIMIT (over a limit above), LS_EIO,
 *         LS_ECORRUPT (the old version's segment is damaged), LS_ENOMEM. After a failure other
 *         than LS_EINVAL/LS_ELIMIT the writer is unusable: close it (nothing uncommitted
 *         reaches the index).
 */
LS_API int ls_writer_add(ls_writer *w, const ls_document *doc, ls_error *err);

/**
 * Deletes the document whose id is id[0..id_len) (committed or added since), as of the next
 * commit: it then leaves results, hit counts and statistics (N, df, average lengths).
 * @return LS_OK, LS_ENOTFOUND (no such document: nothing changed, the writer stays usable),
 *         LS_EINVAL, LS_EIO, LS_ECORRUPT, LS_ENOMEM.
 */
LS_API int ls_writer_delete(ls_writer *w, const char *id, size_t id_len, ls_error *err);

/**
 * Deletes every document whose id starts with prefix[0..len) (len 0: every document).
 * @param[out] count_out when not NULL, the number of documents deleted.
 * @return LS_OK (also when none matched), LS_EINVAL, LS_EIO, LS_ECORRUPT, LS_ENOMEM.
 */
LS_API int ls_writer_delete_prefix(ls_writer *w, const char *prefix, size_t len,
                                   uint64_t *count_out, ls_error *err);

/**
 * Makes every change so far durable and visible atomically: segment and deletion files are
 * written and fsynced, then a new manifest replaces the old one by rename. A crash at any
 * instant leaves either the previous commit or this one, never a mix. Then, unless
 * no_auto_merge, segments of a similar size are merged (each merge is its own atomic commit;
 * a merge that fails, e.g. on a full disk, is abandoned and tried again at a later commit:
 * the commit stands). Files no commit needs any more are removed once no reader of this
 * process uses them.
 * @return LS_OK, LS_EIO (e.g. disk full: the previous commit stays intact; or, when only the
 *         directory's fsync after the rename failed, the message says the commit is in place
 *         but may not survive a crash), LS_ELIMIT (over LS_MAX_SEGMENTS with merging off),
 *         LS_ECORRUPT, LS_ENOMEM. After an error the writer refuses further work: close it.
 */
LS_API int ls_writer_commit(ls_writer *w, ls_error *err);

/**
 * Commits, then merges segments until at most max_segments remain (0 or 1: one segment),
 * dropping deleted documents. Search results and scores are the same before and after.
 * @return as ls_writer_commit.
 */
LS_API int ls_writer_optimize(ls_writer *w, unsigned max_segments, ls_error *err);

/** Releases the lock and the writer. Changes since the last commit are discarded. */
LS_API void ls_writer_close(ls_writer *w);

/* ------------------------------------------------------------------------------------------ */
/* Reading                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct ls_reader ls_reader;

/**
 * Opens the last commit of the index in `dir`. Maps files, checks their headers and footers
 * and reads no postings, so it costs milliseconds whatever the index size. Segments already
 * open in this process (by another reader or a writer) are shared, not mapped again.
 * @param[out] out the reader; close it with ls_reader_close().
 * @return LS_OK, LS_ENOTFOUND (no index there), LS_ECORRUPT (naming the damaged file; a
 *         damaged last manifest is never silently skipped: see ls_reader_open_opts),
 *         LS_EFORMAT (another format version: re-index), LS_EIO, LS_ENOMEM.
 */
LS_API int ls_reader_open(const char *dir, ls_reader **out, ls_error *err);

#define LS_OPEN_OPTIONS_VERSION 1
typedef struct ls_open_options {
    unsigned version; /**< LS_OPEN_OPTIONS_VERSION */
    int recover;      /**< nonzero: when the last commit's manifest is damaged, open the newest
                           intact commit instead (ls_index_stats.skipped_generation says
                           which one was skipped) */
} ls_open_options;
#define LS_OPEN_OPTIONS_INIT {LS_OPEN_OPTIONS_VERSION, 0}

/** ls_reader_open with options (NULL: defaults). */
LS_API int ls_reader_open_opts(const char *dir, const ls_open_options *opts, ls_reader **out,
                               ls_error *err);

/**
 * Opens the last commits of n indexes as one reader: their documents are searched as one
 * collection, in the order given (the first index's documents first), with N, average
 * lengths and every df summed over all of them, so that every hit scores exactly as in one
 * index holding the union in that order. Works everywhere a reader does (search, snippets,
 * explain, feedback, lookups by id: the first index holding the id); ls_hit.index says which
 * index a hit comes from; ls_reader_reopen picks up new commits of any of them;
 * ls_reader_check checks each; ls_reader_stats sums them (generation 0).
 * @return as ls_reader_open, naming the index that failed; LS_EINVAL when the indexes have
 *         different languages (analyzers), or n is 0.
 */
LS_API int ls_reader_open_many(const char *const *dirs, size_t n, const ls_open_options *opts,
                               ls_reader **out, ls_error *err);

/**
 * Picks up the index's newest commit cheaply: segments that did not change are shared with r.
 * r stays valid (an unchanged snapshot) until closed; close both when done.
 * @param[out] out the new reader, or NULL when r already shows the newest commit.
 * @return as ls_reader_open.
 */
LS_API int ls_reader_reopen(const ls_reader *r, ls_reader **out, ls_error *err);

/** Closes a reader. No ls_hits obtained from it may be used afterwards. Files a writer has
 *  removed stay readable until every reader of them is closed (mappings outlive unlink). */
LS_API void ls_reader_close(ls_reader *r);

/**
 * Verifies the reader's commit: every file's checksum and the structural invariants (sorted
 * keys, document numbers in range, offsets inside their files, every df equal to its list's
 * length, skip-table maxima equal to the blocks they summarize, deletion counts and
 * corrections, ids unique among live documents, token totals). Reads everything: slow.
 * @return LS_OK, LS_ECORRUPT naming the file and what is wrong, LS_ENOMEM.
 */
LS_API int ls_reader_check(const ls_reader *r, ls_error *err);

#define LS_DOC_INFO_VERSION 1
/** What ls_reader_get finds about one document. */
typedef struct ls_doc_info {
    unsigned version;     /**< LS_DOC_INFO_VERSION, set by the caller */
    uint64_t doc;         /**< internal document number in this reader */
    const void *stamp;    /**< the stamp given when it was added, borrowed until the reader
                               is closed */
    size_t stamp_len;
} ls_doc_info;

/** A stored document: its fields as added, NUL-terminated (ls_reader_document). */
typedef struct ls_stored_document {
    const char *id, *title, *body, *path;
    size_t id_len, title_len, body_len, path_len;
} ls_stored_document;

/**
 * Reads the stored fields of document doc (an ls_doc_info.doc or ls_hit.doc of this reader).
 * @param[out] out a copy, owned by the caller: free it with ls_stored_document_free.
 * @return LS_OK, LS_ENOTFOUND (no such document, or deleted), LS_ECORRUPT, LS_ENOMEM.
 */
LS_API int ls_reader_document(const ls_reader *r, uint64_t doc, ls_stored_document **out,
                              ls_error *err);
LS_API void ls_stored_document_free(ls_stored_document *d);

/**
 * Finds the live document whose id is id[0..len).
 * @return LS_OK (out filled), LS_ENOTFOUND (no such document), LS_EINVAL, LS_ECORRUPT.
 */
LS_API int ls_reader_get(const ls_reader *r, const char *id, size_t len, ls_doc_info *out,
                         ls_error *err);

/** Called by ls_reader_ids for each document; return nonzero to stop. Pointers are borrowed
 *  for the call. */
typedef int (*ls_id_fn)(const char *id, size_t id_len, const void *stamp, size_t stamp_len,
                        void *payload);

/**
 * Calls fn for every live document whose id starts with prefix[0..len) (len 0: all), in
 * bytewise id order.
 * @return LS_OK (also when fn stopped early), LS_EINVAL, LS_ECORRUPT, LS_ENOMEM.
 */
LS_API int ls_reader_ids(const ls_reader *r, const char *prefix, size_t len, ls_id_fn fn,
                         void *payload, ls_error *err);

#define LS_INDEX_STATS_VERSION 3
/** Figures about an index; caller-allocated, filled by ls_reader_stats(). */
typedef struct ls_index_stats {
    unsigned version;         /**< LS_INDEX_STATS_VERSION (or 1, which ends at `language`,
                                   or 2, which ends at `skipped_generation`), set by the
                                   caller */
    uint64_t generation;      /**< commit generation */
    uint32_t segments;        /**< live segments */
    uint64_t documents;       /**< live documents */
    uint64_t terms;           /**< dictionary entries of words summed over segments (all
                                   fields; word pairs are counted in `word_pairs`) */
    uint64_t postings;        /**< (term, document) pairs summed over segments (all fields),
                                   deleted documents' included until a merge drops them */
    uint64_t tokens;          /**< tokens of the live documents (title + body) */
    uint64_t bytes_dictionary; /**< term dictionary files */
    uint64_t bytes_postings;  /**< doc-id/frequency postings with skip tables */
    uint64_t bytes_positions; /**< positions files */
    uint64_t bytes_doclens;   /**< document length files */
    uint64_t bytes_stored;    /**< compressed stored fields */
    uint64_t bytes_manifest;  /**< the manifest */
    char language[32];        /**< the analyzer language recorded in the index */
    /* version 2: */
    uint64_t deleted_documents; /**< documents deleted but still in segment files */
    uint64_t bytes_ids;         /**< id dictionaries */
    uint64_t bytes_deletions;   /**< deletion files */
    uint64_t skipped_generation; /**< a damaged newer commit skipped by a recovering open */
    /* version 3: */
    uint64_t word_pairs;    /**< lists of adjacent common words (docs/FORMAT.md "Word pairs")
                                 summed over segments; their bytes are in bytes_postings */
    uint64_t pair_postings; /**< (word pair, document) entries summed over segments */
} ls_index_stats;

/** Fills `out` (whose version the caller set); walks the term dictionaries (no postings).
 *  @return LS_OK, LS_EINVAL, or LS_ECORRUPT (a damaged dictionary, naming its file). */
LS_API int ls_reader_stats(const ls_reader *r, ls_index_stats *out, ls_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Searching                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/** How query text is read. */
#define LS_SYNTAX_STRICT 0  /**< full syntax; any syntax error is LS_EQUERY with its position */
#define LS_SYNTAX_LENIENT 1 /**< full syntax; never fails: mistakes are read as plain words, and
                                 limits are read around (text past LS_MAX_QUERY_BYTES ignored,
                                 nesting past LS_MAX_QUERY_DEPTH flattened, a phrase over
                                 LS_MAX_PHRASE_WORDS split into required phrases) */
#define LS_SYNTAX_PLAIN 2   /**< no syntax at all: the text is a bag of words (text past
                                 LS_MAX_QUERY_BYTES ignored) */

typedef struct ls_stats ls_stats;
typedef struct ls_expansion_term ls_expansion_term;

#define LS_SEARCH_OPTIONS_VERSION 6
typedef struct ls_search_options {
    unsigned version;    /**< LS_SEARCH_OPTIONS_VERSION (1 to 5 are still accepted: they
                              end at `explain`, `feedback_widen`, `proximity_depth`,
                              `count_limit` and `n_expansion`, and the fields after take their
                              defaults) */
    size_t limit;        /**< hits to return (after offset), up to LS_MAX_LIMIT; 0 = none
                              (count only) */
    size_t offset;       /**< hits to skip, for paging */
    int syntax;          /**< LS_SYNTAX_*. English stop words are dropped from the query:
                              PLAIN drops every one unless every word is one; STRICT and
                              LENIENT drop a bare one (not quoted, without +, -, NOT or a
                              field, not alone in parentheses) from a group that has another
                              positive clause ("the cat" is cat, "the of" and "+the" stay) */
    int default_and;     /**< nonzero: juxtaposed words must all match (else: any, ranked) */
    double k1;           /**< BM25 k1 (>= 0) */
    double b;            /**< BM25 b (0..1) */
    int snippets;        /**< nonzero: compute a snippet per hit */
    unsigned snippet_words; /**< words per snippet window; 0 = 25 */
    int explain;         /**< nonzero: attach per-term score explanations to each hit */
    /* version 2: */
    unsigned feedback_docs;  /**< RM3 pseudo-relevance feedback: expand the query with terms of
                                  this many best first-pass hits, then search again; 0 = off.
                                  The query's matches stay the same: expansion terms only add
                                  to their scores (see feedback_widen). Expansion terms are
                                  words of at most a tenth of the documents, stop words and
                                  one-byte words left out: on a very small index there may be
                                  none, and the first pass then stands. */
    unsigned feedback_terms; /**< expansion terms added (1..1000) */
    double feedback_weight;  /**< weight of the original query against the expansion (0..1) */
    int feedback_widen;      /**< nonzero: a bag-of-words query (plain words, OR) becomes one
                                  weighted bag with the expansion terms, so documents having
                                  only expansion terms match too (higher recall, more hits) */
    /* version 3: */
    double proximity;         /**< weight (0..LS_MAX_PROXIMITY_WEIGHT) of the term-proximity
                                   bonus that re-ranks
                                   the best proximity_depth hits: query terms found near each
                                   other raise a document (BM25TP, docs/RELEVANCE.md); 0 = off.
                                   Matches and the hit count never change. */
    unsigned proximity_depth; /**< hits re-ranked by proximity (up to LS_MAX_PROXIMITY_DEPTH);
                                   0 = LS_DEFAULT_PROXIMITY_DEPTH */
    /* version 4: */
    uint64_t count_limit;     /**< matches counted one by one before any may be skipped:
                                   past this many, a ranked search (limit > 0) of one term,
                                   of an OR of terms (with optional terms beside a required
                                   OR, as feedback makes) or of one phrase passes over what
                                   cannot reach the results (block-max pruning: the hits,
                                   their order and scores do not change) and ls_hits_total
                                   becomes a lower bound (ls_hits_total_exact says so).
                                   LS_COUNT_ALL: count every match. */
    /* version 5: shards searched apart, scored as one collection (see ls_query_stats) */
    const ls_stats *stats;    /**< statistics to score with instead of the reader's: those of
                                   ls_query_stats for this query and these options, summed
                                   over every shard (ls_stats_values); NULL = the reader's.
                                   Matches, hit counts and postings stay the reader's. */
    const ls_expansion_term *expansion; /**< with feedback_docs > 0 and stats: the RM3
                                   expansion of the whole collection (ls_feedback_terms),
                                   applied as feedback applies its own, the query then run
                                   once (no first pass). Stats without an expansion need
                                   feedback off (LS_EINVAL). */
    size_t n_expansion;
    /* version 6: */
    double title_weight;      /**< title weighting (0..LS_MAX_TITLE_WEIGHT; 0 = off): a word
                                   of the default field that scores (not a phrase, a prefix,
                                   a field's word or a word under NOT) also scores this
                                   weight times its BM25 in the title (title lengths, the
                                   word's df over the whole documents), so a document whose
                                   title has the word ranks higher. Matches and hit counts
                                   never change. */
} ls_search_options;
/** Default BM25 parameters: what the leave-one-collection-out protocol of docs/RELEVANCE.md
 *  keeps (Lucene's defaults too). */
#define LS_DEFAULT_K1 1.2
#define LS_DEFAULT_B 0.75
/** Default RM3 settings: feedback is off (it did not pass the choice protocol of
 *  docs/RELEVANCE.md); set feedback_docs to turn it on with the terms and weight below. */
#define LS_DEFAULT_FEEDBACK_DOCS 0
/** Feedback documents when feedback is turned on (cisearch --rm3). */
#define LS_FEEDBACK_DOCS_ON 10
#define LS_DEFAULT_FEEDBACK_TERMS 5
#define LS_DEFAULT_FEEDBACK_WEIGHT 0.85
/** Bounds of the proximity options (out of range: LS_EINVAL). */
#define LS_MAX_PROXIMITY_WEIGHT 1000.0
#define LS_MAX_PROXIMITY_DEPTH 100000u
/** Default term-proximity re-ranking (docs/RELEVANCE.md). */
#define LS_DEFAULT_PROXIMITY 0.0
#define LS_DEFAULT_PROXIMITY_DEPTH 100
/** Default title weighting: what the leave-one-collection-out protocol of docs/RELEVANCE.md
 *  chose. */
#define LS_DEFAULT_TITLE_WEIGHT 0.4
#define LS_MAX_TITLE_WEIGHT 100.0
/** Matches counted exactly by default before pruning may start (Lucene's default too). */
#define LS_DEFAULT_COUNT_LIMIT 1000
/** count_limit that counts every match. */
#define LS_COUNT_ALL UINT64_MAX
#define LS_SEARCH_OPTIONS_INIT                                                                  \
    {LS_SEARCH_OPTIONS_VERSION, 10, 0, LS_SYNTAX_STRICT, 0, LS_DEFAULT_K1, LS_DEFAULT_B, 1, 25, 0, \
     LS_DEFAULT_FEEDBACK_DOCS, LS_DEFAULT_FEEDBACK_TERMS, LS_DEFAULT_FEEDBACK_WEIGHT, 0,         \
     LS_DEFAULT_PROXIMITY, LS_DEFAULT_PROXIMITY_DEPTH, LS_DEFAULT_COUNT_LIMIT, NULL, NULL, 0,   \
     LS_DEFAULT_TITLE_WEIGHT}

/** A byte range [offset, offset + length). */
typedef struct ls_span {
    size_t offset;
    size_t length;
} ls_span;

/** One piece of a snippet's text: plain text or a match. */
typedef struct ls_fragment {
    const char *text; /**< borrowed, not NUL-terminated */
    size_t len;
    int is_match;
} ls_fragment;

/** Fields of a document, as query fields (title:, body:) and snippet sources. */
#define LS_FIELD_ALL 0   /**< title and body as one text (the default query field) */
#define LS_FIELD_TITLE 1
#define LS_FIELD_BODY 2

/** The best window of a hit's stored text around the query's terms. */
typedef struct ls_snippet {
    int field;            /**< LS_FIELD_BODY (or LS_FIELD_TITLE when the body is empty) */
    const char *text;     /**< the window, borrowed, NUL-terminated */
    size_t len;
    size_t field_offset;  /**< byte offset of `text` within the stored field */
    int starts_field;     /**< nonzero when the window holds the field's first word */
    int ends_field;       /**< nonzero when the window holds the field's last word */
    size_t n_matches;
    const ls_span *matches; /**< byte ranges of matched words, relative to `text`, ascending */
    size_t n_fragments;
    const ls_fragment *fragments; /**< `text` cut into alternating plain and match pieces */
} ls_snippet;

/** One term's (or phrase's) part in a hit's score. */
/** One part of a hit's score. A term's share of the proximity bonus (options.proximity) has
 *  field "proximity": then tf is its accumulator (the sum of idf(other term) / distance^2 over
 *  neighbouring occurrences), idf is min(1, idf), doc_len and avg_len are the all field's,
 *  and weight is the proximity weight times the term's summed query weights. */
typedef struct ls_term_explain {
    const char *term;  /**< the analyzed term, the phrase's terms joined by spaces, or a
                            prefix with its '*' (its terms scored as one: summed tf, df of
                            the documents holding any) */
    const char *field; /**< "all", "title", "body", or "proximity" (see above) */
    double tf;         /**< occurrences in the document (phrase: phrase occurrences) */
    double df;         /**< live documents containing it, over the whole index; -1 for a
                            phrase (not counted: its idf is the sum of its terms') */
    double idf;        /**< ln(1 + (N - df + 0.5) / (df + 0.5)); phrase: sum of its terms' */
    double doc_len;    /**< the document's length in the field, in tokens */
    double avg_len;    /**< average length of the field */
    double k1, b;
    double weight;     /**< query-side weight applied */
    double score;      /**< this term's contribution */
} ls_term_explain;

typedef struct ls_explain {
    double n_docs; /**< N, live documents over the index */
    size_t n_terms;
    const ls_term_explain *terms;
} ls_explain;

/** One result. Fields are borrowed from the ls_hits they came from. */
typedef struct ls_hit {
    const char *id; /**< NUL-terminated */
    size_t id_len;
    const char *title; /**< NUL-terminated */
    size_t title_len;
    const char *path; /**< NUL-terminated (empty when none was stored) */
    size_t path_len;
    double score;
    uint64_t doc;                /**< internal document number in this reader (stable per reader) */
    const ls_snippet *snippet;   /**< NULL unless snippets were asked for */
    const ls_explain *explain;   /**< NULL unless explain was asked for */
    unsigned index;              /**< the index it comes from, 0.. (ls_reader_open_many; else 0) */
} ls_hit;

typedef struct ls_hits ls_hits;

/**
 * Runs a ranked query: BM25 over title and body with statistics (N, df, average lengths) over
 * the snapshot's live documents. Ties are broken by document order (earlier added first; a
 * replaced document counts as added when it was replaced). Merges never change results.
 * @param opts NULL for LS_SEARCH_OPTIONS_INIT.
 * @param[out] out the results; free them with ls_hits_free() before closing the reader.
 * @return LS_OK (also with zero hits), LS_EQUERY (strict syntax error: err->position is the
 *         byte offset), LS_ELIMIT (strict syntax over a query limit, see LS_MAX_QUERY_BYTES),
 *         LS_EINVAL, LS_ECORRUPT (a damaged index file, named), LS_ENOMEM.
 */
LS_API int ls_search(const ls_reader *r, const char *query, size_t query_len,
                     const ls_search_options *opts, ls_hits **out, ls_error *err);

/**
 * The fetch phase of a search over shards (query, then fetch): the hits of given documents of
 * r (ls_hit.doc of an earlier ls_search with the same query and options) with the given
 * scores, in the given order, as ls_search returns them: stored fields, and snippets and
 * explanations when opts asks (the statistics and expansion of opts as the search had them).
 * So that the shards of a page compute snippets for its hits only. ls_hits_total is n.
 * @return LS_OK, LS_ENOTFOUND (a document not live in r), LS_EQUERY, LS_ELIMIT, LS_EINVAL,
 *         LS_ECORRUPT, LS_ENOMEM.
 */
LS_API int ls_search_fetch(const ls_reader *r, const char *query, size_t query_len,
                           const ls_search_options *opts, const uint64_t *docs,
                           const double *scores, size_t n, ls_hits **out, ls_error *err);

/** @return the number of documents matching the query: exact, or a lower bound (at least
 *  count_limit) when ls_hits_total_exact says 0. */
LS_API uint64_t ls_hits_total(const ls_hits *h);
/** @return nonzero when ls_hits_total is every match; 0 when it is a lower bound (matches
 *  past ls_search_options.count_limit were skipped because they could not be among the
 *  results). */
LS_API int ls_hits_total_exact(const ls_hits *h);
/** @return the number of hits held (at most opts.limit). */
LS_API size_t ls_hits_count(const ls_hits *h);
/** @return hit i (0-based, best first) or NULL when i is out of range. Borrowed from h. */
LS_API const ls_hit *ls_hits_get(const ls_hits *h, size_t i);
/** Frees results and everything borrowed from them. Accepts NULL. */
LS_API void ls_hits_free(ls_hits *h);

/* ------------------------------------------------------------------------------------------ */
/* Shards searched apart: global statistics                                                   */
/* ------------------------------------------------------------------------------------------ */

/*
 * Indexes on several machines (shards of one collection, each document in one of them) score
 * a query as one index holding them all when every shard searches with the collection's
 * statistics (Elasticsearch's DFS query-then-fetch):
 *   1. every shard: ls_query_stats(shard, query, opts) gives the same names in the same order
 *      (same query, options and analyzer language) with the shard's own figures;
 *   2. sum the values over the shards, element by element (one all-reduce), except that an
 *      "expansions ..." figure is the size of the union of the shards' lists
 *      (ls_stats_expansions): only needed when the sum exceeds LS_MAX_PREFIX_TERMS;
 *   3. every shard: ls_search with opts.stats = its summed copy, limit + offset hits each;
 *   4. merge: by score, ties by shard order, then by hit order within a shard; with
 *      snippets or explanations, search without them first and let the page's shards make
 *      them for its hits alone (ls_search_fetch).
 * The result is the ranking of one index built from the shards' documents in that order.
 * Hit counts add up; past count_limit each shard prunes against its own results, so a sum
 * is a lower bound (ls_hits_total_exact 0 on any shard) more often than one index's count.
 * RM3 feedback adds a round: a first pass (feedback off) gives the best feedback_docs hits;
 * their texts and scores, in that order, go to ls_feedback_candidates on one shard, whose new
 * names every shard adds with ls_stats_add and sums; ls_feedback_terms then gives the
 * expansion for opts.expansion (no terms: search with feedback off).
 * cisearch-mpi (cli/mpi/) does this over Open MPI.
 *
 * Names (one per figure; FIELD is all, title or body; TERM as analyzed):
 *   "N", "tokens all", "tokens title", "df FIELD TERM", "prefix FIELD TEXT" (documents holding
 *   any term starting with TEXT), "expansions FIELD TEXT" (dictionary terms starting with it).
 */

/** The figures a query scores with, from one reader (a shard): N, token totals, the df of its
 *  terms and phrase words, its prefixes' union df and expansion counts. Planning a prefix
 *  reads its postings (as searching does). Proximity re-ranking cannot work over shards (it
 *  re-ranks the collection's best hits): opts.proximity > 0 is LS_EINVAL.
 *  A search given figures of another query fails (LS_EINVAL) when they lack one it needs;
 *  figures of a wider query that cover it are not told apart.
 *  @return LS_OK, LS_EQUERY / LS_ELIMIT (as ls_search), LS_EINVAL, LS_ECORRUPT, LS_ENOMEM. */
LS_API int ls_query_stats(const ls_reader *r, const char *query, size_t query_len,
                          const ls_search_options *opts, ls_stats **out, ls_error *err);
/** @return the number of figures. */
LS_API size_t ls_stats_count(const ls_stats *s);
/** @return the name of figure i (borrowed, not NUL-terminated: *len bytes), NULL past the end. */
LS_API const char *ls_stats_name(const ls_stats *s, size_t i, size_t *len);
/** @return the values, ls_stats_count of them, in name order: writable, to be replaced by
 *  the sums over all shards. Adding figures (ls_stats_add, ls_feedback_candidates) may move
 *  them: names and values borrowed before are then stale. */
LS_API double *ls_stats_values(ls_stats *s);
/** @return for an "expansions" figure, the shard's dictionary keys it counts, each ended by a
 *  NUL (*len bytes in all, borrowed; len may be NULL); else *len = 0. */
LS_API const char *ls_stats_expansions(const ls_stats *s, size_t i, size_t *len);
/** Adds figures by name ("N", "tokens all|title", "df FIELD TERM"; names ended by a NUL, len
 *  bytes in all) with r's values; names s has already are left. @return LS_OK, LS_EINVAL (a
 *  name it cannot compute), LS_ECORRUPT, LS_ENOMEM. */
LS_API int ls_stats_add(const ls_reader *r, ls_stats *s, const char *names, size_t len,
                        ls_error *err);
LS_API void ls_stats_free(ls_stats *s);

/** A feedback document of a first pass over shards: its stored title and body (as
 *  ls_reader_document gives them) and its score. */
typedef struct ls_feedback_doc {
    const char *title;
    size_t title_len;
    const char *body;
    size_t body_len;
    double score;
} ls_feedback_doc;

/** An expansion term: analyzed text and its relevance-model weight. */
struct ls_expansion_term {
    const char *term;
    size_t len;
    double weight;
};

/** Adds to s the "df all TERM" of every term RM3 could take from docs (best first), with r's
 *  figures (r gives the analyzer). @return LS_OK, LS_EINVAL, LS_ECORRUPT, LS_ENOMEM. */
LS_API int ls_feedback_candidates(const ls_reader *r, const ls_feedback_doc *docs, size_t n,
                                  ls_stats *s, ls_error *err);
/** The RM3 expansion of docs (best first) with opts' feedback settings, every figure from
 *  `global` (summed over the shards; it must hold the candidates' df). *out: *n_out terms,
 *  strongest first (possibly none), freed with ls_expansion_free.
 *  @return LS_OK, LS_EINVAL, LS_ENOMEM. */
LS_API int ls_feedback_terms(const ls_reader *r, const ls_feedback_doc *docs, size_t n,
                             const ls_stats *global, const ls_search_options *opts,
                             ls_expansion_term **out, size_t *n_out, ls_error *err);
LS_API void ls_expansion_free(ls_expansion_term *terms, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* LIBSEARCH_H */
