/* ct-tcp-framer.c — cutting a TCP byte stream into messages, and back
 *
 * TCP delivers bytes, not messages: one read may hold half a message or
 * several. The framer keeps what it cannot hand on yet, and checks the size
 * limit before it buffers anything, so a peer cannot make it hold more than
 * max_frame bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-tcp-framer.h"

void
ct_tcp_framer_init (CtTcpFramer  *framer,
                    CtTcpFraming  framing,
                    gsize         max_frame)
{
  memset (framer, 0, sizeof *framer);
  framer->framing = framing;
  framer->max_frame = max_frame;
}

void
ct_tcp_framer_clear (CtTcpFramer *framer)
{
  g_clear_pointer (&framer->pending, g_byte_array_unref);
  framer->header_len = 0;
  framer->expected = 0;
}

/* Bytes held for a message not yet complete */
gsize
ct_tcp_framer_get_pending (CtTcpFramer *framer)
{
  return framer->header_len + (framer->pending ? framer->pending->len : 0);
}

static void
pending_append (CtTcpFramer  *framer,
                const guint8 *data,
                gsize         size)
{
  if (framer->pending == NULL)
    framer->pending = g_byte_array_new ();
  g_byte_array_append (framer->pending, data, size);
}

#define TOO_LARGE(error, framer, format, size) \
  (g_set_error ((error), CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE, (format), \
                (unsigned long) (size), (unsigned long) (framer)->max_frame), FALSE)

/* Hands on a complete line, without its `\n` and a `\r` before it */
static gboolean
emit_line (const guint8   *line,
           gsize           size,
           CtTcpFrameFunc  func,
           gpointer        user_data)
{
  if (size > 0 && line[size - 1] == '\r')
    size--;
  return func (line, size, user_data);
}

static gboolean
feed_line (CtTcpFramer     *framer,
           const guint8    *data,
           gsize            size,
           CtTcpFrameFunc   func,
           gpointer         user_data,
           GError         **error)
{
  while (size > 0)
    {
      const guint8 *newline = memchr (data, '\n', size);
      gsize held = framer->pending ? framer->pending->len : 0;
      gsize chunk;
      guint8 last;

      if (newline == NULL)
        {
          /* One byte of slack for a `\r` whose `\n` has not arrived yet */
          if (held + size > framer->max_frame + 1)
            return TOO_LARGE (error, framer, _("A line has grown to %lu bytes without an end: the limit is %lu bytes"),
                              held + size);
          pending_append (framer, data, size);
          return TRUE;
        }

      chunk = newline - data;
      last = chunk > 0 ? newline[-1] : held > 0 ? framer->pending->data[held - 1] : 0;
      if (held + chunk > framer->max_frame + 1 ||
          (held + chunk == framer->max_frame + 1 && last != '\r'))
        return TOO_LARGE (error, framer, _("A line of %lu bytes is too long: the limit is %lu bytes"),
                          held + chunk);

      if (held > 0)
        {
          gboolean go_on;

          pending_append (framer, data, chunk);
          go_on = emit_line (framer->pending->data, framer->pending->len, func, user_data);
          g_byte_array_set_size (framer->pending, 0);
          if (!go_on)
            return TRUE;
        }
      else if (!emit_line (data, chunk, func, user_data))
        return TRUE;

      data += chunk + 1;
      size -= chunk + 1;
    }

  return TRUE;
}

static gboolean
feed_length (CtTcpFramer     *framer,
             const guint8    *data,
             gsize            size,
             CtTcpFrameFunc   func,
             gpointer         user_data,
             GError         **error)
{
  while (size > 0 || (framer->header_len == CT_TCP_LENGTH_PREFIX && framer->expected == 0))
    {
      gsize held, take;

      if (framer->header_len < CT_TCP_LENGTH_PREFIX)
        {
          take = MIN (size, CT_TCP_LENGTH_PREFIX - framer->header_len);
          memcpy (framer->header + framer->header_len, data, take);
          framer->header_len += take;
          data += take;
          size -= take;
          if (framer->header_len < CT_TCP_LENGTH_PREFIX)
            return TRUE;

          framer->expected = (guint32) framer->header[0] << 24 | (guint32) framer->header[1] << 16 |
                             (guint32) framer->header[2] << 8 | framer->header[3];
          if (framer->expected > framer->max_frame)
            return TOO_LARGE (error, framer, _("A length prefix announces %lu bytes: the limit is %lu bytes"),
                              framer->expected);
        }

      held = framer->pending ? framer->pending->len : 0;

      if (held == 0 && size >= framer->expected)
        {
          /* The whole message is in this read: no copy */
          gsize length = framer->expected;

          framer->header_len = 0;
          framer->expected = 0;
          if (!func (data, length, user_data))
            return TRUE;
          data += length;
          size -= length;
          continue;
        }

      take = MIN (size, framer->expected - held);
      pending_append (framer, data, take);
      data += take;
      size -= take;

      if (framer->pending->len == framer->expected)
        {
          gboolean go_on;

          framer->header_len = 0;
          framer->expected = 0;
          go_on = func (framer->pending->data, framer->pending->len, user_data);
          g_byte_array_set_size (framer->pending, 0);
          if (!go_on)
            return TRUE;
        }
    }

  return TRUE;
}

/**
 * ct_tcp_framer_feed:
 * @data: the bytes of one read
 *
 * Calls @func for each message completed by @data. Fails, with
 * %CT_ERROR_MESSAGE_TOO_LARGE, as soon as a message is known to be over the
 * limit; the stream cannot be resynchronised after that, so the caller
 * should close the connection.
 */
gboolean
ct_tcp_framer_feed (CtTcpFramer     *framer,
                    const guint8    *data,
                    gsize            size,
                    CtTcpFrameFunc   func,
                    gpointer         user_data,
                    GError         **error)
{
  switch (framer->framing)
    {
    case CT_TCP_FRAMING_RAW:
      if (size > framer->max_frame)
        return TOO_LARGE (error, framer, _("A read of %lu bytes is too long: the limit is %lu bytes"), size);
      if (size > 0)
        func (data, size, user_data);
      return TRUE;

    case CT_TCP_FRAMING_LINE:
      return feed_line (framer, data, size, func, user_data, error);

    case CT_TCP_FRAMING_LENGTH:
      return feed_length (framer, data, size, func, user_data, error);

    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * ct_tcp_framer_finish:
 *
 * The stream ended. A last line without `\n` is still a message; half of a
 * length-prefixed message is an error (%CT_ERROR_PROTOCOL).
 */
gboolean
ct_tcp_framer_finish (CtTcpFramer     *framer,
                      CtTcpFrameFunc   func,
                      gpointer         user_data,
                      GError         **error)
{
  gsize held = framer->pending ? framer->pending->len : 0;

  if (framer->framing == CT_TCP_FRAMING_LINE && held > 0)
    {
      g_autoptr(GByteArray) line = g_steal_pointer (&framer->pending);

      emit_line (line->data, line->len, func, user_data);
      return TRUE;
    }

  if (framer->framing == CT_TCP_FRAMING_LENGTH && framer->header_len > 0)
    {
      if (framer->header_len < CT_TCP_LENGTH_PREFIX)
        g_set_error (error, CT_ERROR, CT_ERROR_PROTOCOL,
                     _("The stream ended inside a length prefix (%u of 4 bytes)"),
                     framer->header_len);
      else
        g_set_error (error, CT_ERROR, CT_ERROR_PROTOCOL,
                     _("The stream ended inside a message (%lu of %lu bytes)"),
                     (unsigned long) held, (unsigned long) framer->expected);
      ct_tcp_framer_clear (framer);
      return FALSE;
    }

  return TRUE;
}

/**
 * ct_tcp_frame_append:
 *
 * Appends @data to @out as one message in @framing: as is, with a `\n`
 * after it, or after its 4-byte big-endian length.
 */
void
ct_tcp_frame_append (GByteArray   *out,
                     CtTcpFraming  framing,
                     const guint8 *data,
                     gsize         size)
{
  if (framing == CT_TCP_FRAMING_LENGTH)
    {
      guint8 header[CT_TCP_LENGTH_PREFIX] = {
        (size >> 24) & 0xff, (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff,
      };

      g_return_if_fail (size <= G_MAXUINT32);
      g_byte_array_append (out, header, sizeof header);
    }

  g_byte_array_append (out, data, size);

  if (framing == CT_TCP_FRAMING_LINE)
    g_byte_array_append (out, (const guint8 *) "\n", 1);
}
