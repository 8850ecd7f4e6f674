// The command-line client side of a running node's admin API: --backup and --report with --connect.
#pragma once

#include "engine/storage/salereport.h"

#include <QString>

namespace flashsale::nodeclient {

// flashsale --backup FILE --connect URL: fetches GET URL/api/v1/admin/backup with the admin
// token, checks that the download is a sound SQLite database, then saves it as target.
// Runs its own event loop; bounded by timeoutMs without progress.
bool fetchBackup(const QString &baseUrl, const QString &adminToken, const QString &target, QString *error,
                 int timeoutMs = 600000);

// flashsale --report --connect URL: GET URL/api/v1/admin/events/{id}/report with the admin
// token, in an event loop of its own, bounded by timeoutMs.
bool fetchReport(const QString &baseUrl, const QString &adminToken, const QString &eventId, SaleReport *report,
                 QString *error, int timeoutMs = 120000);

} // namespace flashsale::nodeclient
