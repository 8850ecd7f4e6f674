// The Events page: every sale event with its state and stock, and the staff actions on them.
#pragma once

#include "engine/core/admintypes.h"
#include "engine/core/types.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace flashsale {

class ConsoleBackend;
class EventsModel;

// Thread: GUI thread. refresh() is fed the backend's snapshots; each action asks first, then goes
// to the backend and its answer comes back later (the buttons wait for it; the window does not).
class EventsPage : public QWidget
{
    Q_OBJECT
public:
    explicit EventsPage(ConsoleBackend &backend, QWidget *parent = nullptr);

    void refresh(const QList<EventSnapshot> &events);
    EventsModel *model() const { return m_model; }
    QString selectedId() const;
    void select(const QString &id);

public Q_SLOTS:
    void newEvent();
    void editEvent();
    void duplicateEvent();
    void openEvent();
    void pauseEvent();
    void endEvent();
    void restockEvent();
    // Puts the selected event's shopper page URL on the clipboard.
    void copyShopLink();

Q_SIGNALS:
    // An event was created or changed here; listeners may refresh at once.
    void eventsChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void updateActions();
    void showContextMenu(const QPoint &pos);
    const EventSnapshot *selected() const;
    bool confirm(const QString &title, const QString &question);
    void report(const AdminResult &result);
    void act(const QString &id, EventAction action);

    ConsoleBackend &m_backend;
    int m_calls = 0; // staff changes sent, not yet answered
    EventsModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_empty = nullptr;    // shown instead of guessing when there is no event yet
    QLabel *m_selected = nullptr; // what the selected event's state means for shoppers
    QLabel *m_hint = nullptr;
    QPushButton *m_new = nullptr, *m_edit = nullptr, *m_duplicate = nullptr, *m_open = nullptr;
    QPushButton *m_pause = nullptr, *m_end = nullptr, *m_restock = nullptr, *m_copyLink = nullptr;
};

} // namespace flashsale
