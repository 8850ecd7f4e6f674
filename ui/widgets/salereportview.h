// The post-sale report of one event as a page: totals table and wall-clock charts, saved as PDF or PNG.
#pragma once

#include "engine/storage/salereporttypes.h"

#include <QHash>
#include <QWidget>

class QCustomPlot;
class QGridLayout;
class QLabel;

namespace flashsale {

// Thread: GUI thread. A thin renderer of a SaleReport value computed by the engine; it queries
// nothing itself. Retranslates on a language switch; also renders without being shown (--report).
class SaleReportView : public QWidget
{
    Q_OBJECT
public:
    explicit SaleReportView(QWidget *parent = nullptr);
    ~SaleReportView() override;

    void setReport(const SaleReport &report);
    const SaleReport &report() const { return m_report; }

    // Writes the page as PDF (A4, text kept as text) or PNG, by suffix; false and error on failure.
    bool saveTo(const QString &path, QString *error);

    // A totals cell as shown, by its name ("requests", "unitsSold", ...), for tests.
    QString totalText(const QString &name) const;

    // The page's size when rendered for a file: A4 portrait proportions.
    static QSize pageSize() { return {1000, 1414}; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void fill();
    QCustomPlot *addPlot(const QString &name);

    SaleReport m_report;
    QLabel *m_title = nullptr;
    QLabel *m_subtitle = nullptr;
    QGridLayout *m_totals = nullptr;
    QHash<QString, std::pair<QLabel *, QLabel *>> m_cells; // name → caption, value
    QLabel *m_note = nullptr;
    QCustomPlot *m_ratePlot = nullptr;
    QCustomPlot *m_stockPlot = nullptr;
    QCustomPlot *m_queuePlot = nullptr;
};

} // namespace flashsale
