/* Error messages for the caller: start-up code reports what is wrong by
 * filling a caller-owned buffer, so main() prints one line naming the
 * setting or path. */
#ifndef KGW_ERRBUF_H
#define KGW_ERRBUF_H

#include <stddef.h>

/* printf into err (errlen bytes, always NUL-terminated when errlen > 0). */
void kgw_errbuf_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
