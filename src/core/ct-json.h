/* ct-json.h — parsing untrusted JSON safely, and printing it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deeper nesting is refused before json-glib sees it: its parser recurses,
 * and a body of a few hundred kilobytes of `[` would overflow the stack. */
#define CT_JSON_MAX_DEPTH 512

JsonNode *ct_json_parse     (const char  *data,
                             gssize       length,
                             GError     **error);
char     *ct_json_to_string (JsonNode    *node,
                             gboolean     pretty);
char     *ct_json_dup_pretty (const char *data,
                             gssize       length);

G_END_DECLS
