/* ct-udp.c — what the UDP server and client share: payload checks, the
 * receive loop and sending with logging
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-udp"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/socket.h>

#include "ct-error.h"
#include "ct-payload.h"
#include "ct-udp-private.h"

/* Datagrams read per main-loop dispatch before other sources get a turn */
#define BATCH 64

GBytes *
ct_udp_parse_payload (const char       *text,
                      CtPayloadFormat   format,
                      GError          **error)
{
  g_autoptr(GBytes) payload = ct_payload_parse (text, format, error);

  if (payload == NULL)
    return NULL;

  if (g_bytes_get_size (payload) > CT_UDP_MAX_PAYLOAD)
    {
      g_set_error (error, CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE,
                   _("A UDP datagram holds at most %d bytes; this one has %lu: shorten it or use TCP"),
                   CT_UDP_MAX_PAYLOAD, (unsigned long) g_bytes_get_size (payload));
      return NULL;
    }

  return g_steal_pointer (&payload);
}

GSocket *
ct_udp_socket_new (GSocketFamily   family,
                   GError        **error)
{
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return NULL;

  g_socket_set_blocking (socket, FALSE);
  return g_steal_pointer (&socket);
}

/* A socket error as a sentence: on a connected UDP socket, "connection
 * refused" is the kernel passing on ICMP "port unreachable" for an earlier
 * datagram. */
static GError *
udp_error (const GError   *io_error,
           GSocket        *socket,
           GSocketAddress *to)
{
  g_autoptr(GSocketAddress) remote = NULL;
  g_autofree char *where = NULL;

  if (to == NULL)
    to = remote = g_socket_get_remote_address (socket, NULL);

  if (!g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return ct_error_from_socket (io_error, to);

  where = ct_socket_address_to_string (to);
  return g_error_new (CT_ERROR, CT_ERROR_UNREACHABLE,
                      _("Nobody is listening on %s: a datagram was refused (ICMP port unreachable)"),
                      where);
}

typedef struct
{
  CtEndpoint              *endpoint;   /* owns the source */
  CtUdpReceiveFunc         func;
  /* The last sender, so a stream of datagrams from one peer costs no
   * address object or string per datagram */
  struct sockaddr_storage  last_native;
  socklen_t                last_native_len;
  GSocketAddress          *last_from;
  char                    *last_peer;
  guint8                   buffer[65536];
} Watch;

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_clear_object (&watch->last_from);
  g_clear_pointer (&watch->last_peer, g_free);
  g_free (watch);
}

static gboolean
watch_cb (GSocket      *socket,
          GIOCondition  condition,
          gpointer      data)
{
  Watch *watch = data;
  int fd = g_socket_get_fd (socket);

  /* Plain recvfrom() on the GSocket's descriptor: the hot path of every UDP
   * page, kept free of allocations but for the log record itself. */
  for (guint i = 0; i < BATCH; i++)
    {
      struct sockaddr_storage from;
      socklen_t from_len = sizeof from;
      gssize n;

      n = recvfrom (fd, watch->buffer, sizeof watch->buffer, 0, (struct sockaddr *) &from, &from_len);
      if (n < 0)
        {
          int saved_errno = errno;
          g_autoptr(GError) io_error = NULL;
          g_autoptr(GError) error = NULL;

          if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
            break;
          if (saved_errno == EINTR)
            continue;

          io_error = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                          g_strerror (saved_errno));
          error = udp_error (io_error, socket, NULL);
          ct_endpoint_report_error (watch->endpoint, NULL, error);
          continue;
        }

      if (watch->last_from == NULL || from_len != watch->last_native_len ||
          memcmp (&from, &watch->last_native, from_len) != 0)
        {
          g_clear_object (&watch->last_from);
          g_clear_pointer (&watch->last_peer, g_free);
          watch->last_from = g_socket_address_new_from_native (&from, from_len);
          if (watch->last_from == NULL)
            continue;
          memcpy (&watch->last_native, &from, from_len);
          watch->last_native_len = from_len;
          watch->last_peer = ct_socket_address_to_string (watch->last_from);
        }

      ct_message_log_append (ct_endpoint_get_log (watch->endpoint), &(CtMessageFields) {
                               .direction = CT_DIRECTION_IN,
                               .peer = watch->last_peer,
                               .data = watch->buffer,
                               .size = n,
                             });

      if (watch->func)
        watch->func (watch->endpoint, watch->last_from, watch->last_peer, watch->buffer, n);
    }

  return G_SOURCE_CONTINUE;
}

/* Stops watching and closes the socket; both pointers are cleared */
void
ct_udp_close (GSource **watch,
              GSocket **socket)
{
  if (*watch)
    {
      g_source_destroy (*watch);
      g_clear_pointer (watch, g_source_unref);
    }
  if (*socket)
    g_socket_close (*socket, NULL);
  g_clear_object (socket);
}

/**
 * ct_udp_watch:
 * @func: (nullable): called after each datagram is logged
 *
 * Reads every datagram that arrives on @socket into @endpoint's log, on the
 * thread-default main context, until the source is destroyed or the
 * endpoint's cancellable is cancelled.
 *
 * Returns: (transfer full): the attached source
 */
GSource *
ct_udp_watch (CtEndpoint       *endpoint,
              GSocket          *socket,
              CtUdpReceiveFunc  func)
{
  GSource *source;
  Watch *watch;

  watch = g_new0 (Watch, 1);
  watch->endpoint = endpoint;
  watch->func = func;

  source = g_socket_create_source (socket, G_IO_IN, ct_endpoint_get_cancellable (endpoint));
  g_source_set_callback (source, G_SOURCE_FUNC (watch_cb), watch, watch_free);
  g_source_set_static_name (source, "[crosstalk] udp receive");
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

/**
 * ct_udp_send:
 * @to: (nullable): the destination; %NULL on a connected socket
 * @peer: how the destination appears in the log
 *
 * Sends one datagram and logs it as an `out` entry.
 */
gboolean
ct_udp_send (CtEndpoint      *endpoint,
             GSocket         *socket,
             GSocketAddress  *to,
             const char      *peer,
             const guint8    *data,
             gsize            size,
             GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize sent;

  sent = g_socket_send_to (socket, to, (const char *) data, size, NULL, &local_error);
  if (sent < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_set_error (error, CT_ERROR, CT_ERROR_BUSY,
                     _("The send buffer is full: the datagram to %s was dropped"), peer);
      else
        g_propagate_error (error, udp_error (local_error, socket, to));
      return FALSE;
    }

  ct_message_log_append (ct_endpoint_get_log (endpoint), &(CtMessageFields) {
                           .direction = CT_DIRECTION_OUT,
                           .peer = peer,
                           .data = data,
                           .size = size,
                         });
  return TRUE;
}
