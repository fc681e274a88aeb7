/* Logging to stderr or syslog with levels. Callers prefix SA context with
 * the LOG_* helpers of their module ("[ike#12 192.0.2.100]"); key material
 * never goes through here. */
#ifndef CYGNET_LIB_LOG_H
#define CYGNET_LIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
};

/* A sink sees every line at or below the level (the control socket's log
 * events attach here). */
typedef void (*log_sink_fn)(void *ctx, enum log_level lvl, const char *line);

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
void log_use_syslog(bool on, const char *ident);
bool log_parse_level(const char *s, enum log_level *out);
const char *log_level_name(enum log_level lvl);
void log_set_sink(log_sink_fn fn, void *ctx);
/* For worker threads: their lines go to fn instead of the sink (which runs
 * on the main event loop only); fn hands them to the main loop, which calls
 * log_to_sink. stderr/syslog output is unchanged. NULL: back to normal. */
void log_set_thread_sink(log_sink_fn fn, void *ctx);
void log_to_sink(enum log_level lvl, const char *line);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
