// Won orders, paged from the backend, filtered by event, user and status.
#pragma once

#include "engine/storage/recordtypes.h"
#include "ui/models/pagedmodel.h"

#include <QHash>

#include <optional>

namespace flashsale {

// Thread: GUI thread (see PagedModel). The Pays by column of an order awaiting payment counts
// down: the page calls refreshCountdowns() once a second.
class OrdersModel : public PagedModel
{
    Q_OBJECT
public:
    enum Column {
        Order, Event, User, Quantity, Total, Status, Source, PaysBy, PaidAt, Contact, DecidedAt, Simulated, ColumnCount
    };
    // What the page's actions need of a row.
    struct OrderRef {
        std::int64_t orderId = 0;
        QString eventId;
        OrderStatus status = OrderStatus::Final;
    };

    explicit OrdersModel(ConsoleBackend &backend, QObject *parent = nullptr);

    // offset and limit are ignored; the model pages.
    void setQuery(const OrderQuery &query);
    const OrderQuery &query() const { return m_query; }
    // Event id → currency, to format the totals.
    void setCurrencies(const QHash<QString, QString> &currencies) { m_currencies = currencies; }
    // The order shown in a row (nullopt while its page is on its way).
    std::optional<OrderRef> orderAt(int row) const;
    // An order changed on the engine (a staff action): its row shows it at once; under a status
    // filter it no longer matches, the rows are read again.
    void orderChanged(const OrderRow &order);
    // The Pays by cells are drawn again with the time left now.
    void refreshCountdowns();

    QVariant data(const QModelIndex &index, int role) const override;

protected:
    QStringList headers() const override;
    void fetchPage(std::int64_t offset, int limit, PageReply reply) override;
    bool isNumeric(int column) const override;

private:
    // A row's cells: the columns, then hidden ones (the order id, its event id, its status, its deadline).
    QVariantList cellsOf(const OrderRow &r) const;

    OrderQuery m_query;
    QHash<QString, QString> m_currencies;
};

} // namespace flashsale
