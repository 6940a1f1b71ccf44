/* attach_ooxml.c - the text and hyperlinks of docx, xlsx and pptx files
 *
 * Interface (attach.h): attach_ooxml_kind, attach_ooxml_read. An Office
 * Open XML file is a zip (read with libzip from memory) holding XML parts:
 * the text is that of the elements whose local name is "t" (w:t in Word,
 * a:t in slides and drawings, t in a workbook's shared strings), in the
 * parts under word/, xl/ and ppt/; a hyperlink is a relationship (.rels
 * part) of type .../hyperlink with TargetMode="External". XML is parsed
 * with GLib's GMarkup, incrementally, as it is inflated. The pictures of
 * the document (word/media/, xl/media/, ppt/media/) are read for QR codes
 * (attach_image.c, attach_qr.c). Macros are
 * ClamAV's business (av.c); this file only reads what the document says.
 *
 * Why libzip: it reads a zip from a memory buffer, checks each entry's CRC
 * and size as it inflates, and refuses encrypted entries; minizip would
 * need its own memory I/O layer written here.
 *
 * SECURITY: the bytes are the sender's. At most max_entries entries are
 * looked at and max_inflate bytes inflated from the whole file, counted as
 * they come out of the inflater (not from the sizes the zip declares), so
 * a zip bomb of XML stops at the budget and is a limit hit; the clock is
 * checked between reads. GMarkup does not expand external entities or DTDs.
 */
#include "attach.h"

#include <string.h>
#include <zip.h>

/* what the XML walk of one part is collecting */
typedef struct {
	attach_out *o;
	const attach_limits *l;
	int in_t; /* depth inside a text element */
	bool rels;
} ox_ctx;

/* ox_local - the local name of an element (after its prefix) */
static const char *ox_local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static void ox_start(GMarkupParseContext *pc, const char *name, const char **an, const char **av,
		     gpointer user, GError **err)
{
	(void)pc;
	(void)err;
	ox_ctx *x = user;
	const char *local = ox_local(name);
	if (x->in_t) {
		x->in_t++;
		return;
	}
	if (!x->rels) {
		if (!strcmp(local, "t"))
			x->in_t = 1;
		else if (!strcmp(local, "p") || !strcmp(local, "br") || !strcmp(local, "tab") ||
			 !strcmp(local, "si"))
			attach_out_text(x->o, " ", 1, x->l->max_extract);
		return;
	}
	if (strcmp(local, "Relationship"))
		return;
	const char *type = NULL, *target = NULL, *mode = NULL;
	for (int i = 0; an[i]; i++) {
		if (!strcmp(an[i], "Type"))
			type = av[i];
		else if (!strcmp(an[i], "Target"))
			target = av[i];
		else if (!strcmp(an[i], "TargetMode"))
			mode = av[i];
	}
	if (type && target && mode && !g_ascii_strcasecmp(mode, "External") &&
	    g_str_has_suffix(type, "/hyperlink") && x->o->links->len < 1000)
		g_ptr_array_add(x->o->links, link_new(target, "", "office-link"));
}

static void ox_end(GMarkupParseContext *pc, const char *name, gpointer user, GError **err)
{
	(void)pc;
	(void)name;
	(void)err;
	ox_ctx *x = user;
	if (x->in_t)
		x->in_t--;
}

static void ox_text(GMarkupParseContext *pc, const char *text, gsize len, gpointer user,
		    GError **err)
{
	(void)pc;
	(void)err;
	ox_ctx *x = user;
	if (x->in_t)
		attach_out_text(x->o, text, (gssize)len, x->l->max_extract);
}

static const GMarkupParser ox_parser = {ox_start, ox_end, ox_text, NULL, NULL};

/* ox_wanted - a part whose text or links are read */
static bool ox_wanted(const char *name, bool *rels)
{
	*rels = g_str_has_suffix(name, ".rels");
	if (*rels)
		return true;
	if (!g_str_has_suffix(name, ".xml"))
		return false;
	if (!g_str_has_prefix(name, "word/") && !g_str_has_prefix(name, "xl/") &&
	    !g_str_has_prefix(name, "ppt/"))
		return false;
	/* formatting, not words */
	static const char *const skip[] = {"theme",	  "styles",    "fontTable",   "settings",
					   "webSettings", "numbering", "slideLayout", "slideMaster",
					   "presProps",	  "viewProps", "tableStyles", "calcChain",
					   NULL};
	for (const char *const *s = skip; *s; s++)
		if (strstr(name, *s))
			return false;
	return true;
}

/* ox_media - a picture of the document (word/media/, xl/media/,
 * ppt/media/), read for QR codes */
static bool ox_media(const char *name)
{
	return (g_str_has_prefix(name, "word/media/") || g_str_has_prefix(name, "xl/media/") ||
		g_str_has_prefix(name, "ppt/media/")) &&
	       (g_str_has_suffix(name, ".png") || g_str_has_suffix(name, ".jpeg") ||
		g_str_has_suffix(name, ".jpg") || g_str_has_suffix(name, ".gif") ||
		g_str_has_suffix(name, ".webp"));
}

/* ox_read_media - entry i (a picture) inflated within the budget and read
 * for QR codes; false when the budget ran out */
static bool ox_read_media(zip_t *z, zip_uint64_t i, const attach_limits *l, gsize *inflated,
			  attach_out *o)
{
	zip_file_t *f = zip_fopen_index(z, i, 0);
	if (!f)
		return true;
	GByteArray *b = g_byte_array_new();
	guint8 buf[16384];
	bool ok = true;
	for (;;) {
		if (*inflated >= l->max_inflate) {
			attach_out_limit(o, "max_inflate",
					 "more than %" G_GSIZE_FORMAT " bytes inflated",
					 l->max_inflate);
			ok = false;
			break;
		}
		zip_int64_t got = zip_fread(f, buf, MIN(sizeof buf, l->max_inflate - *inflated));
		if (got <= 0)
			break;
		*inflated += (gsize)got;
		g_byte_array_append(b, buf, (guint)got);
	}
	zip_fclose(f);
	attach_grey g;
	/* a picture it cannot decode is not the document's failure: no error */
	attach_out *scratch = attach_out_new(o->deadline);
	if (ok && attach_image_decode(b->data, b->len, l->max_pixels, &g, scratch)) {
		attach_qr_scan(&g, o);
		g_free(g.pixels);
	} else if (scratch->limit) {
		attach_out_limit(o, scratch->limit, "%s", scratch->limit_detail);
	}
	attach_out_free(scratch);
	g_byte_array_unref(b);
	return ok;
}

/* ox_kind - docx, xlsx, pptx from the entries of an open zip, or NULL */
static const char *ox_kind(zip_t *z)
{
	if (zip_name_locate(z, "[Content_Types].xml", 0) < 0)
		return NULL;
	if (zip_name_locate(z, "word/document.xml", 0) >= 0)
		return "docx";
	if (zip_name_locate(z, "xl/workbook.xml", 0) >= 0)
		return "xlsx";
	if (zip_name_locate(z, "ppt/presentation.xml", 0) >= 0)
		return "pptx";
	return NULL;
}

/* ox_open - the zip over d (not copied), or NULL */
static zip_t *ox_open(const guint8 *d, gsize n)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(d, n, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!z && src)
		zip_source_free(src);
	zip_error_fini(&ze);
	return z;
}

/* attach_ooxml_kind - see attach.h */
const char *attach_ooxml_kind(const guint8 *d, gsize n)
{
	if (n < 4 || memcmp(d, "PK\x03\x04", 4))
		return NULL;
	zip_t *z = ox_open(d, n);
	if (!z)
		return NULL;
	const char *k = ox_kind(z);
	zip_discard(z);
	return k;
}

/* attach_ooxml_read - see attach.h */
bool attach_ooxml_read(const guint8 *d, gsize n, const attach_limits *l, attach_out *o)
{
	zip_t *z = ox_open(d, n);
	if (!z) {
		o->error = g_strdup("Office file: not a readable zip");
		return false;
	}
	zip_int64_t entries = zip_get_num_entries(z, 0);
	gsize inflated = 0;
	char buf[16384];
	for (zip_int64_t i = 0; i < entries; i++) {
		if ((guint64)i >= l->max_entries) {
			attach_out_limit(o, "max_entries",
					 "%" G_GINT64_FORMAT " zip entries, the first %u read",
					 (gint64)entries, l->max_entries);
			break;
		}
		if (attach_out_late(o))
			break;
		const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
		bool rels;
		if (name && ox_media(name)) {
			if (!ox_read_media(z, (zip_uint64_t)i, l, &inflated, o))
				break;
			continue;
		}
		if (!name || !ox_wanted(name, &rels))
			continue;
		zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
		if (!f)
			continue; /* encrypted or unsupported method: ClamAV reports those */
		ox_ctx x = {o, l, 0, rels};
		GMarkupParseContext *pc = g_markup_parse_context_new(&ox_parser, 0, &x, NULL);
		bool parse_ok = true;
		for (;;) {
			if (inflated >= l->max_inflate) {
				attach_out_limit(o, "max_inflate",
						 "more than %" G_GSIZE_FORMAT
						 " bytes of XML inflated",
						 l->max_inflate);
				break;
			}
			gsize want = MIN(sizeof buf, l->max_inflate - inflated);
			zip_int64_t got = zip_fread(f, buf, want);
			if (got <= 0)
				break;
			inflated += (gsize)got;
			if (parse_ok && !g_markup_parse_context_parse(pc, buf, (gssize)got, NULL))
				parse_ok = false; /* a broken part: what was read stands */
			if (attach_out_late(o))
				break;
		}
		g_markup_parse_context_free(pc);
		zip_fclose(f);
		attach_out_text(o, "\n", 1, l->max_extract);
		if (o->limit)
			break;
	}
	zip_discard(z);
	return true;
}
