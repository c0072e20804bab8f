/* ct-jsonl.c — the JSON Lines log format (CLI output and GUI export)
 *
 * One object per entry:
 *   time       ISO 8601 UTC with microseconds
 *   protocol   registry id; role: server or client
 *   direction  in, out, info or error
 *   event      for info and error entries; their attributes (the entry's
 *              metadata) follow as top-level members, e.g. "address"
 *   peer       when known
 *   size, text or base64   the payload: text when it is valid UTF-8
 *   summary    when one was given; "message" for error entries
 *   meta       for in/out entries, the protocol metadata as an object
 *   exchange   pairs a reply with its request
 *   latency_us the time since the entry it answers, when the log paired it
 *
 * The same file reads back into the same entries: see ct-jsonl-import.c.
 *
 * CSV (ct_csv_export_async()) is for spreadsheets: one row per entry, the
 * same columns for every row, RFC 4180 quoting.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ct-jsonl.h"
#include "ct-message-log-private.h"

static void
add_meta_members (JsonBuilder *builder,
                  GVariant    *meta)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, meta);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_value (builder, json_gvariant_serialize (value));
    }
}

/**
 * ct_jsonl_format_message:
 *
 * Returns: (transfer full): one JSON object, without the trailing newline
 */
char *
ct_jsonl_format_message (CtMessage  *message,
                         const char *protocol,
                         const char *role)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *time = ct_message_format_time (message, TRUE);
  CtDirection direction = ct_message_get_direction (message);
  gboolean is_event = direction == CT_DIRECTION_INFO || direction == CT_DIRECTION_ERROR;
  GVariant *meta = ct_message_get_meta (message);
  gsize size;
  const guint8 *data = ct_message_get_data (message, &size);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, protocol);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "direction");
  json_builder_add_string_value (builder, ct_direction_to_string (direction));

  if (ct_message_get_event (message))
    {
      json_builder_set_member_name (builder, "event");
      json_builder_add_string_value (builder, ct_message_get_event (message));
    }

  if (ct_message_get_peer (message))
    {
      json_builder_set_member_name (builder, "peer");
      json_builder_add_string_value (builder, ct_message_get_peer (message));
    }

  if (is_event && meta)
    add_meta_members (builder, meta);

  if (size > 0 || !is_event)
    {
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, size);

      if (g_utf8_validate_len ((const char *) data, size, NULL) && memchr (data, 0, size) == NULL)
        {
          g_autofree char *text = g_strndup ((const char *) data, size);

          json_builder_set_member_name (builder, "text");
          json_builder_add_string_value (builder, text);
        }
      else
        {
          g_autofree char *base64 = g_base64_encode (data, size);

          json_builder_set_member_name (builder, "base64");
          json_builder_add_string_value (builder, base64);
        }
    }

  if (ct_message_has_summary (message))
    {
      g_autofree char *summary = ct_message_dup_summary (message);

      json_builder_set_member_name (builder, direction == CT_DIRECTION_ERROR ? "message" : "summary");
      json_builder_add_string_value (builder, summary);
    }

  if (!is_event && meta)
    {
      json_builder_set_member_name (builder, "meta");
      json_builder_add_value (builder, json_gvariant_serialize (meta));
    }

  if (ct_message_get_exchange (message))
    {
      json_builder_set_member_name (builder, "exchange");
      json_builder_add_int_value (builder, (gint64) ct_message_get_exchange (message));
    }

  if (ct_message_get_latency (message) >= 0)
    {
      json_builder_set_member_name (builder, "latency_us");
      json_builder_add_int_value (builder, ct_message_get_latency (message));
    }

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

typedef char *(*FormatFunc) (CtMessage  *message,
                             const char *protocol,
                             const char *role);

typedef struct
{
  GPtrArray  *records;
  char       *protocol;
  char       *role;
  GFile      *file;
  FormatFunc  format;
  char       *header;       /* NULL: none */
  const char *newline;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_ptr_array_unref (data->records);
  g_free (data->protocol);
  g_free (data->role);
  g_object_unref (data->file);
  g_free (data->header);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  g_autoptr(GFileOutputStream) file_stream = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  file_stream = g_file_replace (data->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                cancellable, &error);
  if (file_stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  out = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (file_stream), 256 * 1024);
  if (data->header &&
      (!g_output_stream_write_all (out, data->header, strlen (data->header), NULL, cancellable, &error) ||
       !g_output_stream_write_all (out, data->newline, strlen (data->newline), NULL, cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < data->records->len; i++)
    {
      g_autoptr(CtMessage) message = ct_message_new_for_record (data->records->pdata[i]);
      g_autofree char *line = data->format (message, data->protocol, data->role);

      if (!g_output_stream_write_all (out, line, strlen (line), NULL, cancellable, &error) ||
          !g_output_stream_write_all (out, data->newline, strlen (data->newline), NULL, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (!g_output_stream_close (out, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * ct_jsonl_export_async:
 *
 * Writes every entry the log shows to @file, one JSON object per line, on a
 * worker thread. The calling thread only takes a reference on each entry's
 * record, so the log may keep growing meanwhile. The file is replaced
 * atomically.
 */
static void
export_async (CtMessageLog        *log,
              const char          *protocol,
              const char          *role,
              GFile               *file,
              FormatFunc           format,
              char                *header,
              const char          *newline,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  ExportData *data;

  data = g_new0 (ExportData, 1);
  data->records = ct_message_log_dup_records (log);
  data->protocol = g_strdup (protocol);
  data->role = g_strdup (role);
  data->file = g_object_ref (file);
  data->format = format;
  data->header = header;
  data->newline = newline;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

void
ct_jsonl_export_async (CtMessageLog        *log,
                       const char          *protocol,
                       const char          *role,
                       GFile               *file,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (log));
  g_return_if_fail (G_IS_FILE (file));

  export_async (log, protocol, role, file, ct_jsonl_format_message, NULL, "\n",
                cancellable, callback, user_data, ct_jsonl_export_async);
}

gboolean
ct_jsonl_export_finish (GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* -- CSV ---------------------------------------------------------------------- */

/* Appends @value as one CSV field: quoted when it holds a comma, a quote
 * or a line break, with its quotes doubled (RFC 4180) */
static void
csv_append_field (GString    *line,
                  const char *value,
                  gboolean    first)
{
  if (!first)
    g_string_append_c (line, ',');
  if (value == NULL)
    return;

  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }

  g_string_append_c (line, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

/**
 * ct_csv_format_header:
 *
 * Returns: (transfer full): the CSV header line, without the line break
 */
char *
ct_csv_format_header (void)
{
  return g_strdup ("time,protocol,role,direction,event,peer,size,summary,latency_us,exchange,payload");
}

/**
 * ct_csv_format_message:
 *
 * One CSV row for @message, in the columns of ct_csv_format_header(). The
 * summary is the one shown (derived from the payload when none was given);
 * the payload is its text when it is valid UTF-8 without NUL bytes (and
 * does not itself start with `base64:`), otherwise `base64:` and its
 * base64.
 *
 * Returns: (transfer full): the row, without the line break (a field may
 *   hold line breaks, quoted)
 */
char *
ct_csv_format_message (CtMessage  *message,
                       const char *protocol,
                       const char *role)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *time = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *payload = NULL;
  char number[32];
  gsize size;
  const guint8 *data;

  g_return_val_if_fail (CT_IS_MESSAGE (message), NULL);

  time = ct_message_format_time (message, TRUE);
  summary = ct_message_dup_summary (message);
  data = ct_message_get_data (message, &size);
  if (g_utf8_validate_len ((const char *) data, size, NULL) && memchr (data, 0, size) == NULL &&
      !(size >= 7 && memcmp (data, "base64:", 7) == 0))
    payload = g_strndup ((const char *) data, size);
  else
    {
      g_autofree char *base64 = g_base64_encode (data, size);

      payload = g_strconcat ("base64:", base64, NULL);
    }

  csv_append_field (line, time, TRUE);
  csv_append_field (line, protocol, FALSE);
  csv_append_field (line, role, FALSE);
  csv_append_field (line, ct_direction_to_string (ct_message_get_direction (message)), FALSE);
  csv_append_field (line, ct_message_get_event (message), FALSE);
  csv_append_field (line, ct_message_get_peer (message), FALSE);
  g_snprintf (number, sizeof number, "%" G_GSIZE_FORMAT, size);
  csv_append_field (line, number, FALSE);
  csv_append_field (line, summary, FALSE);
  g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, ct_message_get_latency (message));
  csv_append_field (line, ct_message_get_latency (message) >= 0 ? number : NULL, FALSE);
  g_snprintf (number, sizeof number, "%" G_GUINT64_FORMAT, ct_message_get_exchange (message));
  csv_append_field (line, ct_message_get_exchange (message) ? number : NULL, FALSE);
  csv_append_field (line, payload, FALSE);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/**
 * ct_csv_export_async:
 *
 * Writes the header and a row for every entry the log shows to @file, as
 * ct_jsonl_export_async() does (on a worker thread, replacing the file
 * atomically). Rows end with CRLF, as RFC 4180 has it.
 */
void
ct_csv_export_async (CtMessageLog        *log,
                     const char          *protocol,
                     const char          *role,
                     GFile               *file,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (CT_IS_MESSAGE_LOG (log));
  g_return_if_fail (G_IS_FILE (file));

  export_async (log, protocol, role, file, ct_csv_format_message, ct_csv_format_header (), "\r\n",
                cancellable, callback, user_data, ct_csv_export_async);
}

gboolean
ct_csv_export_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ct_csv_export_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
