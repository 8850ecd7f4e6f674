#include "ui/models/ordersmodel.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/labels.h"

#include <QDateTime>

namespace flashsale {

namespace {

// The hidden cells after the columns.
enum Hidden { HiddenOrderId = OrdersModel::ColumnCount, HiddenEventId, HiddenStatus, HiddenExpiresAt };

} // namespace

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
    return {tr("Order"), tr("Event"), tr("User"), tr("Quantity"), tr("Total"), tr("Status"), tr("Source"),
            //: Column: the payment deadline of an order, with the time left while it awaits payment
            tr("Pays by"), tr("Paid at"), tr("Contact"), tr("Decided at"), tr("Simulated")};
}

QVariantList OrdersModel::cellsOf(const OrderRow &r) const
{
    // The deadline matters while the order awaits payment, and says when an expired one ran out.
    const bool showsDeadline = r.status == OrderStatus::PendingPayment || r.status == OrderStatus::Expired;
    return QVariantList{Labels::count(r.orderId), r.eventId, r.userId, Labels::count(r.quantity),
                        Labels::money(r.totalCents, m_currencies.value(r.eventId, u"CNY"_qs)),
                        Labels::orderStatus(r.status), Labels::orderSource(r.source),
                        showsDeadline ? Labels::time(r.expiresAtMs) : QString(),
                        r.paidAtMs > 0 ? Labels::time(r.paidAtMs) : QString(), r.contact, Labels::time(r.decidedAtMs),
                        r.simulated ? tr("yes") : QString(),
                        // hidden
                        qint64(r.orderId), r.eventId, int(r.status), qint64(r.expiresAtMs)};
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
        for (const OrderRow &r : read.rows)
            page.rows.append(cellsOf(r));
        reply(page);
    });
}

std::optional<OrdersModel::OrderRef> OrdersModel::orderAt(int row) const
{
    const QVariantList *cells = cachedRow(row);
    if (!cells || cells->size() <= HiddenExpiresAt)
        return std::nullopt;
    return OrderRef{cells->at(HiddenOrderId).toLongLong(), cells->at(HiddenEventId).toString(),
                    OrderStatus(cells->at(HiddenStatus).toInt())};
}

void OrdersModel::orderChanged(const OrderRow &order)
{
    replaceCachedRows(
        [&](const QVariantList &cells) {
            return cells.size() > HiddenEventId && cells.at(HiddenOrderId).toLongLong() == order.orderId
                && cells.at(HiddenEventId).toString() == order.eventId;
        },
        cellsOf(order));
    if (m_query.status && *m_query.status != order.status)
        reload();
}

void OrdersModel::refreshCountdowns()
{
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, PaysBy), index(rowCount() - 1, PaysBy), {Qt::DisplayRole});
}

QVariant OrdersModel::data(const QModelIndex &index, int role) const
{
    if (index.isValid() && index.column() == PaysBy && (role == Qt::DisplayRole || role == Qt::ToolTipRole)) {
        const QVariantList *cells = cachedRow(index.row());
        if (cells && cells->size() > HiddenExpiresAt
            && OrderStatus(cells->at(HiddenStatus).toInt()) == OrderStatus::PendingPayment) {
            const std::int64_t leftMs = cells->at(HiddenExpiresAt).toLongLong() - QDateTime::currentMSecsSinceEpoch();
            if (leftMs > 0) {
                //: Pays by cell of an order awaiting payment: %1 the deadline, %2 the time left (h:mm:ss)
                return tr("%1 (%2 left)").arg(cells->at(PaysBy).toString(), Labels::countdown(leftMs));
            }
        }
    }
    return PagedModel::data(index, role);
}

bool OrdersModel::isNumeric(int column) const
{
    return column == Order || column == Quantity || column == Total;
}

} // namespace flashsale
