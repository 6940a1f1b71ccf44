/* cli_inputs.h - what vigie's commands share: reading the files and folders
 * given to them, loading the engine, and writing JSON */
#ifndef VIGIE_CLI_INPUTS_H
#define VIGIE_CLI_INPUTS_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "vigie.h"

typedef void (*cli_file_fn)(const char *path, void *ud);
typedef void (*cli_error_fn)(const char *path, const char *msg, void *ud);

/* cli_walk_dir - on_file for every regular file below dir, recursively,
 * in name order; symbolic links are not followed; a folder that cannot be
 * opened goes to on_error */
void cli_walk_dir(const char *dir, cli_file_fn on_file, cli_error_fn on_error, void *ud);

/* cli_read_input - the whole file, if it is at most max bytes; NULL with
 * err (naming the limit when it is the size) otherwise; caller g_free */
char *cli_read_input(const char *path, long long max, gsize *len, GError **err);

/* cli_engine_load - the engine of config, or NULL after printing why;
 * *max_size gets its [core] max_message_size */

vigie_engine *cli_engine_load(const char *config, long long *max_size);

/* cli_json_text - the document built by b, as one line of JSON; b is
 * consumed (unreferenced); caller g_free */
char *cli_json_text(JsonBuilder *b);

#endif
