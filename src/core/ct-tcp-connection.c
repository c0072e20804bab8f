/* ct-tcp-connection.c — one TCP connection: framing, logging, buffering
 *
 * Shared by the server (one per accepted client) and the client. Reads go
 * into one buffer per thread, so an idle connection costs only its objects;
 * the framer keeps a message cut across reads. Every message in and out is
 * a log entry naming the peer, and so is the close, with its reason.
 *
 * Output is written at once when the socket takes it and queued when it
 * does not. Replies made while a read is being handled are corked and sent
 * in one write after it. A connection whose queue passes SEND_HIGH_WATER
 * stops reading until the peer catches up (TCP's own back-pressure, passed
 * on); one whose queue passes its hard limit (a broadcast recipient that
 * never reads) is closed with an error, so it cannot hold the others up or
 * eat the memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-tcp"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <sys/socket.h>

#include "ct-error.h"
#include "ct-tcp-connection.h"

#define READ_SIZE           (64 * 1024)
#define READS_PER_DISPATCH  4
#define SEND_HIGH_WATER     (1024 * 1024)
#define SEND_HARD_LIMIT     (16 * 1024 * 1024)

struct _CtTcpConnection
{
  CtConnection                parent_instance;

  CtEndpoint                 *endpoint;      /* unowned: it owns us */
  const CtTcpConnectionFuncs *funcs;
  GSocket                    *socket;
  GSource                    *read_source;
  GSource                    *write_source;
  CtTcpFramer                 framer;
  GByteArray                 *out;
  gsize                       out_pos;
  guint64                     bytes_in;
  guint64                     bytes_out;
  gint64                      last_activity; /* monotonic µs */
  gint64                      read_time;     /* wall clock of the read being handled */

  guint                       closed : 1;
  guint                       corked : 1;
  guint                       peer_finished : 1;
  guint                       write_shut : 1;
  guint                       shutdown_when_sent : 1;
  guint                       close_pending : 1;  /* the peer is done: close once all is sent */
};

G_DEFINE_FINAL_TYPE (CtTcpConnection, ct_tcp_connection, CT_TYPE_CONNECTION)

static GPrivate read_buffer_key = G_PRIVATE_INIT (g_free);

static guint8 *
read_buffer (void)
{
  guint8 *buffer = g_private_get (&read_buffer_key);

  if (G_UNLIKELY (buffer == NULL))
    {
      buffer = g_malloc (READ_SIZE);
      g_private_set (&read_buffer_key, buffer);
    }
  return buffer;
}

const char *
ct_tcp_close_reason_to_string (CtTcpCloseReason reason)
{
  static const char *names[] = { "peer", "reset", "idle", "error", "local" };

  g_return_val_if_fail (reason < G_N_ELEMENTS (names), "error");
  return names[reason];
}

static void
drop_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
ct_tcp_connection_dispose (GObject *object)
{
  CtTcpConnection *self = CT_TCP_CONNECTION (object);

  drop_source (&self->read_source);
  drop_source (&self->write_source);
  if (self->socket)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);

  G_OBJECT_CLASS (ct_tcp_connection_parent_class)->dispose (object);
}

static void
ct_tcp_connection_finalize (GObject *object)
{
  CtTcpConnection *self = CT_TCP_CONNECTION (object);

  ct_tcp_framer_clear (&self->framer);
  g_clear_pointer (&self->out, g_byte_array_unref);

  G_OBJECT_CLASS (ct_tcp_connection_parent_class)->finalize (object);
}

static void
ct_tcp_connection_class_init (CtTcpConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_tcp_connection_dispose;
  object_class->finalize = ct_tcp_connection_finalize;
}

static void
ct_tcp_connection_init (CtTcpConnection *self)
{
}

static const char *
peer_name (CtTcpConnection *self)
{
  return ct_connection_get_peer (CT_CONNECTION (self));
}

static GError *
errno_error (int          saved_errno,
             const char  *peer)
{
  if (saved_errno == ECONNRESET || saved_errno == EPIPE)
    return g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET,
                        _("%s reset the connection"), peer);
  if (saved_errno == ETIMEDOUT)
    return g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT,
                        _("The connection to %s timed out"), peer);
  return g_error_new (CT_ERROR, CT_ERROR_FAILED, "%s: %s", peer, g_strerror (saved_errno));
}

/* -- closing -------------------------------------------------------------- */

static const char *
close_summary (CtTcpCloseReason reason)
{
  switch (reason)
    {
    case CT_TCP_CLOSE_PEER:
      return _("Connection closed by the peer");
    case CT_TCP_CLOSE_RESET:
      return _("Connection reset by the peer");
    case CT_TCP_CLOSE_IDLE:
      return _("Connection closed: idle timeout");
    case CT_TCP_CLOSE_ERROR:
      return _("Connection closed after an error");
    case CT_TCP_CLOSE_LOCAL:
    default:
      return _("Connection closed");
    }
}

/**
 * ct_tcp_connection_close:
 * @error: (nullable): what went wrong, logged as an error entry first
 *
 * Closes the socket at once (anything still queued is dropped), logs a
 * "closed" entry with the reason and the byte counts, and tells the owner.
 * Closing twice does nothing.
 */
void
ct_tcp_connection_close (CtTcpConnection  *self,
                         CtTcpCloseReason  reason,
                         const GError     *error)
{
  g_autoptr(CtTcpConnection) hold = NULL;
  GVariantDict meta;

  g_return_if_fail (CT_IS_TCP_CONNECTION (self));

  if (self->closed)
    return;

  hold = g_object_ref (self);
  self->closed = TRUE;

  if (error)
    ct_endpoint_report_error (self->endpoint, peer_name (self), error);

  drop_source (&self->read_source);
  drop_source (&self->write_source);
  g_socket_close (self->socket, NULL);

  g_variant_dict_init (&meta, NULL);
  g_variant_dict_insert (&meta, "reason", "s", ct_tcp_close_reason_to_string (reason));
  g_variant_dict_insert (&meta, "bytes-in", "t", self->bytes_in);
  g_variant_dict_insert (&meta, "bytes-out", "t", self->bytes_out);
  ct_message_log_append (ct_endpoint_get_log (self->endpoint), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .peer = peer_name (self),
                           .peer_is_ref = TRUE,
                           .event = "closed",
                           .summary = close_summary (reason),
                           .meta = g_variant_dict_end (&meta),
                         });

  if (self->funcs->closed)
    self->funcs->closed (self->endpoint, self, reason);
}

gboolean
ct_tcp_connection_is_open (CtTcpConnection *self)
{
  g_return_val_if_fail (CT_IS_TCP_CONNECTION (self), FALSE);
  return !self->closed;
}

/* Monotonic time of the last byte read or written */
gint64
ct_tcp_connection_get_last_activity (CtTcpConnection *self)
{
  g_return_val_if_fail (CT_IS_TCP_CONNECTION (self), 0);
  return self->last_activity;
}

/* -- writing -------------------------------------------------------------- */

static void start_reading (CtTcpConnection *self);
static void flush (CtTcpConnection *self);

static gboolean
write_cb (GSocket      *socket,
          GIOCondition  condition,
          gpointer      data)
{
  flush (data);
  return G_SOURCE_CONTINUE;
}

static void
do_shutdown (CtTcpConnection *self)
{
  g_autoptr(GError) error = NULL;

  self->shutdown_when_sent = FALSE;
  if (!g_socket_shutdown (self->socket, FALSE, TRUE, &error))
    {
      g_autoptr(GError) ct_error = g_error_new (CT_ERROR, CT_ERROR_FAILED, "%s: %s",
                                                peer_name (self), error->message);

      ct_tcp_connection_close (self, CT_TCP_CLOSE_ERROR, ct_error);
      return;
    }

  ct_message_log_append (ct_endpoint_get_log (self->endpoint), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .peer = peer_name (self),
                           .peer_is_ref = TRUE,
                           .event = "half-closed",
                           .summary = _("Sent FIN: nothing more will be sent, replies are still read"),
                         });

  if (self->peer_finished)
    ct_tcp_connection_close (self, CT_TCP_CLOSE_PEER, NULL);
}

/* Writes what the socket takes; the rest waits for it to become writable */
static void
flush (CtTcpConnection *self)
{
  int fd = g_socket_get_fd (self->socket);

  while (self->out_pos < self->out->len)
    {
      gssize n = send (fd, self->out->data + self->out_pos, self->out->len - self->out_pos,
                       MSG_NOSIGNAL);

      if (n < 0)
        {
          int saved_errno = errno;
          g_autoptr(GError) error = NULL;

          if (saved_errno == EINTR)
            continue;
          if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
            break;

          error = errno_error (saved_errno, peer_name (self));
          ct_tcp_connection_close (self, saved_errno == ECONNRESET || saved_errno == EPIPE
                                         ? CT_TCP_CLOSE_RESET : CT_TCP_CLOSE_ERROR, error);
          return;
        }

      self->out_pos += n;
      self->bytes_out += n;
    }

  if (self->out_pos < self->out->len)
    {
      if (self->write_source == NULL)
        {
          self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
          g_source_set_callback (self->write_source, G_SOURCE_FUNC (write_cb), self, NULL);
          g_source_set_static_name (self->write_source, "[crosstalk] tcp write");
          g_source_attach (self->write_source, g_main_context_get_thread_default ());
        }
      /* Reclaim what was sent once it is most of the buffer */
      if (self->out_pos > SEND_HIGH_WATER && self->out_pos * 2 > self->out->len)
        {
          g_byte_array_remove_range (self->out, 0, self->out_pos);
          self->out_pos = 0;
        }
      /* The peer is not reading: stop reading from it until it does */
      if (self->out->len - self->out_pos > SEND_HIGH_WATER)
        drop_source (&self->read_source);
      return;
    }

  g_byte_array_set_size (self->out, 0);
  self->out_pos = 0;
  drop_source (&self->write_source);
  self->last_activity = g_get_monotonic_time ();

  if (self->shutdown_when_sent)
    do_shutdown (self);
  else if (self->close_pending)
    ct_tcp_connection_close (self, CT_TCP_CLOSE_PEER, NULL);
  else if (self->read_source == NULL && !self->peer_finished)
    start_reading (self);
}

/**
 * ct_tcp_connection_send:
 *
 * Sends @data as one message in the connection's framing and logs it as an
 * `out` entry. Fails if the connection is closed or half-closed, or if the
 * peer has stopped reading for too long (the connection is then closed).
 */
gboolean
ct_tcp_connection_send (CtTcpConnection  *self,
                        const guint8     *data,
                        gsize             size,
                        GError          **error)
{
  gsize queued, limit;

  g_return_val_if_fail (CT_IS_TCP_CONNECTION (self), FALSE);

  if (self->closed || self->close_pending)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING,
                   _("The connection to %s is closed"), peer_name (self));
      return FALSE;
    }
  if (self->write_shut || self->shutdown_when_sent)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING,
                   _("Sending to %s was shut down (half-close): reconnect to send again"),
                   peer_name (self));
      return FALSE;
    }
  if (self->framer.framing == CT_TCP_FRAMING_LENGTH && size > G_MAXUINT32)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE,
                   _("A length prefix holds at most 4 GiB"));
      return FALSE;
    }

  queued = self->out->len - self->out_pos;
  limit = SEND_HARD_LIMIT + 2 * self->framer.max_frame;
  if (queued + size > limit)
    {
      g_autoptr(GError) slow = NULL;

      slow = g_error_new (CT_ERROR, CT_ERROR_BUSY,
                          _("%s does not read what it is sent (%lu bytes waiting): closed it"),
                          peer_name (self), (unsigned long) queued);
      ct_tcp_connection_close (self, CT_TCP_CLOSE_ERROR, slow);
      g_set_error_literal (error, CT_ERROR, CT_ERROR_BUSY, slow->message);
      return FALSE;
    }

  ct_tcp_frame_append (self->out, self->framer.framing, data, size);
  ct_message_log_append (ct_endpoint_get_log (self->endpoint), &(CtMessageFields) {
                           /* A reply made while a read is handled shares its time */
                           .time = self->corked ? self->read_time : 0,
                           .direction = CT_DIRECTION_OUT,
                           .peer = peer_name (self),
                           .peer_is_ref = TRUE,
                           .data = data,
                           .size = size,
                         });

  if (!self->corked && self->write_source == NULL)
    flush (self);
  return TRUE;
}

/**
 * ct_tcp_connection_shutdown_write:
 *
 * Half-closes the connection once everything queued is sent: the peer reads
 * the end of the stream, and this side still reads its replies.
 */
gboolean
ct_tcp_connection_shutdown_write (CtTcpConnection  *self,
                                  GError          **error)
{
  g_return_val_if_fail (CT_IS_TCP_CONNECTION (self), FALSE);

  if (self->closed)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_NOT_RUNNING,
                   _("The connection to %s is closed"), peer_name (self));
      return FALSE;
    }
  if (self->write_shut || self->shutdown_when_sent)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_BUSY, _("Sending is already shut down"));
      return FALSE;
    }

  self->write_shut = TRUE;
  self->shutdown_when_sent = TRUE;
  if (self->out_pos == self->out->len)
    do_shutdown (self);
  return TRUE;
}

/* -- reading -------------------------------------------------------------- */

static gboolean
frame_cb (const guint8 *data,
          gsize         size,
          gpointer      user_data)
{
  CtTcpConnection *self = user_data;

  ct_message_log_append (ct_endpoint_get_log (self->endpoint), &(CtMessageFields) {
                           .time = self->read_time,
                           .direction = CT_DIRECTION_IN,
                           .peer = peer_name (self),
                           .peer_is_ref = TRUE,
                           .data = data,
                           .size = size,
                         });

  if (self->funcs->message)
    self->funcs->message (self->endpoint, self, data, size);

  return !self->closed;
}

/* The peer sent FIN: what is left in the framer is its last message */
static void
peer_finished (CtTcpConnection *self)
{
  g_autoptr(GError) error = NULL;

  drop_source (&self->read_source);
  self->peer_finished = TRUE;

  self->corked = TRUE;
  self->read_time = g_get_real_time ();
  if (!ct_tcp_framer_finish (&self->framer, frame_cb, self, &error))
    {
      self->corked = FALSE;
      ct_tcp_connection_close (self, CT_TCP_CLOSE_ERROR, error);
      return;
    }
  self->corked = FALSE;
  if (self->closed)
    return;

  if (self->write_shut)
    {
      /* Both sides are done: close once our FIN is out */
      if (!self->shutdown_when_sent)
        ct_tcp_connection_close (self, CT_TCP_CLOSE_PEER, NULL);
      return;
    }

  if (self->funcs->peer_finished && self->funcs->peer_finished (self->endpoint, self))
    {
      ct_message_log_append (ct_endpoint_get_log (self->endpoint), &(CtMessageFields) {
                               .direction = CT_DIRECTION_INFO,
                               .peer = peer_name (self),
                               .peer_is_ref = TRUE,
                               .event = "peer-finished",
                               .summary = _("The peer finished sending (FIN received): replies can still be sent"),
                             });
      flush (self);
      return;
    }

  self->close_pending = TRUE;
  flush (self);
}

static gboolean
read_cb (GSocket      *socket,
         GIOCondition  condition,
         gpointer      data)
{
  CtTcpConnection *self = data;
  g_autoptr(CtTcpConnection) hold = g_object_ref (self);
  guint8 *buffer = read_buffer ();
  gsize want = READ_SIZE;
  int fd = g_socket_get_fd (socket);

  if (self->framer.framing == CT_TCP_FRAMING_RAW)
    want = MIN (want, MAX (self->framer.max_frame, 1));

  for (guint i = 0; i < READS_PER_DISPATCH && !self->closed && self->read_source; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n = recv (fd, buffer, want, 0);
      gboolean ok;

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
            break;

          error = errno_error (saved_errno, peer_name (self));
          ct_tcp_connection_close (self, saved_errno == ECONNRESET
                                         ? CT_TCP_CLOSE_RESET : CT_TCP_CLOSE_ERROR, error);
          break;
        }

      if (n == 0)
        {
          peer_finished (self);
          break;
        }

      self->bytes_in += n;
      self->last_activity = g_source_get_time (self->read_source);
      /* Every message of one read arrived at once */
      self->read_time = g_get_real_time ();

      self->corked = TRUE;
      ok = ct_tcp_framer_feed (&self->framer, buffer, n, frame_cb, self, &error);
      self->corked = FALSE;

      if (!ok)
        {
          ct_tcp_connection_close (self, CT_TCP_CLOSE_ERROR, error);
          break;
        }
      if (self->closed)
        break;
      if (self->write_source == NULL && self->out_pos < self->out->len)
        flush (self);
      if ((gsize) n < want)
        break;
    }

  return G_SOURCE_CONTINUE;
}

static void
start_reading (CtTcpConnection *self)
{
  self->read_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (read_cb), self, NULL);
  g_source_set_static_name (self->read_source, "[crosstalk] tcp read");
  g_source_attach (self->read_source, g_main_context_get_thread_default ());
}

/**
 * ct_tcp_connection_new:
 * @endpoint: the owner, which must close the connection before it goes
 * @socket: a connected socket
 * @peer: the peer as the log names it
 * @max_frame: the largest message accepted (larger ones close the connection)
 *
 * Starts reading at once, on the thread-default main context.
 */
CtTcpConnection *
ct_tcp_connection_new (CtEndpoint                 *endpoint,
                       GSocket                    *socket,
                       guint                       id,
                       const char                 *peer,
                       CtTcpFraming                framing,
                       gsize                       max_frame,
                       const CtTcpConnectionFuncs *funcs)
{
  CtTcpConnection *self;

  g_return_val_if_fail (CT_IS_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (funcs != NULL, NULL);

  self = g_object_new (CT_TYPE_TCP_CONNECTION, "id", id, "peer", peer, NULL);
  self->endpoint = endpoint;
  self->funcs = funcs;
  self->socket = g_object_ref (socket);
  self->out = g_byte_array_new ();
  self->last_activity = g_get_monotonic_time ();
  ct_tcp_framer_init (&self->framer, framing, max_frame);

  g_socket_set_blocking (socket, FALSE);
  start_reading (self);
  return self;
}
