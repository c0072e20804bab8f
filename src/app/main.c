/* main.c — crosstalk, the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ct-application.h"
#include "ct-frame-probe.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(CtApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ct_application_new ();
  ct_frame_probe_install (G_APPLICATION (app));   /* CT_FRAME_PROBE: bench/log.sh */
  return g_application_run (G_APPLICATION (app), argc, argv);
}
