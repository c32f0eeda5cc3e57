#include "logging.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static int current_level = KGW_LEVEL_INFO;

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

void kgw_logging_set_level(int level) {
    if (level < KGW_LEVEL_ERROR)
        level = KGW_LEVEL_ERROR;
    if (level > KGW_LEVEL_DEBUG)
        level = KGW_LEVEL_DEBUG;
    current_level = level;
}

int kgw_logging_level(void) {
    return current_level;
}

void kgw_logf(int level, const char *fmt, ...) {
    if (level > current_level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char line[1024];
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, level_names[level < 0 ? 0 : level]);
    if (n < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    /* One fwrite per line so concurrent writers (the backend's I/O thread)
     * never interleave inside a line. */
    fwrite(line, 1, len, stderr);
}
