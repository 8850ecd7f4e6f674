#include "ui/leadsmodel.h"

#include "ui/labels.h"

namespace flashsale {

LeadsModel::LeadsModel(StoreLocation store, QObject *parent)
    : PagedModel(std::move(store), parent)
{
}

void LeadsModel::setQuery(const IntentQuery &query)
{
    const IntentSort sort = m_query.sort;
    const bool descending = m_query.descending;
    m_query = query;
    m_query.sort = sort;
    m_query.descending = descending;
    reload();
}

void LeadsModel::sort(int column, Qt::SortOrder order)
{
    switch (column) {
    case User: m_query.sort = IntentSort::UserId; break;
    case Quantity: m_query.sort = IntentSort::Quantity; break;
    case Attempts: m_query.sort = IntentSort::Attempts; break;
    case FirstAt: m_query.sort = IntentSort::FirstAt; break;
    default: m_query.sort = IntentSort::LastAt; break;
    }
    m_query.descending = order == Qt::DescendingOrder;
    reload();
}

QStringList LeadsModel::headers() const
{
    return {tr("Event"), tr("User"), tr("Contact"), tr("Quantity"), tr("Reason"), tr("Attempts"), tr("First try"),
            tr("Last try"), tr("Simulated")};
}

bool LeadsModel::countRows(QSqlDatabase db, std::int64_t *total, QString *error) const
{
    return records::countIntents(db, m_query, total, error);
}

bool LeadsModel::fetchRows(QSqlDatabase db, std::int64_t offset, int limit, QList<QVariantList> *rows, QString *error) const
{
    IntentQuery q = m_query;
    q.offset = offset;
    q.limit = limit;
    return records::listIntents(db, q, [rows](const IntentRow &r) {
        rows->append(QVariantList{r.eventId, r.userId, r.contact, Labels::count(r.quantity), Labels::reason(r.lastReason),
                                  Labels::count(r.attempts), Labels::time(r.firstAtMs), Labels::time(r.lastAtMs),
                                  r.simulated ? tr("yes") : QString()});
        return true;
    }, error);
}

bool LeadsModel::isNumeric(int column) const
{
    return column == Quantity || column == Attempts;
}

} // namespace flashsale
