#include "lib/log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static enum log_level log_level = LOG_LVL_INFO;
static bool log_syslog;
static log_sink_fn log_sink;
static void *log_sink_ctx;
static _Thread_local log_sink_fn thread_sink;
static _Thread_local void *thread_sink_ctx;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_use_syslog(bool on, const char *ident)
{
	if (on && !log_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
	else if (!on && log_syslog)
		closelog();
	log_syslog = on;
}

bool log_parse_level(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

const char *log_level_name(enum log_level lvl)
{
	return (unsigned)lvl < 4 ? level_names[lvl] : "?";
}

void log_set_sink(log_sink_fn fn, void *ctx)
{
	log_sink = fn;
	log_sink_ctx = ctx;
}

void log_set_thread_sink(log_sink_fn fn, void *ctx)
{
	thread_sink = fn;
	thread_sink_ctx = ctx;
}

void log_to_sink(enum log_level lvl, const char *line)
{
	if (log_sink)
		log_sink(log_sink_ctx, lvl, line);
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[1024];

	/* a worker thread never reads the main loop's sink */
	if (lvl > log_level && !thread_sink && !log_sink)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (thread_sink)
		thread_sink(thread_sink_ctx, lvl, line);
	else if (log_sink)
		log_sink(log_sink_ctx, lvl, line);
	if (lvl > log_level)
		return;
	if (log_syslog) {
		syslog(prio[lvl], "%s", line);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %-5s %s\n", stamp, ts.tv_nsec / 1000000,
			level_names[lvl], line);
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}
