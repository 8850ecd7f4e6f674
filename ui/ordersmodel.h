// Won orders, paged from the database, filtered by event and user.
#pragma once

#include "engine/storage/records.h"
#include "ui/pagedmodel.h"

#include <QHash>

namespace flashsale {

// Thread: GUI thread (see PagedModel).
class OrdersModel : public PagedModel
{
    Q_OBJECT
public:
    explicit OrdersModel(StoreLocation store, QObject *parent = nullptr);

    // offset and limit are ignored; the model pages.
    void setQuery(const OrderQuery &query);
    const OrderQuery &query() const { return m_query; }
    // Event id → currency, to format the totals.
    void setCurrencies(const QHash<QString, QString> &currencies) { m_currencies = currencies; }

protected:
    QStringList headers() const override;
    bool countRows(QSqlDatabase db, std::int64_t *total, QString *error) const override;
    bool fetchRows(QSqlDatabase db, std::int64_t offset, int limit, QList<QVariantList> *rows, QString *error) const override;
    bool isNumeric(int column) const override;

private:
    OrderQuery m_query;
    QHash<QString, QString> m_currencies;
};

} // namespace flashsale
