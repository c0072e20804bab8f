/* test-jsonrpc.c — CtJsonRpcServer and CtJsonRpcClient: the specification's
 * examples, errors and limits, concurrency, with each other, and against
 * Python's jsonrpclib (server and client); at the end, reproductions of
 * known bugs, reported as TODO until they are fixed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>

#include "ct-test-http.h"

/* Debian's Python, which has python3-jsonrpclib-pelix (a plain `python3`
 * may be another Python without it) */
#define DEBIAN_PYTHON "/usr/bin/python3"

typedef struct
{
  CtEndpoint  *server;
  CtEndpoint  *client;
  SoupSession *session;   /* the test's own HTTP client */
  char        *url;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = ct_jsonrpc_server_new ();
  f->client = ct_jsonrpc_client_new ();
  g_object_set (f->server, "port", 0, NULL);
  /* Enough connections for the concurrency tests: libsoup's default of 2
   * per host would queue the rest */
  f->session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 32,
                                              "timeout", CT_TEST_TIMEOUT_S, NULL);
}

static void
stop_if_active (CtEndpoint *endpoint)
{
  if (ct_endpoint_get_state (endpoint) == CT_STATE_RUNNING)
    ct_test_stop (endpoint);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  soup_session_abort (f->session);
  g_clear_object (&f->session);
  stop_if_active (f->client);
  stop_if_active (f->server);
  /* Calls still running (a sleep) hold the server until the stop's
   * cancellation has reached them */
  CT_TEST_WAIT_UNTIL (G_OBJECT (f->server)->ref_count == 1 && G_OBJECT (f->client)->ref_count == 1);
  g_assert_finalize_object (g_steal_pointer (&f->client));
  g_assert_finalize_object (g_steal_pointer (&f->server));
  g_clear_pointer (&f->url, g_free);
}

static CtMessageLog *
log_of (CtEndpoint *endpoint)
{
  return ct_endpoint_get_log (endpoint);
}

static void
start_server (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_test_start (f->server, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ct_endpoint_get_address (f->server), "127.0.0.1:"));
  g_clear_pointer (&f->url, g_free);
  f->url = g_strdup_printf ("http://127.0.0.1:%u/rpc", ct_test_endpoint_port (f->server));
}

/* The server running and our client pointed at it, started */
static void
start_pair (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  start_server (f);
  ct_endpoint_use_server (f->client, f->server);
  g_object_get (f->client, "url", &url, NULL);
  g_assert_cmpstr (url, ==, f->url);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_no_error (error);
}

/* -- the test's own HTTP client (libsoup) ----------------------------------- */

/* Sends an HTTP request to the server; @content_type NULL sends none */
static CtTestHttp *
http_send (Fixture    *f,
           const char *method,
           const char *content_type,
           const char *body)
{
  SoupMessage *message = soup_message_new (method, f->url);

  g_assert_nonnull (message);
  if (body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, content_type, bytes);
    }
  return ct_test_http_send (f->session, message);
}

static CtTestHttp *
http_post (Fixture    *f,
           const char *body)
{
  CtTestHttp *h = http_send (f, SOUP_METHOD_POST, "application/json", body);

  ct_test_http_wait (h);
  return h;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* POSTs @body; the answer must be 200 with JSON, which is returned */
static JsonNode *
rpc (Fixture    *f,
     const char *body)
{
  g_autoptr(CtTestHttp) h = http_post (f, body);
  g_autofree char *text = ct_test_http_text (h);

  g_assert_cmpuint (ct_test_http_status (h), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (h->message), NULL),
                   ==, "application/json");
  return parse (text);
}

/* -- comparing JSON ------------------------------------------------------- */

/* Equal, and numbers of the same kind: 19 is not 19.0 (json_node_equal
 * says they are) */
static gboolean
json_strict_equal (JsonNode *a,
                   JsonNode *b)
{
  if (!json_node_equal (a, b))
    return FALSE;

  switch (json_node_get_node_type (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a), *ob = json_node_get_object (b);
        g_autoptr(GList) names = json_object_get_members (oa);

        for (GList *l = names; l; l = l->next)
          if (!json_strict_equal (json_object_get_member (oa, l->data), json_object_get_member (ob, l->data)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a), *ab = json_node_get_array (b);

        for (guint i = 0; i < json_array_get_length (aa); i++)
          if (!json_strict_equal (json_array_get_element (aa, i), json_array_get_element (ab, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (a) == json_node_get_value_type (b);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

/* Error messages are the server's own words (the specification's are only
 * examples): each must be a sentence, and is blanked before comparing */
static void
blank_error_message (JsonNode *response,
                     gboolean  check)
{
  JsonNode *error;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (response))
    return;
  error = json_object_get_member (json_node_get_object (response), "error");
  if (error == NULL || !JSON_NODE_HOLDS_OBJECT (error))
    return;
  object = json_node_get_object (error);
  if (check)
    {
      const char *message = json_object_get_string_member_with_default (object, "message", NULL);

      g_assert_nonnull (message);
      g_assert_cmpuint (strlen (message), >, 3);
    }
  if (json_object_has_member (object, "message"))
    json_object_set_string_member (object, "message", "");
}

static void
blank_error_messages (JsonNode *node,
                      gboolean  check)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        blank_error_message (json_array_get_element (array, i), check);
    }
  else
    blank_error_message (node, check);
}

/* @actual_text must mean @expected_text; a batch is compared as a set */
static void
assert_json_matches (const char *actual_text,
                     const char *expected_text)
{
  g_autoptr(JsonNode) actual = parse (actual_text);
  g_autoptr(JsonNode) expected = parse (expected_text);

  blank_error_messages (actual, TRUE);
  blank_error_messages (expected, FALSE);

  if (JSON_NODE_HOLDS_ARRAY (expected))
    {
      JsonArray *want = json_node_get_array (expected);
      JsonArray *got;
      g_autofree gboolean *used = NULL;

      if (!JSON_NODE_HOLDS_ARRAY (actual))
        g_error ("expected a batch response %s, got %s", expected_text, actual_text);
      got = json_node_get_array (actual);
      if (json_array_get_length (got) != json_array_get_length (want))
        g_error ("expected %u responses (%s), got %s", json_array_get_length (want), expected_text, actual_text);

      used = g_new0 (gboolean, json_array_get_length (got));
      for (guint i = 0; i < json_array_get_length (want); i++)
        {
          gboolean found = FALSE;

          for (guint j = 0; j < json_array_get_length (got) && !found; j++)
            if (!used[j] && json_strict_equal (json_array_get_element (want, i), json_array_get_element (got, j)))
              used[j] = found = TRUE;
          if (!found)
            {
              g_autofree char *one = json_to_string (json_array_get_element (want, i), FALSE);

              g_error ("response %s is missing from %s", one, actual_text);
            }
        }
    }
  else if (!json_strict_equal (actual, expected))
    g_error ("expected %s, got %s", expected_text, actual_text);
}

static void
assert_response (JsonNode   *response,
                 const char *expected_text)
{
  g_autofree char *text = json_to_string (response, FALSE);

  assert_json_matches (text, expected_text);
}

/* -- reading the log ------------------------------------------------------ */

static char *
summary_of (CtMessage *message)
{
  return ct_message_dup_summary (message);
}

/* The meta "ids" of an entry, joined with ',' */
static char *
meta_ids (CtMessage *message)
{
  g_autofree const char **ids = NULL;

  if (!g_variant_lookup (ct_message_get_meta (message), "ids", "^a&s", &ids))
    return NULL;
  return g_strjoinv (",", (char **) ids);
}

/* -- 1. the specification's examples (jsonrpc.org/specification, section 7) - */

typedef struct
{
  const char *name;
  const char *request;
  const char *response;   /* NULL: nothing comes back (HTTP 204) */
} SpecExample;

static const SpecExample spec_examples[] = {
  { "positional-1",
    "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42, 23], \"id\": 1}",
    "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 1}" },
  { "positional-2",
    "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [23, 42], \"id\": 2}",
    "{\"jsonrpc\": \"2.0\", \"result\": -19, \"id\": 2}" },
  { "named-1",
    "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"subtrahend\": 23, \"minuend\": 42}, \"id\": 3}",
    "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 3}" },
  { "named-2",
    "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 42, \"subtrahend\": 23}, \"id\": 4}",
    "{\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": 4}" },
  { "notification-update",
    "{\"jsonrpc\": \"2.0\", \"method\": \"update\", \"params\": [1,2,3,4,5]}",
    NULL },
  { "notification-foobar",
    "{\"jsonrpc\": \"2.0\", \"method\": \"foobar\"}",
    NULL },
  { "method-not-found",
    "{\"jsonrpc\": \"2.0\", \"method\": \"foobar\", \"id\": \"1\"}",
    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"1\"}" },
  { "invalid-json",
    "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]",
    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}" },
  { "invalid-request",
    "{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}",
    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}" },
  { "batch-invalid-json",
    "[\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
    "  {\"jsonrpc\": \"2.0\", \"method\"\n"
    "]",
    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32700, \"message\": \"Parse error\"}, \"id\": null}" },
  { "batch-empty",
    "[]",
    "{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}" },
  { "batch-invalid-one",
    "[1]",
    "[{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}]" },
  { "batch-invalid-three",
    "[1,2,3]",
    "[{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null},"
    " {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null},"
    " {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null}]" },
  { "batch-mixed",
    "[\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1,2,4], \"id\": \"1\"},\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]},\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [42,23], \"id\": \"2\"},\n"
    "  {\"foo\": \"boo\"},\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"foo.get\", \"params\": {\"name\": \"myself\"}, \"id\": \"5\"},\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"get_data\", \"id\": \"9\"}\n"
    "]",
    "[\n"
    "  {\"jsonrpc\": \"2.0\", \"result\": 7, \"id\": \"1\"},\n"
    "  {\"jsonrpc\": \"2.0\", \"result\": 19, \"id\": \"2\"},\n"
    "  {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32600, \"message\": \"Invalid Request\"}, \"id\": null},\n"
    "  {\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32601, \"message\": \"Method not found\"}, \"id\": \"5\"},\n"
    "  {\"jsonrpc\": \"2.0\", \"result\": [\"hello\", 5], \"id\": \"9\"}\n"
    "]" },
  { "batch-all-notifications",
    "[\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_sum\", \"params\": [1,2,4]},\n"
    "  {\"jsonrpc\": \"2.0\", \"method\": \"notify_hello\", \"params\": [7]}\n"
    "]",
    NULL },
};

static void
test_spec_example (Fixture       *f,
                   gconstpointer  data)
{
  const SpecExample *example = data;
  g_autoptr(CtTestHttp) h = NULL;
  g_autofree char *text = NULL;
  g_autoptr(CtMessage) in = NULL;
  g_autoptr(CtMessage) out = NULL;

  start_server (f);
  h = http_post (f, example->request);
  text = ct_test_http_text (h);

  if (example->response == NULL)
    {
      g_assert_cmpuint (ct_test_http_status (h), ==, 204);
      g_assert_cmpstr (text, ==, "");
    }
  else
    {
      g_assert_cmpuint (ct_test_http_status (h), ==, 200);
      g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (h->message), NULL),
                       ==, "application/json");
      assert_json_matches (text, example->response);
    }

  /* The server's log: the request as it came, the answer, paired */
  in = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 0);
  out = ct_test_log_nth (log_of (f->server), CT_DIRECTION_OUT, 0);
  g_assert_nonnull (in);
  g_assert_nonnull (out);
  {
    g_autofree char *request = ct_message_dup_text (in);
    g_autofree char *response = ct_message_dup_text (out);

    g_assert_cmpstr (request, ==, example->request);
    g_assert_cmpstr (response, ==, text);
  }
  g_assert_cmpuint (ct_message_get_exchange (in), ==, ct_message_get_exchange (out));
  g_assert_cmpuint (ct_test_meta_status (out), ==, example->response ? 200 : 204);
  g_assert_null (ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 1));
  g_assert_null (ct_test_log_nth (log_of (f->server), CT_DIRECTION_ERROR, 0));
}

/* -- 2. errors and limits --------------------------------------------------- */

/* The error of a single response: its code, with id @id_json */
static JsonObject *
assert_error (JsonNode   *response,
              int         code,
              const char *id_json)
{
  JsonObject *object;
  JsonObject *error;
  g_autoptr(JsonNode) id = parse (id_json);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (response));
  object = json_node_get_object (response);
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "jsonrpc", NULL), ==, "2.0");
  g_assert_false (json_object_has_member (object, "result"));
  g_assert_true (json_object_has_member (object, "id"));
  g_assert_true (json_strict_equal (json_object_get_member (object, "id"), id));
  error = json_object_get_object_member (object, "error");
  g_assert_nonnull (error);
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  return error;
}

static JsonNode *
result_of (JsonNode *response)
{
  JsonObject *object;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (response));
  object = json_node_get_object (response);
  if (!json_object_has_member (object, "result"))
    {
      g_autofree char *text = json_to_string (response, FALSE);

      g_error ("expected a result, got %s", text);
    }
  g_assert_false (json_object_has_member (object, "error"));
  return json_object_get_member (object, "result");
}

static void
test_ids_echoed (Fixture       *f,
                 gconstpointer  data)
{
  /* Every id a request may have comes back unchanged; 2^53 + 1 is kept as
   * an integer by json-glib, so it is not rounded to 2^53 as a double */
  static const char *ids[] = {
    "\"abc\"", "\"\"", "\"ünïcode ✓\"", "7", "0", "-3", "1.5", "-0.25", "null",
    "9007199254740993", "-9223372036854775808", "9223372036854775807",
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"jsonrpc\": \"2.0\", \"method\": \"ping\", \"id\": %s}", ids[i]);
      g_autoptr(CtTestHttp) h = http_post (f, body);
      g_autofree char *text = ct_test_http_text (h);
      g_autoptr(JsonNode) response = parse (text);
      g_autoptr(JsonNode) id = parse (ids[i]);
      g_autofree char *expected = g_strdup_printf ("{\"jsonrpc\": \"2.0\", \"result\": \"pong\", \"id\": %s}", ids[i]);

      g_assert_cmpuint (ct_test_http_status (h), ==, 200);
      assert_json_matches (text, expected);
      g_assert_true (json_strict_equal (json_object_get_member (json_node_get_object (response), "id"), id));
    }

  /* The large integers are written as they came, digit for digit */
  {
    g_autoptr(CtTestHttp) h = http_post (f, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":9007199254740993}");
    g_autofree char *text = ct_test_http_text (h);

    g_assert_nonnull (strstr (text, "\"id\":9007199254740993"));
  }
}

static void
test_invalid_ids (Fixture       *f,
                  gconstpointer  data)
{
  static const char *ids[] = { "{}", "{\"a\": 1}", "[]", "[1]", "true", "false" };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"jsonrpc\": \"2.0\", \"method\": \"ping\", \"id\": %s}", ids[i]);
      g_autoptr(JsonNode) response = rpc (f, body);
      JsonObject *error = assert_error (response, CT_JSONRPC_INVALID_REQUEST, "null");

      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "id"));
    }
}

static void
test_invalid_requests (Fixture       *f,
                       gconstpointer  data)
{
  /* Not requests, though valid JSON: -32600, with the id when it is valid */
  static const struct { const char *body; const char *id; const char *word; } cases[] = {
    { "{\"method\": \"ping\", \"id\": 1}", "1", "jsonrpc" },
    { "{\"jsonrpc\": \"1.0\", \"method\": \"ping\", \"id\": 1}", "1", "jsonrpc" },
    { "{\"jsonrpc\": 2.0, \"method\": \"ping\", \"id\": 1}", "1", "jsonrpc" },
    { "{\"jsonrpc\": \"2.0\", \"id\": 1}", "1", "method" },
    { "{\"jsonrpc\": \"2.0\", \"method\": null, \"id\": 1}", "1", "method" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": 42, \"id\": 1}", "1", "params" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": \"bar\", \"id\": \"x\"}", "\"x\"", "params" },
    { "\"just a string\"", "null", "object" },
    { "42", "null", "object" },
    { "null", "null", "object" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) response = rpc (f, cases[i].body);
      JsonObject *error = assert_error (response, CT_JSONRPC_INVALID_REQUEST, cases[i].id);

      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), cases[i].word));
    }

  /* Not JSON at all, or nothing */
  {
    g_autoptr(JsonNode) response = rpc (f, "");

    assert_error (response, CT_JSONRPC_PARSE_ERROR, "null");
  }
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\": \"2.0\", \"method\": \"ping\", \"id\": 1} trailing");

    assert_error (response, CT_JSONRPC_PARSE_ERROR, "null");
  }
}

static void
test_invalid_params (Fixture       *f,
                     gconstpointer  data)
{
  static const struct { const char *body; const char *expected; } cases[] = {
    { "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [\"a\", 1], \"id\": 1}",
      "subtract expects [minuend, subtrahend]" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": [1], \"id\": 1}",
      "subtract expects [minuend, subtrahend] or {\"minuend\": number, \"subtrahend\": number}" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"params\": {\"minuend\": 1, \"x\": 2}, \"id\": 1}",
      "subtract expects" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"subtract\", \"id\": 1}",
      "subtract expects" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [-1], \"id\": 1}",
      "sleep expects [ms] or {\"ms\": ms}, 0 to 60000" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [60001], \"id\": 1}",
      "0 to 60000" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"sleep\", \"params\": [1.5], \"id\": 1}",
      "sleep expects" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"sum\", \"params\": [1, \"2\"], \"id\": 1}",
      "sum expects [number, ...]" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"add\", \"params\": [1, 2, 3], \"id\": 1}",
      "add expects [a, b]" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"fail\", \"params\": {\"code\": \"x\"}, \"id\": 1}",
      "fail expects" },
    { "{\"jsonrpc\": \"2.0\", \"method\": \"fail\", \"params\": [1, 2, 3, 4], \"id\": 1}",
      "fail expects" },
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) response = rpc (f, cases[i].body);
      JsonObject *error = assert_error (response, CT_JSONRPC_INVALID_PARAMS, "1");
      const char *message = json_object_get_string_member (error, "message");

      if (strstr (message, cases[i].expected) == NULL)
        g_error ("%s: the message “%s” does not say “%s”", cases[i].body, message, cases[i].expected);
    }

  /* And the same methods with right params */
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":{\"a\":1.5,\"b\":2},\"id\":1}");

    g_assert_cmpfloat (json_node_get_double (result_of (response)), ==, 3.5);
    g_assert_cmpint (json_node_get_value_type (result_of (response)), ==, G_TYPE_DOUBLE);
  }
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[],\"id\":1}");
    g_autoptr(JsonNode) zero = parse ("0");

    g_assert_true (json_strict_equal (result_of (response), zero));
  }
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":{\"ms\":0},\"id\":1}");
    g_autoptr(JsonNode) zero = parse ("0");

    g_assert_true (json_strict_equal (result_of (response), zero));
  }
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"k\":[1,\"two\",null,true,2.5]},\"id\":1}");
    g_autoptr(JsonNode) expected = parse ("{\"k\":[1,\"two\",null,true,2.5]}");

    g_assert_true (json_strict_equal (result_of (response), expected));
  }
}

static void
test_fail (Fixture       *f,
           gconstpointer  data)
{
  start_server (f);

  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\": \"2.0\", \"method\": \"fail\", "
                                           "\"params\": {\"code\": -32099, \"message\": \"custom\", \"data\": {\"x\": 1}}, \"id\": 7}");
    g_autoptr(JsonNode) expected = parse ("{\"jsonrpc\": \"2.0\", \"error\": {\"code\": -32099, \"message\": \"custom\", "
                                          "\"data\": {\"x\": 1}}, \"id\": 7}");

    g_assert_true (json_strict_equal (response, expected));
  }
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\": \"2.0\", \"method\": \"fail\", \"params\": [42, \"positional\", [1, 2]], \"id\": \"p\"}");
    g_autoptr(JsonNode) expected = parse ("{\"jsonrpc\": \"2.0\", \"error\": {\"code\": 42, \"message\": \"positional\", "
                                          "\"data\": [1, 2]}, \"id\": \"p\"}");

    g_assert_true (json_strict_equal (response, expected));
  }
  {
    /* No params: the default code, no data */
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\": \"2.0\", \"method\": \"fail\", \"id\": 1}");
    JsonObject *error = assert_error (response, -32000, "1");

    g_assert_false (json_object_has_member (error, "data"));
  }
  {
    /* As a notification, nothing comes back, not even the error */
    g_autoptr(CtTestHttp) h = http_post (f, "{\"jsonrpc\": \"2.0\", \"method\": \"fail\", \"params\": [1, \"x\"]}");

    g_assert_cmpuint (ct_test_http_status (h), ==, 204);
    g_assert_cmpuint (ct_test_http_size (h), ==, 0);
  }
}

static void
test_http_method (Fixture       *f,
                  gconstpointer  data)
{
  const char *methods[] = { SOUP_METHOD_GET, SOUP_METHOD_PUT, SOUP_METHOD_DELETE };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(CtTestHttp) h = http_send (f, methods[i], NULL, NULL);
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) response = NULL;

      ct_test_http_wait (h);
      g_assert_cmpuint (ct_test_http_status (h), ==, 405);
      g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (h->message), "Allow"), ==, "POST");
      text = ct_test_http_text (h);
      response = parse (text);
      assert_error (response, CT_JSONRPC_INVALID_REQUEST, "null");
    }

  /* Logged as exchanges too, with the HTTP status */
  {
    g_autoptr(CtMessage) out = ct_test_log_nth (log_of (f->server), CT_DIRECTION_OUT, 0);
    g_autofree char *summary = summary_of (out);

    g_assert_cmpuint (ct_test_meta_status (out), ==, 405);
    g_assert_nonnull (strstr (summary, "405"));
  }
  ct_test_assert_exchanges_paired (log_of (f->server));

  /* And POST still works */
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}");

    g_assert_cmpstr (json_node_get_string (result_of (response)), ==, "pong");
  }
}

static void
test_content_type (Fixture       *f,
                   gconstpointer  data)
{
  static const char *accepted[] = {
    "application/json", "application/json; charset=utf-8", "Application/JSON",
    "application/json-rpc", "application/jsonrequest", NULL,
  };
  static const char *refused[] = { "text/plain", "application/x-www-form-urlencoded", "text/json" };
  const char *body = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}";

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(CtTestHttp) h = http_send (f, SOUP_METHOD_POST, accepted[i], body);
      g_autofree char *text = NULL;

      ct_test_http_wait (h);
      text = ct_test_http_text (h);
      g_assert_cmpuint (ct_test_http_status (h), ==, 200);
      assert_json_matches (text, "{\"jsonrpc\":\"2.0\",\"result\":\"pong\",\"id\":1}");
    }

  /* The one sent without Content-Type had none */
  {
    g_autoptr(CtMessage) last = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, G_N_ELEMENTS (accepted) - 1);
    const char *type = NULL;

    g_assert_false (g_variant_lookup (ct_message_get_meta (last), "content-type", "&s", &type));
  }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(CtTestHttp) h = http_send (f, SOUP_METHOD_POST, refused[i], body);
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) response = NULL;
      JsonObject *error;

      ct_test_http_wait (h);
      g_assert_cmpuint (ct_test_http_status (h), ==, 415);
      text = ct_test_http_text (h);
      response = parse (text);
      error = assert_error (response, CT_JSONRPC_INVALID_REQUEST, "null");
      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), refused[i]));
    }
  ct_test_assert_exchanges_paired (log_of (f->server));
}

/* A request body streamed with chunked encoding: its size is known only
 * once it has been read */
static CtTestHttp *
http_post_chunked (Fixture    *f,
                   const char *body)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (g_strdup (body), strlen (body), g_free);
  SoupMessage *message = soup_message_new (SOUP_METHOD_POST, f->url);
  CtTestHttp *h;

  soup_message_set_request_body (message, "application/json", stream, -1);
  h = ct_test_http_send (f->session, message);
  ct_test_http_wait (h);
  g_assert_cmpint (soup_message_headers_get_encoding (soup_message_get_request_headers (h->message)),
                   ==, SOUP_ENCODING_CHUNKED);
  return h;
}

/* {"jsonrpc":"2.0","method":"echo","params":["xxx…"],"id":1} of @size bytes */
static char *
echo_request_of_size (gsize size)
{
  const char *head = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"";
  const char *tail = "\"],\"id\":1}";
  GString *s = g_string_new (head);

  g_assert_cmpuint (size, >, strlen (head) + strlen (tail));
  while (s->len < size - strlen (tail))
    g_string_append_c (s, 'x');
  g_string_append (s, tail);
  g_assert_cmpuint (s->len, ==, size);
  return g_string_free (s, FALSE);
}

static void
test_body_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *at_limit = echo_request_of_size (1024);
  g_autofree char *over = echo_request_of_size (1025);
  g_autofree char *far_over = echo_request_of_size (100000);

  g_object_set (f->server, "max-body-size", 1024, NULL);
  start_server (f);

  /* At the limit: answered */
  {
    g_autoptr(JsonNode) response = rpc (f, at_limit);

    g_assert_true (JSON_NODE_HOLDS_ARRAY (result_of (response)));
  }

  /* Over it, announced by Content-Length (refused before it is read) or
   * streamed chunked (refused once read) */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CtTestHttp) h = i == 2 ? http_post_chunked (f, over) : http_post (f, i == 0 ? over : far_over);
      g_autofree char *text = ct_test_http_text (h);
      g_autoptr(JsonNode) response = parse (text);
      JsonObject *error;

      g_assert_cmpuint (ct_test_http_status (h), ==, 413);
      error = assert_error (response, CT_JSONRPC_INVALID_REQUEST, "null");
      g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "1024"));
    }
  ct_test_assert_exchanges_paired (log_of (f->server));

  /* The limit is live: raised, the same body goes through */
  g_object_set (f->server, "max-body-size", 2048, NULL);
  {
    g_autoptr(JsonNode) response = rpc (f, over);

    g_assert_true (JSON_NODE_HOLDS_ARRAY (result_of (response)));
  }
}

static void
test_max_batch (Fixture       *f,
                gconstpointer  data)
{
  const char *call = "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}";
  g_autofree char *two = g_strdup_printf ("[%s,%s]", call, call);
  g_autofree char *three = g_strdup_printf ("[%s,%s,%s]", call, call, call);

  g_object_set (f->server, "max-batch", 2, NULL);
  start_server (f);

  {
    g_autoptr(JsonNode) response = rpc (f, three);
    JsonObject *error = assert_error (response, CT_JSONRPC_INVALID_REQUEST, "null");

    g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "2"));
  }
  {
    g_autoptr(JsonNode) response = rpc (f, two);

    g_assert_true (JSON_NODE_HOLDS_ARRAY (response));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (response)), ==, 2);
  }
}

/* Brackets in a row: @depth levels of nesting that never close */
static char *
brackets (guint depth)
{
  char *s = g_malloc (depth + 1);

  memset (s, '[', depth);
  s[depth] = '\0';
  return s;
}

static void
test_deep_nesting (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *deep = brackets (100000);
  g_autofree char *open_511 = brackets (511);
  g_autofree char *open_512 = brackets (512);
  g_autofree char *close_512 = g_strnfill (512, ']');
  g_autofree char *depth_512 = NULL;
  g_autofree char *depth_513 = NULL;
  g_autofree char *in_string = NULL;

  start_server (f);

  /* 100000 levels, well within the body limit: a parse error, no crash */
  {
    g_autoptr(JsonNode) response = rpc (f, deep);
    JsonObject *error = assert_error (response, CT_JSONRPC_PARSE_ERROR, "null");

    g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "512"));
  }
  /* Unclosed objects too */
  {
    GString *objects = g_string_new (NULL);
    g_autofree char *body = NULL;
    g_autoptr(JsonNode) response = NULL;

    for (guint i = 0; i < 20000; i++)
      g_string_append (objects, "{\"a\":");
    body = g_string_free (objects, FALSE);
    response = rpc (f, body);
    assert_error (response, CT_JSONRPC_PARSE_ERROR, "null");
  }

  /* The server goes on */
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":2}");

    g_assert_cmpstr (json_node_get_string (result_of (response)), ==, "pong");
  }

  /* The limit is 512 levels in all: the request object is the first */
  depth_512 = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":3,\"params\":%s%.*s}",
                               open_511, 511, close_512);
  depth_513 = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":3,\"params\":%s%s}",
                               open_512, close_512);
  {
    g_autoptr(JsonNode) response = rpc (f, depth_512);

    g_assert_true (JSON_NODE_HOLDS_ARRAY (result_of (response)));
  }
  {
    g_autoptr(JsonNode) response = rpc (f, depth_513);

    assert_error (response, CT_JSONRPC_PARSE_ERROR, "null");
  }

  /* Brackets inside strings (and escaped quotes) are not nesting */
  in_string = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":4,\"params\":[\"\\\"%s\"]}", deep);
  {
    g_autoptr(JsonNode) response = rpc (f, in_string);
    JsonNode *result = result_of (response);

    g_assert_true (JSON_NODE_HOLDS_ARRAY (result));
    g_assert_cmpuint (strlen (json_array_get_string_element (json_node_get_array (result), 0)), ==, 100001);
  }
}

static void
test_mocks (Fixture       *f,
            gconstpointer  data)
{
  CtMessageLog *log = log_of (f->server);

  start_server (f);

  /* Set while running: served from the next call on */
  g_object_set (f->server, "methods",
                "{\"hello\": {\"result\": {\"greeting\": \"world\"}},"
                " \"broken\": {\"error\": {\"code\": -32001, \"message\": \"Nope\", \"data\": [1, \"a\"]}},"
                " \"subtract\": {\"result\": 0}}",
                NULL);
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"hello\",\"params\":[1],\"id\":1}");

    assert_response (response, "{\"jsonrpc\":\"2.0\",\"result\":{\"greeting\":\"world\"},\"id\":1}");
  }
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"broken\",\"id\":2}");
    g_autoptr(JsonNode) expected = parse ("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"Nope\",\"data\":[1,\"a\"]},\"id\":2}");

    g_assert_true (json_strict_equal (response, expected));
  }
  {
    /* A mock stands in for a built-in of the same name */
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":3}");
    g_autoptr(JsonNode) zero = parse ("0");

    g_assert_true (json_strict_equal (result_of (response), zero));
  }
  /* In a batch too */
  {
    g_autoptr(JsonNode) response = rpc (f, "[{\"jsonrpc\":\"2.0\",\"method\":\"hello\",\"id\":1},"
                                           " {\"jsonrpc\":\"2.0\",\"method\":\"broken\",\"id\":2},"
                                           " {\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":3}]");
    g_autofree char *text = json_to_string (response, FALSE);

    assert_json_matches (text, "[{\"jsonrpc\":\"2.0\",\"result\":{\"greeting\":\"world\"},\"id\":1},"
                               " {\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"Nope\",\"data\":[1,\"a\"]},\"id\":2},"
                               " {\"jsonrpc\":\"2.0\",\"result\":\"pong\",\"id\":3}]");
  }
  g_assert_cmpint (ct_test_log_find (log, CT_DIRECTION_ERROR, ""), ==, -1);

  /* A bad value: an error entry, and the methods stay as they were */
  {
    static const struct { const char *methods; const char *says; } bad[] = {
      { "{\"hello\": {\"result\": \"changed\"", "Not valid JSON" },
      { "[1, 2]", "must be a JSON object" },
      { "{\"hello\": {\"answer\": 1}}", "“hello” needs" },
      { "{\"hello\": 5}", "“hello” needs" },
      { "{\"hello\": {\"error\": {\"code\": 1}}}", "needs an integer code and a message string" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonNode) response = NULL;

        g_object_set (f->server, "methods", bad[i].methods, NULL);
        g_assert_cmpuint (ct_test_log_count (log, CT_DIRECTION_ERROR), ==, i + 1);
        if (ct_test_log_find (log, CT_DIRECTION_ERROR, bad[i].says) < 0)
          g_error ("no error entry saying “%s” for %s", bad[i].says, bad[i].methods);
        g_assert_cmpint (ct_endpoint_get_state (f->server), ==, CT_STATE_RUNNING);
        response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"hello\",\"id\":4}");
        assert_response (response, "{\"jsonrpc\":\"2.0\",\"result\":{\"greeting\":\"world\"},\"id\":4}");
      }
  }

  /* Cleared: the mocks are gone and the built-in is back */
  g_object_set (f->server, "methods", "", NULL);
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"hello\",\"id\":5}");

    assert_error (response, CT_JSONRPC_METHOD_NOT_FOUND, "5");
  }
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":6}");
    g_autoptr(JsonNode) nineteen = parse ("19");

    g_assert_true (json_strict_equal (result_of (response), nineteen));
  }
}

/* The names in rpc.discover's result, each checked to have a description */
static GHashTable *
discover (Fixture *f)
{
  g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.discover\",\"id\":1}");
  JsonObject *result = json_node_get_object (result_of (response));
  JsonArray *methods = json_object_get_array_member (result, "methods");
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_nonnull (json_object_get_string_member (result, "openrpc"));
  g_assert_nonnull (json_object_get_object_member (result, "info"));
  for (guint i = 0; i < json_array_get_length (methods); i++)
    {
      JsonObject *method = json_array_get_object_element (methods, i);
      const char *name = json_object_get_string_member (method, "name");
      const char *description = json_object_get_string_member (method, "description");

      g_assert_nonnull (name);
      g_assert_nonnull (description);
      g_assert_cmpuint (strlen (description), >, 5);
      g_assert_false (g_hash_table_contains (names, name));
      g_hash_table_insert (names, g_strdup (name), g_strdup (description));
    }
  return names;
}

static void
test_discover (Fixture       *f,
               gconstpointer  data)
{
  static const char *builtins[] = {
    "subtract", "sum", "get_data", "update", "notify_hello", "notify_sum",
    "echo", "add", "ping", "sleep", "fail",
  };
  guint n_methods;
  const CtJsonRpcMethod *methods = ct_jsonrpc_get_builtin_methods (&n_methods);

  start_server (f);
  {
    g_autoptr(GHashTable) names = discover (f);

    for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
      if (!g_hash_table_contains (names, builtins[i]))
        g_error ("rpc.discover does not list %s", builtins[i]);
    g_assert_true (g_hash_table_contains (names, "rpc.discover"));
    g_assert_cmpuint (g_hash_table_size (names), ==, G_N_ELEMENTS (builtins) + 1);
    g_assert_cmpuint (n_methods, ==, G_N_ELEMENTS (builtins));
    for (guint i = 0; i < n_methods; i++)
      g_assert_true (g_hash_table_contains (names, methods[i].name));
  }
  g_assert_cmpuint (g_list_model_get_n_items (ct_endpoint_get_catalog (f->server)), ==, G_N_ELEMENTS (builtins) + 1);

  /* The user's methods are listed too, with their description when given */
  g_object_set (f->server, "methods", "{\"hello\": {\"result\": 1, \"description\": \"Says hello\"}, \"oops\": {\"error\": {\"code\": 1, \"message\": \"m\"}}}", NULL);
  {
    g_autoptr(GHashTable) names = discover (f);

    g_assert_cmpstr (g_hash_table_lookup (names, "hello"), ==, "Says hello");
    g_assert_true (g_hash_table_contains (names, "oops"));
    g_assert_cmpuint (g_hash_table_size (names), ==, G_N_ELEMENTS (builtins) + 3);
  }
}

/* -- 3. concurrency --------------------------------------------------------- */

#define N_SLEEPS 5
#define SLEEP_MS 300

static void
test_concurrent_sleeps (Fixture       *f,
                        gconstpointer  data)
{
  CtTestHttp *sleeps[N_SLEEPS];
  g_autoptr(CtTestHttp) ping = NULL;
  gint64 start, last = 0, first = G_MAXINT64;

  start_server (f);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_SLEEPS; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":[%d],\"id\":%u}",
                                               SLEEP_MS, i);
      sleeps[i] = http_send (f, SOUP_METHOD_POST, "application/json", body);
    }
  /* Once every sleep has reached the server, a ping overtakes them */
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN) == N_SLEEPS);
  ping = http_send (f, SOUP_METHOD_POST, "application/json", "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":\"p\"}");

  for (guint i = 0; i < N_SLEEPS; i++)
    {
      g_autofree char *text = NULL;
      g_autofree char *expected = NULL;

      ct_test_http_wait (sleeps[i]);
      text = ct_test_http_text (sleeps[i]);
      expected = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"result\":%d,\"id\":%u}", SLEEP_MS, i);
      assert_json_matches (text, expected);
      g_assert_cmpint (sleeps[i]->finished - sleeps[i]->started, >=, SLEEP_MS * 1000);
      last = MAX (last, sleeps[i]->finished);
      first = MIN (first, sleeps[i]->finished);
    }
  ct_test_http_wait (ping);
  {
    g_autofree char *text = ct_test_http_text (ping);

    assert_json_matches (text, "{\"jsonrpc\":\"2.0\",\"result\":\"pong\",\"id\":\"p\"}");
  }

  /* Side by side, not one after the other (that would take 1500 ms) */
  g_assert_cmpint (last - start, <, 1200 * 1000);
  g_assert_cmpint (ping->finished, <, first);

  /* The server's log has each exchange's answer with its own latency */
  ct_test_assert_exchanges_paired (log_of (f->server));
  for (guint i = 0; i < N_SLEEPS; i++)
    {
      g_autoptr(CtMessage) out = ct_test_log_nth (log_of (f->server), CT_DIRECTION_OUT, i + 1);
      gint64 latency = 0;

      g_assert_nonnull (out);
      g_assert_true (g_variant_lookup (ct_message_get_meta (out), "latency-us", "x", &latency));
      g_assert_cmpint (latency, >=, SLEEP_MS * 1000);
    }
  {
    /* The ping was answered first */
    g_autoptr(CtMessage) out = ct_test_log_nth (log_of (f->server), CT_DIRECTION_OUT, 0);
    g_autofree char *ids = meta_ids (out);

    g_assert_cmpstr (ids, ==, "\"p\"");
  }

  for (guint i = 0; i < N_SLEEPS; i++)
    ct_test_http_free (sleeps[i]);
}

static void
test_batch_waits_for_all (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CtTestHttp) h = NULL;
  g_autofree char *text = NULL;

  start_server (f);
  h = http_post (f, "[{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":[200],\"id\":1},"
                    " {\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":2},"
                    " {\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":[100]}]");
  text = ct_test_http_text (h);
  g_assert_cmpuint (ct_test_http_status (h), ==, 200);
  assert_json_matches (text, "[{\"jsonrpc\":\"2.0\",\"result\":200,\"id\":1},"
                             " {\"jsonrpc\":\"2.0\",\"result\":\"pong\",\"id\":2}]");
  g_assert_cmpint (h->finished - h->started, >=, 200 * 1000);
  /* One answer for the batch */
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_OUT), ==, 1);

  /* Only notifications, one of them sleeping: 204 once it is done */
  {
    g_autoptr(CtTestHttp) n = http_post (f, "[{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":[100]},"
                                      " {\"jsonrpc\":\"2.0\",\"method\":\"ping\"}]");

    g_assert_cmpuint (ct_test_http_status (n), ==, 204);
    g_assert_cmpuint (ct_test_http_size (n), ==, 0);
  }
}

/* Stopping the server while a call sleeps: nothing is left behind (the
 * fixture checks the server is finalized) */
static void
test_stop_while_sleeping (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CtTestHttp) h = NULL;

  start_server (f);
  h = http_send (f, SOUP_METHOD_POST, "application/json",
                 "{\"jsonrpc\":\"2.0\",\"method\":\"sleep\",\"params\":[60000],\"id\":1}");
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN) == 1);
  ct_test_stop (f->server);
  CT_TEST_WAIT_UNTIL (h->done);
  g_assert_nonnull (h->error);

  /* And it starts again */
  start_server (f);
  {
    g_autoptr(JsonNode) response = rpc (f, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}");

    g_assert_cmpstr (json_node_get_string (result_of (response)), ==, "pong");
  }
}

/* -- 4. our client against our server --------------------------------------- */

/* Waits for the client's @nth in entry */
static CtMessage *
wait_client_in (Fixture *f,
                guint    nth)
{
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN) > nth);
  return ct_test_log_nth (log_of (f->client), CT_DIRECTION_IN, nth);
}

static void
test_client_call (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) out = NULL;
  g_autoptr(CtMessage) in = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *out_ids = NULL;
  g_autofree char *in_ids = NULL;
  gint64 latency = 0;

  start_pair (f);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_INFO, "Ready to call"), >=, 0);

  g_assert_true (ct_endpoint_send_text (f->client, "subtract [42,23]", &error));
  g_assert_no_error (error);
  in = wait_client_in (f, 0);
  out = ct_test_log_nth (log_of (f->client), CT_DIRECTION_OUT, 0);
  g_assert_nonnull (out);

  /* The request the composer line made */
  {
    g_autofree char *sent = ct_message_dup_text (out);
    g_autofree char *out_summary = summary_of (out);

    assert_json_matches (sent, "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":1}");
    g_assert_cmpstr (out_summary, ==, "subtract [42,23]");
  }

  /* The answer, paired with it */
  g_assert_cmpuint (ct_message_get_exchange (in), ==, ct_message_get_exchange (out));
  g_assert_cmpuint (ct_message_get_exchange (in), >, 0);
  summary = summary_of (in);
  g_assert_true (g_str_has_prefix (summary, "subtract → result 19 ("));
  g_assert_true (g_str_has_suffix (summary, " ms)"));
  g_assert_cmpuint (ct_test_meta_status (in), ==, 200);
  g_assert_true (g_variant_lookup (ct_message_get_meta (in), "latency-us", "x", &latency));
  g_assert_cmpint (latency, >, 0);
  out_ids = meta_ids (out);
  in_ids = meta_ids (in);
  g_assert_cmpstr (out_ids, ==, "1");
  g_assert_cmpstr (in_ids, ==, "1");
  {
    g_autofree char *received = ct_message_dup_text (in);

    assert_json_matches (received, "{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":1}");
  }

  /* Named params, and the ids go on */
  g_assert_true (ct_endpoint_send_text (f->client, "  subtract {\"subtrahend\": 23, \"minuend\": 42}", &error));
  g_clear_object (&in);
  in = wait_client_in (f, 1);
  {
    g_autofree char *second = summary_of (in);
    g_autofree char *ids = meta_ids (in);

    g_assert_true (g_str_has_prefix (second, "subtract → result 19 ("));
    g_assert_cmpstr (ids, ==, "2");
  }

  /* No params at all */
  g_assert_true (ct_endpoint_send_text (f->client, "get_data", &error));
  g_clear_object (&in);
  in = wait_client_in (f, 2);
  {
    g_autofree char *third = summary_of (in);

    g_assert_true (g_str_has_prefix (third, "get_data → result [\"hello\",5] ("));
  }

  /* An error answer */
  g_assert_true (ct_endpoint_send_text (f->client, "nosuch [1]", &error));
  g_clear_object (&in);
  in = wait_client_in (f, 3);
  {
    g_autofree char *fourth = summary_of (in);

    g_assert_true (g_str_has_prefix (fourth, "nosuch → error -32601: "));
  }

  ct_test_assert_exchanges_paired (log_of (f->client));
  ct_test_assert_exchanges_paired (log_of (f->server));
  g_assert_null (ct_test_log_nth (log_of (f->client), CT_DIRECTION_ERROR, 0));
}

static void
test_client_notification (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) in = NULL;
  g_autoptr(CtMessage) out = NULL;
  g_autoptr(CtMessage) server_in = NULL;
  g_autofree char *summary = NULL;

  start_pair (f);
  g_object_set (f->client, "notification", TRUE, NULL);
  g_assert_true (ct_endpoint_send_text (f->client, "update [1,2,3]", &error));
  g_assert_no_error (error);
  in = wait_client_in (f, 0);

  /* Sent without an id */
  out = ct_test_log_nth (log_of (f->client), CT_DIRECTION_OUT, 0);
  {
    g_autofree char *sent = ct_message_dup_text (out);

    assert_json_matches (sent, "{\"jsonrpc\":\"2.0\",\"method\":\"update\",\"params\":[1,2,3]}");
  }

  /* The server logged the call, and answered nothing */
  server_in = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 0);
  {
    g_autofree char *server_summary = summary_of (server_in);
    g_autoptr(CtMessage) server_out = ct_test_log_nth (log_of (f->server), CT_DIRECTION_OUT, 0);

    g_assert_cmpstr (server_summary, ==, "update [1,2,3] (notification)");
    g_assert_cmpuint (ct_test_meta_status (server_out), ==, 204);
    g_assert_cmpuint (ct_message_get_size (server_out), ==, 0);
  }

  /* The client's in entry says so */
  g_assert_cmpuint (ct_message_get_exchange (in), ==, ct_message_get_exchange (out));
  g_assert_cmpuint (ct_test_meta_status (in), ==, 204);
  g_assert_cmpuint (ct_message_get_size (in), ==, 0);
  summary = summary_of (in);
  g_assert_nonnull (strstr (summary, "no response"));
  g_assert_null (ct_test_log_nth (log_of (f->client), CT_DIRECTION_ERROR, 0));

  /* Off again: an id, and an answer */
  g_object_set (f->client, "notification", FALSE, NULL);
  g_assert_true (ct_endpoint_send_text (f->client, "ping", &error));
  g_clear_object (&in);
  in = wait_client_in (f, 1);
  {
    g_autofree char *second = summary_of (in);

    g_assert_true (g_str_has_prefix (second, "ping → result \"pong\" ("));
  }
}

static void
test_client_raw (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *invalid = "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]";

  start_pair (f);

  /* Invalid JSON goes out as typed; the server's parse error comes back */
  g_assert_true (ct_endpoint_send_text (f->client, invalid, &error));
  g_assert_no_error (error);
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 0);
    g_autoptr(CtMessage) out = ct_test_log_nth (log_of (f->client), CT_DIRECTION_OUT, 0);
    g_autoptr(CtMessage) server_in = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 0);
    g_autofree char *sent = ct_message_dup_text (out);
    g_autofree char *arrived = ct_message_dup_text (server_in);
    g_autofree char *received = ct_message_dup_text (in);
    g_autofree char *summary = summary_of (in);
    g_autoptr(JsonNode) response = parse (received);

    g_assert_cmpstr (sent, ==, invalid);
    g_assert_cmpstr (arrived, ==, invalid);
    assert_error (response, CT_JSONRPC_PARSE_ERROR, "null");
    g_assert_true (g_str_has_prefix (summary, "error -32700: "));
    g_assert_cmpuint (ct_test_meta_status (in), ==, 200);
  }

  /* A raw batch, with its own ids, is paired by them */
  g_assert_true (ct_endpoint_send_text (f->client,
                                        "[{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":\"a\"},"
                                        " {\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1],\"id\":\"b\"}]",
                                        &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 1);
    g_autofree char *summary = summary_of (in);

    g_assert_true (g_str_has_prefix (summary, "subtract → result 19; echo → result [1] ("));
  }
}

static void
test_client_batch (Fixture       *f,
                   gconstpointer  data)
{
  CtJsonRpcClient *client;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMessage) out = NULL;
  g_autoptr(CtMessage) in = NULL;
  guint batch_length = 99;

  start_pair (f);
  client = CT_JSONRPC_CLIENT (f->client);

  /* Nothing to send yet */
  g_assert_false (ct_jsonrpc_client_send_batch (client, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);

  g_assert_true (ct_jsonrpc_client_add_to_batch (client, "subtract [42,23]", &error));
  g_assert_true (ct_jsonrpc_client_add_to_batch (client, "sum [1,2,4]", &error));
  g_assert_true (ct_jsonrpc_client_add_to_batch (client, "get_data", &error));
  g_assert_no_error (error);
  /* A bad line is refused and not added */
  g_assert_false (ct_jsonrpc_client_add_to_batch (client, "sum [1,", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_cmpuint (ct_jsonrpc_client_get_batch_length (client), ==, 3);
  g_assert_cmpuint (ct_test_log_count (log_of (f->client), CT_DIRECTION_OUT), ==, 0);

  g_assert_true (ct_jsonrpc_client_send_batch (client, &error));
  g_assert_no_error (error);
  g_object_get (client, "batch-length", &batch_length, NULL);
  g_assert_cmpuint (batch_length, ==, 0);

  in = wait_client_in (f, 0);
  g_assert_cmpuint (ct_test_log_count (log_of (f->client), CT_DIRECTION_OUT), ==, 1);
  g_assert_cmpuint (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN), ==, 1);
  out = ct_test_log_nth (log_of (f->client), CT_DIRECTION_OUT, 0);
  g_assert_cmpuint (ct_message_get_exchange (in), ==, ct_message_get_exchange (out));

  {
    g_autofree char *sent = ct_message_dup_text (out);
    g_autofree char *received = ct_message_dup_text (in);
    g_autofree char *summary = summary_of (in);
    g_autofree char *out_ids = meta_ids (out);
    g_autofree char *in_ids = meta_ids (in);
    g_autoptr(JsonNode) response = parse (received);

    assert_json_matches (sent, "[{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":1},"
                               " {\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2,4],\"id\":2},"
                               " {\"jsonrpc\":\"2.0\",\"method\":\"get_data\",\"id\":3}]");
    g_assert_true (JSON_NODE_HOLDS_ARRAY (response));
    assert_json_matches (received, "[{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":1},"
                                   " {\"jsonrpc\":\"2.0\",\"result\":7,\"id\":2},"
                                   " {\"jsonrpc\":\"2.0\",\"result\":[\"hello\",5],\"id\":3}]");
    /* Each answer named by the call it belongs to */
    g_assert_nonnull (strstr (summary, "subtract → result 19"));
    g_assert_nonnull (strstr (summary, "sum → result 7"));
    g_assert_nonnull (strstr (summary, "get_data → result [\"hello\",5]"));
    g_assert_cmpstr (out_ids, ==, "1,2,3");
    g_assert_cmpstr (in_ids, ==, "1,2,3");
  }

  /* The server saw one batch */
  {
    g_autoptr(CtMessage) server_in = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 0);
    g_autofree char *summary = summary_of (server_in);

    g_assert_true (g_str_has_prefix (summary, "batch of 3: subtract [42,23]; sum [1,2,4]; get_data"));
    g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN), ==, 1);
  }
}

static void
test_client_bad_params (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  start_pair (f);

  g_assert_false (ct_endpoint_send_text (f->client, "subtract [42,", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_false (ct_endpoint_send_text (f->client, "subtract 42", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_false (ct_endpoint_send_text (f->client, "   ", &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);

  /* The same check as the composer makes while typing */
  g_assert_false (ct_jsonrpc_client_check_line ("subtract [42,", NULL));
  g_assert_false (ct_jsonrpc_client_check_line ("subtract 42", NULL));
  g_assert_false (ct_jsonrpc_client_check_line ("", NULL));
  g_assert_true (ct_jsonrpc_client_check_line ("subtract [42, 23]", NULL));
  g_assert_true (ct_jsonrpc_client_check_line ("ping", NULL));
  g_assert_true (ct_jsonrpc_client_check_line ("{not json, sent raw", NULL));

  /* Nothing was sent: each refusal is an error entry, and the client runs on */
  g_assert_cmpuint (ct_test_log_count (log_of (f->client), CT_DIRECTION_OUT), ==, 0);
  g_assert_cmpuint (ct_test_log_count (log_of (f->client), CT_DIRECTION_ERROR), ==, 3);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_ERROR, "Params must be a JSON array or object"), >=, 0);
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN), ==, 0);
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);

  /* A call afterwards gets the first id */
  g_assert_true (ct_endpoint_send_text (f->client, "ping", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 0);
    g_autofree char *ids = meta_ids (in);

    g_assert_cmpstr (ids, ==, "1");
  }
}

static void
test_client_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/rpc", ct_test_free_port (G_SOCKET_TYPE_STREAM));

  g_object_set (f->client, "url", url, NULL);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_no_error (error);
  g_assert_true (ct_endpoint_send_text (f->client, "ping", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_ERROR) == 1);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_ERROR, "connection refused"), >=, 0);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_ERROR, url), >=, 0);
  g_assert_nonnull (strstr (ct_endpoint_get_error (f->client), "connection refused"));
  g_assert_cmpuint (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN), ==, 0);
  /* A client has nothing to lose: it stays ready */
  g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_RUNNING);
}

static void
test_client_bad_url (Fixture       *f,
                     gconstpointer  data)
{
  static const char *urls[] = { "", "not a url", "ftp://127.0.0.1/rpc", "http:///rpc" };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;

      g_object_set (f->client, "url", urls[i], NULL);
      g_assert_false (ct_test_start (f->client, &error));
      g_assert_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING);
      g_assert_cmpint (ct_endpoint_get_state (f->client), ==, CT_STATE_FAILED);
    }

  /* Not running: sending says so */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (ct_endpoint_send_text (f->client, "ping", &error));
    g_assert_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING);
  }
}

static void
test_client_timeout (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  start_server (f);
  ct_endpoint_use_server (f->client, f->server);
  g_object_set (f->client, "timeout", 1, NULL);
  g_assert_true (ct_test_start (f->client, &error));

  start = g_get_monotonic_time ();
  g_assert_true (ct_endpoint_send_text (f->client, "sleep [3000]", &error));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_ERROR) == 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC * 3);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_ERROR, "within 1 s"), >=, 0);
  g_assert_cmpuint (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN), ==, 0);

  /* The next call is answered */
  g_assert_true (ct_endpoint_send_text (f->client, "ping", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 0);
    g_autofree char *summary = summary_of (in);

    g_assert_true (g_str_has_prefix (summary, "ping → result \"pong\""));
  }
}

static void
test_client_http_errors (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* A body over the server's limit: the 413 is logged and reported */
  g_object_set (f->server, "max-body-size", 64, NULL);
  start_pair (f);
  g_assert_true (ct_endpoint_send_text (f->client, "echo [\"a string long enough to be over sixty-four bytes\"]", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 0);

    g_assert_cmpuint (ct_test_meta_status (in), ==, 413);
  }
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_ERROR) == 1);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_ERROR, "413"), >=, 0);

  /* A wrong path: 404 from the HTTP server */
  ct_test_stop (f->client);
  {
    g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/elsewhere", ct_test_endpoint_port (f->server));

    g_object_set (f->client, "url", url, NULL);
  }
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_true (ct_endpoint_send_text (f->client, "ping", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 1);

    g_assert_cmpuint (ct_test_meta_status (in), ==, 404);
  }
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_ERROR) == 2);
  g_assert_cmpint (ct_test_log_find (log_of (f->client), CT_DIRECTION_ERROR, "404"), >=, 0);
}

/* -- 5. third-party peers: Python's jsonrpclib ----------------------------- */

static gboolean
have_jsonrpclib (void)
{
  const char *argv[] = { DEBIAN_PYTHON, "-c", "import jsonrpclib", NULL };
  g_autoptr(GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);

  return process && g_subprocess_wait_check (process, NULL, NULL);
}

/* Until something listens on 127.0.0.1:@port (bounded) */
static void
wait_for_listener (guint16 port)
{
  gint64 end = g_get_monotonic_time () + CT_TEST_TIMEOUT_S * G_USEC_PER_SEC;
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  for (;;)
    {
      g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (connection)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (50 * 1000);
    }
}

static const char python_server[] =
  "import logging, os, sys, threading\n"
  "from jsonrpclib.SimpleJSONRPCServer import SimpleJSONRPCServer\n"
  "logging.disable(logging.CRITICAL)\n"
  "# Gone with the test: its end closes our stdin\n"
  "threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()\n"
  "def subtract(minuend, subtrahend):\n"
  "    return minuend - subtrahend\n"
  "def explode():\n"
  "    raise ValueError('boom')\n"
  "server = SimpleJSONRPCServer(('127.0.0.1', int(sys.argv[1])), logRequests=False)\n"
  "server.register_function(subtract)\n"
  "server.register_function(explode)\n"
  "server.register_function(lambda *args: None, 'update')\n"
  "server.serve_forever()\n";

static void
test_jsonrpclib_server (Fixture       *f,
                        gconstpointer  data)
{
  guint16 port = ct_test_free_port (G_SOCKET_TYPE_STREAM);
  g_autofree char *port_string = g_strdup_printf ("%u", port);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GError) error = NULL;
  CtMessageLog *log = log_of (f->client);

  if (!have_jsonrpclib ())
    {
      g_test_skip (DEBIAN_PYTHON " has no jsonrpclib (python3-jsonrpclib-pelix)");
      return;
    }

  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                             DEBIAN_PYTHON, "-c", python_server, port_string, NULL);
  g_assert_no_error (error);
  wait_for_listener (port);

  g_object_set (f->client, "url", url, NULL);
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_no_error (error);

  g_assert_true (ct_endpoint_send_text (f->client, "subtract [42, 23]", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 0);
    g_autofree char *summary = summary_of (in);
    g_autofree char *ids = meta_ids (in);

    g_assert_true (g_str_has_prefix (summary, "subtract → result 19 ("));
    g_assert_cmpuint (ct_test_meta_status (in), ==, 200);
    g_assert_cmpstr (ids, ==, "1");
  }

  g_assert_true (ct_endpoint_send_text (f->client, "subtract {\"minuend\": 23, \"subtrahend\": 42}", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 1);
    g_autofree char *summary = summary_of (in);

    g_assert_true (g_str_has_prefix (summary, "subtract → result -19 ("));
  }

  /* A method that raises: jsonrpclib's internal error, with its message */
  g_assert_true (ct_endpoint_send_text (f->client, "explode", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 2);
    g_autofree char *summary = summary_of (in);

    g_assert_true (g_str_has_prefix (summary, "explode → error -32603: "));
    g_assert_nonnull (strstr (summary, "boom"));
  }

  g_assert_true (ct_endpoint_send_text (f->client, "nosuch", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 3);
    g_autofree char *summary = summary_of (in);

    g_assert_true (g_str_has_prefix (summary, "nosuch → error -32601: "));
  }

  /* A batch */
  g_assert_true (ct_jsonrpc_client_add_to_batch (CT_JSONRPC_CLIENT (f->client), "subtract [10, 3]", &error));
  g_assert_true (ct_jsonrpc_client_add_to_batch (CT_JSONRPC_CLIENT (f->client), "explode", &error));
  g_assert_true (ct_jsonrpc_client_send_batch (CT_JSONRPC_CLIENT (f->client), &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 4);
    g_autofree char *summary = summary_of (in);

    g_assert_nonnull (strstr (summary, "subtract → result 7"));
    g_assert_nonnull (strstr (summary, "explode → error -32603"));
  }

  /* A notification: jsonrpclib answers 200 with an empty body */
  g_object_set (f->client, "notification", TRUE, NULL);
  g_assert_true (ct_endpoint_send_text (f->client, "update [1, 2]", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 5);
    g_autofree char *summary = summary_of (in);

    g_assert_cmpuint (ct_test_meta_status (in), ==, 200);
    g_assert_nonnull (strstr (summary, "no response"));
  }

  ct_test_assert_exchanges_paired (log);
  g_assert_no_error (error);
  g_assert_null (ct_test_log_nth (log, CT_DIRECTION_ERROR, 0));

  g_subprocess_send_signal (python, SIGTERM);
  g_subprocess_wait (python, NULL, NULL);
}

static const char python_client[] =
  "import json, sys\n"
  "import jsonrpclib\n"
  "from jsonrpclib.jsonrpc import ProtocolError, TransportError\n"
  "server = jsonrpclib.ServerProxy(sys.argv[1])\n"
  "print('subtract', server.subtract(42, 23))\n"
  "print('named', server.subtract(minuend=42, subtrahend=23))\n"
  "print('get_data', json.dumps(server.get_data()))\n"
  "batch = jsonrpclib.MultiCall(server)\n"
  "batch.sum(1, 2, 4)\n"
  "batch.subtract(42, 23)\n"
  "batch.get_data()\n"
  "print('batch', json.dumps(list(batch())))\n"
  "try:\n"
  "    server.foobar()\n"
  "    print('foobar answered')\n"
  "except TransportError as e:\n"
  "    print('foobar http', e.errcode)\n"
  "except ProtocolError as e:\n"
  "    print('foobar', e.args[0][0])\n"
  "try:\n"
  "    server._notify.update(1, 2)\n"
  "    print('notify ok')\n"
  "except TransportError as e:\n"
  "    print('notify http', e.errcode)\n";

static void
test_jsonrpclib_client (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!have_jsonrpclib ())
    {
      g_test_skip (DEBIAN_PYTHON " has no jsonrpclib (python3-jsonrpclib-pelix)");
      return;
    }

  start_server (f);
  out = ct_test_run_peer (NULL, (const char *[]) { DEBIAN_PYTHON, "-c", python_client, f->url, NULL });
  g_test_message ("jsonrpclib printed:\n%s", out);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  g_assert_cmpstr (lines[0], ==, "subtract 19");
  g_assert_cmpstr (lines[1], ==, "named 19");
  g_assert_cmpstr (lines[2], ==, "get_data [\"hello\", 5]");
  g_assert_cmpstr (lines[3], ==, "batch [7, 19, [\"hello\", 5]]");
  g_assert_cmpstr (lines[4], ==, "foobar -32601");
  /* The notification arrives, and the server answers 204 No Content as a
   * JSON-RPC-over-HTTP server should; jsonrpclib 0.4 accepts only 200 and
   * calls that a transport error, which is its limitation */
  g_assert_true (g_str_equal (lines[5], "notify ok") || g_str_equal (lines[5], "notify http 204"));
  g_assert_cmpstr (lines[6], ==, "");

  /* The server's log has every exchange; the notification was received */
  ct_test_assert_exchanges_paired (log_of (f->server));
  g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_IN), ==, 6);
  g_assert_cmpint (ct_test_log_find (log_of (f->server), CT_DIRECTION_ERROR, ""), ==, -1);
  {
    g_autoptr(CtMessage) in = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 5);
    g_autoptr(CtMessage) response = ct_test_log_nth (log_of (f->server), CT_DIRECTION_OUT, 5);
    g_autofree char *summary = summary_of (in);
    const char *type = NULL;

    g_assert_cmpstr (summary, ==, "update [1,2] (notification)");
    g_assert_true (g_variant_lookup (ct_message_get_meta (in), "content-type", "&s", &type));
    g_assert_cmpstr (type, ==, "application/json-rpc");
    g_assert_cmpuint (ct_test_meta_status (response), ==, 204);
  }
  {
    g_autoptr(CtMessage) in = ct_test_log_nth (log_of (f->server), CT_DIRECTION_IN, 3);
    g_autofree char *summary = summary_of (in);

    g_assert_true (g_str_has_prefix (summary, "batch of 3: sum [1,2,4]; subtract [42,23]; get_data"));
  }
}

/* -- regressions ------------------------------------------------------------ */

/* Each reproduces a bug found while writing these tests, now fixed. It runs
 * in a subprocess, so a g_critical, UBSan or LeakSanitizer report fails that
 * test alone with a clear name. */
typedef struct
{
  const char *path;
  void      (*func) (Fixture *f);
  const char *bug;
} Regression;

/* POSTs @body and checks that the answer is 200 with a body that is valid
 * UTF-8 and valid JSON, which is returned */
static JsonNode *
rpc_valid (Fixture    *f,
           const char *body)
{
  g_autoptr(CtTestHttp) h = http_post (f, body);
  g_autofree char *text = ct_test_http_text (h);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_assert_cmpuint (ct_test_http_status (h), ==, 200);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  node = json_from_string (text, &error);
  if (node == NULL)
    g_error ("the answer to %s is not JSON: %s (%s)", body, text, error->message);
  return node;
}

/* ct_jsonrpc_describe (ct-jsonrpc.c, describe_one) reads "error"."code"
 * and "message" with json_object_get_*_member_with_default, which are
 * g_return_if_fail'ed on non-scalar members: any peer can send this */
static void
bug_describe_error_not_scalar (Fixture *f)
{
  start_server (f);
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":[1],\"message\":\"x\"},\"id\":1}");

    assert_error (response, CT_JSONRPC_INVALID_REQUEST, "1");
  }
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":{}},\"id\":2}");

    assert_error (response, CT_JSONRPC_INVALID_REQUEST, "2");
  }
}

/* ct-jsonrpc-client.c, method_for_id: "method" read with
 * json_object_get_string_member_with_default, critical when it is an
 * object; the raw composer exists to send such requests */
static void
bug_client_raw_method_object (Fixture *f)
{
  start_pair (f);
  g_assert_true (ct_endpoint_send_text (f->client, "{\"jsonrpc\":\"2.0\",\"method\":{},\"id\":1}", NULL));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 0);
    g_autofree char *summary = summary_of (in);

    g_assert_nonnull (strstr (summary, "error -32600"));
  }
}

/* ct-jsonrpc-methods.c, binary and method_sum: int64 arithmetic that
 * overflows (undefined behaviour; wraps to a wrong answer) */
static void
bug_integer_overflow (Fixture *f)
{
  static const char *bodies[] = {
    "{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[9223372036854775807,-1],\"id\":1}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[9223372036854775807,1],\"id\":1}",
    "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[9223372036854775807,1],\"id\":1}",
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(JsonNode) response = rpc_valid (f, bodies[i]);
      JsonObject *object = json_node_get_object (response);

      /* An error, or the right sign at least */
      if (json_object_has_member (object, "result"))
        g_assert_cmpfloat (json_node_get_double (json_object_get_member (object, "result")), >, 0);
    }
}

/* ct-jsonrpc-methods.c, binary and method_sum: the integer sum is computed
 * even for doubles, converting 1e308 to int64 (undefined) and adding */
static void
bug_double_operands (Fixture *f)
{
  start_server (f);
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1e300,1e300],\"id\":1}");

    g_assert_cmpfloat (json_node_get_double (result_of (response)), ==, 2e300);
  }
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1e300,1e300],\"id\":1}");

    g_assert_cmpfloat (json_node_get_double (result_of (response)), ==, 2e300);
  }
}

/* json-glib 1.6 writes 1e17 as `1e+17.0` (ct_json_to_string): not JSON */
static void
bug_double_exponent_format (Fixture *f)
{
  start_server (f);
  {
    /* 2e20 is past 64-bit integers: json-glib cannot write it as JSON
     * (docs/protocols/jsonrpc.md, limits) */
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1e17, -3e18],\"id\":1}");
    g_autoptr(JsonNode) expected = parse ("[1e17, -3e18]");

    g_assert_true (json_node_equal (result_of (response), expected));
  }
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1e17}");
    g_autoptr(JsonNode) id = parse ("1e17");

    g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (response), "id"), id));
  }
}

/* Numbers json-glib cannot hold: 1e400 becomes infinity, written `inf.0`;
 * 2^64 becomes the integer -1 — the id comes back changed */
static void
bug_numbers_out_of_range (Fixture *f)
{
  start_server (f);
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1e400}");

    g_assert_nonnull (response);
  }
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":[1.5e308,1.5e308],\"id\":1}");

    g_assert_nonnull (response);
  }
  /* An integer past 64 bits (2^64) is read by json-glib as -1 without a
   * word: a documented limit, not tested */
}

/* ct_json_parse puts json-glib's message, which quotes the input's bytes,
 * into the error: for a lone surrogate those are not UTF-8, and the -32700
 * answer is not JSON */
static void
bug_parse_error_not_utf8 (Fixture *f)
{
  start_server (f);
  {
    g_autoptr(JsonNode) response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[\"\\ud800\"],\"id\":1}");

    assert_error (response, CT_JSONRPC_PARSE_ERROR, "null");
  }
}

static void
bug_mock_types (Fixture *f)
{
  static const char *bad[] = {
    "{\"x\": {\"error\": {\"code\": \"a\", \"message\": 5}}}",
    "{\"x\": {\"error\": {\"code\": [], \"message\": \"m\"}}}",
    "{\"x\": {\"result\": 1, \"description\": {}}}",
  };

  start_server (f);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) response = NULL;

      ct_message_log_clear (log_of (f->server));
      g_object_set (f->server, "methods", bad[i], NULL);
      g_assert_cmpuint (ct_test_log_count (log_of (f->server), CT_DIRECTION_ERROR), ==, 1);
      response = rpc_valid (f, "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":1}");
      assert_error (response, CT_JSONRPC_METHOD_NOT_FOUND, "1");
    }
}

/* ct-jsonrpc-client.c, ct_jsonrpc_client_use_server leaks the string of
 * g_inet_address_to_string for an IPv6 server (LeakSanitizer sees it) */
static void
bug_use_server_ipv6_leak (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  g_object_set (f->server, "host", "::1", NULL);
  if (!ct_test_start (f->server, &error))
    {
      g_test_skip ("No IPv6 loopback on this machine");
      return;
    }
  ct_endpoint_use_server (f->client, f->server);
  g_object_get (f->client, "url", &url, NULL);
  g_assert_true (g_str_has_prefix (url, "http://[::1]:"));
  g_assert_true (ct_test_start (f->client, &error));
  g_assert_true (ct_endpoint_send_text (f->client, "ping", &error));
  {
    g_autoptr(CtMessage) in = wait_client_in (f, 0);
    g_autofree char *summary = summary_of (in);

    g_assert_true (g_str_has_prefix (summary, "ping → result \"pong\""));
  }
}

/* ct-jsonrpc-client.c, ct_jsonrpc_client_start: the SoupSession keeps
 * libsoup's default of 2 connections per host, so a third call waits for
 * one of the first two — a ping sent after 4 sleeps shows a latency of
 * 2 × 300 ms, as if the server blocked */
static void
bug_client_two_connections (Fixture *f)
{
  gint64 start;

  start_pair (f);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 4; i++)
    g_assert_true (ct_endpoint_send_text (f->client, "sleep [300]", NULL));
  g_assert_true (ct_endpoint_send_text (f->client, "ping", NULL));
  CT_TEST_WAIT_UNTIL (ct_test_log_count (log_of (f->client), CT_DIRECTION_IN) == 5);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 550 * 1000);
  {
    /* The ping came back first */
    g_autoptr(CtMessage) first = ct_test_log_nth (log_of (f->client), CT_DIRECTION_IN, 0);
    g_autofree char *summary = summary_of (first);

    g_assert_true (g_str_has_prefix (summary, "ping → "));
  }
}

static const Regression regressions[] = {
  { "/ct/jsonrpc/regressions/describe-error-not-scalar", bug_describe_error_not_scalar,
    "ct-jsonrpc.c describe_one: g_critical on a request with a non-scalar error.code/message" },
  { "/ct/jsonrpc/regressions/client-raw-method-object", bug_client_raw_method_object,
    "ct-jsonrpc-client.c method_for_id: g_critical when a raw request's method is an object" },
  { "/ct/jsonrpc/regressions/integer-overflow", bug_integer_overflow,
    "ct-jsonrpc-methods.c binary/method_sum: signed int64 overflow" },
  { "/ct/jsonrpc/regressions/double-operands", bug_double_operands,
    "ct-jsonrpc-methods.c binary/method_sum: int64 sum computed from doubles" },
  { "/ct/jsonrpc/regressions/double-exponent-format", bug_double_exponent_format,
    "ct_json_to_string: json-glib 1.6 writes 1e17 as 1e+17.0" },
  { "/ct/jsonrpc/regressions/numbers-out-of-range", bug_numbers_out_of_range,
    "ct_json_parse: 1e400 becomes inf (written inf.0), 2^64 becomes -1" },
  { "/ct/jsonrpc/regressions/parse-error-not-utf8", bug_parse_error_not_utf8,
    "ct_json_parse: the parse error quotes bytes that are not UTF-8" },
  { "/ct/jsonrpc/regressions/mock-types", bug_mock_types,
    "ct-jsonrpc-server.c on_methods_changed: types of code/message/description not checked" },
  { "/ct/jsonrpc/regressions/use-server-ipv6-leak", bug_use_server_ipv6_leak,
    "ct-jsonrpc-client.c ct_jsonrpc_client_use_server: leaks g_inet_address_to_string" },
  { "/ct/jsonrpc/regressions/client-two-connections", bug_client_two_connections,
    "ct-jsonrpc-client.c ct_jsonrpc_client_start: 2 connections per host queue concurrent calls" },
};

static void
test_regression (gconstpointer data)
{
  const Regression *bug = data;

  if (g_test_subprocess ())
    {
      Fixture f = { NULL, };

      fixture_setup (&f, NULL);
      bug->func (&f);
      fixture_teardown (&f, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, (guint64) CT_TEST_TIMEOUT_S * 3 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
drop_log_message (const char     *domain,
                  GLogLevelFlags  level,
                  const char     *message,
                  gpointer        user_data)
{
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* GIO's debug messages, six per HTTP connection, would bury the test's
   * own output */
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log_message, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

  for (guint i = 0; i < G_N_ELEMENTS (spec_examples); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ct/jsonrpc/spec/%s", spec_examples[i].name);

      ADD (path, test_spec_example, &spec_examples[i]);
    }

  ADD ("/ct/jsonrpc/errors/ids-echoed", test_ids_echoed, NULL);
  ADD ("/ct/jsonrpc/errors/invalid-ids", test_invalid_ids, NULL);
  ADD ("/ct/jsonrpc/errors/invalid-requests", test_invalid_requests, NULL);
  ADD ("/ct/jsonrpc/errors/invalid-params", test_invalid_params, NULL);
  ADD ("/ct/jsonrpc/errors/fail", test_fail, NULL);
  ADD ("/ct/jsonrpc/http/method-not-allowed", test_http_method, NULL);
  ADD ("/ct/jsonrpc/http/content-type", test_content_type, NULL);
  ADD ("/ct/jsonrpc/limits/body-size", test_body_limit, NULL);
  ADD ("/ct/jsonrpc/limits/max-batch", test_max_batch, NULL);
  ADD ("/ct/jsonrpc/limits/deep-nesting", test_deep_nesting, NULL);
  ADD ("/ct/jsonrpc/methods/mocks", test_mocks, NULL);
  ADD ("/ct/jsonrpc/methods/discover", test_discover, NULL);

  ADD ("/ct/jsonrpc/concurrency/sleeps", test_concurrent_sleeps, NULL);
  ADD ("/ct/jsonrpc/concurrency/batch", test_batch_waits_for_all, NULL);
  ADD ("/ct/jsonrpc/concurrency/stop-while-sleeping", test_stop_while_sleeping, NULL);

  ADD ("/ct/jsonrpc/client/call", test_client_call, NULL);
  ADD ("/ct/jsonrpc/client/notification", test_client_notification, NULL);
  ADD ("/ct/jsonrpc/client/raw", test_client_raw, NULL);
  ADD ("/ct/jsonrpc/client/batch", test_client_batch, NULL);
  ADD ("/ct/jsonrpc/client/bad-params", test_client_bad_params, NULL);
  ADD ("/ct/jsonrpc/client/connection-refused", test_client_refused, NULL);
  ADD ("/ct/jsonrpc/client/bad-url", test_client_bad_url, NULL);
  ADD ("/ct/jsonrpc/client/timeout", test_client_timeout, NULL);
  ADD ("/ct/jsonrpc/client/http-errors", test_client_http_errors, NULL);

  ADD ("/ct/jsonrpc/interop/jsonrpclib-server", test_jsonrpclib_server, NULL);
  ADD ("/ct/jsonrpc/interop/jsonrpclib-client", test_jsonrpclib_client, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (regressions); i++)
    g_test_add_data_func (regressions[i].path, &regressions[i], test_regression);

  return g_test_run ();
}
