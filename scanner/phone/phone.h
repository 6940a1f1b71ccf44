/* phone.h - the phone number analyser's insides (scanner/phone/)
 *
 *   phone_extract.c  numbers in a text, normalised to E.164
 *   phone.c          the engine (ranges, own numbers, weights) and the scan
 *
 * SECURITY: texts are the sender's; extraction is one linear pass with
 * bounded candidates (at most PHONE_MAX_DIGITS digits kept each) and a
 * bounded number of numbers per message.
 */
#ifndef VIGIE_PHONE_H
#define VIGIE_PHONE_H

#include "internal.h"

#define PHONE_MAX_DIGITS 15 /* E.164 */

/* One number found in a text. */
typedef struct {
	char *e164;    /* "+33891234567" */
	char *written; /* as in the text (trimmed, UTF-8) */
} phone_found;

void phone_found_free(gpointer p);

/* phone_extract - every number of text (national forms read with the
 * country calling code cc, e.g. "33"), appended to out (of phone_found*)
 * until out holds max; returns how many were added. National forms: a
 * leading 0 and the national length of cc (France 10 digits, the UK 10 or
 * 11, others 9 to 11), or for NANP (cc "1") ten digits; NANP numbers
 * written 1-NXX-... are read whatever cc is. International forms: "+" or
 * "00" and 8 to 15 digits, "(0)" after the country code dropped. Between
 * digits: spaces (also no-break), dots, dashes, slashes, brackets;
 * zero-width characters are skipped, fullwidth digits read as digits, and
 * O/o, l/I between digits read as 0 and 1. */
guint phone_extract(const char *text, const char *cc, GPtrArray *out, guint max);

#endif
