#include "ui/pagedmodel.h"

#include <climits>

namespace flashsale {

PagedModel::PagedModel(StoreLocation store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(std::move(store))
{
}

void PagedModel::reload()
{
    beginResetModel();
    m_pages.clear();
    m_error.clear();
    m_total = 0;
    QSqlDatabase db = readerConnection(m_store, &m_error);
    if (m_error.isEmpty() && !countRows(db, &m_total, &m_error))
        m_total = 0;
    endResetModel();
    Q_EMIT reloaded(m_total);
}

int PagedModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<std::int64_t>(m_total, INT_MAX));
}

int PagedModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(headers().size());
}

const QList<QVariantList> *PagedModel::page(std::int64_t number) const
{
    if (const QList<QVariantList> *cached = m_pages.object(number))
        return cached;
    auto rows = std::make_unique<QList<QVariantList>>();
    rows->reserve(kPageRows);
    QString error;
    QSqlDatabase db = readerConnection(m_store, &error);
    ++m_pagesFetched;
    if (!error.isEmpty() || !fetchRows(db, number * kPageRows, kPageRows, rows.get(), &error)) {
        m_error = error;
        return nullptr;
    }
    const QList<QVariantList> *result = rows.get();
    m_pages.insert(number, rows.release());
    return result;
}

QVariant PagedModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (role == Qt::TextAlignmentRole)
        return isNumeric(index.column()) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const QList<QVariantList> *rows = page(index.row() / kPageRows);
    const int inPage = index.row() % kPageRows;
    if (!rows || inPage >= rows->size())
        return {};
    const QVariantList &cells = rows->at(inPage);
    return index.column() < cells.size() ? cells[index.column()] : QVariant();
}

QVariant PagedModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole) {
        const QStringList names = headers();
        return section < names.size() ? names[section] : QString();
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

bool PagedModel::isNumeric(int) const
{
    return false;
}

} // namespace flashsale
