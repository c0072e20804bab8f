/* ct-json.c — parsing untrusted JSON safely, and printing it
 *
 * All JSON is read and written by json-glib. The one thing done here by
 * hand is a guard: json-glib 1.6's parser is recursive and crashes on deeply
 * nested input, so the brackets outside strings are counted first and input
 * nested deeper than CT_JSON_MAX_DEPTH is refused with an error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-json.h"

static gboolean
check_depth (const char  *data,
             gsize        length,
             GError     **error)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > CT_JSON_MAX_DEPTH)
            {
              g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("JSON nested more than %d levels deep is refused"), CT_JSON_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/**
 * ct_json_parse:
 * @length: the length of @data, or -1 if it is nul-terminated
 *
 * Parses JSON from a peer or a user.
 *
 * Returns: (transfer full): the root node, or %NULL with @error set
 *   (%CT_ERROR_INVALID_PAYLOAD, naming the line and column)
 */
JsonNode *
ct_json_parse (const char  *data,
               gssize       length,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;

  if (length < 0)
    length = strlen (data);

  if (!check_depth (data, length, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                   _("Not valid JSON: %s"), parse_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD, _("Not valid JSON: it is empty"));
      return NULL;
    }
  return json_node_ref (root);
}

/* Compact for the wire, or indented for people */
char *
ct_json_to_string (JsonNode *node,
                   gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  return json_generator_to_data (generator, NULL);
}
