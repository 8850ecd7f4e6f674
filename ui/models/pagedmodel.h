// A read-only table model that pages rows in from the console's backend as the view scrolls.
#pragma once

#include <QAbstractTableModel>
#include <QCache>
#include <QList>
#include <QSet>

#include <cstdint>
#include <functional>

namespace flashsale {

class ConsoleBackend;

// Thread: GUI thread. reload() asks for the first page, which brings the row count; other pages
// of kPageRows are asked for when the view first shows one of their rows, arrive later (the
// backend reads off the GUI thread or over the network) and are kept in a small LRU cache, so a
// view over a million rows stays fluid. Answers to an older reload() are dropped. Subclasses say
// how to ask for one page and turn its rows into display cells.
class PagedModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int kPageRows = 256;

    explicit PagedModel(ConsoleBackend &backend, QObject *parent = nullptr);

    // Recounts and forgets the cached pages (after a filter change, or to see new rows).
    void reload();
    std::int64_t totalRows() const { return m_total; }
    QString lastError() const { return m_error; }
    // Rows the last reload could not show yet: leads whose losses the intent projector has not
    // listed (0 for other models, and normally).
    std::int64_t notYetListed() const { return m_notYetListed; }
    // Pages asked of the backend since construction: what scrolling has cost.
    std::int64_t pagesFetched() const { return m_pagesFetched; }
    // A reload or a page is on its way.
    bool isLoading() const { return m_reloading || !m_pending.isEmpty(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

Q_SIGNALS:
    // After each reload(), once the count is known (0 and lastError() on failure).
    void reloaded(std::int64_t totalRows);

protected:
    // One page read: the display cells of each row, the count of all rows, or an error.
    struct Page {
        QList<QVariantList> rows;
        std::int64_t total = 0;
        QString error;
        std::int64_t notYetListed = 0;
    };
    using PageReply = std::function<void(const Page &page)>;

    ConsoleBackend &backend() const { return m_backend; }
    // The cells of a row whose page is here (columns beyond headers() are the subclass's hidden
    // ones); null while its page is on its way.
    const QVariantList *cachedRow(int row) const;
    // Replaces the cells of every cached row match accepts (a row changed on the engine); returns
    // how many there were. Rows of pages not cached are read fresh when shown.
    int replaceCachedRows(const std::function<bool(const QVariantList &cells)> &match, const QVariantList &cells);
    virtual QStringList headers() const = 0;
    // Asks the backend for up to limit rows from offset; reply on the GUI thread, with this as context.
    virtual void fetchPage(std::int64_t offset, int limit, PageReply reply) = 0;
    virtual bool isNumeric(int column) const;

private:
    void requestPage(std::int64_t number) const;
    void pageArrived(std::uint64_t generation, std::int64_t number, const Page &page);

    ConsoleBackend &m_backend;
    std::int64_t m_total = 0;
    QString m_error;
    std::int64_t m_notYetListed = 0;
    std::uint64_t m_generation = 0; // bumped by reload(): older answers are dropped
    bool m_reloading = false;       // page 0 of this generation brings the count
    mutable QCache<std::int64_t, QList<QVariantList>> m_pages{48};
    mutable QSet<std::int64_t> m_pending; // pages asked for, not yet here
    mutable std::int64_t m_pagesFetched = 0;
};

} // namespace flashsale
