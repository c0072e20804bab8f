/* ct-jsonl.h — the JSON Lines log format (CLI output and GUI export)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-message-log.h"

G_BEGIN_DECLS

char     *ct_jsonl_format_message (CtMessage            *message,
                                   const char           *protocol,
                                   const char           *role);
void      ct_jsonl_export_async   (CtMessageLog         *log,
                                   const char           *protocol,
                                   const char           *role,
                                   GFile                *file,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean  ct_jsonl_export_finish  (GAsyncResult         *result,
                                   GError              **error);

/* CSV: one header line, then one line per entry (RFC 4180 quoting):
 * time, protocol, role, direction, event, peer, size, summary, latency_us,
 * exchange, payload (text, or base64: prefixed) */
char     *ct_csv_format_header    (void);
char     *ct_csv_format_message   (CtMessage            *message,
                                   const char           *protocol,
                                   const char           *role);
void      ct_csv_export_async     (CtMessageLog         *log,
                                   const char           *protocol,
                                   const char           *role,
                                   GFile                *file,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean  ct_csv_export_finish    (GAsyncResult         *result,
                                   GError              **error);

/* Reading an exported JSON Lines log back: every entry, byte for byte (a
 * base64 payload comes back as the same bytes), into @log; the protocol and
 * role of the first entry are returned for a title */
gboolean  ct_jsonl_parse_line     (const char           *line,
                                   CtMessageLog         *log,
                                   char                **protocol,
                                   char                **role,
                                   GError              **error);
void      ct_jsonl_import_async   (GFile                *file,
                                   CtMessageLog         *log,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean  ct_jsonl_import_finish  (GAsyncResult         *result,
                                   char                **protocol,
                                   char                **role,
                                   GError              **error);

G_END_DECLS
