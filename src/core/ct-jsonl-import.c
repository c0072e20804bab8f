/* ct-jsonl-import.c — reading a JSON Lines export back into a log
 *
 * Every member ct_jsonl_format_message() writes is read back; the other
 * members of an info or error entry are its event's attributes. Importing a
 * file: a worker thread reads and parses it into batches of entries, the
 * main context appends each batch to the log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ct-jsonl.h"
#include "ct-message-log-private.h"

/* One entry as read from a line, before it is appended */
typedef struct
{
  gint64       time;
  CtDirection  direction;
  char        *event;
  char        *peer;
  guint8      *payload;
  gsize        size;
  char        *summary;
  GVariant    *meta;        /* a{sv}, not floating; NULL: none */
  guint64      exchange;
  gint64       latency;     /* -1: none */
} Entry;

static void
entry_clear (Entry *entry)
{
  g_clear_pointer (&entry->event, g_free);
  g_clear_pointer (&entry->peer, g_free);
  g_clear_pointer (&entry->payload, g_free);
  g_clear_pointer (&entry->summary, g_free);
  g_clear_pointer (&entry->meta, g_variant_unref);
}

static void
entry_append (const Entry  *entry,
              CtMessageLog *log)
{
  ct_message_log_append_with_latency (log, &(CtMessageFields) {
                                        .time = entry->time,
                                        .direction = entry->direction,
                                        .event = entry->event,
                                        .peer = entry->peer,
                                        .data = entry->payload,
                                        .size = entry->size,
                                        .summary = entry->summary,
                                        .meta = entry->meta,
                                        .exchange = entry->exchange,
                                      },
                                      entry->latency);
}

/* The members ct_jsonl_format_message() writes itself; any other member of
 * an info or error entry is one of its event's attributes */
static gboolean
is_entry_member (const char *name)
{
  static const char * const names[] = {
    "time", "protocol", "role", "direction", "event", "peer", "size", "text", "base64",
    "summary", "meta", "exchange", "latency_us",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* A JSON value as the GVariant json_gvariant_serialize() writes back as the
 * same JSON: numbers as int64 or double, arrays of strings as `as`, other
 * arrays as `av`, objects as `a{sv}`, null as an empty `mv` */
static GVariant *
variant_from_json (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          return g_variant_new_int64 (json_node_get_int (node));
        case G_TYPE_DOUBLE:
          return g_variant_new_double (json_node_get_double (node));
        case G_TYPE_BOOLEAN:
          return g_variant_new_boolean (json_node_get_boolean (node));
        default:
          return g_variant_new_string (json_node_get_string (node));
        }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);
        gboolean strings = TRUE;
        GVariantBuilder builder;

        for (guint i = 0; i < n && strings; i++)
          {
            JsonNode *element = json_array_get_element (array, i);

            strings = JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING;
          }

        g_variant_builder_init (&builder, strings ? G_VARIANT_TYPE_STRING_ARRAY : G_VARIANT_TYPE ("av"));
        for (guint i = 0; i < n; i++)
          {
            JsonNode *element = json_array_get_element (array, i);

            if (strings)
              g_variant_builder_add (&builder, "s", json_node_get_string (element));
            else
              g_variant_builder_add (&builder, "v", variant_from_json (element));
          }
        return g_variant_builder_end (&builder);
      }

    case JSON_NODE_OBJECT:
    default:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        GVariantBuilder builder;

        g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          g_variant_builder_add (&builder, "{sv}", name, variant_from_json (member));
        return g_variant_builder_end (&builder);
      }
    }
}

/* The time as ct_message_format_time() writes it (exactly, to the µs), or
 * any other ISO 8601 form GLib reads */
static gboolean
parse_time (const char *text,
            gint64     *time)
{
  int year, month, day, hour, minute, second, consumed = 0;
  g_autoptr(GDateTime) dt = NULL;

  if (sscanf (text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
              &consumed) == 6 && consumed == 19)
    {
      const char *p = text + consumed;
      gint64 usec = 0;
      guint digits = 0;

      if (*p == '.')
        for (p++; g_ascii_isdigit (*p); p++, digits++)
          if (digits < 6)
            usec = usec * 10 + (*p - '0');
      for (; digits < 6; digits++)
        usec *= 10;

      if (strcmp (p, "Z") == 0 &&
          (dt = g_date_time_new_utc (year, month, day, hour, minute, second)) != NULL)
        {
          *time = g_date_time_to_unix (dt) * G_USEC_PER_SEC + usec;
          return TRUE;
        }
      g_clear_pointer (&dt, g_date_time_unref);
    }

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;
  *time = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static gboolean
is_base64 (const char *text)
{
  gsize length = strlen (text);

  if (length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' &&
        !(text[i] == '=' && i >= length - 2 && (i == length - 1 || text[i + 1] == '=')))
      return FALSE;
  return TRUE;
}

/* The string member @name, or NULL (with @error set when it is there but
 * not a string) */
static const char *
get_string (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” must be a string"), name);
      return NULL;
    }
  return json_node_get_string (node);
}

/* The whole number member @name (≥ 0 unless @any_sign) into @value; FALSE
 * when it is there but is not one */
static gboolean
get_count (JsonObject  *object,
           const char  *name,
           gboolean     any_sign,
           gint64      *value,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return TRUE;
  if (any_sign && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” must be a whole number, 0 or more"), name);
      return FALSE;
    }
  *value = json_node_get_int (node);
  return TRUE;
}

/* Reads one line of an export into @entry (cleared by the caller, also on
 * failure). @protocol and @role are borrowed from the line's parser. */
static gboolean
parse_entry (JsonParser  *parser,
             const char  *line,
             gssize       length,
             Entry       *entry,
             const char **protocol,
             const char **role,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *root;
  const char *value, *text = NULL, *base64 = NULL;
  gint64 size = -1, exchange = 0;
  gboolean is_event, found = FALSE;

  if (!json_parser_load_from_data (parser, line, length, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("not valid JSON (%s)"), local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("not a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (root);

  /* When, which way */
  value = get_string (object, "time", &local_error);
  if (value == NULL && local_error == NULL)
    g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is missing"), "time");
  if (local_error)
    goto failed;
  if (!parse_time (value, &entry->time))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“time” is not an ISO 8601 time: %s"), value);
      return FALSE;
    }

  value = get_string (object, "direction", &local_error);
  if (value == NULL && local_error == NULL)
    g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is missing"), "direction");
  if (local_error)
    goto failed;
  for (CtDirection d = CT_DIRECTION_IN; d <= CT_DIRECTION_ERROR && !found; d++)
    if (strcmp (value, ct_direction_to_string (d)) == 0)
      {
        entry->direction = d;
        found = TRUE;
      }
  if (!found)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“direction” must be in, out, info or error, not “%s”"), value);
      return FALSE;
    }
  is_event = entry->direction == CT_DIRECTION_INFO || entry->direction == CT_DIRECTION_ERROR;

  *protocol = get_string (object, "protocol", &local_error);
  if (local_error == NULL)
    *role = get_string (object, "role", &local_error);
  if (local_error == NULL)
    entry->event = g_strdup (get_string (object, "event", &local_error));
  if (local_error == NULL)
    entry->peer = g_strdup (get_string (object, "peer", &local_error));
  if (local_error == NULL)
    entry->summary = g_strdup (get_string (object, entry->direction == CT_DIRECTION_ERROR &&
                                                   !json_object_has_member (object, "summary")
                                                   ? "message" : "summary", &local_error));
  if (local_error)
    goto failed;

  /* The payload */
  text = get_string (object, "text", &local_error);
  if (local_error == NULL)
    base64 = get_string (object, "base64", &local_error);
  if (local_error == NULL)
    get_count (object, "size", FALSE, &size, &local_error);
  if (local_error)
    goto failed;
  if (text)
    {
      entry->size = strlen (text);
      entry->payload = g_memdup2 (text, entry->size);
    }
  else if (base64)
    {
      if (!is_base64 (base64))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“base64” is not valid base64"));
          return FALSE;
        }
      entry->payload = g_base64_decode (base64, &entry->size);
    }
  if (size >= 0 && (guint64) size != entry->size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“size” is %" G_GINT64_FORMAT " but the payload has %" G_GSIZE_FORMAT " bytes"),
                   size, entry->size);
      return FALSE;
    }

  /* Pairing (an exchange id past G_MAXINT64 is written as a negative
   * number: it comes back as the same 64 bits) */
  entry->latency = -1;
  if (!get_count (object, "exchange", TRUE, &exchange, &local_error) ||
      !get_count (object, "latency_us", FALSE, &entry->latency, &local_error))
    goto failed;
  entry->exchange = (guint64) exchange;

  /* The metadata: under "meta", or the event's attributes */
  if (!is_event && json_object_has_member (object, "meta"))
    {
      JsonNode *meta = json_object_get_member (object, "meta");

      if (!JSON_NODE_HOLDS_OBJECT (meta))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“meta” must be an object"));
          return FALSE;
        }
      entry->meta = g_variant_ref_sink (variant_from_json (meta));
    }
  else if (is_event)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      GVariantBuilder builder;
      gboolean any = FALSE;

      g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        if (!is_entry_member (name) && !(entry->direction == CT_DIRECTION_ERROR && strcmp (name, "message") == 0))
          {
            g_variant_builder_add (&builder, "{sv}", name, variant_from_json (member));
            any = TRUE;
          }
      if (any)
        entry->meta = g_variant_ref_sink (g_variant_builder_end (&builder));
      else
        g_variant_builder_clear (&builder);
    }

  return TRUE;

failed:
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/**
 * ct_jsonl_parse_line:
 * @line: one line of an export (without its line break)
 * @log: the log to append the entry to
 * @protocol: (out) (optional) (nullable): the line's protocol
 * @role: (out) (optional) (nullable): the line's role
 *
 * Reads one line of a JSON Lines export back into the entry it was made
 * from (time, direction, event, peer, payload byte for byte, summary,
 * metadata, exchange id and latency) and appends it to @log. Metadata comes
 * back with the same JSON values: whole numbers as int64, lists of strings
 * as `as`; exporting it again writes the same line.
 *
 * Returns: %TRUE, or %FALSE with @error saying what is wrong with the line
 */
gboolean
ct_jsonl_parse_line (const char    *line,
                     CtMessageLog  *log,
                     char         **protocol,
                     char         **role,
                     GError       **error)
{
  g_autoptr(JsonParser) parser = NULL;
  const char *line_protocol = NULL, *line_role = NULL;
  Entry entry = { 0 };
  gboolean ok;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (log), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parser = json_parser_new_immutable ();
  ok = parse_entry (parser, line, -1, &entry, &line_protocol, &line_role, error);
  if (ok)
    {
      entry_append (&entry, log);
      if (protocol)
        *protocol = g_strdup (line_protocol);
      if (role)
        *role = g_strdup (line_role);
    }
  entry_clear (&entry);
  return ok;
}

/* Importing: a worker reads and parses the file into batches of entries;
 * the main context appends each batch to the log. At most MAX_IN_FLIGHT
 * batches wait, so a huge file costs a bounded amount of memory. */
#define BATCH_ENTRIES  2048
#define BATCH_BYTES    (4 * 1024 * 1024)
#define MAX_IN_FLIGHT  4

typedef struct
{
  GArray  *entries;    /* Entry */
  gboolean last;
  GError  *error;      /* with last: why the import stopped */
} Batch;

typedef struct
{
  GMutex        mutex;
  GCond         cond;
  GQueue        batches;
  guint         in_flight;
  gboolean      drain_scheduled;
  gboolean      finished;     /* the task has returned: the worker stops */

  GFile        *file;
  CtMessageLog *log;
  GMainContext *context;
  GCancellable *cancellable;
  GTask        *task;         /* until it returns */
  gboolean      have_first;
  char         *protocol;     /* of the first entry; set by the worker */
  char         *role;
} Import;

typedef struct
{
  char *protocol;
  char *role;
} ImportResult;

static void
batch_free (Batch *batch)
{
  g_array_unref (batch->entries);
  g_clear_error (&batch->error);
  g_free (batch);
}

static Batch *
batch_new (void)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->entries = g_array_sized_new (FALSE, TRUE, sizeof (Entry), BATCH_ENTRIES);
  g_array_set_clear_func (batch->entries, (GDestroyNotify) entry_clear);
  return batch;
}

static void
import_clear (Import *import)
{
  g_queue_clear_full (&import->batches, (GDestroyNotify) batch_free);
  g_mutex_clear (&import->mutex);
  g_cond_clear (&import->cond);
  g_object_unref (import->file);
  g_object_unref (import->log);
  g_main_context_unref (import->context);
  g_clear_object (&import->cancellable);
  g_clear_object (&import->task);
  g_free (import->protocol);
  g_free (import->role);
}

static Import *
import_ref (Import *import)
{
  return g_atomic_rc_box_acquire (import);
}

static void
import_unref (Import *import)
{
  g_atomic_rc_box_release_full (import, (GDestroyNotify) import_clear);
}

static void
import_result_free (ImportResult *result)
{
  g_free (result->protocol);
  g_free (result->role);
  g_free (result);
}

/* Main context: the task returns (once) */
static void
import_return (Import *import,
               GError *error)
{
  g_autoptr(GTask) task = NULL;

  g_mutex_lock (&import->mutex);
  import->finished = TRUE;
  g_cond_broadcast (&import->cond);
  task = g_steal_pointer (&import->task);
  g_mutex_unlock (&import->mutex);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  ct_message_log_flush (import->log);
  if (error)
    g_task_return_error (task, error);
  else
    {
      ImportResult *result = g_new0 (ImportResult, 1);

      result->protocol = g_strdup (import->protocol);
      result->role = g_strdup (import->role);
      g_task_return_pointer (task, result, (GDestroyNotify) import_result_free);
    }
}

/* Main context: appends the batches that came */
static gboolean
import_drain_cb (gpointer data)
{
  Import *import = data;
  GQueue batches = G_QUEUE_INIT;
  Batch *batch;

  g_mutex_lock (&import->mutex);
  batches = import->batches;
  g_queue_init (&import->batches);
  import->drain_scheduled = FALSE;
  g_mutex_unlock (&import->mutex);

  while ((batch = g_queue_pop_head (&batches)))
    {
      g_autoptr(GError) error = NULL;

      if (!import->finished && !g_cancellable_set_error_if_cancelled (import->cancellable, &error))
        for (guint i = 0; i < batch->entries->len; i++)
          entry_append (&g_array_index (batch->entries, Entry, i), import->log);

      if (error)
        import_return (import, g_steal_pointer (&error));
      else if (batch->last)
        import_return (import, g_steal_pointer (&batch->error));

      g_mutex_lock (&import->mutex);
      import->in_flight--;
      g_cond_broadcast (&import->cond);
      g_mutex_unlock (&import->mutex);
      batch_free (batch);
    }

  return G_SOURCE_REMOVE;
}

/* Worker: hands @batch to the main context, waiting while too many wait
 * (unless it is the last). FALSE: the import is over, stop. */
static gboolean
import_push (Import *import,
             Batch  *batch)
{
  gboolean over;

  g_mutex_lock (&import->mutex);
  while (!batch->last && !import->finished && import->in_flight >= MAX_IN_FLIGHT &&
         !g_cancellable_is_cancelled (import->cancellable))
    g_cond_wait_until (&import->cond, &import->mutex, g_get_monotonic_time () + G_TIME_SPAN_MILLISECOND * 100);

  over = import->finished;
  if (over)
    batch_free (batch);
  else
    {
      g_queue_push_tail (&import->batches, batch);
      import->in_flight++;
      if (!import->drain_scheduled)
        {
          g_autoptr(GSource) source = g_idle_source_new ();

          import->drain_scheduled = TRUE;
          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, import_drain_cb, import_ref (import), (GDestroyNotify) import_unref);
          g_source_set_static_name (source, "[crosstalk] log import");
          g_source_attach (source, import->context);
        }
    }
  g_mutex_unlock (&import->mutex);
  return !over;
}

static gboolean
is_blank (const char *line,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Import *import = task_data;
  g_autoptr(GFileInputStream) file_stream = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  Batch *batch = batch_new ();
  gsize batch_bytes = 0;

  file_stream = g_file_read (import->file, cancellable, &error);
  if (file_stream)
    {
      in = g_data_input_stream_new (G_INPUT_STREAM (file_stream));
      g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (in), 256 * 1024);
      g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);
    }

  for (guint line_number = 1; in; line_number++)
    {
      g_autofree char *line = NULL;
      const char *protocol = NULL, *role = NULL;
      gsize length = 0;
      Entry entry = { 0 };

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;
      line = g_data_input_stream_read_line (in, &length, cancellable, &error);
      if (line == NULL)
        break;
      if (length > 0 && line[length - 1] == '\r')
        line[--length] = '\0';
      if (is_blank (line, length))
        continue;

      if (!parse_entry (parser, line, length, &entry, &protocol, &role, &error))
        {
          entry_clear (&entry);
          g_prefix_error (&error, _("Line %u: "), line_number);
          break;
        }
      if (!import->have_first)
        {
          import->have_first = TRUE;
          import->protocol = g_strdup (protocol);
          import->role = g_strdup (role);
        }

      batch_bytes += entry.size + length;
      g_array_append_val (batch->entries, entry);
      if (batch->entries->len >= BATCH_ENTRIES || batch_bytes >= BATCH_BYTES)
        {
          if (!import_push (import, g_steal_pointer (&batch)))
            {
              g_task_return_boolean (task, FALSE);
              return;
            }
          batch = batch_new ();
          batch_bytes = 0;
        }
    }

  batch->last = TRUE;
  batch->error = g_steal_pointer (&error);
  import_push (import, batch);
  g_task_return_boolean (task, TRUE);
}

/**
 * ct_jsonl_import_async:
 * @file: a JSON Lines export
 * @log: where to append its entries
 *
 * Reads @file back into @log: a worker thread reads and parses the lines,
 * and the entries are appended on the calling thread's main context in
 * batches, so a huge file keeps the main loop running. Blank lines are
 * skipped. A line that is not an entry stops the import with an error that
 * names the line (`Line 12: “time” is missing`); the entries before it
 * stay in the log.
 */
void
ct_jsonl_import_async (GFile               *file,
                       CtMessageLog        *log,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) worker = NULL;
  Import *import;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (CT_IS_MESSAGE_LOG (log));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  import = g_atomic_rc_box_new0 (Import);
  g_mutex_init (&import->mutex);
  g_cond_init (&import->cond);
  import->file = g_object_ref (file);
  import->log = g_object_ref (log);
  import->context = g_main_context_ref_thread_default ();
  import->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  import->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (import->task, ct_jsonl_import_async);

  /* The worker's own task: it only runs the thread; import->task is
   * returned from the main context once the last batch is in the log */
  worker = g_task_new (NULL, import->cancellable, NULL, NULL);
  g_task_set_task_data (worker, import, (GDestroyNotify) import_unref);
  g_task_run_in_thread (worker, import_thread);
}

/**
 * ct_jsonl_import_finish:
 * @protocol: (out) (optional) (nullable): the protocol of the first entry
 * @role: (out) (optional) (nullable): the role of the first entry
 */
gboolean
ct_jsonl_import_finish (GAsyncResult  *result,
                        char         **protocol,
                        char         **role,
                        GError       **error)
{
  ImportResult *import_result;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ct_jsonl_import_async, FALSE);

  import_result = g_task_propagate_pointer (G_TASK (result), error);
  if (import_result == NULL)
    return FALSE;

  if (protocol)
    *protocol = g_strdup (import_result->protocol);
  if (role)
    *role = g_strdup (import_result->role);
  import_result_free (import_result);
  return TRUE;
}
