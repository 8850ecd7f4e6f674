// Intent leads (shoppers who wanted to buy and did not get it), paged from the database.
#pragma once

#include "engine/storage/records.h"
#include "ui/pagedmodel.h"

namespace flashsale {

// Thread: GUI thread (see PagedModel). Sorting is done by the database: sort() maps the column
// to IntentSort and reloads.
class LeadsModel : public PagedModel
{
    Q_OBJECT
public:
    enum Column { Event, User, Contact, Quantity, Reason, Attempts, FirstAt, LastAt, Simulated, ColumnCount };

    explicit LeadsModel(StoreLocation store, QObject *parent = nullptr);

    // offset, limit and sort are the model's; the rest are taken from query.
    void setQuery(const IntentQuery &query);
    const IntentQuery &query() const { return m_query; }
    void sort(int column, Qt::SortOrder order) override;

protected:
    QStringList headers() const override;
    bool countRows(QSqlDatabase db, std::int64_t *total, QString *error) const override;
    bool fetchRows(QSqlDatabase db, std::int64_t offset, int limit, QList<QVariantList> *rows, QString *error) const override;
    bool isNumeric(int column) const override;

private:
    IntentQuery m_query;
};

} // namespace flashsale
