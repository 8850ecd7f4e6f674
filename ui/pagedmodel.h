// A read-only table model that pages rows in from the database as the view scrolls.
#pragma once

#include "engine/storage/store.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QList>
#include <QSqlDatabase>

namespace flashsale {

// Thread: GUI thread, with the GUI thread's read connection. Only the row count is queried up
// front; rows come in pages of kPageRows when first shown and are kept in a small LRU cache, so a
// view over a million rows stays fluid. Subclasses say how to count and fetch one page.
class PagedModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int kPageRows = 256;

    PagedModel(StoreLocation store, QObject *parent = nullptr);

    // Recounts and forgets the cached pages (after a filter change, or to see new rows).
    void reload();
    std::int64_t totalRows() const { return m_total; }
    QString lastError() const { return m_error; }
    // Pages read from the database since construction: what scrolling has cost.
    std::int64_t pagesFetched() const { return m_pagesFetched; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

Q_SIGNALS:
    void reloaded(std::int64_t totalRows);

protected:
    virtual QStringList headers() const = 0;
    virtual bool countRows(QSqlDatabase db, std::int64_t *total, QString *error) const = 0;
    // Appends up to limit rows of display cells, starting at offset.
    virtual bool fetchRows(QSqlDatabase db, std::int64_t offset, int limit, QList<QVariantList> *rows, QString *error) const = 0;
    virtual bool isNumeric(int column) const;

private:
    const QList<QVariantList> *page(std::int64_t number) const;

    StoreLocation m_store;
    std::int64_t m_total = 0;
    mutable QString m_error;
    mutable QCache<std::int64_t, QList<QVariantList>> m_pages{48};
    mutable std::int64_t m_pagesFetched = 0;
};

} // namespace flashsale
