/* SPDX-License-Identifier: MIT */
/*
 * fields.c - field names to numbers (see fields.h).
 */
#include "format/fields.h"

#include <string.h>

int ls_field_from_name(const char *s, size_t len)
{
    for (int f = 0; f < LS_FIELD_COUNT; f++) {
        const char *name = ls_field_name(f);
        if (strlen(name) != len)
            continue;
        size_t j = 0;
        while (j < len && (s[j] | 0x20) == name[j])
            j++;
        if (j == len)
            return f;
    }
    return -1;
}
