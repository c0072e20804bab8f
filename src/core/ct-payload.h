/* ct-payload.h — turning composer text into bytes and bytes into text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ct-types.h"

G_BEGIN_DECLS

GBytes *ct_payload_parse      (const char      *text,
                               CtPayloadFormat  format,
                               GError         **error);
char   *ct_payload_summarize  (const guint8    *data,
                               gsize            size);
char   *ct_payload_to_hex     (const guint8    *data,
                               gsize            size);
char   *ct_payload_hexdump    (const guint8    *data,
                               gsize            size);

G_END_DECLS
