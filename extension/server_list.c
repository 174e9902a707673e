/*
 * server_list.c - parsing memcache.servers in C, so that a value is checked
 * wherever it is set (SET, ALTER SYSTEM, the postmaster at reload, parallel
 * workers) without starting Go.
 *
 * It accepts exactly what the Go client's parser (gosrc/mc/servers.go,
 * fuzzed) accepts and words its messages the same way; gosrc/cparse checks
 * the two against each other, fuzzed as well.  The Go parser stays the one
 * the client dials from.
 */
#include "server_list.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_PORT 11211
#define MAX_HOST_NAME 253

/* Unicode white space beyond ASCII, UTF-8 encoded (Go's unicode.IsSpace). */
static const char *const wide_spaces[] = {
	"\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80",
	"\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83",
	"\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
	"\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a",
	"\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
	"\xe3\x80\x80",
};

static bool
ascii_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Length of the white space character s starts (0: none). */
static size_t
space_at_start(const char *s, size_t n)
{
	if (n > 0 && ascii_space(s[0]))
		return 1;
	for (size_t i = 0; i < sizeof(wide_spaces) / sizeof(wide_spaces[0]); i++)
	{
		size_t		w = strlen(wide_spaces[i]);

		if (n >= w && memcmp(s, wide_spaces[i], w) == 0)
			return w;
	}
	return 0;
}

/* Length of the white space character s ends with (0: none). */
static size_t
space_at_end(const char *s, size_t n)
{
	if (n > 0 && ascii_space(s[n - 1]))
		return 1;
	for (size_t i = 0; i < sizeof(wide_spaces) / sizeof(wide_spaces[0]); i++)
	{
		size_t		w = strlen(wide_spaces[i]);

		if (n >= w && memcmp(s + n - w, wide_spaces[i], w) == 0)
			return w;
	}
	return 0;
}

/* Go's strings.TrimSpace. */
static void
trim(const char **s, size_t *n)
{
	size_t		w;

	while ((w = space_at_start(*s, *n)) > 0)
	{
		*s += w;
		*n -= w;
	}
	while ((w = space_at_end(*s, *n)) > 0)
		*n -= w;
}

/* A message being built into a fixed buffer, truncated when full. */
typedef struct Msg
{
	char	   *buf;
	size_t		cap;
	size_t		len;
} Msg;

static void
put_bytes(Msg *m, const char *s, size_t n)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < n && m->len + 1 < m->cap; i++)
		m->buf[m->len++] = s[i];
	if (m->cap > 0)
		m->buf[m->len] = '\0';
}

#if defined(__GNUC__)
static void put(Msg *m, const char *fmt,...) __attribute__((format(printf, 2, 3)));
#endif

static void
put(Msg *m, const char *fmt,...)
{
	char		tmp[128];
	va_list		ap;
	int			n;

	if (m == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put_bytes(m, tmp, (size_t) n < sizeof(tmp) ? (size_t) n : sizeof(tmp) - 1);
}

/* s quoted as Go's %q quotes ASCII; other bytes as \xNN. */
static void
put_quoted(Msg *m, const char *s, size_t n)
{
	put_bytes(m, "\"", 1);
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];

		switch (c)
		{
			case '"':
				put(m, "\\\"");
				break;
			case '\\':
				put(m, "\\\\");
				break;
			case '\a':
				put(m, "\\a");
				break;
			case '\b':
				put(m, "\\b");
				break;
			case '\f':
				put(m, "\\f");
				break;
			case '\n':
				put(m, "\\n");
				break;
			case '\r':
				put(m, "\\r");
				break;
			case '\t':
				put(m, "\\t");
				break;
			case '\v':
				put(m, "\\v");
				break;
			default:
				if (c < 0x20 || c >= 0x7f)
					put(m, "\\x%02x", c);
				else
					put_bytes(m, (const char *) &c, 1);
		}
	}
	put_bytes(m, "\"", 1);
}

/* Go's netip parseIPv4Fields: four decimal octets, no leading zeros. */
static bool
valid_ipv4_tail(const char *s, size_t n)
{
	int			val = 0,
				pos = 0,
				digits = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (s[i] >= '0' && s[i] <= '9')
		{
			if (digits == 1 && val == 0)
				return false;
			val = val * 10 + (s[i] - '0');
			digits++;
			if (val > 255)
				return false;
		}
		else if (s[i] == '.')
		{
			if (i == 0 || i == n - 1 || s[i - 1] == '.' || pos == 3)
				return false;
			pos++;
			val = 0;
			digits = 0;
		}
		else
			return false;
	}
	return pos == 3;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Go's netip parseIPv6, without a zone. */
static bool
valid_ipv6(const char *s, size_t n)
{
	int			ellipsis = -1;
	int			i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':')
	{
		ellipsis = 0;
		s += 2;
		n -= 2;
		if (n == 0)
			return true;
	}
	while (i < 16)
	{
		size_t		off = 0;

		for (; off < n && hex_value(s[off]) >= 0; off++)
		{
			if (off > 3)
				return false;
		}
		if (off == 0)
			return false;
		if (off < n && s[off] == '.')
		{
			if ((ellipsis < 0 && i != 12) || i + 4 > 16)
				return false;
			if (!valid_ipv4_tail(s, n))
				return false;
			n = 0;
			i += 4;
			break;
		}
		i += 2;
		s += off;
		n -= off;
		if (n == 0)
			break;
		if (s[0] != ':' || n == 1)
			return false;
		s++;
		n--;
		if (s[0] == ':')
		{
			if (ellipsis >= 0)
				return false;
			ellipsis = i;
			s++;
			n--;
			if (n == 0)
				break;
		}
	}
	if (n != 0)
		return false;
	if (i < 16)
		return ellipsis >= 0;
	return ellipsis < 0;
}

/*
 * What Go's net.ParseIP accepts with a colon in it: an IPv6 address, no
 * zone (a dot or a percent sign before the first colon makes it something
 * else).
 */
static bool
is_ipv6_address(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		if (h[i] == '%' || h[i] == '.')
			return false;
		if (h[i] == ':')
			return memchr(h, '%', n) == NULL && valid_ipv6(h, n);
	}
	return false;
}

/* A port from 1 to 65535, decimal digits only (leading zeros allowed). */
static bool
parse_port(const char *s, size_t n, int *port)
{
	long		v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			return false;
	}
	if (v < 1)
		return false;
	*port = (int) v;
	return true;
}

static bool
host_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '.' || c == '_';
}

/*
 * One trimmed entry.  On failure writes what is wrong with it (after the
 * 'entry N "..."' the caller wrote) and returns false.
 */
static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/*
 * Whether entry e ends in a weight, libmemcached's "host:port:weight" or
 * "host:port weight" (pgmemcache passed its list to libmemcached): the
 * weight's offset, else 0.
 */
static size_t
weight_at(const char *e, size_t n)
{
	size_t		i = n;

	while (i > 0 && e[i - 1] >= '0' && e[i - 1] <= '9')
		i--;
	/* a weight is a 32-bit number: up to 10 digits */
	if (i == n || n - i > 10 || i < 2 || (e[i - 1] != ' ' && e[i - 1] != ':'))
		return 0;
	for (size_t j = 0; j < i - 1; j++)
		if ((unsigned char) e[j] <= ' ' || e[j] == 0x7f)
			return 0;
	if (e[i - 1] == ':')
	{
		/* host:port:weight or [v6]:port:weight, the port digits too */
		const char *port;

		if (e[0] == '[')
		{
			const char *end = memchr(e, ']', i - 1);

			if (end == NULL || end + 1 >= e + i - 1 || end[1] != ':')
				return 0;
			port = end + 2;
		}
		else
		{
			const char *colon = memchr(e, ':', i - 1);

			if (colon == NULL)
				return 0;
			port = colon + 1;
		}
		if (!all_digits(port, e + i - 1 - port))
			return 0;
	}
	return i;
}

static bool
parse_entry(const char *e, size_t n, mc_server_fn fn, void *arg, Msg *m)
{
	size_t		w;
	const char *host = e,
			   *port = NULL;
	size_t		hostlen = n,
				portlen = 0;
	int			portnum = DEFAULT_PORT;
	bool		v6 = false;
	char		addr[MAX_HOST_NAME + 16];
	int			alen;

	if (n == 0)
	{
		put(m, "is empty");
		return false;
	}
	if ((w = weight_at(e, n)) > 0)
	{
		put(m, "ends in a weight (\"%.*s\"), and server weights are not supported: every server counts once",
			(int) (n - w + 1), e + w - 1);
		return false;
	}
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) e[i];

		if (c <= ' ' || c == 0x7f)
		{
			put(m, "contains white space or a control character");
			return false;
		}
	}
	if (e[0] == '/')
	{
		if (fn)
			fn(arg, true, e, n);
		return true;
	}
	if (e[0] == '[')
	{
		const char *end = memchr(e, ']', n);
		const char *rest;
		size_t		restlen;

		if (end == NULL)
		{
			put(m, "has no closing ] after the IPv6 address");
			return false;
		}
		host = e + 1;
		hostlen = end - host;
		rest = end + 1;
		restlen = n - (rest - e);
		if (restlen > 0 && rest[0] == ':')
		{
			port = rest + 1;
			portlen = restlen - 1;
			if (portlen == 0)
			{
				put(m, "has an empty port");
				return false;
			}
		}
		else if (restlen > 0)
		{
			put(m, "has ");
			put_quoted(m, rest, restlen);
			put(m, " after the IPv6 address (expected :port)");
			return false;
		}
		if (!is_ipv6_address(host, hostlen))
		{
			put_quoted(m, host, hostlen);
			put(m, " is not an IPv6 address");
			return false;
		}
		v6 = true;
	}
	else
	{
		const char *colon = memchr(e, ':', n);

		if (colon != NULL)
		{
			hostlen = colon - e;
			port = colon + 1;
			portlen = n - hostlen - 1;
			if (memchr(port, ':', portlen) != NULL)
			{
				put(m, "has more than one colon (write IPv6 addresses as [addr]:port)");
				return false;
			}
			if (portlen == 0)
			{
				put(m, "has an empty port");
				return false;
			}
		}
		if (hostlen == 0)
		{
			put(m, "has no host name");
			return false;
		}
		if (hostlen > MAX_HOST_NAME)
		{
			put(m, "host name is longer than %d characters", MAX_HOST_NAME);
			return false;
		}
		for (size_t i = 0; i < hostlen; i++)
		{
			if (!host_name_char(host[i]))
			{
				put(m, "host name ");
				put_quoted(m, host, hostlen);
				put(m, " contains ");
				put_quoted(m, host + i, 1);
				return false;
			}
		}
	}
	if (port != NULL && !parse_port(port, portlen, &portnum))
	{
		put(m, "port ");
		put_quoted(m, port, portlen);
		put(m, " is not a number from 1 to 65535");
		return false;
	}
	if (fn)
	{
		/* A valid IPv6 address is at most 45 characters, a host name 253. */
		alen = snprintf(addr, sizeof(addr), v6 ? "[%.*s]:%d" : "%.*s:%d",
						(int) hostlen, host, portnum);
		fn(arg, false, addr, (size_t) alen);
	}
	return true;
}

/* Each entry in turn; stops at the first bad one.  Returns the count or -1. */
static int
each_entry(const char *list, mc_server_fn fn, void *arg, Msg *m)
{
	const char *p = list;
	int			count = 0;

	for (;;)
	{
		const char *comma = strchr(p, ',');
		const char *e = p;
		size_t		n = comma ? (size_t) (comma - p) : strlen(p);

		trim(&e, &n);
		if (m != NULL)
		{
			size_t		start = m->len;

			put(m, "entry %d ", count + 1);
			put_quoted(m, e, n);
			put(m, ": ");
			if (!parse_entry(e, n, fn, arg, m))
				return -1;
			m->len = start;
			if (m->cap > 0)
				m->buf[start] = '\0';
		}
		else if (!parse_entry(e, n, fn, arg, NULL))
			return -1;
		count++;
		if (comma == NULL)
			return count;
		p = comma + 1;
	}
}

int
mc_parse_server_list(const char *list, mc_server_fn fn, void *arg,
					 char *err, size_t errlen)
{
	const char *s = list;
	size_t		n = strlen(list);
	char		scratch[1];
	Msg			m = {err, errlen, 0};
	int			count;

	if (err == NULL || errlen == 0)
	{
		m.buf = scratch;
		m.cap = sizeof(scratch);
	}
	m.buf[0] = '\0';
	trim(&s, &n);
	if (n == 0)
		return 0;
	/* Check everything before fn sees any entry. */
	count = each_entry(list, NULL, NULL, &m);
	if (count >= 0 && fn != NULL)
		(void) each_entry(list, fn, arg, NULL);
	return count;
}
