#include "kafka/types.h"

#include <string.h>

/* Null (len < 0) and empty are different values, so compare the null flag
 * before the contents. */
static bool view_equal(const void *ap, int32_t alen, const void *bp, int32_t blen) {
    if (alen < 0 || blen < 0)
        return alen < 0 && blen < 0;
    if (alen != blen)
        return false;
    return alen == 0 || memcmp(ap, bp, (size_t)alen) == 0;
}

bool kafka_str_equal(kafka_str_t a, kafka_str_t b) {
    return view_equal(a.ptr, a.len, b.ptr, b.len);
}

bool kafka_bytes_equal(kafka_bytes_t a, kafka_bytes_t b) {
    return view_equal(a.ptr, a.len, b.ptr, b.len);
}

bool kafka_uuid_equal(kafka_uuid_t a, kafka_uuid_t b) {
    return memcmp(a.b, b.b, sizeof a.b) == 0;
}

bool kafka_uuid_is_zero(kafka_uuid_t u) {
    static const kafka_uuid_t zero;
    return memcmp(u.b, zero.b, sizeof u.b) == 0;
}

bool kafka_float64_equal(double a, double b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

bool kafka_raw_tags_equal(const kafka_raw_tags_t *a, const kafka_raw_tags_t *b) {
    int32_t na = a ? a->count : 0;
    int32_t nb = b ? b->count : 0;
    /* A tag section has no null form: treat a negative count as empty. */
    if (na < 0)
        na = 0;
    if (nb < 0)
        nb = 0;
    if (na != nb)
        return false;
    for (int32_t i = 0; i < na; i++) {
        const kafka_raw_tag_t *x = &a->items[i];
        const kafka_raw_tag_t *y = &b->items[i];
        if (x->tag != y->tag || !kafka_bytes_equal(x->data, y->data))
            return false;
    }
    return true;
}

kafka_str_t kafka_str_from_cstr(const char *s) {
    if (!s)
        return KAFKA_STR_NULL;
    size_t n = strlen(s);
    /* A view cannot describe more than INT32_MAX bytes; clamp rather than
     * wrap to a negative (null) length. */
    return (kafka_str_t){s, n > INT32_MAX ? INT32_MAX : (int32_t)n};
}
