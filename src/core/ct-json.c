/* ct-json.c — parsing untrusted JSON safely, and printing it
 *
 * All JSON is read and written by json-glib. What is done here by hand works
 * around json-glib 1.6's limits:
 * - its parser is recursive and crashes on deeply nested input, so the
 *   brackets outside strings are counted first and input nested deeper than
 *   CT_JSON_MAX_DEPTH is refused;
 * - it reads 1e400 as infinity, which no JSON can hold: refused;
 * - it writes a double whose shortest form has no `.` with `.0` after the
 *   exponent (`1e+17.0`, not JSON): such doubles that are whole numbers
 *   within 64 bits are written as integers, the same number.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "ct-error.h"
#include "ct-json.h"

static GPrivate parser_key = G_PRIVATE_INIT (g_object_unref);
static GPrivate generator_key = G_PRIVATE_INIT (g_object_unref);

/* What json-glib would take but JSON does not, checked before it parses:
 * nesting deeper than CT_JSON_MAX_DEPTH (its parser recurses, and a body of
 * a few hundred kilobytes of `[` overflows the stack), and, outside strings,
 * the extensions its scanner allows: single-quoted strings and comments */
static gboolean
check_syntax (const char  *data,
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
      else if (c == '\'')
        {
          g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                               _("Not valid JSON: strings go in double quotes (\"…\"), not single ones"));
          return FALSE;
        }
      else if (c == '/' || c == '#')
        {
          g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                               _("Not valid JSON: it has no comments"));
          return FALSE;
        }
    }
  return TRUE;
}

/* Calls @func on every value node under @node (depth is bounded by the
 * parse guard or by whoever built the tree) */
static gboolean
any_value (JsonNode  *node,
           gboolean (*func) (JsonNode *value))
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_VALUE:
      return func (node);

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (any_value (json_array_get_element (array, i), func))
            return TRUE;
        return FALSE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          if (any_value (member, func))
            return TRUE;
        return FALSE;
      }

    case JSON_NODE_NULL:
    default:
      return FALSE;
    }
}

static gboolean
is_not_finite (JsonNode *value)
{
  return json_node_get_value_type (value) == G_TYPE_DOUBLE && !isfinite (json_node_get_double (value));
}

/* A double json-glib would write as `1e+17.0` */
static gboolean
is_badly_written (JsonNode *value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (json_node_get_value_type (value) != G_TYPE_DOUBLE)
    return FALSE;
  g_ascii_formatd (buffer, sizeof buffer, "%.17g", json_node_get_double (value));
  return strchr (buffer, '.') == NULL && (strchr (buffer, 'e') || strchr (buffer, 'E'));
}

/* A copy in which what is_badly_written finds is written as an integer,
 * when it is one (json_node_copy shares arrays and objects, and parsed
 * nodes are immutable, so this builds new ones) */
static JsonNode *
copy_rewriting_doubles (JsonNode *node)
{
  JsonNode *copy;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        JsonArray *new_array = json_array_sized_new (json_array_get_length (array));

        for (guint i = 0; i < json_array_get_length (array); i++)
          json_array_add_element (new_array, copy_rewriting_doubles (json_array_get_element (array, i)));
        copy = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (copy, new_array);
        return copy;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *new_object = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          json_object_set_member (new_object, name, copy_rewriting_doubles (member));
        copy = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (copy, new_object);
        return copy;
      }

    case JSON_NODE_VALUE:
      if (is_badly_written (node))
        {
          double d = json_node_get_double (node);

          if (d == floor (d) && d >= -9.2e18 && d <= 9.2e18)
            {
              copy = json_node_new (JSON_NODE_VALUE);
              json_node_set_int (copy, (gint64) d);
              return copy;
            }
        }
      return json_node_copy (node);

    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
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

  if (!check_syntax (data, length, error))
    return NULL;

  /* One parser per thread, reused: the root is referenced before the next
   * load replaces it */
  parser = g_private_get (&parser_key);
  if (parser == NULL)
    {
      parser = json_parser_new_immutable ();
      g_private_set (&parser_key, parser);
    }
  g_object_ref (parser);
  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      /* json-glib may quote the offending bytes, valid UTF-8 or not */
      g_autofree char *message = g_utf8_make_valid (parse_error->message, -1);

      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD, _("Not valid JSON: %s"), message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD, _("Not valid JSON: it is empty"));
      return NULL;
    }
  if (any_value (root, is_not_finite))
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("A number is too large for a double (like 1e400)"));
      return NULL;
    }
  return json_node_ref (root);
}

/* Compact for the wire, or indented for people */
char *
ct_json_to_string (JsonNode *node,
                   gboolean  pretty)
{
  JsonGenerator *generator = g_private_get (&generator_key);
  g_autoptr(JsonNode) copy = NULL;
  char *text;

  /* One generator per thread: printing is frequent (every request,
   * response and log summary) and a new GObject each time shows */
  if (generator == NULL)
    {
      generator = json_generator_new ();
      g_private_set (&generator_key, generator);
    }

  if (any_value (node, is_badly_written))
    {
      copy = copy_rewriting_doubles (node);
      node = copy;
    }

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  text = json_generator_to_data (generator, NULL);
  json_generator_set_root (generator, NULL);
  return text;
}

/**
 * ct_json_dup_pretty:
 * @data: (nullable): text that may be JSON
 *
 * For showing a payload: @data indented, if it is a JSON object or array.
 *
 * Returns: (transfer full) (nullable): the indented JSON, or %NULL when
 *   @data is not an object or array in JSON
 */
char *
ct_json_dup_pretty (const char *data,
                    gssize      length)
{
  g_autoptr(JsonNode) node = NULL;
  const char *p = data;

  if (data == NULL)
    return NULL;
  if (length < 0)
    length = strlen (data);
  while (p < data + length && g_ascii_isspace (*p))
    p++;
  if (p == data + length || (*p != '{' && *p != '['))
    return NULL;

  node = ct_json_parse (data, length, NULL);
  return node ? ct_json_to_string (node, TRUE) : NULL;
}
