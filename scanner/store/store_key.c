/* store_key.c - the key of the store's keyed hashes: one file, 32 bytes
 *
 * Made on first use (random bytes, written to a temporary file, fsync'd,
 * renamed into place: two processes racing keep one key) and read after.
 * Nodes that share one Redis must share this file too (copy it), or they
 * will not recognise each other's records.
 *
 * SECURITY: the file is 0600 and must be a regular file of exactly 32
 * bytes; anything else is an error, never silently replaced (a new key
 * would forget everything without saying so).
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* store_key_read - the 32 bytes of file; false with err */
static bool store_key_read(const char *file, guint8 key[32], GError **err)
{
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "key file %s: %s", file, g_strerror(errno));
		return false;
	}
	struct stat st;
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 32)
		n = read(fd, key, 32);
	close(fd);
	if (n != 32) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO,
			    "key file %s: not a regular file of 32 bytes (remove it to make a new key, "
			    "which forgets what the store remembers)", file);
		return false;
	}
	return true;
}

/* store_key_load - see store.h */
bool store_key_load(const char *file, guint8 key[32], GError **err)
{
	if (access(file, F_OK) == 0)
		return store_key_read(file, key, err);
	char *dir = g_path_get_dirname(file);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "key folder %s: %s", dir, g_strerror(errno));
		g_free(dir);
		return false;
	}
	g_free(dir);
	guint8 k[32];
	if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "key file %s: no random bytes", file);
		return false;
	}
	char *tmp = g_strdup_printf("%s.%d.tmp", file, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, k, sizeof k) == (ssize_t)sizeof k && fsync(fd) == 0;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	/* link, not rename: a key another process made first wins */
	if (ok && link(tmp, file) != 0 && errno != EEXIST) {
		ok = false;
		saved = errno;
	}
	unlink(tmp);
	g_free(tmp);
	memset(k, 0, sizeof k);
	if (!ok) {
		g_set_error(err, VIGIE_ERROR, VIGIE_ERROR_IO, "key file %s: %s", file, g_strerror(saved));
		return false;
	}
	return store_key_read(file, key, err);
}
