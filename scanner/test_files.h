/* test_files.h - scratch files for the unit tests that build rule folders:
 * write one file (creating its folders), remove a whole tree. Tests only. */
#ifndef VIGIE_TEST_FILES_H
#define VIGIE_TEST_FILES_H

#include <glib.h>
#include <glib/gstdio.h>

/* test_put - root/rel holds text (folders created) */
static inline void test_put(const char *root, const char *rel, const char *text)
{
	char *p = g_build_filename(root, rel, NULL);
	char *d = g_path_get_dirname(p);
	g_mkdir_with_parents(d, 0700);
	g_assert_true(g_file_set_contents(p, text, -1, NULL));
	g_free(d);
	g_free(p);
}

/* test_rm_tree - dir and everything below it */
static inline void test_rm_tree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			test_rm_tree(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

#endif
