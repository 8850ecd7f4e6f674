#include "ui/widgets/recordsview.h"

#include "ui/models/pagedmodel.h"
#include "ui/widgets/exportbar.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace flashsale {

RecordsView::RecordsView(ConsoleBackend &backend, PagedModel *model, const QString &name, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    m_table = new QTableView(this);
    m_table->setObjectName(name + u"View"_qs);
    m_table->setModel(model);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setDefaultSectionSize(130);
    // Fixed row heights: the view never measures a million rows.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);

    m_count = new QLabel(this);
    m_count->setObjectName(name + u"Count"_qs);
    m_empty = new QLabel(this);
    m_empty->setObjectName(name + u"Empty"_qs);
    m_empty->setWordWrap(true);
    m_empty->hide();
    m_exportBar = new ExportBar(backend, this);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_count);
    bottom->addWidget(m_exportBar, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_empty);
    layout->addLayout(bottom);
    connect(model, &PagedModel::reloaded, this, [this](std::int64_t total) {
        m_total = total;
        showCount();
    });
}

void RecordsView::setTexts(std::function<QString(std::int64_t)> countText, std::function<QString(const QString &)> failedText,
                           const QString &emptyText)
{
    m_countText = std::move(countText);
    m_failedText = std::move(failedText);
    m_empty->setText(emptyText);
    showCount();
}

void RecordsView::showCount()
{
    if (m_total < 0 || !m_countText)
        return; // not read yet
    const bool failed = !m_model->lastError().isEmpty();
    m_count->setText(failed ? m_failedText(m_model->lastError()) : m_countText(m_total));
    m_empty->setVisible(!failed && m_total == 0);
}

} // namespace flashsale
