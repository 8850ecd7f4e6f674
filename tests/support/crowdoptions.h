// Test helper: options for an in-process node that plays a whole crowd from one loopback
// address. The per-address rate limit is off: these tests prove other guarantees at volumes no
// single shopper sends (tst_fairsalefront and tst_dashboard test the limit itself).
#pragma once

#include "engine/api/server.h"

inline flashsale::ServerOptions crowdNodeOptions()
{
    flashsale::ServerOptions options;
    options.shoppers.purchasesPerAddressPerSecond = 0;
    return options;
}
