/* vhttp.h - one signed JSON POST, shared by the webhook's gateway mode
 * (webhook_forward.c) and the quarantine's chat release (cli_quarantine.c),
 * so a downstream service verifies both the same way:
 *   X-Vigie-Timestamp: unix seconds
 *   X-Vigie-Signature: "v1=" + hex HMAC-SHA256(secret, timestamp "." body)
 * (no signature header when the secret is empty).
 */
#ifndef VHTTP_H
#define VHTTP_H

#include <glib.h>
#include <stdbool.h>

/* vhttp_global_init - libcurl's global state; once, before threads */
bool vhttp_global_init(GError **err);
void vhttp_global_cleanup(void);

/* vhttp_post_signed - POST body (JSON) to url (http or https, no
 * redirects), signed with secret at time now. True only on a 2xx answer;
 * *status gets the HTTP status (0 when none). err says what failed, naming
 * the url's host. */
bool vhttp_post_signed(const char *url, const char *secret, gint64 now, const char *body,
		       long timeout_s, long *status, GError **err);

/* vhttp_signature - the X-Vigie-Signature value above; caller g_free */
char *vhttp_signature(const char *secret, const char *timestamp, const char *body);

#endif
