/* SPDX-License-Identifier: MIT */
/*
 * positions.h - token positions of one document in one term's list (FORMAT.md "Positions"),
 * the encoder and the bounded decoders side by side:
 *   DocPositions --> VByte(first position), VByte(delta)^(tf - 1)      (delta >= 1)
 * The inverter encodes them as documents arrive, the segment writer and the merger copy them
 * as bytes, and cursors decode them only for phrase matching and the body filter.
 */
#ifndef LS_FORMAT_POSITIONS_H
#define LS_FORMAT_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/** Appends the encoding of n ascending positions. @return LS_OK or LS_ENOMEM. */
int ls_positions_put(ls_buf *b, const uint32_t *pos, uint32_t n);

/** Moves *p past one document's tf positions. @return LS_OK or LS_ECORRUPT (truncated). */
int ls_positions_skip(const uint8_t **p, const uint8_t *end, uint32_t tf);

/**
 * Decodes one document's tf positions into out[0..tf) and moves *p past them.
 * @return LS_OK, or LS_ECORRUPT when the bytes end early, a delta is 0 or the sum wraps.
 */
int ls_positions_decode(const uint8_t **p, const uint8_t *end, uint32_t tf, uint32_t *out);

/** The largest (last) of one document's tf positions in p[0..end), without storing them.
 *  @return LS_OK or LS_ECORRUPT. */
int ls_positions_last(const uint8_t *p, const uint8_t *end, uint32_t tf, uint32_t *last);

#endif
