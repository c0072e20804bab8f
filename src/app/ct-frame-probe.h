/* ct-frame-probe.h — frame timing for bench/log.sh, off unless asked for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void ct_frame_probe_install (GApplication *application);

G_END_DECLS
