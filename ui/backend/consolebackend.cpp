#include "ui/backend/consolebackend.h"

namespace flashsale {

bool ConsoleBackend::rotateShopSecret(QString *error)
{
    *error = tr("only the console that runs the engine can rotate its shop secret");
    return false;
}

bool ConsoleBackend::regenerateAdminToken(QString *error)
{
    *error = tr("only the console that runs the engine can make a new token");
    return false;
}

void ConsoleBackend::publish(EngineStats stats)
{
    m_stats = std::move(stats);
    Q_EMIT statsChanged();
}

} // namespace flashsale
