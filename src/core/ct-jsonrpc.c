/* ct-jsonrpc.c — JSON-RPC 2.0: the methods, the dispatcher, descriptions
 *
 * The dispatcher takes a parsed request (one call or a batch), checks each
 * call against the specification, runs the methods — which may answer
 * later, like `sleep` — and builds the response once every call has
 * answered: one object, an array for a batch, or nothing when only
 * notifications came. When every method answers at once, so does the
 * dispatcher, before it returns: the server then answers the HTTP request
 * without pausing it or going back to the main loop. All JSON is built
 * with json-glib.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-jsonrpc"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-json.h"
#include "ct-jsonrpc.h"


typedef struct
{
  GPtrArray         *responses;   /* JsonNode or NULL, one per call */
  guint              pending;
  gboolean           batch;
  GCancellable      *cancellable;
  CtJsonRpcDoneFunc  done;
  gpointer           user_data;
} Dispatch;

struct _CtJsonRpcCall
{
  Dispatch *dispatch;
  guint     slot;
  JsonNode *id;           /* NULL for a notification */
  char     *method;
};

/* Slots of notifications stay empty */
static void
node_unref_nullable (gpointer node)
{
  if (node)
    json_node_unref (node);
}

static void
dispatch_free (Dispatch *dispatch)
{
  g_ptr_array_unref (dispatch->responses);
  g_clear_object (&dispatch->cancellable);
  g_free (dispatch);
}

/* -- responses ---------------------------------------------------------- */

/**
 * ct_jsonrpc_error_response:
 * @id: (nullable): the call's id; %NULL writes `"id": null`
 * @data: (nullable) (transfer full): the error's data
 *
 * Returns: (transfer full): a response object carrying an error
 */
JsonNode *
ct_jsonrpc_error_response (JsonNode   *id,
                           int         code,
                           const char *message,
                           JsonNode   *data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  if (data)
    {
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, data);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "id");
  if (id)
    json_builder_add_value (builder, json_node_copy (id));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static JsonNode *
result_response (JsonNode *id,
                 JsonNode *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "jsonrpc");
  json_builder_add_string_value (builder, "2.0");
  json_builder_set_member_name (builder, "result");
  json_builder_add_value (builder, result ? result : json_node_new (JSON_NODE_NULL));
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* -- calls -------------------------------------------------------------- */

static void
dispatch_complete (Dispatch *dispatch)
{
  JsonNode *response = NULL;

  if (!dispatch->batch)
    response = dispatch->responses->len ? g_steal_pointer (&dispatch->responses->pdata[0]) : NULL;
  else
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < dispatch->responses->len; i++)
        if (dispatch->responses->pdata[i])
          json_array_add_element (array, g_steal_pointer (&dispatch->responses->pdata[i]));

      /* Only notifications: nothing at all, not an empty array */
      if (json_array_get_length (array) > 0)
        {
          response = json_node_new (JSON_NODE_ARRAY);
          json_node_set_array (response, array);
        }
    }

  dispatch->done (response, dispatch->user_data);
  dispatch_free (dispatch);
}

static void
call_done (CtJsonRpcCall *call,
           JsonNode      *response)
{
  Dispatch *dispatch = call->dispatch;

  if (call->id && response)
    {
      node_unref_nullable (dispatch->responses->pdata[call->slot]);
      dispatch->responses->pdata[call->slot] = response;
    }
  else if (response)
    json_node_unref (response);

  g_clear_pointer (&call->id, json_node_unref);
  g_free (call->method);
  g_free (call);

  if (--dispatch->pending == 0)
    dispatch_complete (dispatch);
}

/**
 * ct_jsonrpc_call_return:
 * @result: (transfer full) (nullable): the result; %NULL for `null`
 *
 * Answers @call (a notification's answer is dropped); @call is freed.
 */
void
ct_jsonrpc_call_return (CtJsonRpcCall *call,
                        JsonNode      *result)
{
  JsonNode *response = NULL;

  if (call->id)
    response = result_response (call->id, result);
  else if (result)
    json_node_unref (result);
  call_done (call, response);
}

/**
 * ct_jsonrpc_call_return_error:
 * @data: (transfer full) (nullable): the error's data
 *
 * Answers @call with an error; @call is freed.
 */
void
ct_jsonrpc_call_return_error (CtJsonRpcCall *call,
                              int            code,
                              const char    *message,
                              JsonNode      *data)
{
  JsonNode *response = NULL;

  if (call->id)
    response = ct_jsonrpc_error_response (call->id, code, message, data);
  else if (data)
    json_node_unref (data);
  call_done (call, response);
}

const char *
ct_jsonrpc_call_get_method (CtJsonRpcCall *call)
{
  return call->method;
}

/* Cancelled when the server stops: a method answering later stops waiting */
GCancellable *
ct_jsonrpc_call_get_cancellable (CtJsonRpcCall *call)
{
  return call->dispatch->cancellable;
}

/* -- checking and running one call --------------------------------------- */

static gboolean
is_valid_id (JsonNode *id)
{
  GType type;

  if (JSON_NODE_HOLDS_NULL (id))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (id))
    return FALSE;
  type = json_node_get_value_type (id);
  return type == G_TYPE_STRING || type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* An invalid request answered at once, whatever its id says */
static void
reject (Dispatch   *dispatch,
        guint       slot,
        JsonNode   *id,
        int         code,
        const char *message)
{
  dispatch->responses->pdata[slot] = ct_jsonrpc_error_response (id, code, message, NULL);
}

static void
run_one (Dispatch            *dispatch,
         JsonNode            *node,
         guint                slot,
         CtJsonRpcLookupFunc  lookup,
         gpointer             lookup_data)
{
  JsonObject *object;
  JsonNode *id = NULL, *version, *method, *params;
  CtJsonRpcHandler handler;
  gpointer handler_data;
  CtJsonRpcCall *call;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      reject (dispatch, slot, NULL, CT_JSONRPC_INVALID_REQUEST,
              _("Invalid request: a call must be a JSON object"));
      return;
    }

  object = json_node_get_object (node);
  if (json_object_has_member (object, "id"))
    {
      id = json_object_get_member (object, "id");
      if (!is_valid_id (id))
        {
          reject (dispatch, slot, NULL, CT_JSONRPC_INVALID_REQUEST,
                  _("Invalid request: “id” must be a string, a number or null"));
          return;
        }
    }

  version = json_object_get_member (object, "jsonrpc");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (version), "2.0") != 0)
    {
      reject (dispatch, slot, id, CT_JSONRPC_INVALID_REQUEST,
              _("Invalid request: “jsonrpc” must be exactly \"2.0\""));
      return;
    }

  method = json_object_get_member (object, "method");
  if (method == NULL || !JSON_NODE_HOLDS_VALUE (method) ||
      json_node_get_value_type (method) != G_TYPE_STRING)
    {
      reject (dispatch, slot, id, CT_JSONRPC_INVALID_REQUEST,
              _("Invalid request: “method” must be a string"));
      return;
    }

  params = json_object_get_member (object, "params");
  if (params && !JSON_NODE_HOLDS_ARRAY (params) && !JSON_NODE_HOLDS_OBJECT (params))
    {
      reject (dispatch, slot, id, CT_JSONRPC_INVALID_REQUEST,
              _("Invalid request: “params” must be an array or an object"));
      return;
    }

  if (!lookup (json_node_get_string (method), &handler, &handler_data, lookup_data))
    {
      if (id)
        {
          g_autofree char *message = g_strdup_printf (_("Method not found: %s"), json_node_get_string (method));

          reject (dispatch, slot, id, CT_JSONRPC_METHOD_NOT_FOUND, message);
        }
      return;
    }

  call = g_new0 (CtJsonRpcCall, 1);
  call->dispatch = dispatch;
  call->slot = slot;
  call->id = id ? json_node_copy (id) : NULL;
  call->method = g_strdup (json_node_get_string (method));
  dispatch->pending++;
  handler (call, params, handler_data);
}

/**
 * ct_jsonrpc_dispatch:
 * @request: a parsed request: one call (an object) or a batch (an array)
 * @max_batch: the most calls a batch may hold
 * @lookup: finds each method's handler
 * @cancellable: (nullable): cancelled when the server stops; methods that
 *   answer later then answer at once with an error
 * @done: called once every call has answered
 *
 * Runs the calls in @request.
 */
void
ct_jsonrpc_dispatch (JsonNode            *request,
                     guint                max_batch,
                     CtJsonRpcLookupFunc  lookup,
                     gpointer             lookup_data,
                     GCancellable        *cancellable,
                     CtJsonRpcDoneFunc    done,
                     gpointer             user_data)
{
  Dispatch *dispatch = g_new0 (Dispatch, 1);

  dispatch->done = done;
  dispatch->user_data = user_data;
  dispatch->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  dispatch->responses = g_ptr_array_new_with_free_func (node_unref_nullable);
  dispatch->pending = 1;   /* until every call is started */

  if (JSON_NODE_HOLDS_ARRAY (request))
    {
      JsonArray *array = json_node_get_array (request);
      guint n = json_array_get_length (array);

      if (n == 0 || n > max_batch)
        {
          g_autofree char *message = n == 0
            ? g_strdup (_("Invalid request: a batch must hold at least one call"))
            : g_strdup_printf (_("Invalid request: a batch of %u calls is over the limit of %u"), n, max_batch);

          g_ptr_array_add (dispatch->responses,
                           ct_jsonrpc_error_response (NULL, CT_JSONRPC_INVALID_REQUEST, message, NULL));
        }
      else
        {
          dispatch->batch = TRUE;
          g_ptr_array_set_size (dispatch->responses, n);
          for (guint i = 0; i < n; i++)
            run_one (dispatch, json_array_get_element (array, i), i, lookup, lookup_data);
        }
    }
  else
    {
      g_ptr_array_set_size (dispatch->responses, 1);
      run_one (dispatch, request, 0, lookup, lookup_data);
    }

  if (--dispatch->pending == 0)
    dispatch_complete (dispatch);
}

/* -- describing requests and responses for the log --------------------- */

static char *
compact (JsonNode *node,
         gsize     max)
{
  g_autofree char *text = ct_json_to_string (node, FALSE);

  if (strlen (text) <= max)
    return g_steal_pointer (&text);
  return g_strdup_printf ("%.*s…", (int) max, text);
}

static char *
describe_one (JsonNode *node)
{
  JsonObject *object;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return compact (node, 60);

  object = json_node_get_object (node);

  if ((member = json_object_get_member (object, "method")) && JSON_NODE_HOLDS_VALUE (member) &&
      json_node_get_value_type (member) == G_TYPE_STRING)
    {
      JsonNode *params = json_object_get_member (object, "params");
      g_autofree char *params_text = params ? compact (params, 60) : g_strdup ("");

      return g_strdup_printf ("%s%s%s%s", json_node_get_string (member), params ? " " : "", params_text,
                              json_object_has_member (object, "id") ? "" : _(" (notification)"));
    }

  if ((member = json_object_get_member (object, "error")) && JSON_NODE_HOLDS_OBJECT (member))
    {
      JsonObject *error = json_node_get_object (member);
      JsonNode *code = json_object_get_member (error, "code");
      JsonNode *message = json_object_get_member (error, "message");
      g_autofree char *code_text = code ? compact (code, 20) : g_strdup ("?");

      /* From a peer: any member may be of any type */
      return g_strdup_printf (_("error %s: %s"), code_text,
                              message && JSON_NODE_HOLDS_VALUE (message) &&
                              json_node_get_value_type (message) == G_TYPE_STRING
                              ? json_node_get_string (message) : "");
    }

  if ((member = json_object_get_member (object, "result")))
    {
      g_autofree char *result = compact (member, 60);

      return g_strdup_printf (_("result %s"), result);
    }

  return compact (node, 60);
}

/**
 * ct_jsonrpc_describe:
 *
 * One line for the log about a request or response: `subtract [42,23]`,
 * `result 19`, `error -32601: Method not found`, or for a batch the first
 * few of those.
 */
char *
ct_jsonrpc_describe (JsonNode *node)
{
  g_autoptr(GString) text = NULL;
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return describe_one (node);

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  text = g_string_new (NULL);
  g_string_printf (text, ngettext ("batch of %u: ", "batch of %u: ", n), n);
  for (guint i = 0; i < n && i < 4; i++)
    {
      g_autofree char *one = describe_one (json_array_get_element (array, i));

      g_string_append_printf (text, "%s%s", i ? "; " : "", one);
    }
  if (n > 4)
    g_string_append (text, "; …");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
collect_id (JsonNode  *node,
            GPtrArray *ids)
{
  JsonNode *id;

  if (!JSON_NODE_HOLDS_OBJECT (node) || !(id = json_object_get_member (json_node_get_object (node), "id")))
    return;
  g_ptr_array_add (ids, ct_json_to_string (id, FALSE));
}

/**
 * ct_jsonrpc_ids_variant:
 *
 * The ids in a request or response, each as compact JSON, for the log's
 * metadata.
 *
 * Returns: (transfer floating): an `as`
 */
GVariant *
ct_jsonrpc_ids_variant (JsonNode *node)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_id (json_array_get_element (array, i), ids);
    }
  else
    collect_id (node, ids);

  return g_variant_new_strv ((const char * const *) ids->pdata, ids->len);
}
