/* smtp_send.c - a minimal SMTP client: EHLO, MAIL, RCPT, DATA, QUIT
 *
 * Used by "vigie quarantine release" to re-inject a message into the MTA
 * so that it is delivered exactly as any other mail (and passes the
 * milter, which recognises the release token). Lines are sent with CRLF
 * and dot-stuffed; bare LF and CR in the stored bytes become CRLF.
 *
 * SECURITY: addresses come from the quarantine metadata (the original
 * envelope) or the operator; CR and LF in them are refused so that nothing
 * can inject SMTP commands.
 */
#include "smtp_send.h"
#include "vigie.h"

#include <gio/gio.h>
#include <string.h>

typedef struct {
	GSocketConnection *conn;
	GDataInputStream *in;
	GOutputStream *out;
} smtp;

/* smtp_reply - read one (possibly multi-line) reply; its code, 0 on error */
static int smtp_reply(smtp *s, char **last, GError **err)
{
	for (;;) {
		gsize len;
		char *line = g_data_input_stream_read_line(s->in, &len, NULL, err);
		if (!line) {
			if (err && !*err)
				g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "the MTA closed the connection");
			return 0;
		}
		g_strchomp(line);
		bool more = len > 3 && line[3] == '-';
		int code = (int)g_ascii_strtoll(line, NULL, 10);
		if (!more) {
			g_free(*last);
			*last = line;
			return code;
		}
		g_free(line);
	}
}

static bool smtp_write(smtp *s, const char *text, gsize len, GError **err)
{
	return g_output_stream_write_all(s->out, text, len, NULL, NULL, err);
}

/* smtp_cmd - send a command line, read the reply; true when its code is want */
static bool smtp_cmd(smtp *s, const char *cmd, int want, char **last, GError **err)
{
	char *line = g_strconcat(cmd, "\r\n", NULL);
	bool ok = smtp_write(s, line, strlen(line), err);
	g_free(line);
	if (!ok)
		return false;
	int code = smtp_reply(s, last, err);
	return code / 100 == want / 100;
}

static bool smtp_addr_ok(const char *a)
{
	return a && !strpbrk(a, "\r\n<>");
}

/* smtp_data - the message, CRLF line ends, dot-stuffed, then "." */
static bool smtp_data(smtp *s, GBytes *data, const char *header_line, GError **err)
{
	GString *out = g_string_sized_new(g_bytes_get_size(data) + 1024);
	if (header_line)
		g_string_append_printf(out, "%s\r\n", header_line);
	gsize len;
	const char *p = g_bytes_get_data(data, &len), *end = p + len;
	/* an mbox "From " line is not part of the message */
	if (len > 5 && !memcmp(p, "From ", 5)) {
		const char *nl = memchr(p, '\n', len);
		p = nl ? nl + 1 : end;
	}
	bool bol = true;
	for (; p < end; p++) {
		if (bol && *p == '.')
			g_string_append_c(out, '.');
		if (*p == '\r') {
			if (p + 1 < end && p[1] == '\n')
				p++;
			g_string_append(out, "\r\n");
			bol = true;
		} else if (*p == '\n') {
			g_string_append(out, "\r\n");
			bol = true;
		} else {
			g_string_append_c(out, *p);
			bol = false;
		}
	}
	if (!bol)
		g_string_append(out, "\r\n");
	g_string_append(out, ".\r\n");
	bool ok = smtp_write(s, out->str, out->len, err);
	g_string_free(out, TRUE);
	return ok;
}

bool smtp_send(const char *host, int port, const char *from, const char *const *rcpts,
	       GBytes *data, const char *header_line, char **reply, GError **err)
{
	*reply = NULL;
	if (!smtp_addr_ok(from) || !rcpts || !rcpts[0]) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "bad sender or no recipient");
		return false;
	}
	for (const char *const *r = rcpts; *r; r++)
		if (!smtp_addr_ok(*r)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_INPUT, "bad recipient address '%s'", *r);
			return false;
		}
	GSocketClient *client = g_socket_client_new();
	g_socket_client_set_timeout(client, 60);
	smtp s = { 0 };
	s.conn = g_socket_client_connect_to_host(client, host, (guint16)port, NULL, err);
	g_object_unref(client);
	if (!s.conn)
		return false;
	s.in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(s.conn)));
	g_data_input_stream_set_newline_type(s.in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
	s.out = g_io_stream_get_output_stream(G_IO_STREAM(s.conn));
	bool ok = false;
	if (smtp_reply(&s, reply, err) / 100 != 2)
		goto out;
	char *hostname = g_strdup(g_get_host_name());
	char *ehlo = g_strdup_printf("EHLO %s", hostname);
	g_free(hostname);
	bool sent = smtp_cmd(&s, ehlo, 250, reply, err);
	g_free(ehlo);
	if (!sent)
		goto out;
	char *mail = g_strdup_printf("MAIL FROM:<%s>", from);
	sent = smtp_cmd(&s, mail, 250, reply, err);
	g_free(mail);
	if (!sent)
		goto out;
	for (const char *const *r = rcpts; *r; r++) {
		char *rcpt = g_strdup_printf("RCPT TO:<%s>", *r);
		sent = smtp_cmd(&s, rcpt, 250, reply, err);
		g_free(rcpt);
		if (!sent)
			goto out;
	}
	if (!smtp_cmd(&s, "DATA", 354, reply, err) || !smtp_data(&s, data, header_line, err))
		goto out;
	ok = smtp_reply(&s, reply, err) / 100 == 2;
	char *bye = NULL;
	smtp_cmd(&s, "QUIT", 221, &bye, NULL);
	g_free(bye);
out:
	g_object_unref(s.in);
	g_io_stream_close(G_IO_STREAM(s.conn), NULL, NULL);
	g_object_unref(s.conn);
	return ok;
}
