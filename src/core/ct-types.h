/* ct-types.h — forward declarations and the core enumerations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _CtMessage     CtMessage;
typedef struct _CtMessageLog  CtMessageLog;
typedef struct _CtEndpoint    CtEndpoint;
typedef struct _CtProtocol    CtProtocol;

/**
 * CtDirection:
 * Which way a log entry went, from the point of view of its endpoint.
 */
typedef enum
{
  CT_DIRECTION_IN,
  CT_DIRECTION_OUT,
  CT_DIRECTION_INFO,
  CT_DIRECTION_ERROR,
} CtDirection;

typedef enum
{
  CT_ROLE_SERVER,
  CT_ROLE_CLIENT,
} CtRole;

typedef enum
{
  CT_STATE_STOPPED,
  CT_STATE_STARTING,
  CT_STATE_RUNNING,
  CT_STATE_STOPPING,
  CT_STATE_FAILED,
  CT_STATE_RECONNECTING,
} CtState;

/**
 * CtPayloadFormat:
 * How a composer line is turned into payload bytes.
 */
typedef enum
{
  CT_PAYLOAD_FORMAT_TEXT,
  CT_PAYLOAD_FORMAT_HEX,
} CtPayloadFormat;

/**
 * CtTcpFraming:
 * How a TCP byte stream is cut into messages: each read as it comes, lines
 * ending in `\n` (`\r\n` tolerated), or a 4-byte big-endian length prefix.
 */
typedef enum
{
  CT_TCP_FRAMING_RAW,
  CT_TCP_FRAMING_LINE,
  CT_TCP_FRAMING_LENGTH,
} CtTcpFraming;

/**
 * CtTcpMode:
 * What a TCP server does with each message: send it back, send it to every
 * other client, or nothing (the user replies from the composer).
 */
typedef enum
{
  CT_TCP_MODE_ECHO,
  CT_TCP_MODE_BROADCAST,
  CT_TCP_MODE_MANUAL,
} CtTcpMode;

/**
 * CtChatMode:
 * Whether a WebSocket client speaks the chat format (docs/protocols/chat.md):
 * when the server's first frame is a Crosstalk welcome, always, or never.
 */
typedef enum
{
  CT_CHAT_MODE_AUTO,
  CT_CHAT_MODE_ON,
  CT_CHAT_MODE_OFF,
} CtChatMode;

/**
 * CtAmqpExchangeType:
 * The type an AMQP exchange is declared with.
 */
typedef enum
{
  CT_AMQP_EXCHANGE_TYPE_DIRECT,
  CT_AMQP_EXCHANGE_TYPE_FANOUT,
  CT_AMQP_EXCHANGE_TYPE_TOPIC,
  CT_AMQP_EXCHANGE_TYPE_HEADERS,
} CtAmqpExchangeType;

/**
 * CtAmqpAckMode:
 * How an AMQP consumer settles deliveries: the broker counts them as
 * delivered when sent (auto), or waits for an ack, nack or reject (manual).
 */
typedef enum
{
  CT_AMQP_ACK_MODE_AUTO,
  CT_AMQP_ACK_MODE_MANUAL,
} CtAmqpAckMode;

/* Flags in GParamSpec.flags that mark an endpoint property as a user setting
 * (shown in the GUI form, accepted as a CLI option, saved with a session). */
#define CT_PARAM_SETTING (1 << G_PARAM_USER_SHIFT)
/* A setting that may be changed while the endpoint runs. */
#define CT_PARAM_LIVE    (1 << (G_PARAM_USER_SHIFT + 1))

#define CT_SETTING_FLAGS (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS | CT_PARAM_SETTING)

const char *ct_direction_to_string (CtDirection direction);
const char *ct_role_to_string      (CtRole      role);
const char *ct_state_to_string     (CtState     state);

G_END_DECLS
