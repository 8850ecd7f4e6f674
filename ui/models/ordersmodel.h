// Won orders, paged from the backend, filtered by event and user.
#pragma once

#include "engine/storage/recordtypes.h"
#include "ui/models/pagedmodel.h"

#include <QHash>

namespace flashsale {

// Thread: GUI thread (see PagedModel).
class OrdersModel : public PagedModel
{
    Q_OBJECT
public:
    explicit OrdersModel(ConsoleBackend &backend, QObject *parent = nullptr);

    // offset and limit are ignored; the model pages.
    void setQuery(const OrderQuery &query);
    const OrderQuery &query() const { return m_query; }
    // Event id → currency, to format the totals.
    void setCurrencies(const QHash<QString, QString> &currencies) { m_currencies = currencies; }

protected:
    QStringList headers() const override;
    void fetchPage(std::int64_t offset, int limit, PageReply reply) override;
    bool isNumeric(int column) const override;

private:
    OrderQuery m_query;
    QHash<QString, QString> m_currencies;
};

} // namespace flashsale
