// Test helper: answers the modal message boxes the code under test raises (confirmations).
#pragma once

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QTimer>

#include <functional>

namespace flashsale::test {

// Answers the next modal message box named objectName (empty: any) with answer (run from a timer while the
// code under test sits in exec()); records what the box said.
class MessageBoxAnswer
{
public:
    MessageBoxAnswer(QString objectName, std::function<QAbstractButton *(QMessageBox &)> answer)
        : m_objectName(std::move(objectName)), m_answer(std::move(answer))
    {
        m_poll.setInterval(20);
        QObject::connect(&m_poll, &QTimer::timeout, [this] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || (!m_objectName.isEmpty() && box->objectName() != m_objectName))
                return;
            m_poll.stop();
            m_seen = true;
            m_text = box->text() + u'\n' + box->informativeText();
            for (QAbstractButton *b : box->buttons())
                m_buttons << b->text();
            if (QAbstractButton *b = m_answer(*box))
                b->click();
            else
                box->reject();
        });
        m_poll.start();
    }
    bool seen() const { return m_seen; }
    const QString &text() const { return m_text; }
    const QStringList &buttons() const { return m_buttons; }

private:
    QString m_objectName;
    std::function<QAbstractButton *(QMessageBox &)> m_answer;
    QTimer m_poll;
    bool m_seen = false;
    QString m_text;
    QStringList m_buttons;
};

inline QAbstractButton *cancelOf(QMessageBox &box)
{
    return box.button(QMessageBox::Cancel);
}

inline QAbstractButton *acceptOf(QMessageBox &box)
{
    for (QAbstractButton *b : box.buttons()) {
        const QMessageBox::ButtonRole role = box.buttonRole(b);
        if (role == QMessageBox::AcceptRole || role == QMessageBox::DestructiveRole)
            return b;
    }
    return nullptr;
}

} // namespace flashsale::test
