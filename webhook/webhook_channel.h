/* webhook_channel.h - channels from configuration */
#ifndef VIGIE_WEBHOOK_CHANNEL_H
#define VIGIE_WEBHOOK_CHANNEL_H

#include "webhook_internal.h"

/* webhook_channels_load - every [webhook.NAME] section as a wh_channel
 * (GPtrArray owns them); NULL with err naming the section */
GPtrArray *webhook_channels_load(const vigie_config *c, GError **err);
void webhook_channels_free(GPtrArray *chs);

#endif
