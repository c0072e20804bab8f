/* ct-log-filter.c — a filtered, pausable view of a CtMessageLog
 *
 * The rows are the sequence numbers (see ct_message_log_get_published())
 * of the log's entries that match, oldest first; a row's CtMessage is made
 * from the log's record only when a view asks for it. Matching reads the
 * records directly, so filtering a million entries makes no object and
 * copies no string.
 *
 * Following the log: its items-changed comes once per flush for the rows
 * the cap dropped and once for the new ones; the filter does the same for
 * its own rows (one signal for the rows that went, one for those that came,
 * each only when there are some).
 *
 * Paused: the rows stay as they are, and since the log may drop their
 * entries meanwhile, the filter holds a reference on each row's record
 * (taken at the pause, let go at the resume). Resuming applies everything
 * at once: one items-changed (which replaces every row when rows went and
 * came, the only way one signal can say both).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ct-log-filter"

#include "config.h"

#include <string.h>

#include "ct-log-filter.h"
#include "ct-message-log-private.h"

/* The rows: a queue of sequence numbers that loses its oldest at the
 * front (the log's cap) and grows at the back */
typedef struct
{
  guint64 *seqs;
  gsize    head;      /* the first row is seqs[head] */
  gsize    len;
  gsize    allocated;
} Rows;

struct _CtLogFilter
{
  GObject       parent_instance;

  CtMessageLog *log;
  guint         directions;
  char         *text;         /* as set; NULL for none */
  char         *needle;       /* ASCII text: what is searched, in lower case */
  gsize         needle_len;
  gboolean      needle_ascii;
  gunichar     *needle_chars; /* other text: its characters in lower case */
  glong         needle_n_chars;
  gboolean      needle_beyond_ascii; /* some of them are not ASCII */

  Rows          rows;
  guint64       scanned_end;  /* the log's entries below this have been considered */

  gboolean      paused;
  GPtrArray    *pinned;       /* while paused: each row's record, by row */
  guint64       pause_end;    /* the log's published end at the pause */
  guint64       n_pending;
  gboolean      stale;        /* the conditions changed while paused */
};

enum {
  PROP_0,
  PROP_LOG,
  PROP_DIRECTIONS,
  PROP_TEXT,
  PROP_PAUSED,
  PROP_N_PENDING,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CtLogFilter, ct_log_filter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* -- rows ----------------------------------------------------------------- */

static inline guint64
rows_get (const Rows *rows,
          gsize       i)
{
  return rows->seqs[rows->head + i];
}

static void
rows_push (Rows    *rows,
           guint64  seq)
{
  if (rows->head + rows->len == rows->allocated)
    {
      if (rows->head > 0 && rows->head >= rows->len)
        {
          /* Mostly dropped at the front: move down instead of growing */
          memmove (rows->seqs, rows->seqs + rows->head, rows->len * sizeof (guint64));
          rows->head = 0;
        }
      else
        {
          rows->allocated = MAX (2 * rows->allocated, 256);
          rows->seqs = g_renew (guint64, rows->seqs, rows->allocated);
        }
    }
  rows->seqs[rows->head + rows->len++] = seq;
}

static void
rows_drop_front (Rows  *rows,
                 gsize  n)
{
  g_assert (n <= rows->len);
  rows->head += n;
  rows->len -= n;
  if (rows->len == 0)
    rows->head = 0;
}

static void
rows_clear (Rows *rows)
{
  g_clear_pointer (&rows->seqs, g_free);
  rows->head = rows->len = rows->allocated = 0;
}

/* -- matching -------------------------------------------------------------- */

static const guint8 *
ascii_find_nocase (const guint8 *haystack,
                   gsize         length,
                   const char   *needle,      /* lower case */
                   gsize         needle_len)
{
  guint8 lower = needle[0];
  guint8 upper = g_ascii_toupper (lower);
  const guint8 *end;

  if (needle_len > length)
    return NULL;
  end = haystack + length - needle_len + 1;    /* last possible start + 1 */

  for (const guint8 *p = haystack; p < end; p++)
    {
      if (lower == upper)
        {
          p = memchr (p, lower, end - p);
          if (p == NULL)
            return NULL;
        }
      else if (*p != lower && *p != upper)
        continue;

      if (g_ascii_strncasecmp ((const char *) p + 1, needle + 1, needle_len - 1) == 0)
        return p;
    }
  return NULL;
}

/* Whether @text (@length bytes, valid UTF-8 unless @validate) contains the
 * needle, ignoring case */
/* The first of @needle (@n characters in lower case) in @text (valid
 * UTF-8), ignoring case, character by character: no copy of @text */
static gboolean
unicode_find_nocase (const char     *text,
                     gsize           length,
                     const gunichar *needle,
                     glong           n)
{
  const char *end = text + length;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      const char *q = p;
      glong k = 0;

      while (k < n && q < end && g_unichar_tolower (g_utf8_get_char (q)) == needle[k])
        {
          q = g_utf8_next_char (q);
          k++;
        }
      if (k == n)
        return TRUE;
    }
  return FALSE;
}

/* Whether @text has a byte that is not ASCII, 8 bytes at a time */
static gboolean
has_high_byte (const guint8 *text,
               gsize         length)
{
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      if (word & G_GUINT64_CONSTANT (0x8080808080808080))
        return TRUE;
    }
  for (; i < length; i++)
    if (text[i] & 0x80)
      return TRUE;
  return FALSE;
}

static gboolean
text_contains (CtLogFilter  *self,
               const guint8 *text,
               gsize         length,
               gboolean      validate)
{
  if (self->needle_ascii)
    {
      /* ASCII bytes are never part of a longer UTF-8 sequence: searching
       * the bytes is exact, and validating only matches is cheap */
      if (ascii_find_nocase (text, length, self->needle, self->needle_len) == NULL)
        return FALSE;
      return !validate || g_utf8_validate_len ((const char *) text, length, NULL);
    }

  /* No ASCII character has a lower case beyond ASCII: plain ASCII text
   * cannot match (the usual case, cheaply) */
  if (self->needle_beyond_ascii && !has_high_byte (text, length))
    return FALSE;
  if (!g_utf8_validate_len ((const char *) text, length, NULL))
    return FALSE;
  return unicode_find_nocase ((const char *) text, length, self->needle_chars, self->needle_n_chars);
}

static gboolean
record_matches (CtLogFilter    *self,
                const CtRecord *record)
{
  if (!(self->directions & (1u << record->direction)))
    return FALSE;
  if (self->needle == NULL)
    return TRUE;

  if (record->has_summary &&
      text_contains (self, record->data + ct_record_get_text_offset (record), record->summary_len, FALSE))
    return TRUE;
  if (record->peer && text_contains (self, (const guint8 *) record->peer, strlen (record->peer), FALSE))
    return TRUE;
  return text_contains (self, ct_record_get_payload (record), record->size, TRUE);
}

/* Adds the log's entries [from, end) that match as rows; returns how many */
static guint
scan (CtLogFilter *self,
      guint64      from,
      guint64      end)
{
  guint added = 0;

  for (guint64 seq = from; seq < end; seq++)
    if (record_matches (self, ct_message_log_peek_record (self->log, seq)))
      {
        rows_push (&self->rows, seq);
        added++;
      }
  return added;
}

/* -- following the log ------------------------------------------------------ */

static void
emit_changed (CtLogFilter *self,
              guint        position,
              guint        removed,
              guint        added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Drops the rows the log no longer shows and adds the entries it published
 * since; @one_signal: say it with a single items-changed */
static void
catch_up (CtLogFilter *self,
          gboolean     one_signal)
{
  guint64 first, end;
  gsize removed = 0;
  guint n_old = self->rows.len;
  guint added;

  ct_message_log_get_published (self->log, &first, &end);

  while (removed < self->rows.len && rows_get (&self->rows, removed) < first)
    removed++;
  rows_drop_front (&self->rows, removed);

  added = scan (self, MAX (self->scanned_end, first), end);
  self->scanned_end = MAX (self->scanned_end, end);

  if (one_signal && removed && added)
    emit_changed (self, 0, n_old, self->rows.len);
  else
    {
      if (removed)
        emit_changed (self, 0, removed, 0);
      if (added)
        emit_changed (self, self->rows.len - added, 0, added);
    }
}

/* Matches every entry of the log again (or only the current rows, when the
 * conditions got narrower); one items-changed for all of it */
static void
recompute (CtLogFilter *self,
           gboolean     narrower)
{
  guint64 first, end;
  guint n_old = self->rows.len;

  ct_message_log_get_published (self->log, &first, &end);

  if (narrower && self->scanned_end >= end)
    {
      gsize kept = 0;

      for (gsize i = 0; i < self->rows.len; i++)
        {
          guint64 seq = rows_get (&self->rows, i);

          if (seq >= first && record_matches (self, ct_message_log_peek_record (self->log, seq)))
            self->rows.seqs[self->rows.head + kept++] = seq;
        }
      self->rows.len = kept;
    }
  else
    {
      self->rows.head = self->rows.len = 0;
      scan (self, first, end);
    }
  self->scanned_end = MAX (self->scanned_end, end);

  if (n_old || self->rows.len)
    emit_changed (self, 0, n_old, self->rows.len);
}

static void
set_n_pending (CtLogFilter *self,
               guint64      n_pending)
{
  if (self->n_pending == n_pending)
    return;
  self->n_pending = n_pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

static void
on_log_items_changed (GListModel  *log,
                      guint        position,
                      guint        removed,
                      guint        added,
                      CtLogFilter *self)
{
  if (self->paused)
    {
      guint64 first, end;

      ct_message_log_get_published (self->log, &first, &end);
      set_n_pending (self, end - self->pause_end);
      return;
    }

  catch_up (self, FALSE);
}

/* -- GListModel ------------------------------------------------------------ */

static GType
ct_log_filter_get_item_type (GListModel *model)
{
  return CT_TYPE_MESSAGE;
}

static guint
ct_log_filter_get_n_items (GListModel *model)
{
  return CT_LOG_FILTER (model)->rows.len;
}

static gpointer
ct_log_filter_get_item (GListModel *model,
                        guint       position)
{
  CtLogFilter *self = CT_LOG_FILTER (model);

  if (position >= self->rows.len)
    return NULL;
  if (self->pinned)
    return ct_message_new_for_record (self->pinned->pdata[position]);
  return ct_message_new_for_record (ct_message_log_peek_record (self->log,
                                                                rows_get (&self->rows, position)));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ct_log_filter_get_item_type;
  iface->get_n_items = ct_log_filter_get_n_items;
  iface->get_item = ct_log_filter_get_item;
}

/* -- GObject --------------------------------------------------------------- */

static void
ct_log_filter_constructed (GObject *object)
{
  CtLogFilter *self = CT_LOG_FILTER (object);

  G_OBJECT_CLASS (ct_log_filter_parent_class)->constructed (object);

  g_assert (self->log != NULL);
  g_signal_connect_object (self->log, "items-changed", G_CALLBACK (on_log_items_changed),
                           self, G_CONNECT_DEFAULT);
  catch_up (self, TRUE);
}

static void
ct_log_filter_dispose (GObject *object)
{
  CtLogFilter *self = CT_LOG_FILTER (object);

  if (self->log)
    g_signal_handlers_disconnect_by_data (self->log, self);
  g_clear_pointer (&self->pinned, g_ptr_array_unref);
  rows_clear (&self->rows);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (ct_log_filter_parent_class)->dispose (object);
}

static void
ct_log_filter_finalize (GObject *object)
{
  CtLogFilter *self = CT_LOG_FILTER (object);

  g_free (self->text);
  g_free (self->needle);
  g_free (self->needle_chars);

  G_OBJECT_CLASS (ct_log_filter_parent_class)->finalize (object);
}

static void
ct_log_filter_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CtLogFilter *self = CT_LOG_FILTER (object);

  switch (prop_id)
    {
    case PROP_LOG:
      g_value_set_object (value, self->log);
      break;

    case PROP_DIRECTIONS:
      g_value_set_uint (value, self->directions);
      break;

    case PROP_TEXT:
      g_value_set_string (value, ct_log_filter_get_text (self));
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_N_PENDING:
      g_value_set_uint64 (value, self->n_pending);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->rows.len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_log_filter_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CtLogFilter *self = CT_LOG_FILTER (object);

  switch (prop_id)
    {
    case PROP_LOG:
      self->log = g_value_dup_object (value);
      break;

    case PROP_DIRECTIONS:
      ct_log_filter_set_directions (self, g_value_get_uint (value));
      break;

    case PROP_TEXT:
      ct_log_filter_set_text (self, g_value_get_string (value));
      break;

    case PROP_PAUSED:
      ct_log_filter_set_paused (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_log_filter_class_init (CtLogFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ct_log_filter_constructed;
  object_class->dispose = ct_log_filter_dispose;
  object_class->finalize = ct_log_filter_finalize;
  object_class->get_property = ct_log_filter_get_property;
  object_class->set_property = ct_log_filter_set_property;

  properties[PROP_LOG] =
    g_param_spec_object ("log", "Log", "The log the filter shows entries of",
                         CT_TYPE_MESSAGE_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_DIRECTIONS] =
    g_param_spec_uint ("directions", "Directions", "The directions shown, a mask of 1 << CtDirection",
                       0, CT_LOG_FILTER_ALL_DIRECTIONS, CT_LOG_FILTER_ALL_DIRECTIONS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TEXT] =
    g_param_spec_string ("text", "Text",
                         "Shows only entries whose summary, peer or text payload contains this, ignoring case",
                         "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", "Paused", "The rows do not change until resumed",
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_N_PENDING] =
    g_param_spec_uint64 ("n-pending", "Pending", "Entries appended to the log since the pause",
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", "Items", "Entries the model shows",
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_log_filter_init (CtLogFilter *self)
{
  self->directions = CT_LOG_FILTER_ALL_DIRECTIONS;
}

/**
 * ct_log_filter_new:
 *
 * Returns: (transfer full): a filter that shows every entry of @log until
 *   told otherwise
 */
CtLogFilter *
ct_log_filter_new (CtMessageLog *log)
{
  g_return_val_if_fail (CT_IS_MESSAGE_LOG (log), NULL);

  return g_object_new (CT_TYPE_LOG_FILTER, "log", log, NULL);
}

CtMessageLog *
ct_log_filter_get_log (CtLogFilter *self)
{
  g_return_val_if_fail (CT_IS_LOG_FILTER (self), NULL);
  return self->log;
}

/* Applies new conditions: now, or at the resume */
static void
conditions_changed (CtLogFilter *self,
                    gboolean     narrower)
{
  if (self->paused)
    self->stale = TRUE;
  else
    recompute (self, narrower);
}

void
ct_log_filter_set_directions (CtLogFilter *self,
                              guint        directions)
{
  gboolean narrower;

  g_return_if_fail (CT_IS_LOG_FILTER (self));

  directions &= CT_LOG_FILTER_ALL_DIRECTIONS;
  if (self->directions == directions)
    return;

  narrower = (directions & ~self->directions) == 0;
  self->directions = directions;
  conditions_changed (self, narrower);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTIONS]);
}

guint
ct_log_filter_get_directions (CtLogFilter *self)
{
  g_return_val_if_fail (CT_IS_LOG_FILTER (self), 0);
  return self->directions;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

void
ct_log_filter_set_text (CtLogFilter *self,
                        const char  *text)
{
  g_autofree char *old_needle = NULL;
  gboolean narrower;

  g_return_if_fail (CT_IS_LOG_FILTER (self));
  g_return_if_fail (text == NULL || g_utf8_validate (text, -1, NULL));

  if (text && *text == '\0')
    text = NULL;
  if (g_strcmp0 (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  old_needle = g_steal_pointer (&self->needle);
  g_clear_pointer (&self->needle_chars, g_free);
  if (text)
    {
      self->needle_ascii = is_ascii (text);
      if (self->needle_ascii)
        self->needle = g_ascii_strdown (text, -1);
      else
        {
          /* (kept as a string too, to tell whether the next is narrower) */
          self->needle_chars = g_utf8_to_ucs4_fast (text, -1, &self->needle_n_chars);
          self->needle_beyond_ascii = FALSE;
          for (glong i = 0; i < self->needle_n_chars; i++)
            {
              self->needle_chars[i] = g_unichar_tolower (self->needle_chars[i]);
              self->needle_beyond_ascii |= self->needle_chars[i] >= 0x80;
            }
          self->needle = g_ucs4_to_utf8 (self->needle_chars, self->needle_n_chars, NULL, NULL, NULL);
        }
      self->needle_len = strlen (self->needle);
    }

  /* Every entry that contains the new text contains the old one */
  narrower = old_needle == NULL || (self->needle && strstr (self->needle, old_needle));
  conditions_changed (self, narrower);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

/* Returns: (not nullable): the text condition, "" for none */
const char *
ct_log_filter_get_text (CtLogFilter *self)
{
  g_return_val_if_fail (CT_IS_LOG_FILTER (self), NULL);
  return self->text ? self->text : "";
}

/* Whether some entries may be hidden by the conditions */
gboolean
ct_log_filter_is_filtering (CtLogFilter *self)
{
  g_return_val_if_fail (CT_IS_LOG_FILTER (self), FALSE);
  return self->directions != CT_LOG_FILTER_ALL_DIRECTIONS || self->text != NULL;
}

/**
 * ct_log_filter_set_paused:
 *
 * While paused the model does not change at all, whatever happens to the
 * log or the conditions; resuming applies it all in one items-changed.
 */
void
ct_log_filter_set_paused (CtLogFilter *self,
                          gboolean     paused)
{
  guint64 first;

  g_return_if_fail (CT_IS_LOG_FILTER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;

  if (paused)
    {
      /* The log may drop these entries meanwhile: keep them */
      self->pinned = g_ptr_array_new_full (self->rows.len, (GDestroyNotify) ct_record_unref);
      for (gsize i = 0; i < self->rows.len; i++)
        g_ptr_array_add (self->pinned,
                         ct_record_ref (ct_message_log_peek_record (self->log, rows_get (&self->rows, i))));
      ct_message_log_get_published (self->log, &first, &self->pause_end);
    }
  else
    {
      /* The rows the log dropped go in the catch-up, which does not read
       * their records */
      g_clear_pointer (&self->pinned, g_ptr_array_unref);
      if (self->stale)
        {
          self->stale = FALSE;
          recompute (self, FALSE);
        }
      else
        catch_up (self, TRUE);
      set_n_pending (self, 0);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
ct_log_filter_get_paused (CtLogFilter *self)
{
  g_return_val_if_fail (CT_IS_LOG_FILTER (self), FALSE);
  return self->paused;
}

guint64
ct_log_filter_get_n_pending (CtLogFilter *self)
{
  g_return_val_if_fail (CT_IS_LOG_FILTER (self), 0);
  return self->n_pending;
}
