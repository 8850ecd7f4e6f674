// Switching between English and 简体中文 in Settings changes the visible text without a restart.
#include "testserver.h"
#include "ui/dashboardpage.h"
#include "ui/eventsmodel.h"
#include "ui/eventspage.h"
#include "ui/language.h"
#include "ui/mainwindow.h"
#include "ui/settingspage.h"

#include <QComboBox>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QtTest>

using namespace flashsale;

class TestLanguage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void switchingChangesVisibleText()
    {
        QTemporaryDir dir;
        ServerOptions options;
        options.dataDir = dir.path();
        options.port = 0;
        options.adminToken = u"token"_qs;
        QVERIFY(Language::apply(u"en"_qs));
        MainWindow window(options);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.server());
        QVERIFY(window.server()->engine().createEvent(EventConfig{u"spring"_qs, u"Spring"_qs, 1000, u"CNY"_qs, 10, 1, 0, 0}).status
                == Status::Ok);
        window.refresh();

        QCOMPARE(window.tabs()->tabText(0), u"Events"_qs);
        QCOMPARE(window.tabs()->tabText(4), u"Settings"_qs);
        QCOMPARE(window.menuBar()->actions().at(1)->text(), u"&Tools"_qs);
        QCOMPARE(window.eventsPage()->findChild<QPushButton *>(u"newButton"_qs)->text(), u"&New…"_qs);
        QCOMPARE(window.eventsPage()->model()->index(0, 2).data().toString(), u"Draft"_qs);

        // The user picks 简体中文 in Settings.
        auto *combo = window.settingsPage()->findChild<QComboBox *>(u"languageCombo"_qs);
        QVERIFY(combo);
        combo->setCurrentIndex(combo->findData(u"zh_CN"_qs));
        QCOMPARE(Language::current(), u"zh_CN"_qs);
        // QApplication posts LanguageChange to each window; the pages retranslate when it arrives.
        QTRY_COMPARE(window.tabs()->tabText(0), u"活动"_qs);
        QCOMPARE(window.tabs()->tabText(1), u"实时看板"_qs);
        QCOMPARE(window.tabs()->tabText(4), u"设置"_qs);
        QCOMPARE(window.windowTitle(), u"秒杀控制台"_qs);
        QCOMPARE(window.menuBar()->actions().at(1)->text(), u"工具(&T)"_qs);
        QCOMPARE(window.eventsPage()->findChild<QPushButton *>(u"newButton"_qs)->text(), u"新建(&N)…"_qs);
        QCOMPARE(window.eventsPage()->model()->headerData(1, Qt::Horizontal, Qt::DisplayRole).toString(), u"名称"_qs);
        QCOMPARE(window.eventsPage()->model()->index(0, 2).data().toString(), u"草稿"_qs);
        // Money follows the locale: CNY shows as ¥ in zh_CN.
        QVERIFY(window.eventsPage()->model()->index(0, 3).data().toString().startsWith(u"¥"));
        QCOMPARE(QSettings().value(u"console/language"_qs).toString(), u"zh_CN"_qs);

        // And back, still without a restart.
        combo->setCurrentIndex(combo->findData(u"en"_qs));
        QTRY_COMPARE(window.tabs()->tabText(0), u"Events"_qs);
        QCOMPARE(window.eventsPage()->model()->index(0, 2).data().toString(), u"Draft"_qs);
    }

    void translationIsComplete()
    {
        // Every source string the console shows has a Chinese translation: none falls back to English.
        QVERIFY(Language::apply(u"zh_CN"_qs));
        QVERIFY(QCoreApplication::translate("flashsale::DashboardPage", "Intent leads") != u"Intent leads");
        QVERIFY(QCoreApplication::translate("flashsale::LeadsPage", "Has contact") != u"Has contact");
        QVERIFY(QCoreApplication::translate("flashsale::Labels", "Sold out") != u"Sold out");
        QVERIFY(QCoreApplication::translate("flashsale::SettingsPage", "Node id:") != u"Node id:");
        QVERIFY(Language::apply(u"en"_qs));
    }
};

QTEST_MAIN(TestLanguage)
#include "tst_language.moc"
