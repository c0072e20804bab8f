/* ct-payload.c — turning composer text into bytes and bytes into text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ct-error.h"
#include "ct-payload.h"

#define SUMMARY_MAX_CHARS 120

/**
 * ct_payload_parse:
 * @text: what the user typed
 * @format: %CT_PAYLOAD_FORMAT_TEXT: the UTF-8 bytes of @text;
 *   %CT_PAYLOAD_FORMAT_HEX: pairs of hex digits, with optional white space,
 *   `:` or `-` between bytes and an optional `0x` prefix
 *
 * Returns: (transfer full): the payload, or %NULL with @error set
 */
GBytes *
ct_payload_parse (const char       *text,
                  CtPayloadFormat   format,
                  GError          **error)
{
  g_autoptr(GByteArray) bytes = NULL;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);

  if (format == CT_PAYLOAD_FORMAT_TEXT)
    return g_bytes_new (text, strlen (text));

  bytes = g_byte_array_new ();
  p = text;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    p += 2;

  while (*p)
    {
      int hi, lo;

      if (g_ascii_isspace (*p) || *p == ':' || *p == '-')
        {
          p++;
          continue;
        }

      hi = g_ascii_xdigit_value (p[0]);
      lo = hi < 0 ? -1 : g_ascii_xdigit_value (p[1]);
      if (hi < 0 || lo < 0)
        {
          if (hi >= 0 && (p[1] == '\0' || g_ascii_isspace (p[1])))
            g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                         _("Invalid hex at position %d: “%c” is half a byte; write two digits per byte"),
                         (int) (p - text) + 1, p[0]);
          else
            g_set_error (error, CT_ERROR, CT_ERROR_INVALID_PAYLOAD,
                         _("Invalid hex at position %d: “%c” is not a hex digit (use 0-9 and a-f)"),
                         (int) (p - text) + 1 + (hi >= 0), hi < 0 ? p[0] : p[1]);
          return NULL;
        }

      g_byte_array_append (bytes, (guint8[]) { (guint8) (hi << 4 | lo) }, 1);
      p += 2;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/**
 * ct_payload_summarize:
 *
 * A one-line description of a payload for a log row: the text itself when it
 * is UTF-8 (control characters shown as `␊`-style symbols, cut at 120
 * characters), otherwise the size and the first bytes in hex.
 */
char *
ct_payload_summarize (const guint8 *data,
                      gsize         size)
{
  GString *out;
  const char *p, *end;
  guint n = 0;

  if (size == 0)
    return g_strdup ("");

  if (!g_utf8_validate_len ((const char *) data, size, NULL))
    {
      g_autofree char *hex = ct_payload_to_hex (data, MIN (size, 16));

      return g_strdup_printf (size > 16 ? "%s…" : "%s", hex);
    }

  out = g_string_sized_new (MIN (size, SUMMARY_MAX_CHARS) + 8);
  p = (const char *) data;
  end = p + size;
  while (p < end && n < SUMMARY_MAX_CHARS)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20)
        g_string_append_unichar (out, 0x2400 + c);   /* Control Pictures block */
      else if (c == 0x7f)
        g_string_append_unichar (out, 0x2421);
      else
        g_string_append_unichar (out, c);

      p = g_utf8_next_char (p);
      n++;
    }
  if (p < end)
    g_string_append (out, "…");

  return g_string_free (out, FALSE);
}

char *
ct_payload_to_hex (const guint8 *data,
                   gsize         size)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (size ? size * 3 : 1);
  gsize i;

  for (i = 0; i < size; i++)
    {
      out[i * 3] = digits[data[i] >> 4];
      out[i * 3 + 1] = digits[data[i] & 0xf];
      out[i * 3 + 2] = ' ';
    }
  out[size ? size * 3 - 1 : 0] = '\0';

  return out;
}

/**
 * ct_payload_hexdump:
 *
 * The classic three-column dump: offset, 16 bytes in hex, and the same bytes
 * as ASCII with `.` for anything unprintable.
 */
char *
ct_payload_hexdump (const guint8 *data,
                    gsize         size)
{
  GString *out = g_string_sized_new ((size / 16 + 1) * 78);
  gsize line;

  for (line = 0; line < size; line += 16)
    {
      gsize i;

      g_string_append_printf (out, "%08" G_GSIZE_MODIFIER "x  ", line);
      for (i = 0; i < 16; i++)
        {
          if (line + i < size)
            g_string_append_printf (out, "%02x ", data[line + i]);
          else
            g_string_append (out, "   ");
          if (i == 7)
            g_string_append_c (out, ' ');
        }
      g_string_append (out, " |");
      for (i = 0; i < 16 && line + i < size; i++)
        g_string_append_c (out, g_ascii_isprint (data[line + i]) ? data[line + i] : '.');
      g_string_append (out, "|\n");
    }

  return g_string_free (out, FALSE);
}
