/* ct-counting-output-stream.h — the output side of a stream, counting what
 * it writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CT_TYPE_COUNTING_OUTPUT_STREAM (ct_counting_output_stream_get_type ())

G_DECLARE_FINAL_TYPE (CtCountingOutputStream, ct_counting_output_stream, CT, COUNTING_OUTPUT_STREAM, GOutputStream)

GIOStream *ct_counting_io_stream_new                 (GIOStream              *base,
                                                      CtCountingOutputStream **output);
guint64    ct_counting_output_stream_get_written     (CtCountingOutputStream *self);

G_END_DECLS
