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

G_END_DECLS
