/* SPDX-License-Identifier: MIT */
/*
 * faultutil.h - helpers shared by the fault suite (test_faults.c, test_faults_alloc.c) and the
 * crash suite (test_crash.c): small indexes of known content, directory listings, the checks
 * every damaged or crashed index must pass, and a document model (ids with versions) whose
 * live set can be compared exactly with an index's. Functions named *_assert_* fail the
 * running Check test; the others return status codes, so forked children can use them.
 */
#ifndef LS_TESTS_FAULTUTIL_H
#define LS_TESTS_FAULTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "libsearch.h"
#include "testutil.h"

/* ---- small indexes of numbered documents --------------------------------------------- */

extern const char *const ls_ft_vocab[];
#define LS_FT_NVOCAB 15u

/** dir/name, malloc'd (fails the test on ENOMEM). */
char *ls_ft_join(const char *dir, const char *name);
/** A word no stemmer changes and no other document shares (consonants only), 8 bytes. */
void ls_ft_unique_word(size_t i, char out[8]);
/** Adds document i (id "doc-<i>", unique word i, random vocabulary); `replaced` gives it a
 *  second version's title ("replaced ..."). Fails the test on error. */
void ls_ft_add_doc(ls_writer *w, ls_rng *r, size_t i, int replaced);
/** Adds documents [from, to) in one writer session with that RAM budget, and commits. */
void ls_ft_add_and_commit(const char *dir, ls_rng *r, size_t from, size_t to, size_t budget);
/** An index of n documents in `commits` commits (generation = commits), one segment each. */
char *ls_ft_build_index(size_t n, size_t commits, uint64_t stream);
/** ls_ft_build_index, then one more commit that deletes the documents i % 10 == 3 and
 *  replaces those with i % 10 == 6: generation commits + 1, every segment with a deletions
 *  file. *live_out: the live documents. */
char *ls_ft_build_index_del(size_t n, size_t commits, uint64_t stream, uint64_t *live_out);
/** A document of such an index that is never deleted nor replaced, about half-way. */
size_t ls_ft_probe_doc(uint64_t ndocs);

ls_reader *ls_ft_open_ok(const char *dir);
/** ls_reader_stats' documents (and generation when gen_out is not NULL). */
uint64_t ls_ft_doc_count(const ls_reader *r, uint64_t *gen_out);
/** Live ids by ls_reader_ids (fails the test on error). */
uint64_t ls_ft_id_count(const ls_reader *r);
/** A writer that failed refuses everything but close (LS_EINVAL). */
void ls_ft_assert_refuses(ls_writer *w);
/** Opens, deep-checks and counts the index (stats and ids), finds the probe document once. */
void ls_ft_assert_index_fine(const char *dir, uint64_t ndocs, uint64_t gen);

/* ---- directory listings ---------------------------------------------------------------- */

typedef struct ls_ft_files {
    char **names;
    size_t n;
} ls_ft_files;

ls_ft_files ls_ft_list_dir(const char *dir);
/** Files of one kind: "manifest" (newest first) or a segment extension (".tid", ".del", ...),
 *  sorted by name. */
ls_ft_files ls_ft_files_of_kind(const char *dir, const char *kind);
void ls_ft_files_free(ls_ft_files *f);
size_t ls_ft_count_seg_files(const char *dir);
int ls_ft_ends_with(const char *s, const char *suffix);

/**
 * Looks for a file a writer should have removed: a .tmp file, or a segment or deletions file
 * no intact manifest names. Copies the first one's name into buf (and says why).
 * @return 1 found, 0 none, -1 the manifests could not be read.
 */
int ls_ft_find_orphan(const char *dir, char *buf, size_t cap);
void ls_ft_assert_no_orphans(const char *dir);

/** Runs queries of every cursor kind with snippets and explanations, ls_reader_ids and
 *  ls_reader_get, touching every returned byte. Each must succeed or say LS_ECORRUPT naming
 *  a segment file. @return how many failed. */
int ls_ft_run_queries(const ls_reader *r);

/** Rewrites the format version field of an index file and fixes its checksum. */
void ls_ft_set_version(const char *path, uint32_t version);

/* ---- a model of the documents: ids "m<4 digits>" with versions ------------------------- */

typedef struct ls_ft_model {
    uint32_t nids;
    uint32_t *ver; /* by id number: 0 absent, else the live version */
    uint64_t live;
} ls_ft_model;

void ls_ft_model_init(ls_ft_model *m, uint32_t nids);
void ls_ft_model_copy(ls_ft_model *dst, const ls_ft_model *src);
void ls_ft_model_free(ls_ft_model *m);
/** The id of document number k ("m%04u"), NUL-terminated. @return its length. */
size_t ls_ft_model_id(uint32_t k, char out[16]);
/** The word only version v of document k holds. */
void ls_ft_model_word(uint32_t k, uint32_t v, char out[16]);
/** The word every model document holds. */
#define LS_FT_COMMON "zzcommon"

/** Adds (or replaces) document k as its next version, with a body of about `bytes` bytes.
 *  @return the ls_writer_add code; the model changes only on LS_OK. */
int ls_ft_model_put(ls_writer *w, ls_ft_model *m, uint32_t k, size_t bytes, ls_error *err);
/** Deletes document k (live in the model). @return the ls_writer_delete code. */
int ls_ft_model_delete(ls_writer *w, ls_ft_model *m, uint32_t k, ls_error *err);
/** Deletes every document whose id starts "m<3 digits of p>" (ten ids).
 *  @return the ls_writer_delete_prefix code; LS_ECORRUPT when the count differs. */
int ls_ft_model_delete_prefix(ls_writer *w, ls_ft_model *m, uint32_t p, ls_error *err);
/** Applies a random batch of n changes (puts, replacements, deletes, a prefix delete), a few
 *  documents large. @return LS_OK or the first failing call's code. */
int ls_ft_model_batch(ls_writer *w, ls_ft_model *m, ls_rng *r, uint32_t n, ls_error *err);
/** A digest of the live (id, version) pairs. */
uint64_t ls_ft_model_digest(const ls_ft_model *m);
/** Reads the model from an index's ids and stamps (m->nids set by init).
 *  @return LS_OK, LS_ECORRUPT (an id or stamp the model cannot hold), or the call's code. */
int ls_ft_model_load(const ls_reader *r, ls_ft_model *m, ls_error *err);
/** The index in r holds exactly m: ids and versions (ls_reader_ids), counts (stats, a term
 *  every document has), and `probes` random live documents found by their version's word,
 *  their previous version's word finding nothing. */
void ls_ft_assert_model(const ls_reader *r, const ls_ft_model *m, ls_rng *rng, int probes,
                        const char *what);

/* ---- the fault suite's parts in other files ------------------------------------------- */

/** The allocation-failure cases of the fault suite (test_faults_alloc.c). */
TCase *ls_ft_alloc_tcase(void);
/** Hostile documents, queries and options (test_faults_input.c). */
TCase *ls_ft_input_tcase(void);
/** The 100 MB document (test_faults_input.c). */
TCase *ls_ft_huge_tcase(void);

#endif
