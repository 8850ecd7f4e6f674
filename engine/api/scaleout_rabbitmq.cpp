// Built with FLASHSALE_WITH_RABBITMQ=ON (engine/CMakeLists.txt picks this file or scaleout_none.cpp).
#include "engine/api/scaleout.h"

#include "engine/cluster/clusterlink.h"

namespace flashsale {

ScaleOutFactory linkedScaleOut()
{
    return clusterLinkFactory();
}

} // namespace flashsale
