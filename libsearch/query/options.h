/* SPDX-License-Identifier: MIT */
/*
 * options.h - reading and checking ls_search_options (every version the header accepts).
 */
#ifndef LS_QUERY_OPTIONS_H
#define LS_QUERY_OPTIONS_H

#include "libsearch.h"

/** Copies *in (NULL: the defaults) into *o as the current version, checked.
 *  @return LS_OK or LS_EINVAL / LS_ELIMIT with a message. */
int ls_search_read_options(const ls_search_options *in, ls_search_options *o, ls_error *err);
/** The same without the caller's statistics and expansion (stats, expansion, n_expansion
 *  cleared before the checks): the options a reader's own figures are gathered with. */
int ls_search_read_own_options(const ls_search_options *in, ls_search_options *o,
                               ls_error *err);

#endif
