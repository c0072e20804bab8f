/* test-tcp-framer.c — cutting a byte stream into messages: every framing,
 * joined and split input, a message cut across reads, oversize
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-error.h"
#include "ct-tcp-framer.h"

typedef struct
{
  GPtrArray *frames;      /* GBytes */
  guint      stop_after;  /* 0: never stop */
} Sink;

static gboolean
collect (const guint8 *data,
         gsize         size,
         gpointer      user_data)
{
  Sink *sink = user_data;

  g_ptr_array_add (sink->frames, g_bytes_new (data, size));
  return sink->stop_after == 0 || sink->frames->len < sink->stop_after;
}

static void
sink_init (Sink *sink)
{
  sink->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  sink->stop_after = 0;
}

static void
assert_frame (Sink         *sink,
              guint         index,
              const void   *data,
              gsize         size)
{
  gsize got_size;
  const guint8 *got;

  g_assert_cmpuint (index, <, sink->frames->len);
  got = g_bytes_get_data (sink->frames->pdata[index], &got_size);
  g_assert_cmpmem (got, got_size, data, size);
}

/* Feeds @stream to a fresh framer in pieces of @chunk bytes */
static void
feed_in_chunks (CtTcpFraming  framing,
                gsize         max_frame,
                const guint8 *stream,
                gsize         size,
                gsize         chunk,
                Sink         *sink)
{
  CtTcpFramer framer;

  ct_tcp_framer_init (&framer, framing, max_frame);
  for (gsize offset = 0; offset < size; offset += chunk)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (ct_tcp_framer_feed (&framer, stream + offset, MIN (chunk, size - offset),
                                         collect, sink, &error));
      g_assert_no_error (error);
    }
  ct_tcp_framer_clear (&framer);
}

static void
test_line_joined_and_split (void)
{
  static const char stream[] = "hello\nworld\r\n\nlast one\n";

  /* One read holding everything, then every split down to a byte at a time */
  for (gsize chunk = sizeof stream - 1; chunk >= 1; chunk--)
    {
      Sink sink;

      sink_init (&sink);
      feed_in_chunks (CT_TCP_FRAMING_LINE, 1024, (const guint8 *) stream, sizeof stream - 1, chunk, &sink);
      g_assert_cmpuint (sink.frames->len, ==, 4);
      assert_frame (&sink, 0, "hello", 5);
      assert_frame (&sink, 1, "world", 5);   /* \r\n tolerated */
      assert_frame (&sink, 2, "", 0);
      assert_frame (&sink, 3, "last one", 8);
      g_ptr_array_unref (sink.frames);
    }
}

static void
test_line_cut_and_finish (void)
{
  CtTcpFramer framer;
  g_autoptr(GError) error = NULL;
  Sink sink;

  sink_init (&sink);
  ct_tcp_framer_init (&framer, CT_TCP_FRAMING_LINE, 1024);
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "par", 3, collect, &sink, &error));
  g_assert_cmpuint (sink.frames->len, ==, 0);
  g_assert_cmpuint (ct_tcp_framer_get_pending (&framer), ==, 3);
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "tial", 4, collect, &sink, &error));
  g_assert_cmpuint (sink.frames->len, ==, 0);

  /* The stream ends without a newline: the last line still counts */
  g_assert_true (ct_tcp_framer_finish (&framer, collect, &sink, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sink.frames->len, ==, 1);
  assert_frame (&sink, 0, "partial", 7);
  g_assert_cmpuint (ct_tcp_framer_get_pending (&framer), ==, 0);

  ct_tcp_framer_clear (&framer);
  g_ptr_array_unref (sink.frames);
}

static void
test_line_oversize (void)
{
  CtTcpFramer framer;
  Sink sink;

  sink_init (&sink);

  /* Exactly the limit passes, with or without \r */
  feed_in_chunks (CT_TCP_FRAMING_LINE, 4, (const guint8 *) "abcd\nabcd\r\n", 11, 3, &sink);
  g_assert_cmpuint (sink.frames->len, ==, 2);

  /* One byte more fails, whether or not the newline is in the same read */
  for (guint split = 0; split < 2; split++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      ct_tcp_framer_init (&framer, CT_TCP_FRAMING_LINE, 4);
      if (split)
        {
          ok = ct_tcp_framer_feed (&framer, (const guint8 *) "abc", 3, collect, &sink, &error) &&
               ct_tcp_framer_feed (&framer, (const guint8 *) "de\n", 3, collect, &sink, &error);
        }
      else
        ok = ct_tcp_framer_feed (&framer, (const guint8 *) "abcde\n", 6, collect, &sink, &error);
      g_assert_false (ok);
      g_assert_error (error, CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE);
      ct_tcp_framer_clear (&framer);
    }

  /* A line that never ends is refused as soon as it passes the limit,
   * before it is buffered */
  {
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *flood = g_malloc0 (4096);

    memset (flood, 'x', 4096);
    ct_tcp_framer_init (&framer, CT_TCP_FRAMING_LINE, 1000);
    g_assert_false (ct_tcp_framer_feed (&framer, flood, 4096, collect, &sink, &error));
    g_assert_error (error, CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE);
    g_assert_cmpuint (ct_tcp_framer_get_pending (&framer), ==, 0);
    ct_tcp_framer_clear (&framer);
  }

  g_assert_cmpuint (sink.frames->len, ==, 2);
  g_ptr_array_unref (sink.frames);
}

static GByteArray *
length_stream (void)
{
  GByteArray *stream = g_byte_array_new ();
  guint8 binary[300];

  for (guint i = 0; i < sizeof binary; i++)
    binary[i] = i & 0xff;

  ct_tcp_frame_append (stream, CT_TCP_FRAMING_LENGTH, (const guint8 *) "one", 3);
  ct_tcp_frame_append (stream, CT_TCP_FRAMING_LENGTH, (const guint8 *) "", 0);
  ct_tcp_frame_append (stream, CT_TCP_FRAMING_LENGTH, binary, sizeof binary);
  ct_tcp_frame_append (stream, CT_TCP_FRAMING_LENGTH, (const guint8 *) "a\nb", 3);
  return stream;
}

static void
test_length_joined_and_split (void)
{
  g_autoptr(GByteArray) stream = length_stream ();
  guint8 binary[300];

  for (guint i = 0; i < sizeof binary; i++)
    binary[i] = i & 0xff;

  /* The encoding: a 4-byte big-endian length, then the bytes */
  g_assert_cmpuint (stream->len, ==, 4 * 4 + 3 + 0 + 300 + 3);
  g_assert_cmpmem (stream->data, 7, "\0\0\0\3one", 7);
  g_assert_cmpmem (stream->data + 11, 4, "\0\0\1\x2c", 4);

  for (gsize chunk = stream->len; chunk >= 1; chunk--)
    {
      Sink sink;

      sink_init (&sink);
      feed_in_chunks (CT_TCP_FRAMING_LENGTH, 1024, stream->data, stream->len, chunk, &sink);
      g_assert_cmpuint (sink.frames->len, ==, 4);
      assert_frame (&sink, 0, "one", 3);
      assert_frame (&sink, 1, "", 0);
      assert_frame (&sink, 2, binary, sizeof binary);
      assert_frame (&sink, 3, "a\nb", 3);
      g_ptr_array_unref (sink.frames);
    }
}

static void
test_length_oversize_and_truncated (void)
{
  CtTcpFramer framer;
  g_autoptr(GError) error = NULL;
  Sink sink;

  sink_init (&sink);

  /* A prefix announcing more than the limit fails before any payload */
  ct_tcp_framer_init (&framer, CT_TCP_FRAMING_LENGTH, 1024);
  g_assert_false (ct_tcp_framer_feed (&framer, (const guint8 *) "\0\0\4\1", 4, collect, &sink, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE);
  g_clear_error (&error);
  ct_tcp_framer_clear (&framer);

  /* The largest allowed is fine */
  ct_tcp_framer_init (&framer, CT_TCP_FRAMING_LENGTH, 2);
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "\0\0\0\2hi", 6, collect, &sink, &error));
  g_assert_cmpuint (sink.frames->len, ==, 1);

  /* The stream ends half-way through a message: an error, not a message */
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "\0\0\0\2h", 5, collect, &sink, &error));
  g_assert_false (ct_tcp_framer_finish (&framer, collect, &sink, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* ...or half-way through a prefix */
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "\0\0", 2, collect, &sink, &error));
  g_assert_false (ct_tcp_framer_finish (&framer, collect, &sink, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* A clean end between messages is fine */
  g_assert_true (ct_tcp_framer_finish (&framer, collect, &sink, &error));
  g_assert_cmpuint (sink.frames->len, ==, 1);

  ct_tcp_framer_clear (&framer);
  g_ptr_array_unref (sink.frames);
}

static void
test_raw (void)
{
  CtTcpFramer framer;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  Sink sink;

  sink_init (&sink);
  ct_tcp_framer_init (&framer, CT_TCP_FRAMING_RAW, 8);

  /* Each read is one message, newlines and all */
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "ab\ncd", 5, collect, &sink, &error));
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "e", 1, collect, &sink, &error));
  g_assert_cmpuint (sink.frames->len, ==, 2);
  assert_frame (&sink, 0, "ab\ncd", 5);
  assert_frame (&sink, 1, "e", 1);
  g_assert_true (ct_tcp_framer_finish (&framer, collect, &sink, &error));

  g_assert_false (ct_tcp_framer_feed (&framer, (const guint8 *) "123456789", 9, collect, &sink, &error));
  g_assert_error (error, CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE);

  /* Sending: raw adds nothing, line adds \n */
  ct_tcp_frame_append (out, CT_TCP_FRAMING_RAW, (const guint8 *) "x", 1);
  ct_tcp_frame_append (out, CT_TCP_FRAMING_LINE, (const guint8 *) "y", 1);
  g_assert_cmpmem (out->data, out->len, "xy\n", 3);

  ct_tcp_framer_clear (&framer);
  g_ptr_array_unref (sink.frames);
}

/* A callback that stops the feed (its connection closed) is obeyed */
static void
test_stop_early (void)
{
  CtTcpFramer framer;
  g_autoptr(GError) error = NULL;
  Sink sink;

  sink_init (&sink);
  sink.stop_after = 2;
  ct_tcp_framer_init (&framer, CT_TCP_FRAMING_LINE, 64);
  g_assert_true (ct_tcp_framer_feed (&framer, (const guint8 *) "a\nb\nc\nd\n", 8, collect, &sink, &error));
  g_assert_cmpuint (sink.frames->len, ==, 2);
  ct_tcp_framer_clear (&framer);
  g_ptr_array_unref (sink.frames);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tcp-framer/line/joined-and-split", test_line_joined_and_split);
  g_test_add_func ("/tcp-framer/line/cut-and-finish", test_line_cut_and_finish);
  g_test_add_func ("/tcp-framer/line/oversize", test_line_oversize);
  g_test_add_func ("/tcp-framer/length/joined-and-split", test_length_joined_and_split);
  g_test_add_func ("/tcp-framer/length/oversize-and-truncated", test_length_oversize_and_truncated);
  g_test_add_func ("/tcp-framer/raw", test_raw);
  g_test_add_func ("/tcp-framer/stop-early", test_stop_early);

  return g_test_run ();
}
