#include "kafka/err.h"

#include <stdio.h>
#include <string.h>

const char *kafka_strerror(int code) {
    switch (code) {
    case KAFKA_OK:
        return "success";
#define KAFKA__ERRNO_TEXT(name, value, text)                                                       \
    case KAFKA_##name:                                                                             \
        return text;
        KAFKA_ERRNO_MAP(KAFKA__ERRNO_TEXT)
#undef KAFKA__ERRNO_TEXT
    }
    return "unknown error";
}

const char *kafka_err_name(int code) {
    switch (code) {
    case KAFKA_OK:
        return "KAFKA_OK";
#define KAFKA__ERRNO_NAME(name, value, text)                                                       \
    case KAFKA_##name:                                                                             \
        return "KAFKA_" #name;
        KAFKA_ERRNO_MAP(KAFKA__ERRNO_NAME)
#undef KAFKA__ERRNO_NAME
    }
    return "KAFKA_UNKNOWN";
}

void kafka_err_clear(kafka_err_t *err) {
    if (!err)
        return;
    err->code = 0;
    err->offset = -1;
    err->reason = NULL;
    err->path[0] = '\0';
}

void kafka_err_set(kafka_err_t *err, int code, int64_t offset, const char *reason) {
    if (!err || err->code != 0)
        return;
    err->code = code;
    err->offset = offset;
    err->reason = reason ? reason : kafka_strerror(code);
    err->path[0] = '\0';
}

void kafka_err_push(kafka_err_t *err, const char *name, int64_t index) {
    if (!err)
        return;
    char seg[96];
    int n = index >= 0 ? snprintf(seg, sizeof seg, "%s[%lld]", name, (long long)index)
                       : snprintf(seg, sizeof seg, "%s", name);
    if (n < 0)
        return;
    size_t seglen = (size_t)n < sizeof seg ? (size_t)n : sizeof seg - 1;
    size_t cur = strlen(err->path);
    /* A '.' joins segments, except before an index-only continuation. */
    size_t sep = cur > 0 ? 1 : 0;
    if (seglen + sep + cur >= KAFKA_ERR_PATH_MAX)
        return; /* keep the innermost part rather than truncate mid-name */
    memmove(err->path + seglen + sep, err->path, cur + 1);
    memcpy(err->path, seg, seglen);
    if (sep)
        err->path[seglen] = '.';
}

size_t kafka_err_format(const kafka_err_t *err, char *buf, size_t cap) {
    if (cap == 0)
        return 0;
    int n = snprintf(buf, cap, "offset %lld: %s: %s", (long long)(err ? err->offset : -1),
                     err && err->path[0] ? err->path : "(message)",
                     err && err->reason ? err->reason : "no error");
    return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}
