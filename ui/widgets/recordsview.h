// The body of a records page (orders, leads): the paged table, the empty-state hint, the count line and the export bar.
#pragma once

#include <QWidget>

#include <cstdint>
#include <functional>

class QLabel;
class QTableView;

namespace flashsale {

class ConsoleBackend;
class ExportBar;
class PagedModel;

// Thread: GUI thread. One table over a PagedModel (fixed row heights, so the view never measures
// a million rows); after each reload the count line says what the page's countText makes of the
// total (or failedText of the error) and the hint shows when nothing matched. Objects are named
// after name: "<name>View", "<name>Empty", "<name>Count".
class RecordsView : public QWidget
{
    Q_OBJECT
public:
    RecordsView(ConsoleBackend &backend, PagedModel *model, const QString &name, QWidget *parent = nullptr);

    QTableView *table() const { return m_table; }
    ExportBar *exportBar() const { return m_exportBar; }
    // The words of the count line and the hint, in the current language (called again on a switch).
    void setTexts(std::function<QString(std::int64_t total)> countText, std::function<QString(const QString &error)> failedText,
                  const QString &emptyText);
    // Says the last read's count again (after a language switch or a filter's wording changed).
    void showCount();

private:
    PagedModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_empty = nullptr;
    ExportBar *m_exportBar = nullptr;
    std::int64_t m_total = -1; // rows of the last read (-1: none yet)
    std::function<QString(std::int64_t)> m_countText;
    std::function<QString(const QString &)> m_failedText;
};

} // namespace flashsale
