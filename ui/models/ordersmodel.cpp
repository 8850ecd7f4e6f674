#include "ui/models/ordersmodel.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/labels.h"

namespace flashsale {

OrdersModel::OrdersModel(ConsoleBackend &backend, QObject *parent)
    : PagedModel(backend, parent)
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

void OrdersModel::fetchPage(std::int64_t offset, int limit, PageReply reply)
{
    OrderQuery q = m_query;
    q.offset = offset;
    q.limit = limit;
    backend().fetchOrders(q, this, [this, reply = std::move(reply)](const RecordsPage<OrderRow> &read) {
        Page page;
        page.total = read.total;
        page.error = read.error;
        page.rows.reserve(read.rows.size());
        for (const OrderRow &r : read.rows) {
            page.rows.append(QVariantList{Labels::count(r.orderId), r.eventId, r.userId, Labels::count(r.quantity),
                                  Labels::money(r.totalCents, m_currencies.value(r.eventId, u"CNY"_qs)), r.contact, Labels::time(r.decidedAtMs),
                                  r.simulated ? tr("yes") : QString()});
        }
        reply(page);
    });
}

bool OrdersModel::isNumeric(int column) const
{
    return column == 0 || column == 3 || column == 4;
}

} // namespace flashsale
