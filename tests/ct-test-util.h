/* ct-test-util.h — small helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <string.h>

#include "ct-core.h"

G_BEGIN_DECLS

#define CT_TEST_TIMEOUT_S 20

/* Iterates the main context until COND holds; fails the test after
 * CT_TEST_TIMEOUT_S seconds. Every wait in the tests is bounded. */
#define CT_TEST_WAIT_UNTIL(cond)                                              \
  G_STMT_START {                                                              \
    gint64 _ct_end = g_get_monotonic_time () + CT_TEST_TIMEOUT_S * G_USEC_PER_SEC; \
    while (!(cond))                                                           \
      {                                                                       \
        if (g_get_monotonic_time () > _ct_end)                                \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #cond); \
        if (!g_main_context_iteration (NULL, FALSE))                          \
          g_usleep (1000);                                                    \
      }                                                                       \
  } G_STMT_END

static inline void
ct_test_result_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Starts @endpoint and waits; returns what start_finish returned. */
static inline gboolean
ct_test_start (CtEndpoint  *endpoint,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ct_endpoint_start_async (endpoint, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  return ct_endpoint_start_finish (endpoint, result, error);
}

static inline void
ct_test_stop (CtEndpoint *endpoint)
{
  g_autoptr(GAsyncResult) result = NULL;

  ct_endpoint_stop_async (endpoint, ct_test_result_cb, &result);
  CT_TEST_WAIT_UNTIL (result != NULL);
  g_assert_true (ct_endpoint_stop_finish (endpoint, result, NULL));
  g_assert_cmpint (ct_endpoint_get_state (endpoint), ==, CT_STATE_STOPPED);
}

/* The index of the first entry of @direction whose payload is @text (or,
 * for info/error entries, whose summary contains @text), or -1. */
static inline int
ct_test_log_find (CtMessageLog *log,
                  CtDirection   direction,
                  const char   *text)
{
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *payload = NULL;
      g_autofree char *summary = NULL;

      if (ct_message_get_direction (message) != direction)
        continue;
      if (direction == CT_DIRECTION_IN || direction == CT_DIRECTION_OUT)
        {
          payload = ct_message_dup_text (message);
          if (g_strcmp0 (payload, text) == 0)
            return (int) i;
        }
      else
        {
          summary = ct_message_dup_summary (message);
          if (strstr (summary, text))
            return (int) i;
        }
    }
  return -1;
}

static inline guint
ct_test_log_count (CtMessageLog *log,
                   CtDirection   direction)
{
  guint n, count = 0;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);

      count += ct_message_get_direction (message) == direction;
    }
  return count;
}

/* The @nth entry (from 0) of @direction, or NULL */
static inline CtMessage *
ct_test_log_nth (CtMessageLog *log,
                 CtDirection   direction,
                 guint         nth)
{
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (ct_message_get_direction (message) == direction && nth-- == 0)
        return g_steal_pointer (&message);
    }
  return NULL;
}

/* The HTTP status in an entry's metadata */
static inline guint
ct_test_meta_status (CtMessage *message)
{
  GVariant *meta = ct_message_get_meta (message);
  guint status = 0;

  g_assert_nonnull (meta);
  g_assert_true (g_variant_lookup (meta, "status", "u", &status));
  return status;
}

/* Every in entry has exactly one out entry with its exchange id, and back */
static inline void
ct_test_assert_exchanges_paired (CtMessageLog *log)
{
  g_autoptr(GHashTable) in = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) out = g_hash_table_new (g_direct_hash, g_direct_equal);
  GHashTableIter iter;
  gpointer key;
  guint n;

  ct_message_log_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      CtDirection direction = ct_message_get_direction (message);
      guint64 exchange = ct_message_get_exchange (message);

      if (direction != CT_DIRECTION_IN && direction != CT_DIRECTION_OUT)
        continue;
      g_assert_cmpuint (exchange, >, 0);
      g_assert_true (g_hash_table_add (direction == CT_DIRECTION_IN ? in : out, GSIZE_TO_POINTER (exchange)));
    }
  g_assert_cmpuint (g_hash_table_size (in), ==, g_hash_table_size (out));
  g_hash_table_iter_init (&iter, in);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_true (g_hash_table_contains (out, key));
}

/* A socket bound to 127.0.0.1 on a free port, and that port */
static inline GSocket *
ct_test_bind_loopback (GSocketType  type,
                       guint16     *port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, type, G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

/* A UDP or TCP port that was free a moment ago, for third-party servers
 * that cannot be told to pick one themselves. */
static inline guint16
ct_test_free_port (GSocketType type)
{
  guint16 port;
  g_autoptr(GSocket) socket = ct_test_bind_loopback (type, &port);

  return port;
}

static inline guint16
ct_test_endpoint_port (CtEndpoint *endpoint)
{
  GSocketAddress *address = ct_endpoint_get_socket_address (endpoint);

  g_assert_true (G_IS_INET_SOCKET_ADDRESS (address));
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

typedef struct
{
  char     *stdout_text;
  GError   *error;
  gboolean  done;
} CtTestCommunicate;

static inline void
ct_test_communicate_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  CtTestCommunicate *c = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &c->stdout_text, NULL, &c->error);
  c->done = TRUE;
}

/* Runs a third-party peer with @stdin_text as its input while the main
 * context keeps our endpoints going; returns its output (checked to have
 * exited 0). */
static inline char *
ct_test_run_peer (const char         *stdin_text,
                  const char * const *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CtTestCommunicate c = { NULL, NULL, FALSE };

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, stdin_text, NULL, ct_test_communicate_cb, &c);
  CT_TEST_WAIT_UNTIL (c.done);
  g_assert_no_error (c.error);
  /* communicate completes once the process has exited, too */
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed; it printed: %s", argv[0], c.stdout_text);
  return c.stdout_text;
}

G_END_DECLS

/* Stops @endpoint if it still runs, drops the caller's reference and
 * checks that nothing else holds it; FALSE (with a message) if the endpoint
 * was not finalized. For programs that keep going after a failed check. */
static inline gboolean
ct_test_release_endpoint (CtEndpoint **endpoint)
{
  GObject *object = G_OBJECT (*endpoint);

  if (ct_endpoint_get_state (*endpoint) == CT_STATE_RUNNING)
    ct_test_stop (*endpoint);
  CT_TEST_WAIT_UNTIL (object->ref_count == 1);
  g_object_add_weak_pointer (object, (gpointer *) &object);
  g_clear_object (endpoint);
  if (object == NULL)
    return TRUE;
  g_printerr ("the endpoint was not finalized\n");
  return FALSE;
}

/* Removes a directory a test made (g_dir_make_tmp) and all it holds */
static inline void
ct_test_rm_rf (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (dir, g_get_tmp_dir ()));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}
