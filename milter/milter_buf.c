/* milter_buf.c - message bytes in memory, spilling to a private file
 *
 * The spill file is created with O_TMPFILE (never linked into the folder,
 * mode 0600) or, where the filesystem lacks it, mkstemp + unlink at once:
 * no other process can open it and it vanishes with the descriptor, even
 * if the daemon crashes.
 */
#include "milter_buf.h"
#include "vigie.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct milter_buf {
	gsize spill;
	char *temp_dir;
	GByteArray *mem;
	int fd;         /* -1 until spilled */
	gsize len;
	void *map;      /* mmap of the file, after milter_buf_bytes */
	GBytes *bytes;
};

milter_buf *milter_buf_new(gsize spill, const char *temp_dir)
{
	milter_buf *b = g_new0(milter_buf, 1);
	b->spill = spill;
	b->temp_dir = g_strdup(temp_dir);
	b->mem = g_byte_array_new();
	b->fd = -1;
	return b;
}

void milter_buf_free(milter_buf *b)
{
	if (!b)
		return;
	if (b->bytes)
		g_bytes_unref(b->bytes);
	if (b->map)
		munmap(b->map, b->len);
	if (b->fd >= 0)
		close(b->fd);
	g_byte_array_unref(b->mem);
	g_free(b->temp_dir);
	g_free(b);
}

/* milter_buf_write - all of data to fd */
static bool milter_buf_write(int fd, const void *data, gsize len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (gsize)n;
	}
	return true;
}

/* milter_buf_open_spill - an unnamed 0600 file in temp_dir */
static int milter_buf_open_spill(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	char *tmpl = g_build_filename(dir, "vigie-spill-XXXXXX", NULL);
	fd = g_mkstemp_full(tmpl, O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		unlink(tmpl);
	g_free(tmpl);
	return fd;
}

bool milter_buf_append(milter_buf *b, const void *data, gsize len, GError **err)
{
	if (b->fd < 0 && b->len + len > b->spill) {
		b->fd = milter_buf_open_spill(b->temp_dir);
		if (b->fd < 0 || !milter_buf_write(b->fd, b->mem->data, b->mem->len)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "cannot spill message to %s: %s",
				    b->temp_dir, g_strerror(errno));
			return false;
		}
		g_byte_array_set_size(b->mem, 0);
	}
	if (b->fd >= 0) {
		if (!milter_buf_write(b->fd, data, len)) {
			g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "cannot write spill file in %s: %s",
				    b->temp_dir, g_strerror(errno));
			return false;
		}
	} else {
		g_byte_array_append(b->mem, data, (guint)len);
	}
	b->len += len;
	return true;
}

gsize milter_buf_len(const milter_buf *b)
{
	return b->len;
}

bool milter_buf_spilled(const milter_buf *b)
{
	return b->fd >= 0;
}

GBytes *milter_buf_bytes(milter_buf *b, GError **err)
{
	if (b->bytes)
		return b->bytes;
	if (b->fd < 0) {
		b->bytes = g_bytes_new_static(b->mem->data, b->mem->len);
		return b->bytes;
	}
	if (b->len == 0) {
		b->bytes = g_bytes_new_static("", 0);
		return b->bytes;
	}
	b->map = mmap(NULL, b->len, PROT_READ, MAP_PRIVATE, b->fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "cannot map spill file: %s",
			    g_strerror(errno));
		return NULL;
	}
	b->bytes = g_bytes_new_static(b->map, b->len);
	return b->bytes;
}
