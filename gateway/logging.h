/* One line per notable event, to stderr: time, level, message. Nothing per
 * request at the default level (info). */
#ifndef KGW_LOGGING_H
#define KGW_LOGGING_H

enum kgw_log_level { KGW_LEVEL_ERROR, KGW_LEVEL_WARN, KGW_LEVEL_INFO, KGW_LEVEL_DEBUG };

void kgw_logging_set_level(int level);
int kgw_logging_level(void);
void kgw_logf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define kgw_error(...) kgw_logf(KGW_LEVEL_ERROR, __VA_ARGS__)
#define kgw_warn(...) kgw_logf(KGW_LEVEL_WARN, __VA_ARGS__)
#define kgw_info(...) kgw_logf(KGW_LEVEL_INFO, __VA_ARGS__)
#define kgw_debug(...)                                                                             \
    do {                                                                                           \
        if (kgw_logging_level() >= KGW_LEVEL_DEBUG)                                                \
            kgw_logf(KGW_LEVEL_DEBUG, __VA_ARGS__);                                                \
    } while (0)

#endif
