/* attach_image.c - PNG, JPEG, GIF and WebP bytes to 8-bit grey pixels, in memory
 *
 * Interface (attach.h): attach_image_kind, attach_image_decode. The grey
 * image is what libzbar reads (Y800). PNG through libpng's simplified API,
 * JPEG through libjpeg(-turbo), GIF through giflib (first frame only),
 * WebP through libwebp (its luma plane);
 * transparent pixels are composited on white, where a reader sees them.
 *
 * SECURITY: the bytes are the sender's. Width x height is checked against
 * max_pixels from the header, before any pixel buffer is allocated (the
 * 50,000 x 50,000 PNG of a decompression bomb is refused in its header);
 * every decoder reads from memory; libjpeg's errors longjmp back here and
 * its progress hook stops a decode past the attachment's deadline; a
 * truncated file gives what was decoded (JPEG) or an error, never a crash.
 */
#include "attach.h"

#include <gif_lib.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <string.h>

#include <jpeglib.h>
#include <webp/decode.h>

/* attach_image_kind - see attach.h */
const char *attach_image_kind(const guint8 *d, gsize n)
{
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "png";
	if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return "jpeg";
	if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
		return "gif";
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return "webp";
	return NULL;
}

/* img_too_big - past max_pixels (or a zero side): o->limit or o->error set */
static bool img_too_big(guint64 w, guint64 h, gsize max_pixels, const char *kind, attach_out *o)
{
	if (w == 0 || h == 0) {
		o->error = g_strdup_printf(
		    "%s image of %" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT " pixels", kind, w, h);
		return true;
	}
	if (w * h > max_pixels) {
		attach_out_limit(o, "max_pixels",
				 "%s image of %" G_GUINT64_FORMAT " x %" G_GUINT64_FORMAT
				 " pixels, more than %" G_GSIZE_FORMAT,
				 kind, w, h, max_pixels);
		return true;
	}
	return false;
}

/* img_png - libpng's simplified reader, composited on white */
static bool img_png(const guint8 *d, gsize n, gsize max_pixels, attach_grey *out, attach_out *o)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, d, n)) {
		o->error = g_strdup_printf("PNG: %s", img.message);
		png_image_free(&img);
		return false;
	}
	if (img_too_big(img.width, img.height, max_pixels, "PNG", o)) {
		png_image_free(&img);
		return false;
	}
	img.format = PNG_FORMAT_GRAY;
	png_color white = {255, 255, 255};
	guint8 *px = g_malloc(PNG_IMAGE_SIZE(img));
	if (!png_image_finish_read(&img, &white, px, 0, NULL)) {
		o->error = g_strdup_printf("PNG: %s", img.message);
		png_image_free(&img);
		g_free(px);
		return false;
	}
	out->pixels = px;
	out->width = img.width;
	out->height = img.height;
	return true;
}

/* libjpeg error manager that returns here instead of exit() */
typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char msg[JMSG_LENGTH_MAX];
	struct jpeg_progress_mgr progress;
	gint64 deadline;
	bool late;
} img_jpeg_err;

static void img_jpeg_exit(j_common_ptr ci)
{
	img_jpeg_err *e = (img_jpeg_err *)ci->err;
	ci->err->format_message(ci, e->msg);
	longjmp(e->jump, 1);
}

/* warnings (a truncated file, bad Huffman data) are not reported: what was
 * decoded is scanned */
static void img_jpeg_quiet(j_common_ptr ci, int level)
{
	(void)ci;
	(void)level;
}

/* img_jpeg_progress - stop a decode (a progressive file of many scans) past the deadline */
static void img_jpeg_progress(j_common_ptr ci)
{
	img_jpeg_err *e = (img_jpeg_err *)ci->err;
	if (g_get_monotonic_time() > e->deadline) {
		e->late = true;
		g_strlcpy(e->msg, "decoding took too long", sizeof e->msg);
		longjmp(e->jump, 1);
	}
}

/* img_jpeg - libjpeg to grey */
static bool img_jpeg(const guint8 *d, gsize n, gsize max_pixels, attach_grey *out, attach_out *o)
{
	struct jpeg_decompress_struct ci;
	img_jpeg_err e;
	memset(&e, 0, sizeof e);
	/* volatile: assigned between setjmp and longjmp */
	guint8 *volatile px = NULL;
	ci.err = jpeg_std_error(&e.pub);
	e.pub.error_exit = img_jpeg_exit;
	e.pub.emit_message = img_jpeg_quiet;
	e.deadline = o->deadline;
	if (setjmp(e.jump)) {
		jpeg_destroy_decompress(&ci);
		g_free(px);
		if (e.late)
			attach_out_late(o);
		else
			o->error = g_strdup_printf("JPEG: %s", e.msg);
		return false;
	}
	jpeg_create_decompress(&ci);
	e.progress.progress_monitor = img_jpeg_progress;
	ci.progress = &e.progress;
	jpeg_mem_src(&ci, d, (unsigned long)n);
	jpeg_read_header(&ci, TRUE);
	if (img_too_big(ci.image_width, ci.image_height, max_pixels, "JPEG", o)) {
		jpeg_destroy_decompress(&ci);
		return false;
	}
	ci.out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(&ci);
	unsigned w = ci.output_width, h = ci.output_height;
	px = g_malloc0((gsize)w * h);
	memset(px, 255, (gsize)w * h); /* rows a truncated file lacks stay white */
	while (ci.output_scanline < h) {
		JSAMPROW row = px + (gsize)ci.output_scanline * w;
		if (jpeg_read_scanlines(&ci, &row, 1) != 1)
			break;
	}
	jpeg_finish_decompress(&ci);
	jpeg_destroy_decompress(&ci);
	out->pixels = px;
	out->width = w;
	out->height = h;
	return true;
}

/* giflib reads from this */
typedef struct {
	const guint8 *d;
	gsize n, at;
} img_gif_src;

static int img_gif_read(GifFileType *g, GifByteType *buf, int len)
{
	img_gif_src *s = g->UserData;
	gsize k = MIN((gsize)len, s->n - s->at);
	memcpy(buf, s->d + s->at, k);
	s->at += k;
	return (int)k;
}

/* img_gif - the first frame of a GIF, its colours to grey, transparency white */
static bool img_gif(const guint8 *d, gsize n, gsize max_pixels, attach_grey *out, attach_out *o)
{
	img_gif_src src = {d, n, 0};
	int gerr = 0;
	GifFileType *g = DGifOpen(&src, img_gif_read, &gerr);
	if (!g) {
		o->error = g_strdup_printf("GIF: %s", GifErrorString(gerr));
		return false;
	}
	bool ok = false;
	guint8 *idx = NULL;
	int transparent = -1;
	if (img_too_big((guint64)MAX(g->SWidth, 0), (guint64)MAX(g->SHeight, 0), max_pixels, "GIF",
			o))
		goto out;
	for (;;) {
		GifRecordType rt;
		if (DGifGetRecordType(g, &rt) == GIF_ERROR)
			break;
		if (rt == TERMINATE_RECORD_TYPE)
			break;
		if (rt == EXTENSION_RECORD_TYPE) {
			int code;
			GifByteType *ext;
			if (DGifGetExtension(g, &code, &ext) == GIF_ERROR)
				break;
			if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4) {
				GraphicsControlBlock gcb;
				if (DGifExtensionToGCB(ext[0], ext + 1, &gcb) == GIF_OK)
					transparent = gcb.TransparentColor;
			}
			while (ext && DGifGetExtensionNext(g, &ext) == GIF_OK && ext)
				;
			continue;
		}
		if (rt != IMAGE_DESC_RECORD_TYPE)
			continue;
		if (DGifGetImageDesc(g) == GIF_ERROR)
			break;
		int fw = g->Image.Width, fh = g->Image.Height, fl = g->Image.Left,
		    ft = g->Image.Top;
		if (fw <= 0 || fh <= 0 ||
		    img_too_big((guint64)fw, (guint64)fh, max_pixels, "GIF frame", o))
			break;
		unsigned W = (unsigned)MAX(g->SWidth, fw + fl),
			 H = (unsigned)MAX(g->SHeight, fh + ft);
		if (img_too_big(W, H, max_pixels, "GIF", o))
			break;
		const ColorMapObject *cm = g->Image.ColorMap ? g->Image.ColorMap : g->SColorMap;
		guint8 grey[256];
		memset(grey, 255, sizeof grey);
		for (int i = 0; cm && i < cm->ColorCount && i < 256; i++) {
			GifColorType c = cm->Colors[i];
			grey[i] = (guint8)((c.Red * 299 + c.Green * 587 + c.Blue * 114) / 1000);
		}
		if (transparent >= 0 && transparent < 256)
			grey[transparent] = 255;
		guint8 *px = g_malloc((gsize)W * H);
		memset(px, 255, (gsize)W * H);
		idx = g_malloc((gsize)fw);
		/* interlaced frames come in four passes */
		static const int start[] = {0, 4, 2, 1}, step[] = {8, 8, 4, 2};
		int passes = g->Image.Interlace ? 4 : 1;
		bool read_ok = true;
		for (int p = 0; p < passes && read_ok; p++) {
			for (int y = passes == 1 ? 0 : start[p]; y < fh;
			     y += passes == 1 ? 1 : step[p]) {
				if (DGifGetLine(g, idx, fw) == GIF_ERROR) {
					read_ok = false; /* truncated: what was read stands */
					break;
				}
				guint8 *row = px + (gsize)(y + ft) * W + fl;
				for (int x = 0; x < fw; x++)
					row[x] = grey[idx[x]];
			}
		}
		out->pixels = px;
		out->width = W;
		out->height = H;
		ok = true;
		break;
	}
	if (!ok && !o->limit && !o->error)
		o->error =
		    g_strdup_printf("GIF: %s", g->Error ? GifErrorString(g->Error) : "no image");
out:
	g_free(idx);
	DGifCloseFile(g, &gerr);
	return ok;
}

/* img_webp - libwebp: the luma plane of its YUV output is the grey image
 * (transparent pixels are not composited: WebP QR codes are opaque) */
static bool img_webp(const guint8 *d, gsize n, gsize max_pixels, attach_grey *out, attach_out *o)
{
	int w = 0, h = 0;
	if (!WebPGetInfo(d, n, &w, &h)) {
		o->error = g_strdup("WebP: not a readable header");
		return false;
	}
	if (img_too_big((guint64)MAX(w, 0), (guint64)MAX(h, 0), max_pixels, "WebP", o))
		return false;
	int uw, uh, stride, uvstride;
	guint8 *u, *v;
	guint8 *y = WebPDecodeYUV(d, n, &uw, &uh, &u, &v, &stride, &uvstride);
	if (!y) {
		o->error = g_strdup("WebP: undecodable image data");
		return false;
	}
	out->width = (unsigned)uw;
	out->height = (unsigned)uh;
	out->pixels = g_malloc((gsize)uw * uh);
	for (int r = 0; r < uh; r++)
		memcpy(out->pixels + (gsize)r * uw, y + (gsize)r * stride, (gsize)uw);
	WebPFree(y); /* y, u and v are one allocation */
	return true;
}

/* attach_image_decode - see attach.h */
bool attach_image_decode(const guint8 *d, gsize n, gsize max_pixels, attach_grey *out,
			 attach_out *o)
{
	memset(out, 0, sizeof *out);
	const char *k = attach_image_kind(d, n);
	if (!k) {
		o->error = g_strdup("not a PNG, JPEG, GIF or WebP image");
		return false;
	}
	if (!strcmp(k, "png"))
		return img_png(d, n, max_pixels, out, o);
	if (!strcmp(k, "jpeg"))
		return img_jpeg(d, n, max_pixels, out, o);
	if (!strcmp(k, "webp"))
		return img_webp(d, n, max_pixels, out, o);
	return img_gif(d, n, max_pixels, out, o);
}
