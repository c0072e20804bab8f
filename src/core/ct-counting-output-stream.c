/* ct-counting-output-stream.c — the output side of a stream, counting what
 * it writes
 *
 * A SoupWebsocketConnection queues every frame it is asked to send and
 * gives no way to know how much of that queue is still waiting. The chat
 * server needs to know, to drop a client that does not read before its
 * queue eats the memory: it counts what it hands over, this stream counts
 * what reached the socket, and the difference is the backlog.
 *
 * The stream passes everything through to the base stream's output,
 * pollably (libsoup writes without blocking), and closing it closes the
 * whole base stream, which owns the socket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-counting-output-stream.h"

struct _CtCountingOutputStream
{
  GOutputStream  parent_instance;

  GIOStream     *base;
  GOutputStream *output;   /* the base's, pollable */
  guint64        written;
};

static void ct_counting_output_stream_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CtCountingOutputStream, ct_counting_output_stream, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      ct_counting_output_stream_pollable_init))

static gssize
ct_counting_output_stream_write (GOutputStream  *stream,
                                 const void     *buffer,
                                 gsize           count,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  CtCountingOutputStream *self = CT_COUNTING_OUTPUT_STREAM (stream);
  gssize n = g_output_stream_write (self->output, buffer, count, cancellable, error);

  if (n > 0)
    self->written += n;
  return n;
}

static gboolean
ct_counting_output_stream_flush (GOutputStream  *stream,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  return g_output_stream_flush (CT_COUNTING_OUTPUT_STREAM (stream)->output, cancellable, error);
}

static gboolean
ct_counting_output_stream_close (GOutputStream  *stream,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  return g_io_stream_close (CT_COUNTING_OUTPUT_STREAM (stream)->base, cancellable, error);
}

static void
base_closed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Closed on the caller's main context, not in a worker thread as
 * GOutputStream would otherwise do it */
static void
ct_counting_output_stream_close_async (GOutputStream       *stream,
                                       int                  io_priority,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  CtCountingOutputStream *self = CT_COUNTING_OUTPUT_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, ct_counting_output_stream_close_async);
  g_io_stream_close_async (self->base, io_priority, cancellable, base_closed, task);
}

static gboolean
ct_counting_output_stream_close_finish (GOutputStream  *stream,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
ct_counting_output_stream_can_poll (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (CT_COUNTING_OUTPUT_STREAM (stream)->output));
}

static gboolean
ct_counting_output_stream_is_writable (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (CT_COUNTING_OUTPUT_STREAM (stream)->output));
}

static GSource *
ct_counting_output_stream_create_source (GPollableOutputStream *stream,
                                         GCancellable          *cancellable)
{
  CtCountingOutputStream *self = CT_COUNTING_OUTPUT_STREAM (stream);
  g_autoptr(GSource) base = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (self->output),
                                                                   cancellable);

  /* Callbacks get this stream, not the base's output */
  return g_pollable_source_new_full (stream, base, cancellable);
}

static gssize
ct_counting_output_stream_write_nonblocking (GPollableOutputStream  *stream,
                                             const void             *buffer,
                                             gsize                   count,
                                             GError                **error)
{
  CtCountingOutputStream *self = CT_COUNTING_OUTPUT_STREAM (stream);
  gssize n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->output),
                                                        buffer, count, NULL, error);

  if (n > 0)
    self->written += n;
  return n;
}

static void
ct_counting_output_stream_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = ct_counting_output_stream_can_poll;
  iface->is_writable = ct_counting_output_stream_is_writable;
  iface->create_source = ct_counting_output_stream_create_source;
  iface->write_nonblocking = ct_counting_output_stream_write_nonblocking;
}

static void
ct_counting_output_stream_finalize (GObject *object)
{
  CtCountingOutputStream *self = CT_COUNTING_OUTPUT_STREAM (object);

  g_clear_object (&self->base);
  G_OBJECT_CLASS (ct_counting_output_stream_parent_class)->finalize (object);
}

static void
ct_counting_output_stream_class_init (CtCountingOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = ct_counting_output_stream_finalize;
  stream_class->write_fn = ct_counting_output_stream_write;
  stream_class->flush = ct_counting_output_stream_flush;
  stream_class->close_fn = ct_counting_output_stream_close;
  stream_class->close_async = ct_counting_output_stream_close_async;
  stream_class->close_finish = ct_counting_output_stream_close_finish;
}

static void
ct_counting_output_stream_init (CtCountingOutputStream *self)
{
}

/**
 * ct_counting_io_stream_new:
 * @base: a stream with pollable input and output (a stolen HTTP connection)
 * @output: (out) (transfer none): where to put the counting output stream,
 *   owned by the returned stream
 *
 * Returns: (transfer full): a stream reading from @base's input and writing
 *   to @base's output through @output; closing it closes @base
 */
GIOStream *
ct_counting_io_stream_new (GIOStream               *base,
                           CtCountingOutputStream **output)
{
  g_autoptr(CtCountingOutputStream) self = g_object_new (CT_TYPE_COUNTING_OUTPUT_STREAM, NULL);

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  self->base = g_object_ref (base);
  self->output = g_io_stream_get_output_stream (base);
  *output = self;
  return g_simple_io_stream_new (g_io_stream_get_input_stream (base), G_OUTPUT_STREAM (self));
}

/* Bytes the base stream took so far */
guint64
ct_counting_output_stream_get_written (CtCountingOutputStream *self)
{
  g_return_val_if_fail (CT_IS_COUNTING_OUTPUT_STREAM (self), 0);
  return self->written;
}
