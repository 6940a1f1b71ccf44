/* sniff_test.c - unit tests of sniff_type(): one table of byte strings and
 * the type each must get, then checks that no input is read past its end.
 *
 * Decisions the table pins down:
 *  - "MZ" at offset 0 is an executable only when a full 64-byte DOS header
 *    is there; a shorter "MZ is a state ..." note is text/plain, a longer
 *    one is x-msdownload (Windows would try to run it: err on that side).
 *  - Only the first 4 KiB decide "text/plain"; "%PDF-" counts in the first
 *    1 KiB; ZIP names count in the first 64 KiB.
 */
#include "internal.h"

#include <stdarg.h>
#include <string.h>

/* sniff_case - input bytes (literal, or built) and the type they must get */
typedef struct {
	const char *name;
	const char *bytes;		/* NULL when build is set */
	size_t len;
	guint8 *(*build)(size_t *len);	/* g_malloc'd bytes of exactly *len */
	const char *expect;
} sniff_case;

/* LIT - a string literal with its exact length (NULs inside count) */
#define LIT(s) s, sizeof(s) - 1, NULL
/* BUILD - bytes made by a builder function */
#define BUILD(f) NULL, 0, f

#define T_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define T_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define T_PPTX "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#define T_EXE "application/x-msdownload"
#define T_MACHO "application/x-mach-binary"
#define T_ISO "application/x-iso9660-image"
#define T_TEXT "text/plain"
#define T_OCTET "application/octet-stream"

/* ---- builders ------------------------------------------------------- */

/* put_le16 - append a little-endian 16-bit value */
static void put_le16(GByteArray *a, guint v)
{
	guint8 b[2] = { v & 0xFF, (v >> 8) & 0xFF };
	g_byte_array_append(a, b, 2);
}

/* put_le32 - append a little-endian 32-bit value */
static void put_le32(GByteArray *a, guint32 v)
{
	guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >> 24) & 0xFF };
	g_byte_array_append(a, b, 4);
}

/* zip_entry - append one stored ZIP local file header, name and content;
 * with descriptor set, sizes are 0 up front (general purpose flag bit 3) */
static void zip_entry(GByteArray *a, const char *name, const char *content, gboolean descriptor)
{
	guint32 size = (guint32)strlen(content);
	g_byte_array_append(a, (const guint8 *)"PK\x03\x04", 4);
	put_le16(a, 20);			/* version needed */
	put_le16(a, descriptor ? 8 : 0);	/* flags */
	put_le16(a, 0);				/* method: stored */
	put_le16(a, 0);				/* time */
	put_le16(a, 0);				/* date */
	put_le32(a, 0);				/* crc (not checked) */
	put_le32(a, descriptor ? 0 : size);	/* compressed size */
	put_le32(a, descriptor ? 0 : size);	/* uncompressed size */
	put_le16(a, (guint)strlen(name));
	put_le16(a, 0);				/* extra length */
	g_byte_array_append(a, (const guint8 *)name, (guint)strlen(name));
	g_byte_array_append(a, (const guint8 *)content, size);
}

/* zip_of - stored ZIP of (name, content) pairs ending in NULL; no central
 * directory (sniffing never looks for one) */
static guint8 *zip_of(size_t *len, gboolean descriptor, ...)
{
	GByteArray *a = g_byte_array_new();
	va_list ap;
	va_start(ap, descriptor);
	const char *name;
	while ((name = va_arg(ap, const char *)) != NULL)
		zip_entry(a, name, va_arg(ap, const char *), descriptor);
	va_end(ap);
	*len = a->len;
	return g_byte_array_free(a, FALSE);
}

/* build_docx - [Content_Types].xml first, then a word/ part */
static guint8 *build_docx(size_t *len)
{
	return zip_of(len, FALSE, "[Content_Types].xml", "<Types/>", "_rels/.rels", "<R/>",
		      "word/document.xml", "<w:document/>", NULL);
}

/* build_xlsx - [Content_Types].xml first, then an xl/ part */
static guint8 *build_xlsx(size_t *len)
{
	return zip_of(len, FALSE, "[Content_Types].xml", "<Types/>", "xl/workbook.xml",
		      "<workbook/>", NULL);
}

/* build_pptx - [Content_Types].xml first, then a ppt/ part */
static guint8 *build_pptx(size_t *len)
{
	return zip_of(len, FALSE, "[Content_Types].xml", "<Types/>", "_rels/.rels", "<R/>",
		      "ppt/presentation.xml", "<p/>", NULL);
}

/* build_docx_descriptor - docx written with data descriptors (no sizes) */
static guint8 *build_docx_descriptor(size_t *len)
{
	return zip_of(len, TRUE, "[Content_Types].xml", "<Types/>", "word/document.xml",
		      "<w:document/>", NULL);
}

/* build_word_only - no [Content_Types].xml, but a word/ part */
static guint8 *build_word_only(size_t *len)
{
	return zip_of(len, FALSE, "a.txt", "hi", "word/document.xml", "<w/>", NULL);
}

/* build_content_types_only - OOXML with no word/xl/ppt part: docx */
static guint8 *build_content_types_only(size_t *len)
{
	return zip_of(len, FALSE, "[Content_Types].xml", "<Types/>", "docProps/app.xml",
		      "<p/>", NULL);
}

/* build_jar - manifest first, then a class */
static guint8 *build_jar(size_t *len)
{
	return zip_of(len, FALSE, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n",
		      "com/example/Main.class", "\xCA\xFE\xBA\xBE", NULL);
}

/* build_jar_late_manifest - manifest not first still makes a jar */
static guint8 *build_jar_late_manifest(size_t *len)
{
	return zip_of(len, FALSE, "META-INF/", "", "META-INF/MANIFEST.MF", "M", NULL);
}

/* build_odt - ODF text: stored "mimetype" entry first */
static guint8 *build_odt(size_t *len)
{
	return zip_of(len, FALSE, "mimetype", "application/vnd.oasis.opendocument.text",
		      "content.xml", "<c/>", NULL);
}

/* build_ods - ODF spreadsheet */
static guint8 *build_ods(size_t *len)
{
	return zip_of(len, FALSE, "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
		      NULL);
}

/* build_epub - EPUB uses the same "mimetype" convention */
static guint8 *build_epub(size_t *len)
{
	return zip_of(len, FALSE, "mimetype", "application/epub+zip", NULL);
}

/* build_odf_unknown - a sender-chosen "mimetype" is never echoed: zip */
static guint8 *build_odf_unknown(size_t *len)
{
	return zip_of(len, FALSE, "mimetype", "application/x-anything-i-like", NULL);
}

/* build_plain_zip - ordinary archive */
static guint8 *build_plain_zip(size_t *len)
{
	return zip_of(len, FALSE, "readme.txt", "hello", "data/a.bin", "\x01\x02", NULL);
}

/* build_zip_truncated_name - header claims a name longer than the data */
static guint8 *build_zip_truncated_name(size_t *len)
{
	size_t l;
	guint8 *z = zip_of(&l, FALSE, "word/document.xml", "x", NULL);
	*len = 30 + 4;	/* cut inside "word/" */
	return g_realloc(z, *len);
}

/* build_zip_word_too_deep - word/ only after the 64 KiB window: plain zip */
static guint8 *build_zip_word_too_deep(size_t *len)
{
	char *big = g_strnfill(70 * 1024, 'A');
	guint8 *z = zip_of(len, FALSE, "big.txt", big, "word/document.xml", "<w/>", NULL);
	g_free(big);
	return z;
}

/* build_zip_spanned - PK\7\8 spanning marker, then a docx */
static guint8 *build_zip_spanned(size_t *len)
{
	size_t l;
	guint8 *z = build_docx(&l);
	guint8 *out = g_malloc(l + 4);
	memcpy(out, "PK\x07\x08", 4);
	memcpy(out + 4, z, l);
	g_free(z);
	*len = l + 4;
	return out;
}

/* zeros_with - len zero bytes with magic copied in at off */
static guint8 *zeros_with(size_t *len, size_t total, size_t off, const char *magic, size_t mlen)
{
	guint8 *b = g_malloc0(total);
	g_assert_cmpuint(off + mlen, <=, total);
	memcpy(b + off, magic, mlen);
	*len = total;
	return b;
}

/* build_iso_8001 - ISO 9660 primary volume descriptor, first slot */
static guint8 *build_iso_8001(size_t *len)
{
	return zeros_with(len, 0x8800, 0x8001, "CD001", 5);
}

/* build_iso_8801 - descriptor in the second slot, ending exactly at len */
static guint8 *build_iso_8801(size_t *len)
{
	return zeros_with(len, 0x8806, 0x8801, "CD001", 5);
}

/* build_iso_9001 - descriptor in the third slot */
static guint8 *build_iso_9001(size_t *len)
{
	return zeros_with(len, 0x9800, 0x9001, "CD001", 5);
}

/* build_udf_bea01 - UDF extended area descriptor */
static guint8 *build_udf_bea01(size_t *len)
{
	return zeros_with(len, 0x8800, 0x8001, "BEA01", 5);
}

/* build_udf_nsr02 - UDF NSR descriptor */
static guint8 *build_udf_nsr02(size_t *len)
{
	return zeros_with(len, 0x8800, 0x8001, "NSR02", 5);
}

/* build_iso_off_by_one - "CD001" at 0x8000 is not a descriptor */
static guint8 *build_iso_off_by_one(size_t *len)
{
	return zeros_with(len, 0x8800, 0x8000, "CD001", 5);
}

/* build_iso_truncated - data ends inside the "CD001" */
static guint8 *build_iso_truncated(size_t *len)
{
	return zeros_with(len, 0x8005, 0x8001, "CD00", 4);
}

/* build_pe - DOS header with e_lfanew = 0x80 and "PE\0\0" there */
static guint8 *build_pe(size_t *len)
{
	guint8 *b = zeros_with(len, 0x200, 0, "MZ", 2);
	b[0x3C] = 0x80;
	memcpy(b + 0x80, "PE\0\0", 4);
	return b;
}

/* build_mz_only - 64-byte DOS header, e_lfanew pointing at nothing */
static guint8 *build_mz_only(size_t *len)
{
	return zeros_with(len, 64, 0, "MZ", 2);
}

/* build_mz_huge_lfanew - e_lfanew far beyond the data: must not be read */
static guint8 *build_mz_huge_lfanew(size_t *len)
{
	guint8 *b = zeros_with(len, 64, 0, "MZ", 2);
	memset(b + 0x3C, 0xFF, 4);
	return b;
}

/* build_mz_pe_at_end - "PE\0\0" exactly in the last 4 bytes */
static guint8 *build_mz_pe_at_end(size_t *len)
{
	guint8 *b = zeros_with(len, 0x44, 0, "MZ", 2);
	b[0x3C] = 0x40;
	memcpy(b + 0x40, "PE\0\0", 4);
	return b;
}

/* build_pdf_at_500 - junk then "%PDF-" at offset 500 */
static guint8 *build_pdf_at_500(size_t *len)
{
	guint8 *b = g_malloc(600);
	memset(b, '\n', 600);
	memcpy(b + 500, "%PDF-1.7\n", 9);
	*len = 600;
	return b;
}

/* build_pdf_too_late - "%PDF-" starting at 1100: not a PDF header */
static guint8 *build_pdf_too_late(size_t *len)
{
	guint8 *b = g_malloc(1200);
	memset(b, 'x', 1200);
	memcpy(b + 1100, "%PDF-1.7\n", 9);
	*len = 1200;
	return b;
}

/* build_utf8_split - a 2-byte character split by the 4 KiB text window */
static guint8 *build_utf8_split(size_t *len)
{
	guint8 *b = g_malloc(4200);
	memset(b, 'a', 4200);
	memcpy(b + 4095, "\xC3\xA9", 2);
	*len = 4200;
	return b;
}

/* build_nul_after_window - text whose first NUL lies past 4 KiB */
static guint8 *build_nul_after_window(size_t *len)
{
	guint8 *b = g_malloc(5000);
	memset(b, 'a', 5000);
	b[4500] = 0;
	*len = 5000;
	return b;
}

/* build_hta_deep - HTA tag 3 KiB into a text file */
static guint8 *build_hta_deep(size_t *len)
{
	const char tag[] = "<HTA:APPLICATION ID=\"x\">";
	guint8 *b = g_malloc(3500);
	memset(b, ' ', 3500);
	memcpy(b + 3000, tag, sizeof(tag) - 1);
	*len = 3500;
	return b;
}

/* ---- the table ------------------------------------------------------ */

static const sniff_case cases[] = {
	/* sizes */
	{ "empty", LIT(""), "application/x-empty" },
	{ "one-byte-text", LIT("A"), T_TEXT },
	{ "one-byte-nul", LIT("\x00"), T_OCTET },
	{ "one-byte-high", LIT("\x89"), T_OCTET },
	/* Windows executables */
	{ "pe", BUILD(build_pe), T_EXE },
	{ "mz-dos-header-only", BUILD(build_mz_only), T_EXE },
	{ "mz-huge-lfanew", BUILD(build_mz_huge_lfanew), T_EXE },
	{ "mz-pe-at-end", BUILD(build_mz_pe_at_end), T_EXE },
	{ "mz-short-text", LIT("MZ is a state in the US."), T_TEXT },
	{ "mz-two-bytes", LIT("MZ"), T_TEXT },
	{ "mz-long-text", LIT("MZ is a state. It stays here long enough to fill a DOS header, so."),
	  T_EXE },
	{ "lnk", LIT("\x4C\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xC0\x00\x00\x00"
		     "\x00\x00\x00\x46\x9B\x00\x08\x00"), "application/x-ms-shortcut" },
	{ "lnk-truncated", LIT("\x4C\x00\x00\x00\x01\x14\x02\x00"), T_OCTET },
	/* other executables */
	{ "elf", LIT("\x7F" "ELF\x02\x01\x01\x00"), "application/x-executable" },
	{ "macho-32-be", LIT("\xFE\xED\xFA\xCE\x00\x00\x00\x07"), T_MACHO },
	{ "macho-64-be", LIT("\xFE\xED\xFA\xCF\x00\x00\x00\x07"), T_MACHO },
	{ "macho-32-le", LIT("\xCE\xFA\xED\xFE\x07\x00\x00\x00"), T_MACHO },
	{ "macho-64-le", LIT("\xCF\xFA\xED\xFE\x07\x00\x00\x01"), T_MACHO },
	{ "macho-fat", LIT("\xCA\xFE\xBA\xBE\x00\x00\x00\x02\x01\x00\x00\x07"), T_MACHO },
	{ "macho-fat64", LIT("\xCA\xFE\xBA\xBF\x00\x00\x00\x02"), T_MACHO },
	{ "macho-fat-truncated", LIT("\xCA\xFE\xBA\xBE\x00"), T_MACHO },
	{ "java-class", LIT("\xCA\xFE\xBA\xBE\x00\x00\x00\x34\x00\x1D"), "application/java-vm" },
	{ "cafebabe-count-30", LIT("\xCA\xFE\xBA\xBE\x00\x00\x00\x1E"), T_MACHO },
	{ "cafebabe-count-31", LIT("\xCA\xFE\xBA\xBE\x00\x00\x00\x1F"), "application/java-vm" },
	/* ZIP family */
	{ "zip", BUILD(build_plain_zip), "application/zip" },
	{ "zip-empty", LIT("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
			   "\x00\x00\x00\x00\x00\x00"), "application/zip" },
	{ "zip-magic-only", LIT("PK\x03\x04"), "application/zip" },
	{ "zip-spanned", BUILD(build_zip_spanned), T_DOCX },
	{ "zip-truncated-name", BUILD(build_zip_truncated_name), "application/zip" },
	{ "zip-word-beyond-64k", BUILD(build_zip_word_too_deep), "application/zip" },
	{ "pk-other", LIT("PK\x01\x02 not a local header"), T_OCTET },
	{ "docx", BUILD(build_docx), T_DOCX },
	{ "docx-data-descriptor", BUILD(build_docx_descriptor), T_DOCX },
	{ "docx-no-content-types", BUILD(build_word_only), T_DOCX },
	{ "ooxml-content-types-only", BUILD(build_content_types_only), T_DOCX },
	{ "xlsx", BUILD(build_xlsx), T_XLSX },
	{ "pptx", BUILD(build_pptx), T_PPTX },
	{ "jar", BUILD(build_jar), "application/java-archive" },
	{ "jar-late-manifest", BUILD(build_jar_late_manifest), "application/java-archive" },
	{ "odt", BUILD(build_odt), "application/vnd.oasis.opendocument.text" },
	{ "ods", BUILD(build_ods), "application/vnd.oasis.opendocument.spreadsheet" },
	{ "epub", BUILD(build_epub), "application/epub+zip" },
	{ "odf-unknown-mimetype", BUILD(build_odf_unknown), "application/zip" },
	/* documents */
	{ "ole2", LIT("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), "application/x-ole-storage" },
	{ "ole2-truncated", LIT("\xD0\xCF\x11\xE0\xA1\xB1\x1A"), T_OCTET },
	{ "pdf", LIT("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"), "application/pdf" },
	{ "pdf-at-500", BUILD(build_pdf_at_500), "application/pdf" },
	{ "pdf-too-late", BUILD(build_pdf_too_late), T_TEXT },
	{ "rtf", LIT("{\\rtf1\\ansi hello}"), "application/rtf" },
	{ "rtf-without-f", LIT("{\\rt1 dropper}"), "application/rtf" },
	{ "onenote", LIT("\xE4\x52\x5C\x7B\x8C\xD8\xA7\x4D\xAE\xB1\x53\x78\xD0\x29\x96\xD3"
			 "\x00\x00"), "application/onenote" },
	{ "chm", LIT("ITSF\x03\x00\x00\x00\x60\x00\x00\x00"), "application/vnd.ms-htmlhelp" },
	/* archives and streams */
	{ "rar4", LIT("Rar!\x1A\x07\x00\xCF\x90\x73"), "application/vnd.rar" },
	{ "rar5", LIT("Rar!\x1A\x07\x01\x00\x33\x92"), "application/vnd.rar" },
	{ "7z", LIT("7z\xBC\xAF\x27\x1C\x00\x04"), "application/x-7z-compressed" },
	{ "gzip", LIT("\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03"), "application/gzip" },
	{ "bzip2", LIT("BZh91AY&SY"), "application/x-bzip2" },
	{ "xz", LIT("\xFD" "7zXZ\x00\x00\x04"), "application/x-xz" },
	{ "zstd", LIT("\x28\xB5\x2F\xFD\x24\x00"), "application/zstd" },
	{ "cab", LIT("MSCF\x00\x00\x00\x00\x10\x00\x00\x00"), "application/vnd.ms-cab-compressed" },
	/* disk images */
	{ "iso-8001", BUILD(build_iso_8001), T_ISO },
	{ "iso-8801", BUILD(build_iso_8801), T_ISO },
	{ "iso-9001", BUILD(build_iso_9001), T_ISO },
	{ "udf-bea01", BUILD(build_udf_bea01), T_ISO },
	{ "udf-nsr02", BUILD(build_udf_nsr02), T_ISO },
	{ "iso-off-by-one", BUILD(build_iso_off_by_one), T_OCTET },
	{ "iso-truncated", BUILD(build_iso_truncated), T_OCTET },
	{ "vhd", LIT("conectix\x00\x00\x00\x02"), "application/x-vhd" },
	/* images */
	{ "png", LIT("\x89PNG\x0D\x0A\x1A\x0A\x00\x00\x00\x0DIHDR"), "image/png" },
	{ "png-truncated-3", LIT("\x89PN"), T_OCTET },
	{ "jpeg", LIT("\xFF\xD8\xFF\xE0\x00\x10JFIF"), "image/jpeg" },
	{ "gif87a", LIT("GIF87a\x01\x00\x01\x00"), "image/gif" },
	{ "gif89a", LIT("GIF89a\x01\x00\x01\x00"), "image/gif" },
	{ "gif-near-miss", LIT("GIF88a is not a version"), T_TEXT },
	{ "bmp", LIT("BM\x36\x00\x0C\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00"), "image/bmp" },
	{ "bmw-text", LIT("BMW is a car maker from Bavaria."), T_TEXT },
	{ "webp", LIT("RIFF\x24\x00\x00\x00WEBPVP8 "), "image/webp" },
	{ "riff-unknown", LIT("RIFF\x24\x00\x00\x00" "ABCD"), T_OCTET },
	{ "ico", LIT("\x00\x00\x01\x00\x01\x00\x10\x10"), "image/vnd.microsoft.icon" },
	{ "tiff-le", LIT("II*\x00\x08\x00\x00\x00"), "image/tiff" },
	{ "tiff-be", LIT("MM\x00*\x00\x00\x00\x08"), "image/tiff" },
	/* audio and video */
	{ "mp3-id3", LIT("ID3\x04\x00\x00\x00\x00\x00\x00"), "audio/mpeg" },
	{ "mp4", LIT("\x00\x00\x00\x18" "ftypmp42\x00\x00\x00\x00"), "video/mp4" },
	/* markup */
	{ "html-doctype", LIT("<!DOCTYPE html>\n<html><body>x</body></html>"), "text/html" },
	{ "html-upper", LIT("<HTML><BODY>hi</BODY></HTML>"), "text/html" },
	{ "html-bom-space", LIT("\xEF\xBB\xBF \r\n\t <html lang=\"en\">"), "text/html" },
	{ "html-head", LIT("<head><title>t</title></head>"), "text/html" },
	{ "html-body", LIT("<body onload=\"x()\">"), "text/html" },
	{ "html-script", LIT("<script>alert(1)</script>"), "text/html" },
	{ "html-iframe", LIT("<iframe src=\"http://x/\"></iframe>"), "text/html" },
	{ "html-form", LIT("<FORM action=\"http://x/\">"), "text/html" },
	{ "html-after-comment", LIT("<!-- saved page -->\n<html>"), "text/html" },
	{ "html-tag-only", LIT("<html"), "text/html" },
	{ "html-near-miss", LIT("<htmlish> is not a tag"), T_TEXT },
	{ "xml", LIT("<?xml version=\"1.0\"?><root/>"), "application/xml" },
	{ "xml-svg", LIT("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
	  "image/svg+xml" },
	{ "svg", LIT("<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>"), "image/svg+xml" },
	{ "xhtml", LIT("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"/>"),
	  "text/html" },
	{ "hta", LIT("<html><head><hta:application id=\"a\"/></head></html>"), "application/hta" },
	{ "hta-deep", BUILD(build_hta_deep), "application/hta" },
	/* other text */
	{ "shell", LIT("#!/bin/sh\necho hi\n"), "text/x-shellscript" },
	{ "mail-mime-version", LIT("MIME-Version: 1.0\r\nSubject: x\r\n\r\nbody"), "message/rfc822" },
	{ "mail-received", LIT("Received: from mx by mx; Mon, 1 Jan 2024\r\n"), "message/rfc822" },
	{ "mail-from", LIT("From: a@example.org\r\nTo: b@example.org\r\n"), "message/rfc822" },
	{ "postscript", LIT("%!PS-Adobe-3.0\n"), "application/postscript" },
	{ "text-ascii", LIT("Hello,\r\nplease find the invoice attached.\r\n"), T_TEXT },
	{ "text-utf8", LIT("Gr\xC3\xBC\xC3\x9F" "e \xE2\x9C\x93 \xF0\x9F\x98\x80\n"), T_TEXT },
	{ "text-utf8-split-at-window", BUILD(build_utf8_split), T_TEXT },
	{ "text-nul-after-window", BUILD(build_nul_after_window), T_TEXT },
	{ "text-with-nul", LIT("hello\x00world"), T_OCTET },
	{ "text-control-bytes", LIT("abc\x01\x02\x03"), T_OCTET },
	{ "text-truncated-utf8", LIT("caf\xC3"), T_OCTET },
	{ "whitespace-only", LIT(" \n\t\r\n"), T_TEXT },
	{ "garbage", LIT("\x8F\x13\xFE\x77\x00\xA0\xB1\xC2\xD3\x01\x9E\x42"), T_OCTET },
};

/* case_bytes - the case's bytes in an allocation of exactly its length, so
 * AddressSanitizer sees any read past the end */
static guint8 *case_bytes(const sniff_case *c, size_t *len)
{
	if (c->build)
		return c->build(len);
	*len = c->len;
	return g_memdup2(c->bytes, c->len);
}

/* test_case - one table row: exact type expected */
static void test_case(gconstpointer p)
{
	const sniff_case *c = p;
	size_t len;
	guint8 *b = case_bytes(c, &len);
	const char *got = sniff_type(b, len);
	g_assert_nonnull(got);
	g_assert_cmpstr(got, ==, c->expect);
	/* the answer is a static string: the same pointer every time */
	g_assert_true(sniff_type(b, len) == got);
	g_free(b);
}

/* test_prefixes - every prefix of every case, each in its own exactly
 * sized allocation: never NULL, never a read past len (ASan) */
static void test_prefixes(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		size_t len;
		guint8 *full = case_bytes(&cases[i], &len);
		for (size_t l = 0; l <= len; l++) {
			/* large cases: all short prefixes, a stride, and the tail */
			if (l > 4200 && l + 64 < len && l % 509 != 0)
				continue;
			guint8 *b = g_memdup2(full, l);
			const char *got = sniff_type(b, l);
			g_assert_nonnull(got);
			g_assert_nonnull(strchr(got, '/'));
			g_free(b);
		}
		g_free(full);
	}
}

/* test_random - random bytes, some behind a magic that starts parsing */
static void test_random(void)
{
	static const char *const heads[] = {
		"", "MZ", "PK\x03\x04", "PK\x07\x08", "\xCA\xFE\xBA\xBE", "RIFF", "BM",
		"<?xml", "<!--", "\xEF\xBB\xBF", "%PDF-",
	};
	for (int iter = 0; iter < 5000; iter++) {
		const char *h = heads[g_test_rand_int_range(0, G_N_ELEMENTS(heads))];
		size_t hl = strlen(h);
		size_t len = hl + (size_t)g_test_rand_int_range(0, 700);
		guint8 *b = g_malloc(len ? len : 1);
		memcpy(b, h, hl);
		for (size_t k = hl; k < len; k++)
			b[k] = (guint8)g_test_rand_int_range(0, 256);
		const char *got = sniff_type(b, len);
		g_assert_nonnull(got);
		g_free(b);
	}
}

/* test_null - NULL data: empty for 0 bytes, octet-stream otherwise */
static void test_null(void)
{
	g_assert_cmpstr(sniff_type(NULL, 0), ==, "application/x-empty");
	g_assert_cmpstr(sniff_type(NULL, 10), ==, T_OCTET);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_strdup_printf("/sniff/type/%s", cases[i].name);
		g_test_add_data_func(path, &cases[i], test_case);
		g_free(path);
	}
	g_test_add_func("/sniff/prefixes", test_prefixes);
	g_test_add_func("/sniff/random", test_random);
	g_test_add_func("/sniff/null", test_null);
	return g_test_run();
}
