/* fuzz_url.c - fuzz target: bytes -> URL extraction (as text and as one
 * link's text) -> normalisation of every URL found and of the bytes
 * themselves, checking the invariants: valid UTF-8 out, a normalised web
 * URL always has a host, and normalising a normalised URL is stable. */
#include "url.h"
#include "fuzz.h"

static void fuzz_norm(const char *s)
{
	url_parts *p = url_normalise(s);
	if (!p)
		return;
	fuzz_check_str(p->url);
	fuzz_check_str(p->host);
	fuzz_check_str(p->host_unicode);
	fuzz_check_str(p->path);
	if (p->kind == URL_KIND_NET) {
		g_assert(*p->host);
		url_parts *q = url_normalise(p->url);
		g_assert(q != NULL);
		g_assert(g_strcmp0(q->host, p->host) == 0);
		url_parts_free(q);
		char *d = url_registrable_domain(p->host);
		if (d)
			fuzz_check_str(d);
		g_free(d);
	}
	url_parts_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = utf8_sanitize((const char *)data, (gssize)size);
	GPtrArray *out = g_ptr_array_new_with_free_func(url_found_free);
	url_extract_text(text, "fuzz", out, 200);
	for (guint i = 0; i < out->len; i++) {
		const url_found *f = g_ptr_array_index(out, i);
		fuzz_check_str(f->written);
		fuzz_check_str(f->url);
		fuzz_norm(f->url);
	}
	char *single = url_extract_single(text);
	if (single)
		fuzz_norm(single);
	g_free(single);
	fuzz_norm(text);
	g_ptr_array_unref(out);
	g_free(text);
	return 0;
}
