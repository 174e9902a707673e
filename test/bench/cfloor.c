/*
 * cfloor: the floor of a memcached call on this machine, without a database
 * and without a client library: a C loop on one blocking socket, each
 * command sent with one send(), its reply read with recv() until its end,
 * nothing parsed or copied beyond finding that end. What any client, in a
 * backend or not, pays at least: the kernel's network path and the
 * wake-ups of the two processes. It prints ops/s (getmulti: keys/s).
 * With -tls CAFILE it speaks TLS 1.3 (OpenSSL, AES-128-GCM as Go's client
 * picks, the CA checked, records read ahead: one read a reply where the
 * reply fits), the floor of a TLS call.
 *
 *	cfloor -addr 127.0.0.1:11211 -op set|get|miss|getmulti -n 20000 -size 10 [-tls ca.pem]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int	fd;
static SSL *ssl;				/* NULL: plain */
static char *buf;
static size_t cap = 1 << 22,
			have,
			used;

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
fail(const char *what)
{
	fprintf(stderr, "%s: unexpected reply\n", what);
	exit(1);
}

static void
sendall(const char *p, size_t n)
{
	while (n > 0)
	{
		ssize_t		w = ssl ? SSL_write(ssl, p, n) : send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			die("send");
		p += w;
		n -= w;
	}
}

/* more: read what the socket has (blocking until something) */
static void
more(void)
{
	ssize_t		r;

	if (used > 0)
	{
		memmove(buf, buf + used, have - used);
		have -= used;
		used = 0;
	}
	if (have == cap)
	{
		fprintf(stderr, "reply too large\n");
		exit(1);
	}
	r = ssl ? SSL_read(ssl, buf + have, cap - have) : recv(fd, buf + have, cap - have, 0);
	if (r <= 0)
		die("recv");
	have += r;
}

/* line: the next reply line (without \r\n), NUL-terminated in place */
static char *
line(void)
{
	char	   *nl,
			   *l;

	while ((nl = memchr(buf + used, '\n', have - used)) == NULL)
		more();
	l = buf + used;
	*nl = '\0';
	if (nl > l && nl[-1] == '\r')
		nl[-1] = '\0';
	used = nl + 1 - buf;
	return l;
}

/* skip: n bytes of a value and its \r\n */
static void
skip(size_t n)
{
	n += 2;
	while (have - used < n)
	{
		n -= have - used;
		used = have;
		more();
	}
	used += n;
}

/* retrieve: read a get's reply to END; the values found */
static int
retrieve(void)
{
	int			found = 0;

	for (;;)
	{
		char	   *l = line();
		unsigned long len;

		if (strcmp(l, "END") == 0)
			return found;
		if (sscanf(l, "VALUE %*s %*u %lu", &len) != 1)
		{
			fprintf(stderr, "unexpected reply: %s\n", l);
			exit(1);
		}
		skip(len);
		found++;
	}
}

/* start_tls: TLS 1.3 over fd, the server's certificate checked for ip */
static void
start_tls(const char *ca, const char *ip)
{
	SSL_CTX    *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL ||
		!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
		!SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") ||
		!SSL_CTX_load_verify_locations(ctx, ca, NULL))
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_read_ahead(ctx, 1);
	ssl = SSL_new(ctx);
	if (ssl == NULL ||
		!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip) ||
		!SSL_set_fd(ssl, fd) ||
		SSL_connect(ssl) != 1)
		goto fail;
	return;
fail:
	ERR_print_errors_fp(stderr);
	fprintf(stderr, "TLS failed\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *addr = "127.0.0.1:11211",
			   *op = "set",
			   *ca = NULL;
	long		n = 20000,
				size = 10,
				count;
	char		host[64],
			   *cmd,
			   *val;
	int			port,
				one = 1;
	struct sockaddr_in sa = {0};
	struct timespec t0,
				t1;

	for (int i = 1; i + 1 < argc; i += 2)
	{
		if (strcmp(argv[i], "-addr") == 0)
			addr = argv[i + 1];
		else if (strcmp(argv[i], "-op") == 0)
			op = argv[i + 1];
		else if (strcmp(argv[i], "-n") == 0)
			n = atol(argv[i + 1]);
		else if (strcmp(argv[i], "-size") == 0)
			size = atol(argv[i + 1]);
		else if (strcmp(argv[i], "-tls") == 0)
			ca = argv[i + 1];
	}
	if (sscanf(addr, "%63[^:]:%d", host, &port) != 2)
		die("-addr");
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("-addr");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ca != NULL)
		start_tls(ca, host);
	buf = malloc(cap);
	cmd = malloc(size + 4096);
	val = malloc(size);
	if (!buf || !cmd || !val)
		die("malloc");
	memset(val, 'x', size);

	for (int i = 0; i < 1000; i++)
	{
		int			k = sprintf(cmd, "set cfloor%d 0 0 %ld\r\n", i, size);

		memcpy(cmd + k, val, size);
		memcpy(cmd + k + size, "\r\n", 2);
		sendall(cmd, k + size + 2);
		if (strcmp(line(), "STORED") != 0)
			fail("set");
	}
	count = strcmp(op, "getmulti") == 0 ? n * 100 : n;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
	{
		int			k;

		if (strcmp(op, "set") == 0)
		{
			k = sprintf(cmd, "set cfloor%ld 0 0 %ld\r\n", i % 1000, size);
			memcpy(cmd + k, val, size);
			memcpy(cmd + k + size, "\r\n", 2);
			sendall(cmd, k + size + 2);
			if (strcmp(line(), "STORED") != 0)
				fail("set");
		}
		else if (strcmp(op, "get") == 0 || strcmp(op, "miss") == 0)
		{
			int			hit = strcmp(op, "get") == 0;

			k = sprintf(cmd, hit ? "get cfloor%ld\r\n" : "get cfloor-missing%ld\r\n",
						hit ? i % 1000 : i);
			sendall(cmd, k);
			if (retrieve() != hit)
				fail("get");
		}
		else if (strcmp(op, "getmulti") == 0)
		{
			k = sprintf(cmd, "get");
			for (long j = (i % 10) * 100; j < (i % 10) * 100 + 100; j++)
				k += sprintf(cmd + k, " cfloor%ld", j);
			k += sprintf(cmd + k, "\r\n");
			sendall(cmd, k);
			if (retrieve() != 100)
				fail("getmulti");
		}
		else
		{
			fprintf(stderr, "unknown -op %s\n", op);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f\n", count / ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9));
	return 0;
}
