#include "ui/models/pagedmodel.h"

#include <climits>

namespace flashsale {

PagedModel::PagedModel(ConsoleBackend &backend, QObject *parent)
    : QAbstractTableModel(parent)
    , m_backend(backend)
{
}

void PagedModel::reload()
{
    ++m_generation;
    m_pending.clear();
    m_reloading = true;
    requestPage(0);
}

void PagedModel::requestPage(std::int64_t number) const
{
    if (m_pending.contains(number))
        return;
    m_pending.insert(number);
    ++m_pagesFetched;
    auto *self = const_cast<PagedModel *>(this); // a const read (data()) may start a fetch
    self->fetchPage(number * kPageRows, kPageRows, [self, generation = m_generation, number](const Page &page) {
        self->pageArrived(generation, number, page);
    });
}

void PagedModel::pageArrived(std::uint64_t generation, std::int64_t number, const Page &page)
{
    if (generation != m_generation)
        return; // the filters changed since
    m_pending.remove(number);
    if (m_reloading && number == 0) {
        // The first page of a reload brings the count: the rows start over.
        m_reloading = false;
        beginResetModel();
        m_pages.clear();
        m_error = page.error;
        m_total = page.error.isEmpty() ? page.total : 0;
        m_notYetListed = page.error.isEmpty() ? page.notYetListed : 0;
        if (page.error.isEmpty())
            m_pages.insert(0, new QList<QVariantList>(page.rows));
        endResetModel();
        Q_EMIT reloaded(m_total);
        return;
    }
    if (!page.error.isEmpty()) {
        m_error = page.error;
        return;
    }
    m_pages.insert(number, new QList<QVariantList>(page.rows));
    const int first = int(std::min<std::int64_t>(number * kPageRows, INT_MAX));
    const int last = int(std::min<std::int64_t>(number * kPageRows + page.rows.size() - 1, rowCount() - 1));
    if (last >= first)
        Q_EMIT dataChanged(index(first, 0), index(last, columnCount() - 1));
}

int PagedModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(std::min<std::int64_t>(m_total, INT_MAX));
}

int PagedModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(headers().size());
}

QVariant PagedModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (role == Qt::TextAlignmentRole)
        return isNumeric(index.column()) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const std::int64_t number = index.row() / kPageRows;
    const QList<QVariantList> *rows = m_pages.object(number);
    if (!rows) {
        requestPage(number); // shown blank until it arrives
        return {};
    }
    const int inPage = index.row() % kPageRows;
    if (inPage >= rows->size())
        return {};
    const QVariantList &cells = rows->at(inPage);
    return index.column() < cells.size() ? cells[index.column()] : QVariant();
}

const QVariantList *PagedModel::cachedRow(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    const QList<QVariantList> *rows = m_pages.object(row / kPageRows);
    const int inPage = row % kPageRows;
    return rows && inPage < rows->size() ? &rows->at(inPage) : nullptr;
}

int PagedModel::replaceCachedRows(const std::function<bool(const QVariantList &cells)> &match, const QVariantList &cells)
{
    int replaced = 0;
    const QList<std::int64_t> numbers = m_pages.keys();
    for (std::int64_t number : numbers) {
        QList<QVariantList> *rows = m_pages.object(number);
        for (int i = 0; i < rows->size(); ++i) {
            if (!match(rows->at(i)))
                continue;
            (*rows)[i] = cells;
            ++replaced;
            const int row = int(std::min<std::int64_t>(number * kPageRows + i, INT_MAX));
            Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
        }
    }
    return replaced;
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
