// Intent leads (shoppers who wanted to buy and did not get it), paged from the backend.
#pragma once

#include "engine/storage/recordtypes.h"
#include "ui/models/pagedmodel.h"

namespace flashsale {

// Thread: GUI thread (see PagedModel). Sorting is done by the store: sort() maps the column
// to IntentSort and reloads.
class LeadsModel : public PagedModel
{
    Q_OBJECT
public:
    enum Column {
        Event, User, Contact, Quantity, Reason, Attempts, FirstAt, LastAt, OfferedAt, OfferOutcome, Simulated, ColumnCount
    };

    explicit LeadsModel(ConsoleBackend &backend, QObject *parent = nullptr);

    // offset, limit and sort are the model's; the rest are taken from query.
    void setQuery(const IntentQuery &query);
    const IntentQuery &query() const { return m_query; }
    void sort(int column, Qt::SortOrder order) override;

protected:
    QStringList headers() const override;
    void fetchPage(std::int64_t offset, int limit, PageReply reply) override;
    bool isNumeric(int column) const override;

private:
    IntentQuery m_query;
};

} // namespace flashsale
