/* SPDX-License-Identifier: MIT */
/*
 * multi.h - a reader over several indexes (ls_reader_open_many): their segments searched as
 * one collection, with statistics summed over all of them, so that a document scores as it
 * would in one index holding the union in the same order.
 */
#ifndef LS_READER_MULTI_H
#define LS_READER_MULTI_H

#include "libsearch.h"

/** ls_reader_reopen of a reader over several indexes: when any of them has a newer commit,
 *  *out is a new reader over the newest commits of all (segments shared). */
int ls_reader_reopen_many(const ls_reader *r, ls_reader **out, ls_error *err);

#endif
