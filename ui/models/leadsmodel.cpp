#include "ui/models/leadsmodel.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/labels.h"

namespace flashsale {

namespace {

// What became of an offer: its order's status, "Offered" while it awaits payment.
QString offerOutcome(OrderStatus status)
{
    //: Offer outcome: the lead was offered freed units and has not paid yet
    return status == OrderStatus::PendingPayment ? LeadsModel::tr("Offered") : Labels::orderStatus(status);
}

} // namespace

LeadsModel::LeadsModel(ConsoleBackend &backend, QObject *parent)
    : PagedModel(backend, parent)
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
            tr("Last try"),
            //: Column: when units freed by a cancelled or expired order were offered to this lead
            tr("Offered at"),
            //: Column: what became of the offer (awaiting payment, paid, expired, cancelled)
            tr("Offer outcome"), tr("Simulated")};
}

void LeadsModel::fetchPage(std::int64_t offset, int limit, PageReply reply)
{
    IntentQuery q = m_query;
    q.offset = offset;
    q.limit = limit;
    backend().fetchIntents(q, this, [this, reply = std::move(reply)](const RecordsPage<IntentRow> &read) {
        Page page;
        page.total = read.total;
        page.error = read.error;
        page.notYetListed = read.notYetListed;
        page.rows.reserve(read.rows.size());
        for (const IntentRow &r : read.rows) {
            page.rows.append(QVariantList{r.eventId, r.userId, r.contact, Labels::count(r.quantity), Labels::reason(r.lastReason),
                                  Labels::count(r.attempts), Labels::time(r.firstAtMs), Labels::time(r.lastAtMs),
                                  r.offeredAtMs > 0 ? Labels::time(r.offeredAtMs) : QString(),
                                  r.offerOutcome ? offerOutcome(*r.offerOutcome) : QString(),
                                  r.simulated ? tr("yes") : QString()});
        }
        reply(page);
    });
}

bool LeadsModel::isNumeric(int column) const
{
    return column == Quantity || column == Attempts;
}

} // namespace flashsale
