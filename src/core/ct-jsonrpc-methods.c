/* ct-jsonrpc-methods.c — the JSON-RPC server's built-in methods
 *
 * The specification's own examples (subtract, sum, get_data, update,
 * notify_hello, notify_sum) and a few for experiments: echo, add, ping,
 * sleep (answers from a main-loop timeout, so no call waits for another) and fail (answers
 * with the error it is asked for). Wrong params get -32602 with the
 * signature that was expected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-jsonrpc"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "ct-jsonrpc.h"

#define SLEEP_MAX_MS 60000

static gboolean
is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
is_integer (JsonNode *node)
{
  return is_number (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* Positional [a, b, ...] or named {"a": ..., "b": ...} arguments, all
 * numbers; @args gets borrowed nodes */
static gboolean
get_numbers (JsonNode    *params,
             const char **names,
             guint        n,
             JsonNode   **args)
{
  if (params && JSON_NODE_HOLDS_ARRAY (params))
    {
      JsonArray *array = json_node_get_array (params);

      if (json_array_get_length (array) != n)
        return FALSE;
      for (guint i = 0; i < n; i++)
        if (!is_number (args[i] = json_array_get_element (array, i)))
          return FALSE;
      return TRUE;
    }

  if (params && JSON_NODE_HOLDS_OBJECT (params))
    {
      JsonObject *object = json_node_get_object (params);

      if (json_object_get_size (object) != n)
        return FALSE;
      for (guint i = 0; i < n; i++)
        if (!is_number (args[i] = json_object_get_member (object, names[i])))
          return FALSE;
      return TRUE;
    }

  return FALSE;
}

/* An integer when every operand is one (42 - 23 is 19, not 19.0) */
static JsonNode *
number_node (gboolean integers,
             gint64   integer,
             double   real)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (integers)
    json_node_set_int (node, integer);
  else
    json_node_set_double (node, real);
  return node;
}

static void
invalid_params (CtJsonRpcCall *call,
                const char    *expected)
{
  g_autofree char *message = g_strdup_printf (_("Invalid params: %s expects %s"),
                                              ct_jsonrpc_call_get_method (call), expected);

  ct_jsonrpc_call_return_error (call, CT_JSONRPC_INVALID_PARAMS, message, NULL);
}

static void
binary (CtJsonRpcCall *call,
        JsonNode      *params,
        const char    *a_name,
        const char    *b_name,
        int            sign)
{
  const char *names[] = { a_name, b_name };
  JsonNode *args[2];
  gboolean integers;
  gint64 integer;
  double real;

  if (!get_numbers (params, names, 2, args))
    {
      g_autofree char *expected = g_strdup_printf ("[%s, %s] or {\"%s\": number, \"%s\": number}",
                                                   a_name, b_name, a_name, b_name);
      invalid_params (call, expected);
      return;
    }

  integers = is_integer (args[0]) && is_integer (args[1]);
  if (integers &&
      !(sign > 0 ? __builtin_add_overflow (json_node_get_int (args[0]), json_node_get_int (args[1]), &integer)
                 : __builtin_sub_overflow (json_node_get_int (args[0]), json_node_get_int (args[1]), &integer)))
    {
      ct_jsonrpc_call_return (call, number_node (TRUE, integer, 0));
      return;
    }

  /* Doubles, or integers whose result does not fit in 64 bits */
  real = json_node_get_double (args[0]) + sign * json_node_get_double (args[1]);
  if (!isfinite (real))
    {
      ct_jsonrpc_call_return_error (call, CT_JSONRPC_INVALID_PARAMS,
                                    _("Invalid params: the result is too large for a JSON number"), NULL);
      return;
    }
  ct_jsonrpc_call_return (call, number_node (FALSE, 0, real));
}

static void
method_subtract (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  binary (call, params, "minuend", "subtrahend", -1);
}

static void
method_add (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  binary (call, params, "a", "b", 1);
}

static void
method_sum (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  JsonArray *array;
  gboolean integers = TRUE;
  gint64 integer = 0;
  double real = 0;

  if (params == NULL || !JSON_NODE_HOLDS_ARRAY (params))
    {
      invalid_params (call, "[number, ...]");
      return;
    }

  array = json_node_get_array (params);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!is_number (element))
        {
          invalid_params (call, "[number, ...]");
          return;
        }
      real += json_node_get_double (element);
      if (integers && (!is_integer (element) ||
                       __builtin_add_overflow (integer, json_node_get_int (element), &integer)))
        integers = FALSE;
    }
  if (!integers && !isfinite (real))
    {
      ct_jsonrpc_call_return_error (call, CT_JSONRPC_INVALID_PARAMS,
                                    _("Invalid params: the sum is too large for a JSON number"), NULL);
      return;
    }
  ct_jsonrpc_call_return (call, number_node (integers, integer, real));
}

static void
method_get_data (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "hello");
  json_builder_add_int_value (builder, 5);
  json_builder_end_array (builder);
  ct_jsonrpc_call_return (call, json_builder_get_root (builder));
}

/* update, notify_hello, notify_sum: notifications in the specification;
 * called with an id they answer null */
static void
method_null (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  ct_jsonrpc_call_return (call, NULL);
}

static void
method_echo (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  ct_jsonrpc_call_return (call, params ? json_node_copy (params) : NULL);
}

static void
method_ping (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  JsonNode *pong = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (pong, "pong");
  ct_jsonrpc_call_return (call, pong);
}

/* -- sleep: answers later ------------------------------------------------ */

typedef struct
{
  CtJsonRpcCall *call;
  GCancellable  *cancellable;
  gulong         cancelled_id;
  guint          source_id;
  gint64         ms;
} Sleep;

static void
sleep_finish (Sleep    *sleep,
              gboolean  cancelled)
{
  /* Runs once: from the timeout or from the cancellation */
  g_clear_handle_id (&sleep->source_id, g_source_remove);
  if (cancelled)
    ct_jsonrpc_call_return_error (sleep->call, CT_JSONRPC_INTERNAL_ERROR, _("The server stopped"), NULL);
  else
    ct_jsonrpc_call_return (sleep->call, number_node (TRUE, sleep->ms, 0));
  g_cancellable_disconnect (sleep->cancellable, sleep->cancelled_id);
  g_clear_object (&sleep->cancellable);
  g_free (sleep);
}

static gboolean
sleep_timeout_cb (gpointer data)
{
  Sleep *sleep = data;

  sleep->source_id = 0;
  sleep_finish (sleep, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_idle (gpointer data)
{
  sleep_finish (data, TRUE);
  return G_SOURCE_REMOVE;
}

static void
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      data)
{
  Sleep *sleep = data;

  /* Not from inside the cancel signal: disconnecting there would deadlock */
  g_clear_handle_id (&sleep->source_id, g_source_remove);
  g_idle_add (sleep_cancelled_idle, sleep);
}

static void
method_sleep (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  static const char *names[] = { "ms" };
  g_autofree char *expected = g_strdup_printf ("[ms] or {\"ms\": ms}, 0 to %d", SLEEP_MAX_MS);
  JsonNode *args[1];
  Sleep *sleep;

  if (!get_numbers (params, names, 1, args) || !is_integer (args[0]) ||
      json_node_get_int (args[0]) < 0 || json_node_get_int (args[0]) > SLEEP_MAX_MS)
    {
      invalid_params (call, expected);
      return;
    }

  sleep = g_new0 (Sleep, 1);
  sleep->call = call;
  sleep->ms = json_node_get_int (args[0]);
  sleep->source_id = g_timeout_add (sleep->ms, sleep_timeout_cb, sleep);
  if (ct_jsonrpc_call_get_cancellable (call))
    {
      sleep->cancellable = g_object_ref (ct_jsonrpc_call_get_cancellable (call));
      sleep->cancelled_id = g_cancellable_connect (sleep->cancellable, G_CALLBACK (sleep_cancelled_cb),
                                                   sleep, NULL);
    }
}

/* -- fail: the error it is asked for ------------------------------------- */

static void
method_fail (CtJsonRpcCall *call, JsonNode *params, gpointer data)
{
  static const char *expected = "{\"code\": integer, \"message\": string, \"data\": any} "
                                "or [code, message, data], each optional";
  JsonNode *code = NULL, *message = NULL, *error_data = NULL;

  if (params && JSON_NODE_HOLDS_OBJECT (params))
    {
      JsonObject *object = json_node_get_object (params);

      code = json_object_get_member (object, "code");
      message = json_object_get_member (object, "message");
      error_data = json_object_get_member (object, "data");
    }
  else if (params && JSON_NODE_HOLDS_ARRAY (params))
    {
      JsonArray *array = json_node_get_array (params);
      guint n = json_array_get_length (array);

      if (n > 3)
        {
          invalid_params (call, expected);
          return;
        }
      code = n > 0 ? json_array_get_element (array, 0) : NULL;
      message = n > 1 ? json_array_get_element (array, 1) : NULL;
      error_data = n > 2 ? json_array_get_element (array, 2) : NULL;
    }

  if ((code && !is_integer (code)) ||
      (code && (json_node_get_int (code) < G_MININT32 || json_node_get_int (code) > G_MAXINT32)) ||
      (message && (!JSON_NODE_HOLDS_VALUE (message) || json_node_get_value_type (message) != G_TYPE_STRING)))
    {
      invalid_params (call, expected);
      return;
    }

  ct_jsonrpc_call_return_error (call,
                                code ? (int) json_node_get_int (code) : -32000,
                                message ? json_node_get_string (message) : _("Failure on request"),
                                error_data ? json_node_copy (error_data) : NULL);
}

static const CtJsonRpcMethod builtins[] = {
  { "subtract", N_("Subtracts the second number from the first (the specification's example)"),
    "[minuend, subtrahend] or {minuend, subtrahend}", method_subtract },
  { "sum", N_("Adds up any count of numbers"), "[number, ...]", method_sum },
  { "get_data", N_("Returns [\"hello\", 5] (the specification's example)"), "none", method_get_data },
  { "update", N_("Accepts anything and answers null; sent as a notification in the specification"),
    "any", method_null },
  { "notify_hello", N_("Accepts anything and answers null; sent as a notification in the specification"),
    "any", method_null },
  { "notify_sum", N_("Accepts anything and answers null; sent as a notification in the specification"),
    "any", method_null },
  { "echo", N_("Answers with its params, unchanged"), "any", method_echo },
  { "add", N_("Adds two numbers"), "[a, b] or {a, b}", method_add },
  { "ping", N_("Answers \"pong\""), "none", method_ping },
  { "sleep", N_("Answers with ms after waiting ms milliseconds, without holding up other calls"),
    "[ms] or {ms}", method_sleep },
  { "fail", N_("Answers with the error it is given: code (default -32000), message and data"),
    "[code, message, data] or {code, message, data}", method_fail },
};

/* The built-in methods, in the order they are listed */
const CtJsonRpcMethod *
ct_jsonrpc_get_builtin_methods (guint *n_methods)
{
  *n_methods = G_N_ELEMENTS (builtins);
  return builtins;
}
