/* Shared by the records harnesses: a decompression limit small enough for
 * fast fuzzing, and an abort that names the broken invariant. */
#ifndef FUZZ_RECORDS_COMMON_H
#define FUZZ_RECORDS_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_LIMIT (1u << 20)

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
