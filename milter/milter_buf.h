/* milter_buf.h - a message buffer that spills to an unnamed private file
 * past a size, so many large messages at once do not exhaust memory. */
#ifndef MILTER_BUF_H
#define MILTER_BUF_H

#include <glib.h>
#include <stdbool.h>

typedef struct milter_buf milter_buf;

/* milter_buf_new - in memory up to spill bytes, then in a file in temp_dir */
milter_buf *milter_buf_new(gsize spill, const char *temp_dir);
void milter_buf_free(milter_buf *b);
/* milter_buf_append - false with err when the spill file cannot be written */
bool milter_buf_append(milter_buf *b, const void *data, gsize len, GError **err);
gsize milter_buf_len(const milter_buf *b);
bool milter_buf_spilled(const milter_buf *b);
/* milter_buf_bytes - the whole content (a map of the file when spilled);
 * valid until milter_buf_free; NULL with err */
GBytes *milter_buf_bytes(milter_buf *b, GError **err);

#endif
