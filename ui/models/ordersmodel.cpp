#include "ui/ordersmodel.h"

#include "ui/labels.h"

namespace flashsale {

OrdersModel::OrdersModel(StoreLocation store, QObject *parent)
    : PagedModel(std::move(store), parent)
{
}

void OrdersModel::setQuery(const OrderQuery &query)
{
    m_query = query;
    reload();
}

QStringList OrdersModel::headers() const
{
    return {tr("Order"), tr("Event"), tr("User"), tr("Quantity"), tr("Total"), tr("Contact"), tr("Decided at"),
            tr("Simulated")};
}

bool OrdersModel::countRows(QSqlDatabase db, std::int64_t *total, QString *error) const
{
    return records::countOrders(db, m_query, total, error);
}

bool OrdersModel::fetchRows(QSqlDatabase db, std::int64_t offset, int limit, QList<QVariantList> *rows, QString *error) const
{
    OrderQuery q = m_query;
    q.offset = offset;
    q.limit = limit;
    // Money needs the event's currency; orders carry the event id.
    return records::listOrders(db, q, [this, rows](const OrderRow &r) {
        rows->append(QVariantList{Labels::count(r.orderId), r.eventId, r.userId, Labels::count(r.quantity),
                                  Labels::money(r.totalCents, m_currencies.value(r.eventId, u"CNY"_qs)), r.contact, Labels::time(r.decidedAtMs),
                                  r.simulated ? tr("yes") : QString()});
        return true;
    }, error);
}

bool OrdersModel::isNumeric(int column) const
{
    return column == 0 || column == 3 || column == 4;
}

} // namespace flashsale
