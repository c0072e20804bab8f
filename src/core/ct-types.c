/* ct-types.c — names of the core enumerations, as the log and the CLI print them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ct-types.h"

const char *
ct_direction_to_string (CtDirection direction)
{
  static const char *names[] = { "in", "out", "info", "error" };

  g_return_val_if_fail (direction <= CT_DIRECTION_ERROR, "info");
  return names[direction];
}

const char *
ct_role_to_string (CtRole role)
{
  return role == CT_ROLE_SERVER ? "server" : "client";
}

const char *
ct_state_to_string (CtState state)
{
  static const char *names[] = { "stopped", "starting", "running", "stopping", "failed", "reconnecting" };

  g_return_val_if_fail (state <= CT_STATE_RECONNECTING, "stopped");
  return names[state];
}
