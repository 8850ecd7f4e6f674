// Help → About: the console's icon, name, version (from project(VERSION) through version.h) and homepage.
#pragma once

#include <QDialog>

class QLabel;

namespace flashsale {

// Thread: GUI thread. Retranslates itself when the language changes while it is open.
class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // The window icon of every console window: the PNG sizes rendered from resources/icons/flashsale.svg.
    static QIcon appIcon();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();

    QLabel *m_title = nullptr;
    QLabel *m_version = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_homepage = nullptr;
};

} // namespace flashsale
