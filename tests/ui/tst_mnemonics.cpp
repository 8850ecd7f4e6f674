// Alt+letter reaches one thing at a time: no two mnemonics clash within one window, menu or
// dialog, in every language the console speaks. Ctrl+N makes a new event.
#include "testserver.h"
#include "ui/models/eventsmodel.h"
#include "ui/dialogs/eventdialog.h"
#include "ui/pages/eventspage.h"
#include "ui/widgets/language.h"
#include "ui/mainwindow.h"
#include "ui/pages/settingspage.h"
#include "ui/dialogs/simulatedialog.h"

#include <QAbstractButton>
#include <QGroupBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QStandardPaths>
#include <QTabWidget>
#include <QToolButton>
#include <QtTest>

using namespace flashsale;

namespace {

// The mnemonic keys of the widgets under root that the user can reach now (visible, enabled
// or not), each with the texts that claim it.
QMap<QString, QStringList> visibleMnemonics(QWidget *root)
{
    QMap<QString, QStringList> keys;
    const auto claim = [&](const QString &text) {
        const QKeySequence key = QKeySequence::mnemonic(text);
        if (!key.isEmpty())
            keys[key.toString()] << text;
    };
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (!w->isVisibleTo(root) || qobject_cast<QMenu *>(w))
            continue;
        if (auto *button = qobject_cast<QAbstractButton *>(w))
            claim(button->text());
        else if (auto *label = qobject_cast<QLabel *>(w); label && label->buddy())
            claim(label->text());
        else if (auto *group = qobject_cast<QGroupBox *>(w))
            claim(group->title());
    }
    return keys;
}

QStringList clashes(const QString &scope, const QMap<QString, QStringList> &keys)
{
    QStringList found;
    for (auto it = keys.cbegin(); it != keys.cend(); ++it) {
        if (it.value().size() > 1)
            found << QStringLiteral("%1: %2 is %3").arg(scope, it.key(), it.value().join(u" and "_qs));
    }
    return found;
}

} // namespace

class TestMnemonics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }
    void cleanupTestCase() { Language::apply(u"en"_qs); }

    void noClashes_data()
    {
        QTest::addColumn<QString>("language");
        for (const Language::Choice &choice : Language::available())
            QTest::newRow(qPrintable(choice.code)) << choice.code;
    }

    // Every page of the main window with the menu bar, every menu, the event dialog (new and
    // edit) and the simulator: one key, one target.
    void noClashes()
    {
        QFETCH(QString, language);
        QVERIFY(Language::apply(language));
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(test::serverOf(window));
        Engine &engine = test::serverOf(window)->engine();
        QVERIFY(engine.createEvent(EventConfig{u"spring"_qs, u"Spring"_qs, 1000, u"CNY"_qs, 10, 1, 0, 0}).status == Status::Ok);
        QTRY_COMPARE(window.eventsPage()->model()->rowCount(), 1); // the backend's next snapshot
        window.eventsPage()->select(u"spring"_qs);
        // The backend fields show too, as for the staff who open Advanced.
        window.settingsPage()->findChild<QToolButton *>(u"advancedToggle"_qs)->setChecked(true);

        QStringList found;
        int checkedTexts = 0;
        QMap<QString, QStringList> menuBar;
        for (QAction *menu : window.menuBar()->actions()) {
            const QKeySequence key = QKeySequence::mnemonic(menu->text());
            QVERIFY2(!key.isEmpty(), qPrintable(menu->text() + u" has no mnemonic"_qs));
            menuBar[key.toString()] << menu->text();
            QMap<QString, QStringList> items;
            for (QAction *item : menu->menu()->actions()) {
                if (!item->isSeparator())
                    items[QKeySequence::mnemonic(item->text()).toString()] << item->text();
            }
            items.remove(QString());
            found << clashes(menu->text(), items);
            checkedTexts += int(items.size());
        }
        for (int tab = 0; tab < window.tabs()->count(); ++tab) {
            window.tabs()->setCurrentIndex(tab);
            QMap<QString, QStringList> keys = visibleMnemonics(&window);
            for (auto it = menuBar.cbegin(); it != menuBar.cend(); ++it)
                keys[it.key()] << it.value();
            found << clashes(window.tabs()->tabText(tab), keys);
            checkedTexts += int(keys.size());
        }

        EventDialog create(*window.backend(), EventDialog::Mode::Create, std::nullopt);
        create.show();
        found << clashes(create.windowTitle(), visibleMnemonics(&create));
        EventDialog edit(*window.backend(), EventDialog::Mode::Edit, engine.event(u"spring"));
        edit.show();
        found << clashes(edit.windowTitle(), visibleMnemonics(&edit));
        window.showSimulator();
        auto *simulator = window.findChild<SimulateDialog *>();
        QVERIFY(simulator);
        found << clashes(simulator->windowTitle(), visibleMnemonics(simulator));
        QVERIFY2(found.isEmpty(), qPrintable(found.join(u'\n')));
        QVERIFY(checkedTexts > 20); // the walk saw the console, not an empty window

        // The mnemonics this issue named: New and End differ in both languages.
        auto *page = window.eventsPage();
        QVERIFY(QKeySequence::mnemonic(page->findChild<QAbstractButton *>(u"newButton"_qs)->text())
                != QKeySequence::mnemonic(page->findChild<QAbstractButton *>(u"endButton"_qs)->text()));
    }

    // Ctrl+N anywhere in the main window opens the new-event dialog.
    void ctrlNCreatesAnEvent()
    {
        QVERIFY(Language::apply(u"en"_qs));
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        window.tabs()->setCurrentIndex(window.tabs()->count() - 1); // from another page, too
        QString openedTitle;
        QTimer::singleShot(0, this, [&] {
            if (auto *dialog = qobject_cast<EventDialog *>(QApplication::activeModalWidget())) {
                openedTitle = dialog->windowTitle();
                dialog->reject();
            }
        });
        QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(openedTitle, u"New event"_qs);
        QCOMPARE(window.tabs()->currentWidget(), window.eventsPage());
    }
};

QTEST_MAIN(TestMnemonics)
#include "tst_mnemonics.moc"
