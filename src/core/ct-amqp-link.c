/* ct-amqp-link.c — one AMQP connection run by rabbitmq-c on its own thread
 *
 * The worker thread owns the rabbitmq-c connection outright; the main
 * thread only queues commands (publish, settle, stop) and gets events back
 * in batches on its main context. The worker waits in poll() on the
 * broker's socket and on a pipe the main thread writes to when it queues a
 * command, at most a quarter of the heartbeat interval, so heartbeats go
 * out and a silent broker is noticed (rabbitmq-c services heartbeats only
 * while it is asked for frames). Frames rabbitmq-c has already buffered do
 * not make the socket readable again, so they are drained first.
 *
 * Publishing: messages wait in `pending` and, with confirms, move to
 * `outstanding` (at most `window` of them) until the broker acks or nacks
 * them. When the connection is lost, every outstanding message goes back to
 * the front of `pending` and is published again once the link is back: at
 * least once, never lost. If only the channel is closed (the broker refused
 * something on it: an exchange that does not exist), the messages it had not
 * confirmed are reported as unconfirmed instead, since publishing them again
 * would close it again.
 *
 * Reconnecting: after a connection that worked is lost, the worker tries
 * again after 0.2 s, doubling up to 5 s, and declares the whole topology
 * again each time. A first connection that fails ends the link: starting
 * fails with the reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-amqp"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#if HAVE_RABBITMQ_C_DIR
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#else
#include <amqp.h>
#include <amqp_tcp_socket.h>
#endif

#include "ct-amqp-link.h"
#include "ct-error.h"

#define CHANNEL              1
#define CONNECT_TIMEOUT_S    5
#define RPC_TIMEOUT_S        10
#define FRAME_MAX            131072
#define RETRY_FIRST_MS       200
#define RETRY_MAX_MS         5000
#define FRAMES_PER_TURN      512     /* then commands get a turn */
#define EVENTS_PER_DISPATCH  4096    /* then the main loop gets a turn */

typedef enum
{
  COMMAND_PUBLISH,
  COMMAND_SETTLE,
} CommandType;

typedef struct
{
  CommandType    type;
  CtAmqpPublish *publish;
  guint64        generation;
  guint64        tag;
  CtAmqpSettle   settle;
  gboolean       requeue;
} Command;

typedef struct
{
  CtAmqpPublish *publish;
  guint64        seq;
  gboolean       republish;
} Item;

struct _CtAmqpLink
{
  gatomicrefcount  ref;

  /* Shared, under lock */
  GMutex           lock;
  GQueue           commands;
  GQueue           events;
  gboolean         dispatching;   /* a dispatch source is attached */
  gboolean         woken;         /* the pipe has a byte not yet read */
  gboolean         quit;
  int              wake[2];

  /* Main thread */
  GMainContext    *context;
  CtAmqpEventFunc  func;
  gpointer         user_data;

  /* Worker thread */
  CtAmqpTopology  *topology;
  amqp_connection_state_t conn;
  int              sockfd;
  guint64          generation;
  guint64          next_seq;
  guint64          settled_upto;   /* every delivery tag up to this one is settled */
  char            *queue;          /* the queue consumed, as the broker named it */
  GQueue           pending;        /* Item */
  GQueue           outstanding;    /* Item, by seq */
};

/* -- shared pieces ------------------------------------------------------- */

void
ct_amqp_topology_free (CtAmqpTopology *topology)
{
  if (topology == NULL)
    return;
  ct_amqp_url_free (topology->url);
  g_free (topology->exchange);
  g_free (topology->queue);
  g_free (topology->dead_letter_exchange);
  g_strfreev (topology->bindings);
  g_free (topology);
}

static void
publish_clear (CtAmqpPublish *publish)
{
  g_free (publish->exchange);
  g_free (publish->routing_key);
  ct_amqp_props_free (publish->props);
  g_bytes_unref (publish->body);
}

/* Takes @props and @body */
CtAmqpPublish *
ct_amqp_publish_new (guint64      id,
                     const char  *exchange,
                     const char  *routing_key,
                     CtAmqpProps *props,
                     GBytes      *body,
                     gboolean     mandatory)
{
  CtAmqpPublish *publish = g_atomic_rc_box_new0 (CtAmqpPublish);

  publish->id = id;
  publish->exchange = g_strdup (exchange ? exchange : "");
  publish->routing_key = g_strdup (routing_key ? routing_key : "");
  publish->props = props ? props : ct_amqp_props_new ();
  publish->body = body ? body : g_bytes_new (NULL, 0);
  publish->mandatory = mandatory;
  return publish;
}

CtAmqpPublish *
ct_amqp_publish_ref (CtAmqpPublish *publish)
{
  return g_atomic_rc_box_acquire (publish);
}

void
ct_amqp_publish_unref (CtAmqpPublish *publish)
{
  if (publish)
    g_atomic_rc_box_release_full (publish, (GDestroyNotify) publish_clear);
}

static CtAmqpLink *
link_ref (CtAmqpLink *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

static void
item_free (Item *item)
{
  ct_amqp_publish_unref (item->publish);
  g_free (item);
}

static void
command_free (Command *command)
{
  ct_amqp_publish_unref (command->publish);
  g_free (command);
}

static void
event_free (CtAmqpEvent *event)
{
  g_free (event->text);
  g_free (event->exchange);
  g_free (event->routing_key);
  ct_amqp_props_free (event->props);
  g_clear_pointer (&event->body, g_bytes_unref);
  g_clear_error (&event->error);
  ct_amqp_publish_unref (event->publish);
  g_clear_pointer (&event->ids, g_array_unref);
  g_free (event);
}

static void
link_unref (CtAmqpLink *self)
{
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_queue_clear_full (&self->commands, (GDestroyNotify) command_free);
  g_queue_clear_full (&self->events, (GDestroyNotify) event_free);
  g_queue_clear_full (&self->pending, (GDestroyNotify) item_free);
  g_queue_clear_full (&self->outstanding, (GDestroyNotify) item_free);
  ct_amqp_topology_free (self->topology);
  g_free (self->queue);
  g_main_context_unref (self->context);
  close (self->wake[0]);
  close (self->wake[1]);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* Called with the lock held */
static void
wake_locked (CtAmqpLink *self)
{
  if (!self->woken)
    {
      char c = 1;

      self->woken = TRUE;
      while (write (self->wake[1], &c, 1) < 0 && errno == EINTR)
        ;
    }
}

static void
drain_wake (CtAmqpLink *self)
{
  char buf[64];

  g_mutex_lock (&self->lock);
  while (read (self->wake[0], buf, sizeof buf) > 0)
    ;
  self->woken = FALSE;
  g_mutex_unlock (&self->lock);
}

static gboolean
should_quit (CtAmqpLink *self)
{
  gboolean quit;

  g_mutex_lock (&self->lock);
  quit = self->quit;
  g_mutex_unlock (&self->lock);
  return quit;
}

/* -- events to the main thread ----------------------------------------- */

static gboolean
dispatch (gpointer data)
{
  CtAmqpLink *self = data;
  GQueue batch = G_QUEUE_INIT;
  gboolean more;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < EVENTS_PER_DISPATCH && !g_queue_is_empty (&self->events); i++)
    g_queue_push_tail (&batch, g_queue_pop_head (&self->events));
  more = !g_queue_is_empty (&self->events);
  if (!more)
    self->dispatching = FALSE;
  g_mutex_unlock (&self->lock);

  for (GList *l = batch.head; l; l = l->next)
    if (self->func)
      self->func (l->data, self->user_data);
  g_queue_clear_full (&batch, (GDestroyNotify) event_free);
  return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
post (CtAmqpLink  *self,
      CtAmqpEvent *event)
{
  gboolean schedule = FALSE;

  event->time = g_get_real_time ();
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->events, event);
  if (!self->dispatching)
    schedule = self->dispatching = TRUE;
  g_mutex_unlock (&self->lock);

  if (schedule)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, dispatch, link_ref (self), (GDestroyNotify) link_unref);
      g_source_set_static_name (source, "[crosstalk] amqp events");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

static CtAmqpEvent *
event_new (CtAmqpEventType type)
{
  CtAmqpEvent *event = g_new0 (CtAmqpEvent, 1);

  event->type = type;
  return event;
}

static void
post_error (CtAmqpLink      *self,
            CtAmqpEventType  type,
            GError          *error)
{
  CtAmqpEvent *event = event_new (type);

  event->error = error;
  post (self, event);
}

/* -- rabbitmq-c → GLib ------------------------------------------------- */

/* rabbitmq-c gives an empty string no bytes at all */
static char *
bytes_dup (amqp_bytes_t bytes)
{
  return bytes.len ? g_strndup (bytes.bytes, bytes.len) : g_strdup ("");
}

static char *
field_to_string (const amqp_field_value_t *value)
{
  switch (value->kind)
    {
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:     return bytes_dup (value->value.bytes);
    case AMQP_FIELD_KIND_BOOLEAN:   return g_strdup (value->value.boolean ? "true" : "false");
    case AMQP_FIELD_KIND_I8:        return g_strdup_printf ("%d", value->value.i8);
    case AMQP_FIELD_KIND_U8:        return g_strdup_printf ("%u", value->value.u8);
    case AMQP_FIELD_KIND_I16:       return g_strdup_printf ("%d", value->value.i16);
    case AMQP_FIELD_KIND_U16:       return g_strdup_printf ("%u", value->value.u16);
    case AMQP_FIELD_KIND_I32:       return g_strdup_printf ("%d", value->value.i32);
    case AMQP_FIELD_KIND_U32:       return g_strdup_printf ("%u", value->value.u32);
    case AMQP_FIELD_KIND_I64:       return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value->value.i64);
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP: return g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64) value->value.u64);
    case AMQP_FIELD_KIND_F32:       return g_strdup_printf ("%g", value->value.f32);
    case AMQP_FIELD_KIND_F64:       return g_strdup_printf ("%g", value->value.f64);
    case AMQP_FIELD_KIND_VOID:      return g_strdup ("");
    case AMQP_FIELD_KIND_ARRAY:     return g_strdup_printf ("(array of %d)", value->value.array.num_entries);
    case AMQP_FIELD_KIND_TABLE:     return g_strdup_printf ("(table of %d)", value->value.table.num_entries);
    case AMQP_FIELD_KIND_DECIMAL:   return g_strdup ("(decimal)");
    default:                        return g_strdup ("?");
    }
}

static CtAmqpProps *
props_from_amqp (const amqp_basic_properties_t *p)
{
  CtAmqpProps *props = ct_amqp_props_new ();
  amqp_flags_t f = p->_flags;

  if (f & AMQP_BASIC_CONTENT_TYPE_FLAG)     props->content_type = bytes_dup (p->content_type);
  if (f & AMQP_BASIC_CONTENT_ENCODING_FLAG) props->content_encoding = bytes_dup (p->content_encoding);
  if (f & AMQP_BASIC_CORRELATION_ID_FLAG)   props->correlation_id = bytes_dup (p->correlation_id);
  if (f & AMQP_BASIC_REPLY_TO_FLAG)         props->reply_to = bytes_dup (p->reply_to);
  if (f & AMQP_BASIC_EXPIRATION_FLAG)       props->expiration = bytes_dup (p->expiration);
  if (f & AMQP_BASIC_MESSAGE_ID_FLAG)       props->message_id = bytes_dup (p->message_id);
  if (f & AMQP_BASIC_TYPE_FLAG)             props->type = bytes_dup (p->type);
  if (f & AMQP_BASIC_USER_ID_FLAG)          props->user_id = bytes_dup (p->user_id);
  if (f & AMQP_BASIC_APP_ID_FLAG)           props->app_id = bytes_dup (p->app_id);
  if (f & AMQP_BASIC_DELIVERY_MODE_FLAG)    props->delivery_mode = p->delivery_mode;
  if (f & AMQP_BASIC_PRIORITY_FLAG)         props->priority = p->priority;
  if (f & AMQP_BASIC_TIMESTAMP_FLAG)        props->timestamp = (gint64) MIN (p->timestamp, (guint64) G_MAXINT64);
  if (f & AMQP_BASIC_HEADERS_FLAG)
    for (int i = 0; i < p->headers.num_entries; i++)
      {
        g_autofree char *name = bytes_dup (p->headers.entries[i].key);
        g_autofree char *value = field_to_string (&p->headers.entries[i].value);

        ct_amqp_props_add_header (props, name, value);
      }
  return props;
}

static amqp_bytes_t
str_bytes (const char *s)
{
  return amqp_cstring_bytes (s ? s : "");
}

/* @entries holds props->headers->len / 2 entries */
static void
props_to_amqp (const CtAmqpProps       *props,
               amqp_basic_properties_t *p,
               amqp_table_entry_t      *entries)
{
  memset (p, 0, sizeof *p);
#define SET_STRING(field, flag) \
  if (props->field) { p->field = str_bytes (props->field); p->_flags |= flag; }
  SET_STRING (content_type, AMQP_BASIC_CONTENT_TYPE_FLAG);
  SET_STRING (content_encoding, AMQP_BASIC_CONTENT_ENCODING_FLAG);
  SET_STRING (correlation_id, AMQP_BASIC_CORRELATION_ID_FLAG);
  SET_STRING (reply_to, AMQP_BASIC_REPLY_TO_FLAG);
  SET_STRING (expiration, AMQP_BASIC_EXPIRATION_FLAG);
  SET_STRING (message_id, AMQP_BASIC_MESSAGE_ID_FLAG);
  SET_STRING (type, AMQP_BASIC_TYPE_FLAG);
  SET_STRING (user_id, AMQP_BASIC_USER_ID_FLAG);
  SET_STRING (app_id, AMQP_BASIC_APP_ID_FLAG);
#undef SET_STRING
  if (props->delivery_mode)
    {
      p->delivery_mode = props->delivery_mode;
      p->_flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
    }
  if (props->priority >= 0)
    {
      p->priority = props->priority;
      p->_flags |= AMQP_BASIC_PRIORITY_FLAG;
    }
  if (props->timestamp >= 0)
    {
      p->timestamp = props->timestamp;
      p->_flags |= AMQP_BASIC_TIMESTAMP_FLAG;
    }
  if (props->headers && props->headers->len >= 2)
    {
      int n = props->headers->len / 2;

      for (int i = 0; i < n; i++)
        {
          entries[i].key = str_bytes (props->headers->pdata[2 * i]);
          entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
          entries[i].value.value.bytes = str_bytes (props->headers->pdata[2 * i + 1]);
        }
      p->headers.num_entries = n;
      p->headers.entries = entries;
      p->_flags |= AMQP_BASIC_HEADERS_FLAG;
    }
}

/* What went wrong, from a synchronous call's reply: %NULL when nothing did */
static GError *
reply_error (amqp_rpc_reply_t  reply,
             const char       *what)
{
  switch (reply.reply_type)
    {
    case AMQP_RESPONSE_NORMAL:
      return NULL;

    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      if (reply.library_error == AMQP_STATUS_TIMEOUT)
        return g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT, _("%s: the broker did not answer within %d s"),
                            what, RPC_TIMEOUT_S);
      return g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET, "%s: %s", what,
                          amqp_error_string2 (reply.library_error));

    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD)
        {
          amqp_connection_close_t *m = reply.reply.decoded;

          return g_error_new (CT_ERROR, m->reply_code == 403 ? CT_ERROR_PERMISSION_DENIED : CT_ERROR_PROTOCOL,
                              _("%s: the broker closed the connection: %.*s"), what,
                              (int) m->reply_text.len, (const char *) m->reply_text.bytes);
        }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD)
        {
          amqp_channel_close_t *m = reply.reply.decoded;

          return g_error_new (CT_ERROR, m->reply_code == 403 ? CT_ERROR_PERMISSION_DENIED : CT_ERROR_PROTOCOL,
                              _("%s: the broker refused: %.*s"), what,
                              (int) m->reply_text.len, (const char *) m->reply_text.bytes);
        }
      return g_error_new (CT_ERROR, CT_ERROR_PROTOCOL, _("%s: the broker answered with method 0x%08x"),
                          what, reply.reply.id);

    case AMQP_RESPONSE_NONE:
    default:
      return g_error_new (CT_ERROR, CT_ERROR_PROTOCOL, _("%s: no answer from the broker"), what);
    }
}

static GError *
status_error (int         status,
              const char *what)
{
  if (status == AMQP_STATUS_HEARTBEAT_TIMEOUT)
    return g_error_new (CT_ERROR, CT_ERROR_TIMED_OUT, _("%s: the broker missed its heartbeats"), what);
  return g_error_new (CT_ERROR, CT_ERROR_CONNECTION_RESET, "%s: %s", what, amqp_error_string2 (status));
}

/* -- connecting ----------------------------------------------------------- */

static void
disconnect (CtAmqpLink *self,
            gboolean    politely)
{
  if (self->conn == NULL)
    return;
  if (politely)
    {
      amqp_channel_close (self->conn, CHANNEL, AMQP_REPLY_SUCCESS);
      amqp_connection_close (self->conn, AMQP_REPLY_SUCCESS);
    }
  amqp_destroy_connection (self->conn);
  self->conn = NULL;
  self->sockfd = -1;
}

static gboolean
check_rpc (CtAmqpLink  *self,
           const char  *what,
           GError     **error)
{
  GError *local = reply_error (amqp_get_rpc_reply (self->conn), what);

  if (local == NULL)
    return TRUE;
  g_propagate_error (error, local);
  return FALSE;
}

/* The channel's setup: confirms, the exchange, the queue, its bindings,
 * prefetch and the consumer. Again after a reconnect or a channel close. */
static gboolean
setup_channel (CtAmqpLink  *self,
               GError     **error)
{
  CtAmqpTopology *t = self->topology;
  amqp_connection_state_t conn = self->conn;
  g_autofree char *what = NULL;

  amqp_channel_open (conn, CHANNEL);
  if (!check_rpc (self, _("Opening a channel"), error))
    return FALSE;
  self->next_seq = 0;
  self->settled_upto = 0;

  if (t->confirm)
    {
      amqp_confirm_select (conn, CHANNEL);
      if (!check_rpc (self, _("Turning on publisher confirms"), error))
        return FALSE;
    }

  if (t->exchange && *t->exchange)
    {
      gboolean builtin = g_str_has_prefix (t->exchange, "amq.");

      what = g_strdup_printf (_("Declaring the %s exchange “%s”"), ct_amqp_exchange_type_name (t->exchange_type),
                              t->exchange);
      amqp_exchange_declare (conn, CHANNEL, str_bytes (t->exchange),
                             str_bytes (ct_amqp_exchange_type_name (t->exchange_type)),
                             builtin, t->exchange_durable, FALSE, FALSE, amqp_empty_table);
      if (!check_rpc (self, what, error))
        return FALSE;
    }

  if (!t->consume)
    return TRUE;

  g_free (self->queue);
  self->queue = g_strdup (t->queue);
  if (t->declare_queue)
    {
      amqp_table_entry_t entries[3];
      amqp_table_t args = { 0, entries };
      amqp_queue_declare_ok_t *ok;

      if (t->message_ttl)
        {
          entries[args.num_entries].key = amqp_cstring_bytes ("x-message-ttl");
          entries[args.num_entries].value.kind = AMQP_FIELD_KIND_I32;
          entries[args.num_entries++].value.value.i32 = MIN (t->message_ttl, (guint) G_MAXINT32);
        }
      if (t->max_length)
        {
          entries[args.num_entries].key = amqp_cstring_bytes ("x-max-length");
          entries[args.num_entries].value.kind = AMQP_FIELD_KIND_I64;
          entries[args.num_entries++].value.value.i64 = t->max_length;
        }
      if (t->dead_letter_exchange && *t->dead_letter_exchange)
        {
          entries[args.num_entries].key = amqp_cstring_bytes ("x-dead-letter-exchange");
          entries[args.num_entries].value.kind = AMQP_FIELD_KIND_UTF8;
          entries[args.num_entries++].value.value.bytes = str_bytes (t->dead_letter_exchange);
        }

      g_free (what);
      what = *t->queue ? g_strdup_printf (_("Declaring the queue “%s”"), t->queue)
                       : g_strdup (_("Declaring a queue"));
      ok = amqp_queue_declare (conn, CHANNEL, str_bytes (t->queue), FALSE, t->durable, t->exclusive,
                               t->auto_delete, args);
      if (ok == NULL)
        return check_rpc (self, what, error), FALSE;
      g_free (self->queue);
      self->queue = bytes_dup (ok->queue);
    }

  for (guint i = 0; t->bindings && t->bindings[i] && t->bindings[i + 1]; i += 2)
    {
      g_free (what);
      what = g_strdup_printf (_("Binding the queue to “%s” with the key “%s”"), t->bindings[i], t->bindings[i + 1]);
      amqp_queue_bind (conn, CHANNEL, str_bytes (self->queue), str_bytes (t->bindings[i]),
                       str_bytes (t->bindings[i + 1]), amqp_empty_table);
      if (!check_rpc (self, what, error))
        return FALSE;
    }

  if (t->prefetch && !t->no_ack)
    {
      amqp_basic_qos (conn, CHANNEL, 0, t->prefetch, FALSE);
      if (!check_rpc (self, _("Setting the prefetch"), error))
        return FALSE;
    }

  g_free (what);
  what = g_strdup_printf (_("Consuming from “%s”"), self->queue);
  amqp_basic_consume (conn, CHANNEL, str_bytes (self->queue), amqp_empty_bytes, FALSE, t->no_ack, FALSE,
                      amqp_empty_table);
  return check_rpc (self, what, error);
}

static gboolean
link_connect (CtAmqpLink  *self,
              GError     **error)
{
  CtAmqpTopology *t = self->topology;
  struct timeval connect_tv = { CONNECT_TIMEOUT_S, 0 };
  struct timeval rpc_tv = { RPC_TIMEOUT_S, 0 };
  amqp_socket_t *socket;
  amqp_rpc_reply_t reply;
  int status;

  self->conn = amqp_new_connection ();
  socket = amqp_tcp_socket_new (self->conn);
  if (socket == NULL)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_FAILED, _("Out of memory for a socket"));
      return FALSE;
    }
  errno = 0;
  status = amqp_socket_open_noblock (socket, t->url->host, t->url->port, &connect_tv);
  if (status != AMQP_STATUS_OK)
    {
      int saved = errno;

      /* rabbitmq-c says "a socket error occurred"; errno says which */
      g_set_error (error, CT_ERROR, status == AMQP_STATUS_TIMEOUT ? CT_ERROR_TIMED_OUT : CT_ERROR_UNREACHABLE,
                   _("Cannot reach the broker at %s:%d (%s): is it running? Start the local broker, or check the URL"),
                   t->url->host, t->url->port,
                   status == AMQP_STATUS_SOCKET_ERROR && saved ? g_strerror (saved) : amqp_error_string2 (status));
      return FALSE;
    }
  amqp_set_handshake_timeout (self->conn, &connect_tv);
  amqp_set_rpc_timeout (self->conn, &rpc_tv);

  reply = amqp_login (self->conn, t->url->vhost, 0, FRAME_MAX, t->heartbeat, AMQP_SASL_METHOD_PLAIN,
                      t->url->user, t->url->password);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL)
    {
      g_autoptr(GError) local = reply_error (reply, _("Logging in"));

      if (g_error_matches (local, CT_ERROR, CT_ERROR_PERMISSION_DENIED) ||
          (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
           (reply.library_error == AMQP_STATUS_CONNECTION_CLOSED ||
            reply.library_error == AMQP_STATUS_SOCKET_ERROR)))
        g_set_error (error, CT_ERROR, CT_ERROR_PERMISSION_DENIED,
                     _("The broker at %s:%d refused the login as “%s” on the vhost “%s”: check the user name, password and vhost in the URL (%s)"),
                     t->url->host, t->url->port, t->url->user, t->url->vhost, local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  if (!setup_channel (self, error))
    return FALSE;
  self->sockfd = amqp_get_sockfd (self->conn);
  return TRUE;
}

static void
post_connected (CtAmqpLink *self,
                guint       republished)
{
  CtAmqpEvent *event = event_new (CT_AMQP_EVENT_CONNECTED);
  const amqp_table_t *server = amqp_get_server_properties (self->conn);
  g_autofree char *product = NULL;
  g_autofree char *version = NULL;

  for (int i = 0; server && i < server->num_entries; i++)
    {
      const amqp_table_entry_t *entry = &server->entries[i];

      if (entry->key.len == 7 && memcmp (entry->key.bytes, "product", 7) == 0)
        product = field_to_string (&entry->value);
      else if (entry->key.len == 7 && memcmp (entry->key.bytes, "version", 7) == 0)
        version = field_to_string (&entry->value);
    }
  event->generation = self->generation;
  event->text = g_strdup_printf ("%s %s", product ? product : "AMQP", version ? version : "");
  g_strstrip (event->text);
  event->routing_key = g_strdup (self->queue);
  event->tag = amqp_get_heartbeat (self->conn);
  event->code = republished;
  post (self, event);
}

/* -- publishing ------------------------------------------------------------ */

static gboolean
publish_one (CtAmqpLink  *self,
             Item        *item,
             GError     **error)
{
  CtAmqpPublish *m = item->publish;
  amqp_basic_properties_t props;
  guint n_headers = m->props->headers ? m->props->headers->len / 2 : 0;
  g_autofree amqp_table_entry_t *entries = n_headers ? g_new0 (amqp_table_entry_t, n_headers) : NULL;
  amqp_bytes_t body;
  CtAmqpEvent *event;
  int status;

  props_to_amqp (m->props, &props, entries);
  body.bytes = (void *) g_bytes_get_data (m->body, &body.len);
  status = amqp_basic_publish (self->conn, CHANNEL, str_bytes (m->exchange), str_bytes (m->routing_key),
                               m->mandatory, FALSE, &props, body);
  if (status != AMQP_STATUS_OK)
    {
      g_propagate_error (error, status_error (status, _("Publishing")));
      return FALSE;
    }

  event = event_new (CT_AMQP_EVENT_PUBLISHED);
  event->publish = ct_amqp_publish_ref (m);
  event->flag = item->republish;
  if (self->topology->confirm)
    {
      item->seq = ++self->next_seq;
      event->tag = item->seq;
      g_queue_push_tail (&self->outstanding, item);
    }
  else
    item_free (item);
  post (self, event);
  return TRUE;
}

static gboolean
publish_pending (CtAmqpLink  *self,
                 GError     **error)
{
  guint window = MAX (self->topology->window, 1);

  while (!g_queue_is_empty (&self->pending) &&
         (!self->topology->confirm || self->outstanding.length < window))
    {
      Item *item = g_queue_pop_head (&self->pending);

      if (!publish_one (self, item, error))
        {
          g_queue_push_head (&self->pending, item);
          return FALSE;
        }
    }
  return TRUE;
}

/* basic.ack / basic.nack from the broker: which messages they settle */
static void
confirm (CtAmqpLink *self,
         guint64     seq,
         gboolean    multiple,
         gboolean    nack)
{
  CtAmqpEvent *event = event_new (CT_AMQP_EVENT_CONFIRM);

  event->tag = seq;
  event->flag = nack;
  event->ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (GList *l = self->outstanding.head; l;)
    {
      Item *item = l->data;
      GList *next = l->next;

      if (item->seq > seq)
        break;
      if (multiple || item->seq == seq)
        {
          if (event->first_seq == 0)
            event->first_seq = item->seq;
          g_array_append_val (event->ids, item->publish->id);
          g_queue_delete_link (&self->outstanding, l);
          item_free (item);
        }
      l = next;
    }
  post (self, event);
}

/* The connection is lost: what was not confirmed is published again */
static guint
requeue_outstanding (CtAmqpLink *self)
{
  guint n = self->outstanding.length;
  Item *item;

  while ((item = g_queue_pop_tail (&self->outstanding)) != NULL)
    {
      item->republish = TRUE;
      item->seq = 0;
      g_queue_push_head (&self->pending, item);
    }
  return n;
}

/* The channel is closed: what it had not confirmed is reported, not resent */
static void
drop_outstanding (CtAmqpLink   *self,
                  const GError *why)
{
  CtAmqpEvent *event;
  Item *item;

  if (g_queue_is_empty (&self->outstanding))
    return;
  event = event_new (CT_AMQP_EVENT_UNCONFIRMED);
  event->error = g_error_copy (why);
  event->ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  while ((item = g_queue_pop_head (&self->outstanding)) != NULL)
    {
      g_array_append_val (event->ids, item->publish->id);
      item_free (item);
    }
  post (self, event);
}

/* -- commands ------------------------------------------------------------ */

static gboolean
run_commands (CtAmqpLink  *self,
              GError     **error)
{
  GQueue commands = G_QUEUE_INIT;
  Command *command;
  gboolean ok = TRUE;

  g_mutex_lock (&self->lock);
  commands = self->commands;
  g_queue_init (&self->commands);
  g_mutex_unlock (&self->lock);

  while ((command = g_queue_pop_head (&commands)) != NULL)
    {
      if (command->type == COMMAND_PUBLISH)
        {
          Item *item = g_new0 (Item, 1);

          item->publish = g_steal_pointer (&command->publish);
          g_queue_push_tail (&self->pending, item);
        }
      else if (ok && command->generation != self->generation)
        post_error (self, CT_AMQP_EVENT_ERROR,
                    g_error_new (CT_ERROR, CT_ERROR_NOT_RUNNING,
                                 _("Delivery #%" G_GUINT64_FORMAT " came on an earlier connection: the broker has put it back in the queue already"),
                                 command->tag));
      else if (ok)
        {
          int status;

          if (command->settle == CT_AMQP_SETTLE_ACK && command->tag == self->settled_upto + 1)
            {
              /* Acks of the deliveries that follow, queued with it, go out
               * as one basic.ack with `multiple`: everything before them is
               * settled already, so it settles exactly these */
              guint64 last = command->tag;
              Command *next;

              while ((next = g_queue_peek_head (&commands)) != NULL && next->type == COMMAND_SETTLE &&
                     next->settle == CT_AMQP_SETTLE_ACK && next->generation == self->generation &&
                     next->tag == last + 1)
                {
                  last = next->tag;
                  command_free (g_queue_pop_head (&commands));
                }
              status = amqp_basic_ack (self->conn, CHANNEL, last, last > command->tag);
              self->settled_upto = last;
            }
          else if (command->settle == CT_AMQP_SETTLE_ACK)
            status = amqp_basic_ack (self->conn, CHANNEL, command->tag, FALSE);
          else if (command->settle == CT_AMQP_SETTLE_NACK)
            status = amqp_basic_nack (self->conn, CHANNEL, command->tag, FALSE, command->requeue);
          else
            status = amqp_basic_reject (self->conn, CHANNEL, command->tag, command->requeue);
          if (command->tag == self->settled_upto + 1)
            self->settled_upto = command->tag;
          if (status != AMQP_STATUS_OK)
            {
              g_propagate_error (error, status_error (status, _("Settling a delivery")));
              ok = FALSE;
            }
        }
      command_free (command);
    }
  return ok;
}

/* -- receiving ------------------------------------------------------------- */

static gboolean
read_content (CtAmqpLink       *self,
              CtAmqpEvent      *event,
              GError          **error)
{
  amqp_message_t message;
  amqp_rpc_reply_t reply = amqp_read_message (self->conn, CHANNEL, &message, 0);

  if (reply.reply_type != AMQP_RESPONSE_NORMAL)
    {
      g_propagate_error (error, reply_error (reply, _("Reading a message")));
      return FALSE;
    }
  event->props = props_from_amqp (&message.properties);
  event->body = g_bytes_new (message.body.bytes, message.body.len);
  amqp_destroy_message (&message);
  return TRUE;
}

typedef enum
{
  FRAME_OK,
  FRAME_CHANNEL_CLOSED,   /* reopened; error says why it closed */
  FRAME_LOST,             /* the connection is gone */
} FrameResult;

/* The content that follows a deliver or return method, then the event */
static FrameResult
post_with_content (CtAmqpLink   *self,
                   CtAmqpEvent  *event,
                   GError      **error)
{
  if (!read_content (self, event, error))
    {
      event_free (event);
      return FRAME_LOST;
    }
  post (self, event);
  return FRAME_OK;
}

static FrameResult
handle_method (CtAmqpLink  *self,
               amqp_frame_t *frame,
               GError     **error)
{
  amqp_method_t *method = &frame->payload.method;

  switch (method->id)
    {
    case AMQP_BASIC_DELIVER_METHOD:
      {
        amqp_basic_deliver_t *m = method->decoded;
        CtAmqpEvent *event = event_new (CT_AMQP_EVENT_DELIVER);

        event->generation = self->generation;
        event->tag = m->delivery_tag;
        event->flag = m->redelivered;
        event->exchange = bytes_dup (m->exchange);
        event->routing_key = bytes_dup (m->routing_key);
        return post_with_content (self, event, error);
      }

    case AMQP_BASIC_ACK_METHOD:
      {
        amqp_basic_ack_t *m = method->decoded;

        confirm (self, m->delivery_tag, m->multiple, FALSE);
      }
      return FRAME_OK;

    case AMQP_BASIC_NACK_METHOD:
      {
        amqp_basic_nack_t *m = method->decoded;

        confirm (self, m->delivery_tag, m->multiple, TRUE);
      }
      return FRAME_OK;

    case AMQP_BASIC_RETURN_METHOD:
      {
        amqp_basic_return_t *m = method->decoded;
        CtAmqpEvent *event = event_new (CT_AMQP_EVENT_RETURN);

        event->code = m->reply_code;
        event->text = bytes_dup (m->reply_text);
        event->exchange = bytes_dup (m->exchange);
        event->routing_key = bytes_dup (m->routing_key);
        return post_with_content (self, event, error);
      }

    case AMQP_BASIC_CANCEL_METHOD:
      g_set_error (error, CT_ERROR, CT_ERROR_CONNECTION_RESET,
                   _("The broker cancelled the consumer (was the queue “%s” deleted?)"), self->queue);
      return FRAME_LOST;

    case AMQP_CHANNEL_CLOSE_METHOD:
      {
        amqp_channel_close_t *m = method->decoded;
        amqp_channel_close_ok_t close_ok = { 0 };

        g_set_error (error, CT_ERROR, m->reply_code == 403 ? CT_ERROR_PERMISSION_DENIED : CT_ERROR_PROTOCOL,
                     _("The broker closed the channel: %.*s"),
                     (int) m->reply_text.len, (const char *) m->reply_text.bytes);
        if (amqp_send_method (self->conn, CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok) != AMQP_STATUS_OK)
          return FRAME_LOST;
      }
      return FRAME_CHANNEL_CLOSED;

    case AMQP_CONNECTION_CLOSE_METHOD:
      {
        amqp_connection_close_t *m = method->decoded;
        amqp_connection_close_ok_t close_ok = { 0 };

        g_set_error (error, CT_ERROR, CT_ERROR_CONNECTION_RESET, _("The broker closed the connection: %.*s"),
                     (int) m->reply_text.len, (const char *) m->reply_text.bytes);
        amqp_send_method (self->conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &close_ok);
      }
      return FRAME_LOST;

    default:
      return FRAME_OK;
    }
}

/* Connected: publish, settle and receive until the connection is lost (FALSE)
 * or the owner stops the link (TRUE) */
static gboolean
run_connected (CtAmqpLink  *self,
               GError     **error)
{
  guint heartbeat = amqp_get_heartbeat (self->conn);
  int idle_ms = heartbeat ? (int) MAX (heartbeat * 1000 / 4, 100) : 1000;

  for (;;)
    {
      struct timeval zero = { 0, 0 };
      gboolean publishable;
      /* Read before the commands, so that whatever was queued before the
       * stop (the last acks) still goes out */
      gboolean quit = should_quit (self);

      if (!run_commands (self, error))
        return FALSE;
      if (quit)
        return TRUE;
      if (!publish_pending (self, error))
        return FALSE;

      publishable = !g_queue_is_empty (&self->pending) &&
                    (!self->topology->confirm || self->outstanding.length < MAX (self->topology->window, 1));
      if (!publishable && !amqp_frames_enqueued (self->conn) && !amqp_data_in_buffer (self->conn))
        {
          struct pollfd fds[2] = {
            { .fd = self->sockfd, .events = POLLIN },
            { .fd = self->wake[0], .events = POLLIN },
          };

          if (poll (fds, 2, idle_ms) < 0 && errno != EINTR)
            {
              g_set_error (error, CT_ERROR, CT_ERROR_FAILED, "poll: %s", g_strerror (errno));
              return FALSE;
            }
          if (fds[1].revents)
            drain_wake (self);
        }

      /* Whatever the broker sent, a turn's worth; with a zero timeout this
       * also sends a heartbeat when one is due and notices missed ones */
      for (guint n = 0; n < FRAMES_PER_TURN; n++)
        {
          amqp_frame_t frame;
          int status = amqp_simple_wait_frame_noblock (self->conn, &frame, &zero);
          FrameResult result;
          g_autoptr(GError) local = NULL;

          if (status == AMQP_STATUS_TIMEOUT)
            break;
          if (status != AMQP_STATUS_OK)
            {
              g_propagate_error (error, status_error (status, _("The connection to the broker was lost")));
              return FALSE;
            }
          if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
          result = handle_method (self, &frame, &local);
          if (result == FRAME_LOST)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          if (result == FRAME_CHANNEL_CLOSED)
            {
              /* Report it, drop what the channel had not confirmed, and
               * carry on with a new channel */
              drop_outstanding (self, local);
              post_error (self, CT_AMQP_EVENT_ERROR, g_steal_pointer (&local));
              amqp_maybe_release_buffers (self->conn);
              if (!setup_channel (self, error))
                return FALSE;
              /* Delivery tags start again on the new channel */
              self->generation++;
              post_connected (self, 0);
              break;
            }
        }
      amqp_maybe_release_buffers (self->conn);
    }
}

/* -- the thread ----------------------------------------------------------- */

/* Waits for the owner to stop the link, at most @ms; TRUE when stopped */
static gboolean
wait_or_quit (CtAmqpLink *self,
              guint       ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  for (;;)
    {
      struct pollfd fd = { .fd = self->wake[0], .events = POLLIN };
      gint64 left = end - g_get_monotonic_time ();

      if (should_quit (self))
        return TRUE;
      if (left <= 0)
        return FALSE;
      if (poll (&fd, 1, (int) ((left + 999) / 1000)) > 0)
        drain_wake (self);
    }
}

static gpointer
worker (gpointer data)
{
  CtAmqpLink *self = data;
  gboolean ever = FALSE;
  guint retry_ms = RETRY_FIRST_MS;
  guint attempt = 0;

  while (!should_quit (self))
    {
      g_autoptr(GError) error = NULL;
      guint republished;

      if (link_connect (self, &error))
        {
          self->generation++;
          republished = 0;
          for (GList *l = self->pending.head; l; l = l->next)
            republished += ((Item *) l->data)->republish;
          post_connected (self, republished);
          ever = TRUE;
          retry_ms = RETRY_FIRST_MS;
          attempt = 0;
          if (run_connected (self, &error))
            {
              disconnect (self, TRUE);
              break;
            }
        }
      disconnect (self, FALSE);
      requeue_outstanding (self);

      if (!ever)
        {
          post_error (self, CT_AMQP_EVENT_START_FAILED, g_steal_pointer (&error));
          break;
        }
      {
        CtAmqpEvent *event = event_new (CT_AMQP_EVENT_LOST);

        event->error = g_steal_pointer (&error);
        event->code = retry_ms;
        event->tag = ++attempt;
        post (self, event);
      }
      if (wait_or_quit (self, retry_ms))
        break;
      retry_ms = MIN (retry_ms * 2, RETRY_MAX_MS);
    }

  post (self, event_new (CT_AMQP_EVENT_CLOSED));
  link_unref (self);
  return NULL;
}

/* -- the main thread's side ------------------------------------------------ */

/**
 * ct_amqp_link_new:
 * @topology: (transfer full): what to set up
 * @func: called on the current thread-default main context for each event
 *
 * Starts the worker thread, which connects at once: the first event is
 * CONNECTED or START_FAILED; the last is CLOSED.
 */
CtAmqpLink *
ct_amqp_link_new (CtAmqpTopology *topology,
                  CtAmqpEventFunc func,
                  gpointer        user_data)
{
  CtAmqpLink *self = g_new0 (CtAmqpLink, 1);
  g_autoptr(GError) error = NULL;

  g_atomic_ref_count_init (&self->ref);
  g_mutex_init (&self->lock);
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, &error))
    g_error ("Cannot make a pipe: %s", error->message);
  g_unix_set_fd_nonblocking (self->wake[0], TRUE, NULL);
  g_unix_set_fd_nonblocking (self->wake[1], TRUE, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->func = func;
  self->user_data = user_data;
  self->topology = topology;
  self->sockfd = -1;
  g_thread_unref (g_thread_new ("ct-amqp", worker, link_ref (self)));
  return self;
}

static void
push_command (CtAmqpLink *self,
              Command    *command)
{
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->commands, command);
  wake_locked (self);
  g_mutex_unlock (&self->lock);
}

/* Takes @publish; it is published once connected (again, if the
 * connection is lost before its confirm) */
void
ct_amqp_link_publish (CtAmqpLink    *self,
                      CtAmqpPublish *publish)
{
  Command *command = g_new0 (Command, 1);

  command->type = COMMAND_PUBLISH;
  command->publish = publish;
  push_command (self, command);
}

void
ct_amqp_link_settle (CtAmqpLink  *self,
                     guint64      generation,
                     guint64      tag,
                     CtAmqpSettle settle,
                     gboolean     requeue)
{
  Command *command = g_new0 (Command, 1);

  command->type = COMMAND_SETTLE;
  command->generation = generation;
  command->tag = tag;
  command->settle = settle;
  command->requeue = requeue;
  push_command (self, command);
}

/* Closes the connection politely; the CLOSED event follows */
void
ct_amqp_link_stop (CtAmqpLink *self)
{
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  wake_locked (self);
  g_mutex_unlock (&self->lock);
}

/* Stops the link and drops the owner's reference: no more events */
void
ct_amqp_link_detach (CtAmqpLink *self)
{
  if (self == NULL)
    return;
  self->func = NULL;
  ct_amqp_link_stop (self);
  link_unref (self);
}
