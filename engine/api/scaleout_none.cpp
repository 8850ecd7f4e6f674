// Built with FLASHSALE_WITH_RABBITMQ=OFF (engine/CMakeLists.txt picks this file or scaleout_rabbitmq.cpp).
#include "engine/api/scaleout.h"

namespace flashsale {

ScaleOutFactory linkedScaleOut()
{
    return {};
}

} // namespace flashsale
