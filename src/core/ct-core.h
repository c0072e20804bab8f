/* ct-core.h — everything the GUI and the CLI use from the core library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ct-types.h"
#include "ct-enums.h"
#include "ct-error.h"
#include "ct-message.h"
#include "ct-message-log.h"
#include "ct-endpoint.h"
#include "ct-protocol.h"
#include "ct-payload.h"
#include "ct-net.h"
#include "ct-jsonl.h"
#include "ct-catalog-item.h"
#include "ct-connection.h"
#include "ct-json.h"
#include "ct-jsonrpc.h"
#include "ct-jsonrpc-server.h"
#include "ct-jsonrpc-client.h"
#include "ct-http-server.h"
#include "ct-rest-server.h"
#include "ct-rest-store.h"
#include "ct-http-client.h"
#include "ct-chat.h"
#include "ct-chat-server.h"
#include "ct-chat-client.h"
#include "ct-broker.h"
#include "ct-tcp-server.h"
#include "ct-tcp-client.h"
#include "ct-udp-server.h"
#include "ct-udp-client.h"
