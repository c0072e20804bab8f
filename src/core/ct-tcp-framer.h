/* ct-tcp-framer.h — cutting a TCP byte stream into messages, and back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ct-types.h"

G_BEGIN_DECLS

/* The size of a `length` frame's header: a 32-bit big-endian byte count */
#define CT_TCP_LENGTH_PREFIX 4

/**
 * CtTcpFramer:
 *
 * The receiving side of a framing: fed the bytes of each read, it calls back
 * once per complete message, keeping a message cut across reads until the
 * rest arrives. Plain data, embedded in a connection; not thread-safe.
 */
typedef struct
{
  CtTcpFraming  framing;
  gsize         max_frame;
  GByteArray   *pending;         /* the start of a message cut across reads */
  guint8        header[CT_TCP_LENGTH_PREFIX];
  guint         header_len;      /* length framing: header bytes seen */
  gsize         expected;        /* length framing: the announced size */
} CtTcpFramer;

/* Called with each complete message (without its delimiter or prefix);
 * return FALSE to stop feeding (the connection went away). */
typedef gboolean (*CtTcpFrameFunc) (const guint8 *frame,
                                    gsize         size,
                                    gpointer      user_data);

void     ct_tcp_framer_init        (CtTcpFramer    *framer,
                                    CtTcpFraming    framing,
                                    gsize           max_frame);
void     ct_tcp_framer_clear       (CtTcpFramer    *framer);
gboolean ct_tcp_framer_feed        (CtTcpFramer    *framer,
                                    const guint8   *data,
                                    gsize           size,
                                    CtTcpFrameFunc  func,
                                    gpointer        user_data,
                                    GError        **error);
gboolean ct_tcp_framer_finish      (CtTcpFramer    *framer,
                                    CtTcpFrameFunc  func,
                                    gpointer        user_data,
                                    GError        **error);
gsize    ct_tcp_framer_get_pending (CtTcpFramer    *framer);

void     ct_tcp_frame_append       (GByteArray     *out,
                                    CtTcpFraming    framing,
                                    const guint8   *data,
                                    gsize           size);

G_END_DECLS
