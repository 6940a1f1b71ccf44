/* smtp_send.h - hand one message to an MTA over SMTP (for releases) */
#ifndef VIGIE_SMTP_SEND_H
#define VIGIE_SMTP_SEND_H

#include <glib.h>
#include <stdbool.h>

/* smtp_send - deliver data (RFC 5322 bytes) from "from" to every rcpt via
 * host:port, with header_line ("Name: value", no CRLF) put first if not
 * NULL. True only when the MTA accepted the message (2xx after DATA);
 * *reply is the MTA's last reply line either way (caller g_free). */
bool smtp_send(const char *host, int port, const char *from, const char *const *rcpts,
	       GBytes *data, const char *header_line, char **reply, GError **err);

#endif
