/* ct-file-tail.h — the end of a text file, read off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void   ct_file_tail_read_async  (const char          *path,
                                 gsize                max_bytes,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
char  *ct_file_tail_read_finish (GAsyncResult        *result,
                                 goffset             *file_size,
                                 gboolean            *truncated,
                                 GError             **error);
char  *ct_file_tail_last_lines  (const char          *text,
                                 guint                n_lines);

G_END_DECLS
