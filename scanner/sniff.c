/* sniff.c - guess a MIME type from the first bytes of an attachment, so
 * policy can judge what a file is rather than what its sender calls it.
 *
 * Order: formats needing logic (PE, CAFEBABE, ZIP family, RIFF, BMP), then
 * one table of fixed magics at fixed offsets, then "%PDF-" anywhere in the
 * first KiB, then text heuristics on the first 4 KiB.
 *
 * SECURITY: every byte here is sender-controlled. Every read is checked
 * against len first (offsets taken from the data, such as e_lfanew or ZIP
 * name lengths, included); nothing is allocated, nothing is copied, and
 * every answer is a static string, so no input can grow memory.
 */
#include "internal.h"

#include <string.h>

#define SNIFF_TEXT_WINDOW 4096u		/* text heuristics look at this much */
#define SNIFF_PDF_WINDOW 1024u		/* "%PDF-" may start this late */
#define SNIFF_ZIP_WINDOW (64u * 1024u)	/* local headers searched in this much */
#define SNIFF_MZ_MIN 64u		/* size of a DOS header (e_lfanew at 0x3C) */
#define SNIFF_CLASS_MIN_VERSION 30u	/* above: Java class; at or below: fat Mach-O */

#define SNIFF_OCTET "application/octet-stream"
#define SNIFF_ZIP "application/zip"
#define SNIFF_MACHO "application/x-mach-binary"
#define SNIFF_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define SNIFF_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define SNIFF_PPTX "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#define SNIFF_HTML "text/html"
#define SNIFF_SVG "image/svg+xml"

/* sniff_magic - one fixed signature: these bytes at this offset */
typedef struct {
	size_t offset;
	const char *magic;
	size_t magic_len;
	const char *mime;
} sniff_magic;

/* SNIFF_M - a string literal and its length without the terminating NUL */
#define SNIFF_M(lit) lit, sizeof(lit) - 1

/* Checked in order; the first match wins. Binary escapes are written as
 * \xNN throughout so no escape swallows a following character. */
static const sniff_magic sniff_table[] = {
	/* executables */
	{ 0, SNIFF_M("\x7F" "ELF"), "application/x-executable" },
	{ 0, SNIFF_M("\xFE\xED\xFA\xCE"), SNIFF_MACHO },
	{ 0, SNIFF_M("\xFE\xED\xFA\xCF"), SNIFF_MACHO },
	{ 0, SNIFF_M("\xCE\xFA\xED\xFE"), SNIFF_MACHO },
	{ 0, SNIFF_M("\xCF\xFA\xED\xFE"), SNIFF_MACHO },
	{ 0, SNIFF_M("\xCA\xFE\xBA\xBF"), SNIFF_MACHO },	/* fat, 64-bit offsets */
	{ 0, SNIFF_M("\x4C\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00"
		     "\xC0\x00\x00\x00\x00\x00\x00\x46"), "application/x-ms-shortcut" },
	/* documents and containers */
	{ 0, SNIFF_M("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), "application/x-ole-storage" },
	{ 0, SNIFF_M("%PDF-"), "application/pdf" },
	/* "{\rt": Word opens RTF without the 'f', and droppers rely on it */
	{ 0, SNIFF_M("{\\rt"), "application/rtf" },
	{ 0, SNIFF_M("\xE4\x52\x5C\x7B\x8C\xD8\xA7\x4D\xAE\xB1\x53\x78\xD0\x29\x96\xD3"),
	  "application/onenote" },
	{ 0, SNIFF_M("ITSF"), "application/vnd.ms-htmlhelp" },
	{ 0, SNIFF_M("\xC5\xD0\xD3\xC6"), "application/postscript" },	/* DOS EPS */
	/* archives and compressed streams */
	{ 0, SNIFF_M("Rar!\x1A\x07\x00"), "application/vnd.rar" },		/* RAR 4 */
	{ 0, SNIFF_M("Rar!\x1A\x07\x01\x00"), "application/vnd.rar" },	/* RAR 5 */
	{ 0, SNIFF_M("7z\xBC\xAF\x27\x1C"), "application/x-7z-compressed" },
	{ 0, SNIFF_M("\x1F\x8B\x08"), "application/gzip" },
	{ 0, SNIFF_M("BZh"), "application/x-bzip2" },
	{ 0, SNIFF_M("\xFD" "7zXZ\x00"), "application/x-xz" },
	{ 0, SNIFF_M("\x28\xB5\x2F\xFD"), "application/zstd" },
	{ 0, SNIFF_M("MSCF\x00\x00\x00\x00"), "application/vnd.ms-cab-compressed" },
	/* disk images */
	{ 0, SNIFF_M("conectix"), "application/x-vhd" },
	{ 0, SNIFF_M("vhdxfile"), "application/x-vhdx" },
	/* images */
	{ 0, SNIFF_M("\x89PNG\x0D\x0A\x1A\x0A"), "image/png" },
	{ 0, SNIFF_M("\xFF\xD8\xFF"), "image/jpeg" },
	{ 0, SNIFF_M("GIF87a"), "image/gif" },
	{ 0, SNIFF_M("GIF89a"), "image/gif" },
	{ 0, SNIFF_M("II*\x00"), "image/tiff" },
	{ 0, SNIFF_M("MM\x00*"), "image/tiff" },
	{ 0, SNIFF_M("\x00\x00\x01\x00"), "image/vnd.microsoft.icon" },
	/* audio and video */
	{ 0, SNIFF_M("ID3"), "audio/mpeg" },
	{ 4, SNIFF_M("ftyp"), "video/mp4" },
	{ 0, SNIFF_M("OggS"), "audio/ogg" },
	{ 0, SNIFF_M("fLaC"), "audio/flac" },
	/* ISO 9660 and UDF volume descriptors, after the 32 KiB system area */
	{ 0x8001, SNIFF_M("CD001"), "application/x-iso9660-image" },
	{ 0x8801, SNIFF_M("CD001"), "application/x-iso9660-image" },
	{ 0x9001, SNIFF_M("CD001"), "application/x-iso9660-image" },
	{ 0x8001, SNIFF_M("BEA01"), "application/x-iso9660-image" },
	{ 0x8001, SNIFF_M("NSR02"), "application/x-iso9660-image" },
	{ 0x8001, SNIFF_M("NSR03"), "application/x-iso9660-image" },
	{ 0x8801, SNIFF_M("NSR02"), "application/x-iso9660-image" },
	{ 0x8801, SNIFF_M("NSR03"), "application/x-iso9660-image" },
};

/* MIME types an ODF-style "mimetype" entry may name; anything else is
 * plain ZIP (a sender's string is never returned, only these). */
static const char *const sniff_odf_types[] = {
	"application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.text-template",
	"application/vnd.oasis.opendocument.text-master",
	"application/vnd.oasis.opendocument.text-web",
	"application/vnd.oasis.opendocument.spreadsheet",
	"application/vnd.oasis.opendocument.spreadsheet-template",
	"application/vnd.oasis.opendocument.presentation",
	"application/vnd.oasis.opendocument.presentation-template",
	"application/vnd.oasis.opendocument.graphics",
	"application/vnd.oasis.opendocument.graphics-template",
	"application/vnd.oasis.opendocument.chart",
	"application/vnd.oasis.opendocument.formula",
	"application/vnd.oasis.opendocument.image",
	"application/vnd.oasis.opendocument.base",
	"application/epub+zip",
};

/* sniff_has - true if the magic lies wholly inside data at off */
static bool sniff_has(const guint8 *d, size_t len, size_t off, const void *magic, size_t mlen)
{
	return off <= len && mlen <= len - off && memcmp(d + off, magic, mlen) == 0;
}

/* sniff_le16 - little-endian 16-bit value; caller checked 2 bytes */
static size_t sniff_le16(const guint8 *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8;
}

/* sniff_le32 - little-endian 32-bit value; caller checked 4 bytes */
static guint32 sniff_le32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* sniff_be32 - big-endian 32-bit value; caller checked 4 bytes */
static guint32 sniff_be32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | (guint32)p[3];
}

/* sniff_find - first occurrence of needle in hay[0..n), or NULL */
static const guint8 *sniff_find(const guint8 *hay, size_t n, const char *needle, size_t nlen)
{
	if (nlen == 0 || nlen > n)
		return NULL;
	for (size_t i = 0; i <= n - nlen; i++)
		if (hay[i] == (guint8)needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

/* sniff_ci_prefix - true if p[0..n) starts with lit, ASCII case-insensitive */
static bool sniff_ci_prefix(const guint8 *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return l <= n && g_ascii_strncasecmp((const char *)p, lit, l) == 0;
}

/* sniff_ci_find - true if lit occurs in p[0..n), ASCII case-insensitive */
static bool sniff_ci_find(const guint8 *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	if (l == 0 || l > n)
		return false;
	for (size_t i = 0; i <= n - l; i++)
		if (g_ascii_tolower(p[i]) == g_ascii_tolower(lit[0]) &&
		    g_ascii_strncasecmp((const char *)p + i, lit, l) == 0)
			return true;
	return false;
}

/* sniff_ci_tag - lit at the start, then the window's end or a byte that
 * ends a tag name (so "<html>" and "<html lang" match, "<htmlx" does not) */
static bool sniff_ci_tag(const guint8 *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	if (!sniff_ci_prefix(p, n, lit))
		return false;
	if (l == n)
		return true;
	return g_ascii_isspace(p[l]) || p[l] == '>' || p[l] == '/';
}

/* sniff_exe - DOS/PE executable: "MZ", a full DOS header, PE\0\0 at e_lfanew */
static const char *sniff_exe(const guint8 *d, size_t len)
{
	/* Fewer than 64 bytes cannot hold a DOS header: "MZ is a state ..."
	 * in a short note stays text. */
	if (len < SNIFF_MZ_MIN || d[0] != 'M' || d[1] != 'Z')
		return NULL;
	size_t pe = sniff_le32(d + 0x3C);
	if (sniff_has(d, len, pe, "PE\x00\x00", 4))
		return "application/x-msdownload";	/* Windows PE */
	/* A bare DOS header (truncated PE, DOS program, stub) is still code
	 * Windows will run: same answer, deliberately. */
	return "application/x-msdownload";
}

/* sniff_cafebabe - fat Mach-O or Java class: both start CA FE BA BE */
static const char *sniff_cafebabe(const guint8 *d, size_t len)
{
	if (!sniff_has(d, len, 0, "\xCA\xFE\xBA\xBE", 4))
		return NULL;
	if (len < 8)
		return SNIFF_MACHO;	/* too short to tell: the executable answer */
	/* fat: architecture count (small); class: minor << 16 | major (>= 45) */
	return sniff_be32(d + 4) > SNIFF_CLASS_MIN_VERSION ? "application/java-vm" : SNIFF_MACHO;
}

/* sniff_odf - the static type an ODF stored "mimetype" entry names, or NULL */
static const char *sniff_odf(const guint8 *d, size_t len, size_t hdr, size_t name_end)
{
	if (sniff_le16(d + hdr + 8) != 0)	/* compressed: cannot read it here */
		return NULL;
	size_t extra = sniff_le16(d + hdr + 28);
	size_t size = sniff_le32(d + hdr + 18);
	if (extra > len - name_end || size > len - name_end - extra)
		return NULL;
	const guint8 *v = d + name_end + extra;
	for (size_t i = 0; i < G_N_ELEMENTS(sniff_odf_types); i++) {
		const char *t = sniff_odf_types[i];
		if (strlen(t) == size && memcmp(v, t, size) == 0)
			return t;
	}
	return NULL;
}

/* sniff_zip_name - the type one local file name implies, or NULL */
static const char *sniff_zip_name(const guint8 *n, size_t l)
{
	if (sniff_has(n, l, 0, "word/", 5))
		return SNIFF_DOCX;
	if (sniff_has(n, l, 0, "xl/", 3))
		return SNIFF_XLSX;
	if (sniff_has(n, l, 0, "ppt/", 4))
		return SNIFF_PPTX;
	return NULL;
}

/* sniff_zip - ZIP, refined to OOXML, JAR or ODF from local header names */
static const char *sniff_zip(const guint8 *d, size_t len)
{
	if (len < 4 || d[0] != 'P' || d[1] != 'K')
		return NULL;
	if (d[2] == 5 && d[3] == 6)
		return SNIFF_ZIP;	/* empty archive: end record only */
	if (!(d[2] == 3 && d[3] == 4) && !(d[2] == 7 && d[3] == 8))
		return NULL;

	/* Local headers are found by signature rather than by walking sizes:
	 * entries written with a data descriptor carry no size up front. */
	size_t win = MIN(len, SNIFF_ZIP_WINDOW);
	bool first = true, content_types = false, manifest = false;
	for (size_t i = 0; i + 30 <= win; i++) {
		if (memcmp(d + i, "PK\x03\x04", 4) != 0)
			continue;
		size_t nlen = sniff_le16(d + i + 26);
		size_t name = i + 30;
		if (nlen > win - name) {	/* name runs past the window */
			first = false;
			continue;
		}
		const guint8 *n = d + name;
		if (first) {
			first = false;
			if (nlen == 8 && memcmp(n, "mimetype", 8) == 0) {
				const char *odf = sniff_odf(d, len, i, name + nlen);
				if (odf)
					return odf;
			}
			if (nlen == 19 && memcmp(n, "[Content_Types].xml", 19) == 0)
				content_types = true;
		}
		const char *t = sniff_zip_name(n, nlen);
		if (t)
			return t;
		if (nlen == 20 && memcmp(n, "META-INF/MANIFEST.MF", 20) == 0)
			manifest = true;
		i = name + nlen - 1;	/* resume after the name */
	}
	if (content_types)
		return SNIFF_DOCX;	/* OOXML without a known part in reach */
	if (manifest)
		return "application/java-archive";
	return SNIFF_ZIP;
}

/* sniff_riff - RIFF container: WEBP image, WAVE audio, AVI video */
static const char *sniff_riff(const guint8 *d, size_t len)
{
	if (!sniff_has(d, len, 0, "RIFF", 4))
		return NULL;
	if (sniff_has(d, len, 8, "WEBP", 4))
		return "image/webp";
	if (sniff_has(d, len, 8, "WAVE", 4))
		return "audio/wav";
	if (sniff_has(d, len, 8, "AVI ", 4))
		return "video/x-msvideo";
	return NULL;
}

/* sniff_bmp - "BM" with zero reserved words, so "BMW ..." text stays text */
static const char *sniff_bmp(const guint8 *d, size_t len)
{
	if (len < 14 || d[0] != 'B' || d[1] != 'M')
		return NULL;
	if (d[6] | d[7] | d[8] | d[9])
		return NULL;
	return "image/bmp";
}

/* sniff_magics - the first table row whose magic is present */
static const char *sniff_magics(const guint8 *d, size_t len)
{
	for (size_t i = 0; i < G_N_ELEMENTS(sniff_table); i++) {
		const sniff_magic *m = &sniff_table[i];
		if (sniff_has(d, len, m->offset, m->magic, m->magic_len))
			return m->mime;
	}
	return NULL;
}

/* sniff_pdf - "%PDF-" anywhere in the first KiB (readers skip junk before it) */
static const char *sniff_pdf(const guint8 *d, size_t len)
{
	return sniff_find(d, MIN(len, SNIFF_PDF_WINDOW), "%PDF-", 5) ? "application/pdf" : NULL;
}

/* sniff_utf8_tail - true if p[0..n) is the cut-off start of one UTF-8 character */
static bool sniff_utf8_tail(const guint8 *p, size_t n)
{
	size_t need;
	if (n == 0)
		return false;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		need = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		need = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		need = 4;
	else
		return false;
	if (n >= need)
		return false;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return false;
	return true;
}

/* sniff_is_text - valid UTF-8 without NUL or odd control bytes; cut says the
 * window ends inside the data, so a character split there is forgiven */
static bool sniff_is_text(const guint8 *d, size_t n, bool cut)
{
	const gchar *end = NULL;
	if (!g_utf8_validate((const gchar *)d, (gssize)n, &end)) {
		size_t at = (size_t)((const guint8 *)end - d);
		if (!cut || !sniff_utf8_tail(d + at, n - at))
			return false;
		n = at;
	}
	for (size_t i = 0; i < n; i++) {
		guint8 c = d[i];
		/* allowed: BS TAB LF VT FF CR, SUB (DOS end of file), ESC */
		if (c < 0x20 && !(c >= 0x08 && c <= 0x0D) && c != 0x1A && c != 0x1B)
			return false;
	}
	return true;
}

/* sniff_skip_space - index of the first non-whitespace byte at or after p */
static size_t sniff_skip_space(const guint8 *d, size_t n, size_t p)
{
	while (p < n && g_ascii_isspace(d[p]))
		p++;
	return p;
}

/* sniff_markup - HTML/XML/SVG from the first tag, or NULL */
static const char *sniff_markup(const guint8 *t, size_t n)
{
	static const char *const html_tags[] = {
		"<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<form",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(html_tags); i++)
		if (sniff_ci_tag(t, n, html_tags[i]))
			return SNIFF_HTML;
	if (sniff_ci_tag(t, n, "<svg"))
		return SNIFF_SVG;
	if (sniff_ci_prefix(t, n, "<?xml")) {
		if (sniff_ci_find(t, n, "<svg"))
			return SNIFF_SVG;
		if (sniff_ci_find(t, n, "<html"))
			return SNIFF_HTML;	/* XHTML renders as HTML */
		return "application/xml";
	}
	return NULL;
}

/* sniff_text - heuristics on the first 4 KiB, after a BOM and whitespace */
static const char *sniff_text(const guint8 *d, size_t len)
{
	static const char *const mail_headers[] = {
		"MIME-Version:", "Received:", "From:", "Return-Path:", "Delivered-To:",
	};
	size_t win = MIN(len, SNIFF_TEXT_WINDOW);
	size_t p = sniff_has(d, win, 0, "\xEF\xBB\xBF", 3) ? 3 : 0;

	/* mshta runs the application tag wherever it sits */
	if (sniff_ci_find(d, win, "<hta:application"))
		return "application/hta";

	p = sniff_skip_space(d, win, p);
	/* leading HTML comments: look past them at the first real tag */
	while (sniff_has(d, win, p, "<!--", 4)) {
		const guint8 *e = sniff_find(d + p + 4, win - p - 4, "-->", 3);
		if (!e)
			return SNIFF_HTML;	/* comment longer than the window */
		p = sniff_skip_space(d, win, (size_t)(e - d) + 3);
	}
	const guint8 *t = d + p;
	size_t n = win - p;

	const char *m = sniff_markup(t, n);
	if (m)
		return m;
	if (sniff_has(t, n, 0, "#!", 2))
		return "text/x-shellscript";
	for (size_t i = 0; i < G_N_ELEMENTS(mail_headers); i++)
		if (sniff_ci_prefix(t, n, mail_headers[i]))
			return "message/rfc822";
	if (sniff_has(t, n, 0, "%!PS", 4))
		return "application/postscript";
	if (sniff_is_text(d, win, win < len))
		return "text/plain";
	return NULL;
}

/* sniff_type - MIME type guessed from the first bytes of data; never NULL */
const char *sniff_type(const guint8 *data, size_t len)
{
	static const char *(*const checks[])(const guint8 *, size_t) = {
		sniff_exe, sniff_cafebabe, sniff_zip, sniff_riff, sniff_bmp,
		sniff_magics, sniff_pdf, sniff_text,
	};
	if (len == 0)
		return "application/x-empty";
	if (!data)
		return SNIFF_OCTET;
	for (size_t i = 0; i < G_N_ELEMENTS(checks); i++) {
		const char *t = checks[i](data, len);
		if (t)
			return t;
	}
	return SNIFF_OCTET;
}
