/* ct-http-client.c — the REST page's HTTP client (libsoup)
 *
 * The composer line is `METHOD URL [BODY]`: `GET /api/tasks/1`,
 * `POST /api/tasks {"title": "x"}`, `DELETE http://127.0.0.1:8000/api/tasks/3`.
 * The method is any HTTP token, upper-cased (GET, PUT, PURGE...). A line
 * that is only a URL is a GET. The URL is absolute (http or https) or
 * relative to the base-url setting (resolved as a browser would: `/x`
 * replaces the base's path, `x` is appended to its last directory). The
 * body is the rest of the line, checked against the body-type setting: JSON
 * (sent as application/json), text (text/plain; charset=utf-8) or a form
 * (`a=1&b=2`, sent as typed as application/x-www-form-urlencoded); a
 * Content-Type in the headers setting wins.
 *
 * The log. Every attempt at a request is its own exchange: an `out` entry
 * (logged when the request's headers have been written, so it shows them as
 * sent — libsoup's Host, User-Agent, Accept-Encoding, Content-Length, the
 * cookie jar's Cookie — or, when the attempt failed before that, as they
 * were set) and an `in` entry with the same exchange id for the response,
 * or an `error` entry. Between attempts an info entry `retry` says why and
 * how long the client waits. So a request that succeeded on its third
 * attempt reads: out, in 503, retry, out, in 503, retry, out, in 200 —
 * each answer next to the request it answers, with its own latency. A
 * redirect that is followed stays in its exchange (an info entry
 * `redirected`; the `in` entry's url is the final one).
 *
 *   out meta: method, url (absolute), headers ("Name: value\n" per header),
 *             follow-redirects, verify-tls (what "Copy as curl" needs),
 *             attempt (from the second attempt on)
 *   in meta:  status (u), reason, http-version, headers, content-type,
 *             latency-us (x: from the request written to the body read),
 *             size (t: body bytes), url (final, after redirects)
 *
 * Retries: on connection failures (refused, reset, unreachable, a timeout)
 * and on 429, 502, 503 and 504, up to the retries setting, waiting
 * retry-delay, then twice that, and so on; a Retry-After (seconds or a
 * date) on a 429 or 503 is honoured instead. No wait is longer than 30 s.
 * Only idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) are
 * retried, unless retry-post is on (POST, PATCH and any other method).
 *
 * A response body over 16 MiB is refused: the `in` entry is logged without
 * it, with an error entry. Bodies are logged as received; pretty-printing
 * is for the views.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-http"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ct-error.h"
#include "ct-http-client.h"
#include "ct-json.h"
#include "ct-net.h"

#define READ_CHUNK (64 * 1024)

/* not in libsoup 3.2's SoupStatus */
#define STATUS_TOO_MANY_REQUESTS 429

struct _CtHttpClient
{
  CtEndpoint      parent_instance;

  /* settings */
  char           *base_url;
  guint           timeout;          /* seconds, 0 for none */
  guint           retries;
  guint           retry_delay;      /* ms */
  gboolean        retry_post;
  gboolean        follow_redirects;
  gboolean        verify_tls;
  gboolean        keep_cookies;
  char           *headers;
  CtHttpBodyType  body_type;

  SoupSession    *session;
  SoupCookieJar  *jar;              /* NULL when keep-cookies is off */
  GList          *waiting;          /* Requests waiting to be retried */
  guint64         exchange;
};

G_DEFINE_FINAL_TYPE (CtHttpClient, ct_http_client, CT_TYPE_ENDPOINT)

GType
ct_http_body_type_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { CT_HTTP_BODY_JSON, "CT_HTTP_BODY_JSON", "json" },
        { CT_HTTP_BODY_TEXT, "CT_HTTP_BODY_TEXT", "text" },
        { CT_HTTP_BODY_FORM, "CT_HTTP_BODY_FORM", "form" },
        { 0, NULL, NULL }
      };

      g_once_init_leave (&type, g_enum_register_static (g_intern_static_string ("CtHttpBodyType"), values));
    }
  return type;
}

/* -- parsing the composer line and the settings ---------------------------- */

/* RFC 9110 token characters: methods and header names */
static gboolean
is_token (const char *s,
          gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = s[i];

      if (c == '\0' || (!g_ascii_isalnum (c) && !strchr ("!#$%&'*+-.^_`|~", c)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_http_uri (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);

  return (g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0) &&
         host != NULL && *host != '\0';
}

static GUri *
parse_base_url (const char  *base_url,
                GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (base_url ? base_url : "", SOUP_HTTP_URI_FLAGS, NULL);

  if (uri == NULL || !is_http_uri (uri))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                   _("The base URL “%s” is not an HTTP URL: set base-url to one like http://127.0.0.1:8000"),
                   base_url ? base_url : "");
      return NULL;
    }
  return g_steal_pointer (&uri);
}

/* An absolute http(s) URL, or one relative to @base_url */
static GUri *
resolve_url (const char  *base_url,
             const char  *url,
             GError     **error)
{
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme = g_uri_peek_scheme (url);

  if (scheme)
    {
      uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &local_error);
      if (uri == NULL || !is_http_uri (uri))
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                       _("“%s” is not an HTTP URL: use http://…, https://… or a path like /api/tasks"),
                       url);
          return NULL;
        }
      return g_steal_pointer (&uri);
    }

  base = parse_base_url (base_url, error);
  if (base == NULL)
    return NULL;
  uri = g_uri_parse_relative (base, url, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL || !is_http_uri (uri))
    {
      g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                   _("“%s” is not a valid URL (%s)"), url,
                   local_error ? local_error->message : _("no host"));
      return NULL;
    }
  return g_steal_pointer (&uri);
}

/* `a=1&b=two%20words`: name=value pairs, as a form sends them */
static gboolean
check_form (const char  *body,
            GError     **error)
{
  g_auto(GStrv) pairs = g_strsplit (body, "&", -1);

  for (guint i = 0; pairs[i]; i++)
    {
      const char *pair = pairs[i];
      const char *equals = strchr (pair, '=');

      if (equals == NULL || equals == pair)
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                       _("A form body is name=value pairs joined by &, like a=1&b=2: “%s” is not one"),
                       pair);
          return FALSE;
        }
      for (const char *p = pair; *p; p++)
        {
          if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
            {
              g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("A form body has no spaces: write them as + or %%20 (in “%s”)"), pair);
              return FALSE;
            }
          if (*p == '%' && !(g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2])))
            {
              g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("A %% in a form body starts an escape like %%2F (in “%s”)"), pair);
              return FALSE;
            }
        }
    }
  return TRUE;
}

typedef struct
{
  char   *method;       /* upper case */
  GUri   *uri;          /* absolute */
  GBytes *body;         /* NULL for none */
} Line;

static void
line_clear (Line *line)
{
  g_clear_pointer (&line->method, g_free);
  g_clear_pointer (&line->uri, g_uri_unref);
  g_clear_pointer (&line->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Line, line_clear)

/* `METHOD URL [BODY]`, or only `URL` for a GET */
static gboolean
parse_line (CtHttpClient  *self,
            const char    *text,
            Line          *line,
            GError       **error)
{
  const char *start = text + strspn (text, " \t");
  const char *end = start + strlen (start);
  const char *word_end = start + strcspn (start, " \t");
  const char *url_start, *url_end, *body;
  g_autofree char *url = NULL;

  /* The end of the line is not part of the body */
  while (end > start && (end[-1] == '\n' || end[-1] == '\r'))
    end--;
  if (word_end > end)
    word_end = end;

  if (word_end == start)
    {
      g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                           _("Type a method and a URL, like: GET /api/tasks"));
      return FALSE;
    }

  if (!is_token (start, word_end - start))
    {
      /* Not a method: a URL alone, for a GET */
      line->method = g_strdup (SOUP_METHOD_GET);
      url_start = start;
      url_end = word_end;
      body = url_end + strspn (url_end, " \t");
      if (body < end)
        {
          g_set_error_literal (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                               _("A body needs a method first, like: POST /api/tasks {\"title\": \"x\"}"));
          return FALSE;
        }
    }
  else
    {
      line->method = g_ascii_strup (start, word_end - start);
      url_start = word_end + strspn (word_end, " \t");
      if (url_start > end)
        url_start = end;
      url_end = url_start + strcspn (url_start, " \t");
      if (url_end > end)
        url_end = end;
      if (url_end == url_start)
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                       _("Type a URL after %s, like: %s /api/tasks"), line->method, line->method);
          return FALSE;
        }
      body = url_end + strspn (url_end, " \t");
      if (body > end)
        body = end;
    }

  url = g_strndup (url_start, url_end - url_start);
  line->uri = resolve_url (self->base_url, url, error);
  if (line->uri == NULL)
    return FALSE;

  if (body < end)
    {
      gsize size = end - body;
      g_autoptr(GError) local_error = NULL;

      switch (self->body_type)
        {
        case CT_HTTP_BODY_JSON:
          {
            g_autoptr(JsonNode) node = ct_json_parse (body, size, &local_error);

            if (node == NULL)
              {
                g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                             _("The body is not JSON (%s): fix it, or set body-type to text"),
                             local_error->message);
                return FALSE;
              }
          }
          break;

        case CT_HTTP_BODY_FORM:
          {
            g_autofree char *form = g_strndup (body, size);

            if (!check_form (form, error))
              return FALSE;
          }
          break;

        case CT_HTTP_BODY_TEXT:
        default:
          break;
        }
      line->body = g_bytes_new (body, size);
    }
  return TRUE;
}

void
ct_http_header_free (CtHttpHeader *header)
{
  g_free (header->name);
  g_free (header->value);
  g_free (header);
}

/**
 * ct_http_parse_headers:
 * @text: (nullable): a `headers` setting: `Name: value` per line (a literal
 *   `\n` also ends a line, for one-line entries); blank lines are skipped
 *
 * Returns: (transfer full) (element-type CtHttpHeader): the headers, or
 *   %NULL with an error that says which line to fix
 */
GPtrArray *
ct_http_parse_headers (const char  *text,
                       GError     **error)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_http_header_free);
  g_autoptr(GString) unescaped = g_string_new (text ? text : "");
  g_auto(GStrv) lines = NULL;

  g_string_replace (unescaped, "\\n", "\n", 0);
  lines = g_strsplit (unescaped->str, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      const char *colon = strchr (line, ':');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;
      CtHttpHeader *header;

      if (*line == '\0')
        continue;

      if (colon == NULL || !is_token (line, colon - line))
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                       _("The header “%s” is not “Name: value”: fix the headers setting"), line);
          return NULL;
        }
      name = g_strndup (line, colon - line);
      value = g_strstrip (g_strdup (colon + 1));
      for (const char *p = value; *p; p++)
        if (g_ascii_iscntrl (*p) && *p != '\t')
          {
            g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                         _("The header “%s” has a control character in its value: fix the headers setting"),
                         name);
            return NULL;
          }
      if (g_ascii_strcasecmp (name, "Content-Length") == 0 ||
          g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
        {
          g_set_error (error, CT_ERROR, CT_ERROR_INVALID_SETTING,
                       _("%s is set from the body: remove it from the headers setting"), name);
          return NULL;
        }

      header = g_new (CtHttpHeader, 1);
      header->name = g_steal_pointer (&name);
      header->value = g_steal_pointer (&value);
      g_ptr_array_add (headers, header);
    }
  return g_steal_pointer (&headers);
}

/* -- formatting -------------------------------------------------------------- */

/* `/api/tasks?done=1` */
static char *
uri_path_and_query (GUri *uri)
{
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);

  return g_strdup_printf ("%s%s%s", *path ? path : "/", query ? "?" : "", query ? query : "");
}

static void
append_header (const char *name,
               const char *value,
               gpointer    user_data)
{
  g_string_append_printf (user_data, "%s: %s\n", name, value);
}

static char *
format_headers (SoupMessageHeaders *headers)
{
  GString *text = g_string_new (NULL);

  soup_message_headers_foreach (headers, append_header, text);
  return g_string_free (text, FALSE);
}

/* `312 B`, `1.5 KiB`, `2.0 MiB` */
static char *
format_size (guint64 size)
{
  if (size < 1024)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " B", size);
  if (size < 1024 * 1024)
    return g_strdup_printf ("%.1f KiB", size / 1024.0);
  return g_strdup_printf ("%.1f MiB", size / (1024.0 * 1024.0));
}

static const char *
http_version_string (SoupHTTPVersion version)
{
  switch (version)
    {
    case SOUP_HTTP_1_0: return "HTTP/1.0";
    case SOUP_HTTP_1_1: return "HTTP/1.1";
    case SOUP_HTTP_2_0: return "HTTP/2";
    default:            return NULL;
    }
}

/* -- sending ------------------------------------------------------------------ */

typedef struct
{
  CtHttpClient         *self;
  GCancellable         *cancellable;

  /* the request, and the settings it was sent with */
  char                 *method;
  GUri                 *uri;
  char                 *url;
  char                 *peer;
  GBytes               *body;
  char                 *content_type;
  GPtrArray            *headers;       /* CtHttpHeader */
  gboolean              follow_redirects;
  gboolean              verify_tls;
  guint                 retries;
  guint                 retry_delay;
  gboolean              may_retry;     /* idempotent, or retry-post */

  /* the current attempt */
  guint                 attempt;       /* from 1 */
  guint64               exchange;
  SoupMessage          *message;
  GInputStream         *stream;
  GByteArray           *received;
  gint64                started;
  gboolean              out_logged;
  GTlsCertificateFlags  tls_errors;
  guint                 redirect_status;
  guint                 retry_source;
} Request;

static void
request_clear_attempt (Request *request)
{
  if (request->message)
    g_signal_handlers_disconnect_by_data (request->message, request);
  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->received, g_byte_array_unref);
  request->out_logged = FALSE;
  request->tls_errors = 0;
  request->redirect_status = 0;
}

static void
request_free (Request *request)
{
  request_clear_attempt (request);
  g_clear_handle_id (&request->retry_source, g_source_remove);
  g_object_unref (request->self);
  g_object_unref (request->cancellable);
  g_free (request->method);
  g_uri_unref (request->uri);
  g_free (request->url);
  g_free (request->peer);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->content_type);
  g_ptr_array_unref (request->headers);
  g_free (request);
}

static CtMessageLog *
request_log (Request *request)
{
  return ct_endpoint_get_log (CT_ENDPOINT (request->self));
}

static void start_attempt (Request *request);

/* The out entry: once per attempt, when the headers are on the wire (or
 * when the attempt failed before) */
static void
log_out (Request *request)
{
  SoupMessage *message = request->message;
  g_autofree char *headers = NULL;
  g_autofree char *summary = NULL;
  GTlsCertificateFlags tls_errors;
  gconstpointer data = NULL;
  gsize size = 0;

  if (request->out_logged)
    return;
  request->out_logged = TRUE;

  tls_errors = request->tls_errors | soup_message_get_tls_peer_certificate_errors (message);
  if (!request->verify_tls && tls_errors != 0)
    {
      g_autofree char *described = ct_error_describe_tls (tls_errors);

      ct_message_log_info (request_log (request), "tls-unverified", request->peer,
                           ct_meta_new ("url", g_variant_new_string (request->url), NULL),
                           _("Warning: the TLS certificate of %s is %s, and was accepted because verify-tls is off"),
                           request->peer, described);
    }

  if (request->body)
    data = g_bytes_get_data (request->body, &size);
  headers = format_headers (soup_message_get_request_headers (message));
  {
    g_autofree char *path = uri_path_and_query (request->uri);

    summary = g_strdup_printf ("%s %s", request->method, path);
  }

  ct_message_log_append (request_log (request), &(CtMessageFields) {
                           .direction = CT_DIRECTION_OUT,
                           .peer = request->peer,
                           .data = data,
                           .size = size,
                           .summary = summary,
                           .meta = ct_meta_new ("method", g_variant_new_string (request->method),
                                                "url", g_variant_new_string (request->url),
                                                "headers", g_variant_new_string (headers),
                                                "follow-redirects", g_variant_new_boolean (request->follow_redirects),
                                                "verify-tls", g_variant_new_boolean (request->verify_tls),
                                                "attempt", request->attempt > 1 ? g_variant_new_uint32 (request->attempt) : NULL,
                                                NULL),
                           .exchange = request->exchange,
                         });
}

static void
on_starting (SoupMessage *message,
             Request     *request)
{
  /* The session sets its own User-Agent just before this: the headers
   * setting wins */
  for (guint i = 0; i < request->headers->len; i++)
    {
      CtHttpHeader *header = g_ptr_array_index (request->headers, i);

      if (g_ascii_strcasecmp (header->name, "User-Agent") == 0)
        soup_message_headers_replace (soup_message_get_request_headers (message), header->name, header->value);
    }
}

static void
on_wrote_headers (SoupMessage *message,
                  Request     *request)
{
  log_out (request);
}

/* Latency counts from the moment the request is on the wire */
static void
on_wrote_body (SoupMessage *message,
               Request     *request)
{
  request->started = g_get_monotonic_time ();
}

static void
on_got_headers (SoupMessage *message,
                Request     *request)
{
  guint status = soup_message_get_status (message);

  request->redirect_status = SOUP_STATUS_IS_REDIRECTION (status) ? status : 0;
}

/* libsoup follows a redirect by restarting the message with its new URI */
static void
on_restarted (SoupMessage *message,
              Request     *request)
{
  g_autofree char *url = NULL;
  g_autofree char *summary = NULL;

  if (request->redirect_status == 0)
    return;

  url = g_uri_to_string (soup_message_get_uri (message));
  summary = g_strdup_printf (_("Following %u %s to %s"), request->redirect_status,
                             soup_status_get_phrase (request->redirect_status), url);
  ct_message_log_append (request_log (request), &(CtMessageFields) {
                           .direction = CT_DIRECTION_INFO,
                           .event = "redirected",
                           .peer = request->peer,
                           .summary = summary,
                           .meta = ct_meta_new ("status", g_variant_new_uint32 (request->redirect_status),
                                                "url", g_variant_new_string (url),
                                                NULL),
                           .exchange = request->exchange,
                         });
  request->redirect_status = 0;
}

static gboolean
on_accept_certificate (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       Request              *request)
{
  request->tls_errors |= errors;
  return TRUE;
}

static gboolean
error_is_retryable (const GError *error)
{
  static const GIOErrorEnum io_errors[] = {
    G_IO_ERROR_CONNECTION_REFUSED, G_IO_ERROR_TIMED_OUT, G_IO_ERROR_CONNECTION_CLOSED,
    G_IO_ERROR_BROKEN_PIPE, G_IO_ERROR_PARTIAL_INPUT, G_IO_ERROR_NOT_CONNECTED,
    G_IO_ERROR_HOST_UNREACHABLE, G_IO_ERROR_NETWORK_UNREACHABLE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (io_errors); i++)
    if (g_error_matches (error, G_IO_ERROR, io_errors[i]))
      return TRUE;
  return g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE);
}

static gboolean
status_is_retryable (guint status)
{
  return status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_BAD_GATEWAY ||
         status == SOUP_STATUS_SERVICE_UNAVAILABLE || status == SOUP_STATUS_GATEWAY_TIMEOUT;
}

static gboolean
can_retry (Request *request)
{
  return request->may_retry && request->attempt <= request->retries;
}

/* Retry-After: seconds, or an HTTP date; -1 when absent or unreadable */
static gint64
retry_after_ms (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  guint64 seconds;

  if (value == NULL)
    return -1;
  value += strspn (value, " \t");
  if (g_ascii_isdigit (*value))
    {
      g_autofree char *digits = g_strndup (value, strspn (value, "0123456789"));

      if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT32, &seconds, NULL))
        seconds = G_MAXUINT32;
      return (gint64) seconds * 1000;
    }
  else
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (value);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      if (date == NULL)
        return -1;
      return MAX (0, g_date_time_difference (date, now) / 1000);
    }
}

static gboolean
retry_cb (gpointer user_data)
{
  Request *request = user_data;

  request->retry_source = 0;
  request->self->waiting = g_list_remove (request->self->waiting, request);
  start_attempt (request);
  return G_SOURCE_REMOVE;
}

/* Logs why and waits before the next attempt; @wait_ms -1 for the backoff */
static void
schedule_retry (Request    *request,
                gint64      wait_ms,
                const char *why)
{
  CtHttpClient *self = request->self;

  if (wait_ms < 0)
    {
      /* retry-delay, doubled for each attempt after the first */
      wait_ms = request->retry_delay;
      for (guint i = 1; i < request->attempt && wait_ms < CT_HTTP_CLIENT_MAX_RETRY_WAIT_MS; i++)
        wait_ms *= 2;
    }
  wait_ms = MIN (wait_ms, CT_HTTP_CLIENT_MAX_RETRY_WAIT_MS);

  ct_message_log_info (request_log (request), "retry", request->peer,
                       ct_meta_new ("attempt", g_variant_new_uint32 (request->attempt + 1),
                                    "delay-ms", g_variant_new_uint32 ((guint32) wait_ms),
                                    "url", g_variant_new_string (request->url),
                                    NULL),
                       _("Retry %u of %u in %u ms: %s"),
                       request->attempt, request->retries, (guint) wait_ms, why);

  request_clear_attempt (request);
  request->retry_source = g_timeout_add ((guint) wait_ms, retry_cb, request);
  self->waiting = g_list_prepend (self->waiting, request);
}

static void
attempt_failed (Request      *request,
                const GError *error)
{
  g_autoptr(GError) translated = NULL;

  if (g_cancellable_is_cancelled (request->cancellable) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      request_free (request);
      return;
    }

  log_out (request);
  translated = ct_error_from_http (error, request->uri, request->peer, request->self->timeout,
                                  request->tls_errors |
                                  (request->message ? soup_message_get_tls_peer_certificate_errors (request->message) : 0));

  if (error_is_retryable (error) && can_retry (request))
    {
      schedule_retry (request, -1, translated->message);
      return;
    }

  if (request->attempt > 1)
    {
      g_autofree char *message = g_strdup_printf (_("%s (gave up after %u attempts)"),
                                                  translated->message, request->attempt);

      g_free (translated->message);
      translated->message = g_steal_pointer (&message);
    }
  ct_endpoint_report_error (CT_ENDPOINT (request->self), request->peer, translated);
  request_free (request);
}

/* The response, whole (or without its body when @dropped) */
static void
attempt_done (Request  *request,
              gboolean  dropped)
{
  SoupMessage *message = request->message;
  SoupMessageHeaders *response_headers = soup_message_get_response_headers (message);
  gint64 elapsed = g_get_monotonic_time () - request->started;
  guint status = soup_message_get_status (message);
  const char *reason = soup_message_get_reason_phrase (message);
  const char *content_type = soup_message_headers_get_one (response_headers, "Content-Type");
  const char *location = soup_message_headers_get_one (response_headers, "Location");
  g_autofree char *url = g_uri_to_string (soup_message_get_uri (message));
  g_autofree char *headers = format_headers (response_headers);
  g_autofree char *size_text = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *status_text = NULL;
  gsize size = dropped ? 0 : request->received->len;

  log_out (request);

  status_text = g_strdup_printf ("%u %s", status, reason ? reason : soup_status_get_phrase (status));
  if (dropped)
    size_text = g_strdup_printf (_("over %s, not kept"), "16 MiB");
  else
    size_text = format_size (size);
  if (SOUP_STATUS_IS_REDIRECTION (status) && location)
    summary = g_strdup_printf ("%s → %s · %s · %.1f ms", status_text, location, size_text, elapsed / 1000.0);
  else
    summary = g_strdup_printf ("%s · %s · %.1f ms", status_text, size_text, elapsed / 1000.0);

  ct_message_log_append (request_log (request), &(CtMessageFields) {
                           .direction = CT_DIRECTION_IN,
                           .peer = request->peer,
                           .data = size ? request->received->data : NULL,
                           .size = size,
                           .summary = summary,
                           .meta = ct_meta_new ("status", g_variant_new_uint32 (status),
                                                "reason", g_variant_new_string (reason ? reason : ""),
                                                "http-version", http_version_string (soup_message_get_http_version (message))
                                                  ? g_variant_new_string (http_version_string (soup_message_get_http_version (message)))
                                                  : NULL,
                                                "headers", g_variant_new_string (headers),
                                                "content-type", content_type ? g_variant_new_string (content_type) : NULL,
                                                "latency-us", g_variant_new_int64 (elapsed),
                                                "size", dropped ? NULL : g_variant_new_uint64 (size),
                                                "url", g_variant_new_string (url),
                                                NULL),
                           .exchange = request->exchange,
                         });

  if (dropped)
    {
      g_autoptr(GError) error = g_error_new (CT_ERROR, CT_ERROR_MESSAGE_TOO_LARGE,
                                             _("The answer from %s is larger than 16 MiB: its body was not kept"),
                                             request->peer);

      ct_endpoint_report_error (CT_ENDPOINT (request->self), request->peer, error);
      request_free (request);
      return;
    }

  if (status_is_retryable (status) && can_retry (request))
    {
      gint64 wait_ms = -1;

      if (status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
        wait_ms = retry_after_ms (message);
      schedule_retry (request, wait_ms, status_text);
      return;
    }

  request_free (request);
}

static void
close_stream (Request *request)
{
  if (request->stream)
    g_input_stream_close_async (request->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize size;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      attempt_failed (request, error);
      return;
    }

  size = g_bytes_get_size (bytes);
  if (size == 0)
    {
      close_stream (request);
      attempt_done (request, FALSE);
      return;
    }

  if (request->received->len + size > CT_HTTP_CLIENT_MAX_BODY)
    {
      close_stream (request);
      attempt_done (request, TRUE);
      return;
    }

  g_byte_array_append (request->received, g_bytes_get_data (bytes, NULL), size);
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->cancellable, read_cb, request);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  goffset length;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      attempt_failed (request, error);
      return;
    }

  request->received = g_byte_array_new ();
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (request->message));
  if (length > CT_HTTP_CLIENT_MAX_BODY)
    {
      close_stream (request);
      attempt_done (request, TRUE);
      return;
    }

  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->cancellable, read_cb, request);
}

static void
start_attempt (Request *request)
{
  CtHttpClient *self = request->self;
  SoupMessageHeaders *headers;

  request->attempt++;
  request->exchange = ++self->exchange;

  request->message = soup_message_new_from_uri (request->method, request->uri);
  headers = soup_message_get_request_headers (request->message);
  if (!request->follow_redirects)
    soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);
  if (request->body)
    soup_message_set_request_body_from_bytes (request->message, request->content_type, request->body);
  for (guint i = 0; i < request->headers->len; i++)
    {
      CtHttpHeader *header = g_ptr_array_index (request->headers, i);

      if (g_ascii_strcasecmp (header->name, "Content-Type") == 0)
        soup_message_headers_replace (headers, header->name, header->value);
      else
        soup_message_headers_append (headers, header->name, header->value);
    }

  g_signal_connect (request->message, "starting", G_CALLBACK (on_starting), request);
  g_signal_connect (request->message, "wrote-headers", G_CALLBACK (on_wrote_headers), request);
  g_signal_connect (request->message, "wrote-body", G_CALLBACK (on_wrote_body), request);
  g_signal_connect (request->message, "got-headers", G_CALLBACK (on_got_headers), request);
  g_signal_connect (request->message, "restarted", G_CALLBACK (on_restarted), request);
  if (!request->verify_tls)
    g_signal_connect (request->message, "accept-certificate", G_CALLBACK (on_accept_certificate), request);

  request->started = g_get_monotonic_time ();
  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                           request->cancellable, sent_cb, request);
}

static gboolean
method_is_idempotent (const char *method)
{
  static const char * const idempotent[] = { "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" };

  for (guint i = 0; i < G_N_ELEMENTS (idempotent); i++)
    if (g_str_equal (method, idempotent[i]))
      return TRUE;
  return FALSE;
}

static const char *
body_content_type (CtHttpBodyType type)
{
  switch (type)
    {
    case CT_HTTP_BODY_TEXT: return "text/plain; charset=utf-8";
    case CT_HTTP_BODY_FORM: return "application/x-www-form-urlencoded";
    case CT_HTTP_BODY_JSON:
    default:                return "application/json";
    }
}

static gboolean
ct_http_client_send_text (CtEndpoint  *endpoint,
                          const char  *text,
                          GError     **error)
{
  CtHttpClient *self = CT_HTTP_CLIENT (endpoint);
  g_auto(Line) line = { NULL, };
  g_autoptr(GPtrArray) headers = NULL;
  Request *request;

  headers = ct_http_parse_headers (self->headers, error);
  if (headers == NULL || !parse_line (self, text, &line, error))
    return FALSE;

  request = g_new0 (Request, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (ct_endpoint_get_cancellable (endpoint));
  request->method = g_steal_pointer (&line.method);
  request->uri = g_steal_pointer (&line.uri);
  request->url = g_uri_to_string (request->uri);
  request->peer = ct_net_uri_peer (request->uri);
  request->body = g_steal_pointer (&line.body);
  request->content_type = g_strdup (body_content_type (self->body_type));
  request->headers = g_steal_pointer (&headers);
  request->follow_redirects = self->follow_redirects;
  request->verify_tls = self->verify_tls;
  request->retries = self->retries;
  request->retry_delay = self->retry_delay;
  request->may_retry = self->retry_post || method_is_idempotent (request->method);

  start_attempt (request);
  return TRUE;
}

static gboolean
ct_http_client_check_text (CtEndpoint  *endpoint,
                           const char  *text,
                           GError     **error)
{
  CtHttpClient *self = CT_HTTP_CLIENT (endpoint);
  g_auto(Line) line = { NULL, };
  g_autoptr(GPtrArray) headers = NULL;

  headers = ct_http_parse_headers (self->headers, error);
  return headers != NULL && parse_line (self, text, &line, error);
}

/* -- cookies ------------------------------------------------------------------ */

static gboolean
clear_cookies (CtHttpClient  *self,
               GError       **error)
{
  CtMessageLog *log = ct_endpoint_get_log (CT_ENDPOINT (self));
  GSList *cookies;
  guint n = 0;

  if (self->jar == NULL)
    {
      ct_message_log_info (log, "cookies-cleared", NULL,
                           ct_meta_new ("removed", g_variant_new_uint32 (0), NULL),
                           "%s", _("No cookies are kept: keep-cookies is off"));
      return TRUE;
    }

  cookies = soup_cookie_jar_all_cookies (self->jar);
  for (GSList *l = cookies; l; l = l->next)
    {
      soup_cookie_jar_delete_cookie (self->jar, l->data);
      n++;
    }
  g_slist_free_full (cookies, (GDestroyNotify) soup_cookie_free);

  ct_message_log_info (log, "cookies-cleared", NULL,
                       ct_meta_new ("removed", g_variant_new_uint32 (n), NULL),
                       ngettext ("Cleared %u cookie", "Cleared %u cookies", n), n);
  return TRUE;
}

/**
 * ct_http_client_clear_cookies:
 *
 * Forgets every cookie the servers set (the "clear-cookies" command).
 */
gboolean
ct_http_client_clear_cookies (CtHttpClient  *self,
                              GError       **error)
{
  g_return_val_if_fail (CT_IS_HTTP_CLIENT (self), FALSE);
  return ct_endpoint_run_command (CT_ENDPOINT (self), "clear-cookies", NULL, error);
}

static const CtEndpointCommand commands[] = {
  { "clear-cookies", N_("Clear _Cookies"), N_("Forget every cookie the servers have set"), FALSE },
  { NULL }
};

static gboolean
ct_http_client_run_command (CtEndpoint  *endpoint,
                            const char  *name,
                            const char  *text,
                            GError     **error)
{
  CtHttpClient *self = CT_HTTP_CLIENT (endpoint);

  if (g_str_equal (name, "clear-cookies"))
    return clear_cookies (self, error);

  g_set_error (error, CT_ERROR, CT_ERROR_NOT_IMPLEMENTED, _("Unknown command “%s”"), name);
  return FALSE;
}

/* -- Copy as curl ------------------------------------------------------------- */

/* Headers libsoup adds by itself, which curl adds (or must not) itself */
static gboolean
curl_skips_header (const char *name,
                   const char *value,
                   GUri       *uri)
{
  if (g_ascii_strcasecmp (name, "Content-Length") == 0 ||
      g_ascii_strcasecmp (name, "Accept-Encoding") == 0 ||
      g_ascii_strcasecmp (name, "Connection") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (name, "User-Agent") == 0)
    return g_str_has_prefix (value, "Crosstalk/");
  if (g_ascii_strcasecmp (name, "Host") == 0 && uri)
    {
      /* the one libsoup made from the URL: host, [v6] host, and the port
       * when it is not the scheme's */
      const char *host = g_uri_get_host (uri);
      int port = g_uri_get_port (uri);
      g_autofree char *bracketed = strchr (host, ':') ? g_strdup_printf ("[%s]", host) : g_strdup (host);
      g_autofree char *expected = port > 0 ? g_strdup_printf ("%s:%d", bracketed, port) : g_strdup (bracketed);

      return g_ascii_strcasecmp (value, expected) == 0;
    }
  return FALSE;
}

/**
 * ct_http_client_dup_curl_command:
 * @request_meta: an `out` entry's metadata (`a{sv}` with method, url,
 *   headers and optionally follow-redirects, verify-tls)
 * @body: (nullable): the entry's payload
 *
 * "Copy as curl": a shell command line that sends the same request, like
 * `curl -X PUT 'http://127.0.0.1:8000/api/tasks/1' -H 'Content-Type:
 * application/json' --data-binary '{"done": true}'`. Every argument is
 * quoted for a POSIX shell. The headers libsoup adds by itself (Host,
 * Content-Length, Accept-Encoding, its User-Agent) are left to curl. `-L`
 * is added for GET and HEAD when redirects were followed (libsoup follows
 * them only for safe methods), `-k` when TLS was not verified.
 *
 * Returns: (transfer full) (nullable): the command, or %NULL when the
 *   metadata is not a request's or the body holds a NUL byte (a shell
 *   argument cannot)
 */
char *
ct_http_client_dup_curl_command (GVariant *request_meta,
                                 GBytes   *body)
{
  g_autoptr(GString) command = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *quoted = NULL;
  const char *method = NULL, *url = NULL, *headers = NULL;
  gboolean follow_redirects = FALSE, verify_tls = TRUE;
  const char *data = NULL;
  gsize size = 0;

  g_return_val_if_fail (request_meta != NULL, NULL);

  if (!g_variant_is_of_type (request_meta, G_VARIANT_TYPE_VARDICT) ||
      !g_variant_lookup (request_meta, "method", "&s", &method) ||
      !g_variant_lookup (request_meta, "url", "&s", &url))
    return NULL;
  g_variant_lookup (request_meta, "headers", "&s", &headers);
  g_variant_lookup (request_meta, "follow-redirects", "b", &follow_redirects);
  g_variant_lookup (request_meta, "verify-tls", "b", &verify_tls);

  if (body)
    data = g_bytes_get_data (body, &size);
  if (size > 0 && memchr (data, '\0', size))
    return NULL;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  command = g_string_new ("curl");

  if (g_str_equal (method, "HEAD"))
    g_string_append (command, " --head");
  else if (!g_str_equal (method, "GET") || size > 0)
    {
      /* PUT, not 'PUT'; a method of other token characters is quoted */
      if (method[strspn (method, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")] == '\0')
        g_string_append_printf (command, " -X %s", method);
      else
        {
          quoted = g_shell_quote (method);
          g_string_append_printf (command, " -X %s", quoted);
          g_clear_pointer (&quoted, g_free);
        }
    }

  quoted = g_shell_quote (url);
  g_string_append_printf (command, " %s", quoted);
  g_clear_pointer (&quoted, g_free);

  if (headers)
    {
      g_auto(GStrv) lines = g_strsplit (headers, "\n", -1);

      for (guint i = 0; lines[i]; i++)
        {
          const char *colon = strchr (lines[i], ':');
          g_autofree char *name = NULL;
          const char *value;

          if (colon == NULL)
            continue;
          name = g_strndup (lines[i], colon - lines[i]);
          value = colon + 1 + strspn (colon + 1, " ");
          if (curl_skips_header (name, value, uri))
            continue;
          quoted = g_shell_quote (lines[i]);
          g_string_append_printf (command, " -H %s", quoted);
          g_clear_pointer (&quoted, g_free);
        }
    }

  if (size > 0)
    {
      g_autofree char *text = g_strndup (data, size);

      quoted = g_shell_quote (text);
      g_string_append_printf (command, " --data-binary %s", quoted);
      g_clear_pointer (&quoted, g_free);
    }

  if (follow_redirects && (g_str_equal (method, "GET") || g_str_equal (method, "HEAD")))
    g_string_append (command, " -L");
  if (!verify_tls)
    g_string_append (command, " -k");

  return g_string_free (g_steal_pointer (&command), FALSE);
}

/**
 * ct_http_client_dup_curl_command_for_message:
 * @message: a log entry
 *
 * Returns: (transfer full) (nullable): "Copy as curl" for an HTTP client's
 *   `out` entry, %NULL for other entries
 */
char *
ct_http_client_dup_curl_command_for_message (CtMessage *message)
{
  GVariant *meta;

  g_return_val_if_fail (CT_IS_MESSAGE (message), NULL);

  meta = ct_message_get_meta (message);
  if (ct_message_get_direction (message) != CT_DIRECTION_OUT || meta == NULL)
    return NULL;
  return ct_http_client_dup_curl_command (meta, ct_message_get_payload (message));
}

/* Copy as curl, from a request or from its response (the request is found
 * by its exchange id among the latest entries) */
static char *
ct_http_client_dup_copy_command (CtEndpoint *endpoint,
                                 CtMessage  *message)
{
  GListModel *log = G_LIST_MODEL (ct_endpoint_get_log (endpoint));
  guint64 exchange = ct_message_get_exchange (message);
  guint n = g_list_model_get_n_items (log);

  if (ct_message_get_direction (message) == CT_DIRECTION_OUT)
    return ct_http_client_dup_curl_command_for_message (message);
  if (ct_message_get_direction (message) != CT_DIRECTION_IN || exchange == 0)
    return NULL;

  /* Retries and other exchanges may come in between, but not many */
  for (guint i = n, looked = 0; i > 0 && looked < 10000; i--, looked++)
    {
      g_autoptr(CtMessage) other = NULL;

      if (ct_message_log_get_direction (CT_MESSAGE_LOG (log), i - 1) != CT_DIRECTION_OUT)
        continue;
      other = g_list_model_get_item (log, i - 1);
      if (ct_message_get_exchange (other) == exchange)
        return ct_http_client_dup_curl_command_for_message (other);
    }
  return NULL;
}

/* -- start and stop ----------------------------------------------------------- */

static void
ct_http_client_close (CtEndpoint *endpoint)
{
  CtHttpClient *self = CT_HTTP_CLIENT (endpoint);

  /* Requests waiting to be retried; those on the wire see the endpoint's
   * cancellable cancelled and free themselves */
  g_list_free_full (g_steal_pointer (&self->waiting), (GDestroyNotify) request_free);
  if (self->session)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->jar);
}

static void
ct_http_client_start (CtEndpoint          *endpoint,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  CtHttpClient *self = CT_HTTP_CLIENT (endpoint);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) base = NULL;

  g_task_set_source_tag (task, ct_http_client_start);
  ct_http_client_close (endpoint);

  base = parse_base_url (self->base_url, &error);
  if (base == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Requests run side by side: libsoup's default of 2 connections per host
   * would queue them and make a slow one look like a slow server */
  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "max-conns", 64,
                                                 "max-conns-per-host", 32,
                                                 "user-agent", "Crosstalk/" PACKAGE_VERSION " ",
                                                 NULL);
  if (self->keep_cookies)
    {
      self->jar = soup_cookie_jar_new ();
      soup_session_add_feature (self->session, SOUP_SESSION_FEATURE (self->jar));
    }

  ct_message_log_info (ct_endpoint_get_log (endpoint), "ready", NULL,
                       ct_meta_new ("url", g_variant_new_string (self->base_url), NULL),
                       _("Ready to send requests to %s"), self->base_url);
  g_task_return_boolean (task, TRUE);
}

/* The base URL of the page's own REST server */
static void
ct_http_client_use_server (CtEndpoint *endpoint,
                           CtEndpoint *server)
{
  g_autofree char *url = NULL;

  if (g_strcmp0 (ct_endpoint_get_protocol_id (server), "rest") != 0 ||
      ct_endpoint_get_role (server) != CT_ROLE_SERVER)
    return;
  url = ct_endpoint_dup_server_url (server, "http", NULL);
  if (url)
    g_object_set (endpoint, "base-url", url, NULL);
}

/* Resend: a request entry is its request line and body again */
static char *
ct_http_client_dup_composer_text (CtEndpoint      *endpoint,
                                  CtMessage       *message,
                                  CtPayloadFormat *format)
{
  GVariant *meta = ct_message_get_meta (message);
  g_autofree char *body = NULL;
  const char *method, *url;

  if (meta == NULL || !g_variant_lookup (meta, "method", "&s", &method) ||
      !g_variant_lookup (meta, "url", "&s", &url))
    return NULL;
  *format = CT_PAYLOAD_FORMAT_TEXT;
  body = ct_message_dup_text (message);
  if (body && *body)
    return g_strdup_printf ("%s %s %s", method, url, body);
  return g_strdup_printf ("%s %s", method, url);
}

static void
ct_http_client_class_init (CtHttpClientClass *klass)
{
  CtEndpointClass *endpoint_class = CT_ENDPOINT_CLASS (klass);

  endpoint_class->protocol_id = "rest";
  endpoint_class->role = CT_ROLE_CLIENT;
  endpoint_class->start = ct_http_client_start;
  endpoint_class->close = ct_http_client_close;
  endpoint_class->send_text = ct_http_client_send_text;
  endpoint_class->dup_composer_text = ct_http_client_dup_composer_text;
  endpoint_class->use_server = ct_http_client_use_server;
  endpoint_class->check_text = ct_http_client_check_text;
  endpoint_class->commands = commands;
  endpoint_class->run_command = ct_http_client_run_command;
  endpoint_class->copy_command_label = N_("Copy as _curl");
  endpoint_class->dup_copy_command = ct_http_client_dup_copy_command;

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("base-url", N_("Base URL"),
                         N_("Relative URLs in the composer (/api/tasks) are resolved against it"),
                         "http://127.0.0.1:8000", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, base_url));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("timeout", N_("Timeout"),
                       N_("Seconds to wait for the server to connect, read or answer; 0 waits forever"),
                       0, 3600, 30, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtHttpClient, timeout));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("retries", N_("Retries"),
                       N_("How many times a request is tried again after a connection failure, a timeout or a 429, 502, 503 or 504"),
                       0, 10, 2, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, retries));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_uint ("retry-delay", N_("Retry delay"),
                       N_("Milliseconds before the first retry, doubled for each one after it (a Retry-After from the server wins; 30 s at most)"),
                       0, 60000, 200, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, retry_delay));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("retry-post", N_("Retry POST"),
                          N_("Retry POST, PATCH and other methods that are not idempotent too (GET, HEAD, OPTIONS, PUT and DELETE always are)"),
                          FALSE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, retry_post));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("follow-redirects", N_("Follow redirects"),
                          N_("Follow 3xx answers to their Location; off shows the redirect itself"),
                          TRUE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, follow_redirects));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("verify-tls", N_("Verify TLS"),
                          N_("Refuse https servers whose certificate is not trusted; off accepts any certificate, with a warning in the log"),
                          TRUE, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, verify_tls));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_boolean ("keep-cookies", N_("Keep cookies"),
                          N_("Keep the cookies servers set and send them back, like a browser"),
                          TRUE, CT_SETTING_FLAGS),
    G_STRUCT_OFFSET (CtHttpClient, keep_cookies));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_string ("headers", N_("Headers"),
                         N_("Extra request headers, one “Name: value” per line (or separated by \\n)"),
                         "", CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, headers));

  ct_endpoint_class_install_setting (endpoint_class,
    g_param_spec_enum ("body-type", N_("Body type"),
                       N_("What the composer’s body is: JSON (checked, sent as application/json), text, or a form (a=1&b=2)"),
                       CT_TYPE_HTTP_BODY_TYPE, CT_HTTP_BODY_JSON, CT_SETTING_FLAGS | CT_PARAM_LIVE),
    G_STRUCT_OFFSET (CtHttpClient, body_type));
}

static void
ct_http_client_init (CtHttpClient *self)
{
}

CtEndpoint *
ct_http_client_new (void)
{
  return g_object_new (CT_TYPE_HTTP_CLIENT, NULL);
}
