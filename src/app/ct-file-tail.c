/* ct-file-tail.c — the end of a text file, read off the main thread
 *
 * A log can grow large: only its last bytes are read, in a worker thread,
 * and cut at a line start so the first line shown is whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ct-file-tail.h"

typedef struct
{
  char     *path;
  gsize     max_bytes;
  /* results */
  char     *text;
  goffset   file_size;
  gboolean  truncated;
} TailJob;

static void
tail_job_free (TailJob *job)
{
  g_free (job->path);
  g_free (job->text);
  g_free (job);
}

static void
read_tail_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TailJob *job = task_data;
  g_autoptr(GFile) file = g_file_new_for_path (job->path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = NULL;
  const char *start;
  gsize n_read = 0;

  stream = g_file_read (file, cancellable, &error);
  if (stream)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job->file_size = g_file_info_get_size (info);
  job->truncated = job->file_size > (goffset) job->max_bytes;
  if (job->truncated &&
      !g_seekable_seek (G_SEEKABLE (stream), job->file_size - (goffset) job->max_bytes,
                        G_SEEK_SET, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  buffer = g_malloc (job->max_bytes + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer, job->max_bytes, &n_read, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  buffer[n_read] = '\0';

  /* Begin at a whole line when the start was cut off */
  start = buffer;
  if (job->truncated)
    {
      const char *newline = memchr (buffer, '\n', n_read);

      if (newline)
        start = newline + 1;
    }
  job->text = g_utf8_make_valid (start, (gssize) (n_read - (gsize) (start - buffer)));
  g_task_return_boolean (task, TRUE);
}

/**
 * ct_file_tail_read_async:
 * @path: a text file
 * @max_bytes: how much of its end to read at most
 *
 * Reads the end of @path in a worker thread.
 */
void
ct_file_tail_read_async (const char          *path,
                         gsize                max_bytes,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TailJob *job = g_new0 (TailJob, 1);

  g_return_if_fail (path != NULL);
  g_return_if_fail (max_bytes > 0);

  job->path = g_strdup (path);
  job->max_bytes = max_bytes;
  g_task_set_source_tag (task, ct_file_tail_read_async);
  g_task_set_task_data (task, job, (GDestroyNotify) tail_job_free);
  g_task_run_in_thread (task, read_tail_thread);
}

/**
 * ct_file_tail_read_finish:
 * @file_size: (out) (optional): the file's whole size
 * @truncated: (out) (optional): whether only its end was read
 *
 * Returns: (transfer full): the text read (valid UTF-8), or %NULL with
 *   @error set (%G_IO_ERROR_NOT_FOUND when there is no such file)
 */
char *
ct_file_tail_read_finish (GAsyncResult  *result,
                          goffset       *file_size,
                          gboolean      *truncated,
                          GError       **error)
{
  TailJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ct_file_tail_read_async, NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  job = g_task_get_task_data (G_TASK (result));
  if (file_size)
    *file_size = job->file_size;
  if (truncated)
    *truncated = job->truncated;
  return g_steal_pointer (&job->text);
}

/**
 * ct_file_tail_last_lines:
 *
 * Returns: (transfer full): the last @n_lines lines of @text, without the
 *   white space at its end
 */
char *
ct_file_tail_last_lines (const char *text,
                         guint       n_lines)
{
  const char *end, *start;
  guint lines = 0;

  g_return_val_if_fail (text != NULL, NULL);

  end = text + strlen (text);
  while (end > text && g_ascii_isspace (end[-1]))
    end--;
  start = end;
  while (start > text)
    {
      if (start[-1] == '\n' && ++lines == n_lines)
        break;
      start--;
    }
  return g_strndup (start, (gsize) (end - start));
}
