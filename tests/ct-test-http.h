/* ct-test-http.h — the tests' own HTTP client (libsoup): one request, its
 * answer, and when it was sent and answered
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ct-test-util.h"

typedef struct
{
  SoupMessage *message;
  GBytes      *body;
  GError      *error;
  gboolean     done;
  gint64       started;    /* monotonic µs */
  gint64       finished;
} CtTestHttp;

static inline void
ct_test_http_free (CtTestHttp *h)
{
  g_clear_object (&h->message);
  g_clear_pointer (&h->body, g_bytes_unref);
  g_clear_error (&h->error);
  g_free (h);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtTestHttp, ct_test_http_free)

static inline void
ct_test_http_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CtTestHttp *h = user_data;

  h->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &h->error);
  h->finished = g_get_monotonic_time ();
  h->done = TRUE;
}

/* Sends @message (taken) on @session; ct_test_http_wait () for the answer */
static inline CtTestHttp *
ct_test_http_send (SoupSession *session,
                   SoupMessage *message)
{
  CtTestHttp *h = g_new0 (CtTestHttp, 1);

  h->message = message;
  h->started = g_get_monotonic_time ();
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, ct_test_http_done_cb, h);
  return h;
}

/* Bounded, and the request must have had an answer */
static inline void
ct_test_http_wait (CtTestHttp *h)
{
  CT_TEST_WAIT_UNTIL (h->done);
  g_assert_no_error (h->error);
}

static inline guint
ct_test_http_status (CtTestHttp *h)
{
  return soup_message_get_status (h->message);
}

/* The answer's body as a string ("" for none) */
static inline char *
ct_test_http_text (CtTestHttp *h)
{
  gsize size;
  const char *data = g_bytes_get_data (h->body, &size);

  return size ? g_strndup (data, size) : g_strdup ("");
}

static inline gsize
ct_test_http_size (CtTestHttp *h)
{
  return g_bytes_get_size (h->body);
}
