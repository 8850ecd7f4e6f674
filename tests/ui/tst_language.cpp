// Switching between English and 简体中文 in Settings changes the visible text without a restart.
#include "testserver.h"
#include "ui/pages/dashboardpage.h"
#include "ui/models/eventsmodel.h"
#include "ui/pages/eventspage.h"
#include "ui/widgets/language.h"
#include "ui/pages/leadspage.h"
#include "ui/pages/orderspage.h"
#include "ui/dialogs/eventdialog.h"
#include "ui/widgets/labels.h"
#include "ui/mainwindow.h"
#include "ui/pages/settingspage.h"
#include "ui/dialogs/simulatedialog.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSysInfo>
#include <QTabBar>
#include <QTextDocumentFragment>
#include <QToolButton>
#include <QLabel>
#include <QMenuBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QXmlStreamReader>
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
        const ServerOptions options = test::nodeOptions(dir.path());
        QVERIFY(Language::apply(u"en"_qs));
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(test::serverOf(window));
        QVERIFY(test::serverOf(window)->engine().createEvent(EventConfig{u"spring"_qs, u"Spring"_qs, 1000, u"CNY"_qs, 10, 1, 0, 0}).status
                == Status::Ok);
        QTRY_COMPARE(window.eventsPage()->model()->rowCount(), 1); // the backend's next snapshot

        QCOMPARE(window.tabs()->tabText(0), u"Events"_qs);
        QCOMPARE(window.tabs()->tabText(5), u"Settings"_qs);
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
        QCOMPARE(window.tabs()->tabText(5), u"设置"_qs);
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

    // After a live switch to 简体中文 no English is left in the main window: every visible
    // widget's text, placeholder, tooltip, combo item, tab and table header on every page, the
    // menus and the status bar. Proper nouns and what the user typed (ids, URLs) may stay.
    void liveSwitchLeavesNoEnglish()
    {
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        QVERIFY(Language::apply(u"en"_qs));
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(test::serverOf(window));
        Engine &engine = test::serverOf(window)->engine();
        QVERIFY(engine.createEvent(EventConfig{u"spring"_qs, u"春季大促"_qs, 1000, u"CNY"_qs, 10, 1, 0, 0}).status == Status::Ok);
        QVERIFY(engine.createEvent(EventConfig{u"summer"_qs, u"夏季大促"_qs, 1000, u"CNY"_qs, 10, 1, 0, 0}).status == Status::Ok);
        QVERIFY(engine.actOnEvent(u"summer", EventAction::Open).status == Status::Ok);
        QTRY_COMPARE(window.eventsPage()->model()->rowCount(), 2); // the backend's next snapshot
        window.eventsPage()->select(u"spring"_qs);
        window.settingsPage()->findChild<QToolButton *>(u"advancedToggle"_qs)->setChecked(true);
        window.showSimulator(); // its event list names each state: "(Draft)"
        // Status lines set in English before the switch must follow it too.
        window.settingsPage()->findChild<QPushButton *>(u"saveButton"_qs)->click();
        QVERIFY(!window.settingsPage()->findChild<QLabel *>(u"savedLabel"_qs)->text().isEmpty());

        auto *combo = window.settingsPage()->findChild<QComboBox *>(u"languageCombo"_qs);
        combo->setCurrentIndex(combo->findData(u"zh_CN"_qs));
        QTRY_COMPARE(window.tabs()->tabText(0), u"活动"_qs);

        const QStringList allowed{u"RabbitMQ"_qs, u"PostgreSQL"_qs, u"SQLite"_qs, u"CSV"_qs, u"PNG"_qs, u"PDF"_qs,
                                  u"API"_qs, u"URL"_qs, u"ID"_qs, u"TLS"_qs, u"PEM"_qs, u"HTTPS"_qs, u"WSS"_qs, u"HTTP"_qs, u"Ctrl"_qs, u"CNY"_qs, u"English"_qs, u"WebSocket"_qs,
                                  u"p50"_qs, u"p99"_qs, u"spring"_qs, u"summer"_qs, u"Flash Sale Console"_qs,
                                  QSysInfo::machineHostName()};
        QStringList english;
        int walked = 0;
        for (int tab = 0; tab < window.tabs()->count(); ++tab) {
            window.tabs()->setCurrentIndex(tab);
            QCoreApplication::processEvents();
            for (const auto &[where, text] : visibleTexts(&window)) {
                ++walked;
                if (const QString word = englishIn(text, allowed); !word.isEmpty())
                    english << QStringLiteral("%1 / %2: \"%3\" (%4)").arg(window.tabs()->tabText(tab), where, text, word);
            }
        }
        auto *simulator = window.findChild<SimulateDialog *>();
        QVERIFY(simulator);
        for (const auto &[where, text] : visibleTexts(simulator)) {
            ++walked;
            if (const QString word = englishIn(text, allowed); !word.isEmpty())
                english << QStringLiteral("%1 / %2: \"%3\" (%4)").arg(simulator->windowTitle(), where, text, word);
        }
        // Qt's own buttons come from qtbase_zh_CN.qm (qt6-translations-l10n).
        const QDialogButtonBox qtButtons(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Yes);
        for (const QAbstractButton *b : qtButtons.buttons()) {
            if (const QString word = englishIn(b->text(), allowed); !word.isEmpty())
                english << QStringLiteral("Qt's button \"%1\"").arg(b->text());
        }
        // The leads date pickers write dates the Chinese way.
        for (const QDateTimeEdit *edit : window.leadsPage()->findChildren<QDateEdit *>())
            QCOMPARE(edit->displayFormat(), QLocale(QLocale::Chinese, QLocale::China).dateFormat(QLocale::ShortFormat));
        english.removeDuplicates();
        QVERIFY2(english.isEmpty(), qPrintable(english.join(u'\n')));
        QVERIFY(walked > 100);
        QVERIFY(Language::apply(u"en"_qs));
    }

    // Orders and payment in Chinese: the order words of the Orders and Leads pages, the payment
    // tiles, and the event dialog's payment window and freed-units fields with their tooltips.
    void ordersAndPaymentInChinese()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(Language::apply(u"zh_CN"_qs));
        // Codes and names that stay as they are (the currency codes, the id's example, the README).
        const QStringList allowed{u"ID"_qs, u"README"_qs, u"CSV"_qs, u"API"_qs, u"CNY"_qs, u"USD"_qs, u"EUR"_qs,
                                  u"HKD"_qs, u"JPY"_qs, u"GBP"_qs, u"spring"_qs, u"sale"_qs, u"Excel"_qs};
        QStringList english;
        const auto check = [&](const QString &where, const QString &text) {
            if (text.trimmed().isEmpty())
                english << where + u": empty"_qs;
            else if (const QString word = englishIn(text, allowed); !word.isEmpty())
                english << QStringLiteral("%1: \"%2\" (%3)").arg(where, text, word);
        };
        for (OrderStatus status : {OrderStatus::Final, OrderStatus::PendingPayment, OrderStatus::Paid,
                                   OrderStatus::Cancelled, OrderStatus::Expired})
            check(toString(status), Labels::orderStatus(status));
        for (OrderSource source : {OrderSource::Sale, OrderSource::Offer})
            check(toString(source), Labels::orderSource(source));
        check(u"orderFailure"_qs, Labels::orderFailure(AdminResult{Status::InvalidState, {}, {}}));

        DashboardPage dashboard(node.backend());
        dashboard.addSample(node.engine().stats());
        for (const QString tile : {u"paidConversion"_qs, u"pendingPayments"_qs, u"freedUnits"_qs}) {
            check(tile + u" note"_qs, dashboard.tileNote(tile));
            check(tile + u" tooltip"_qs, dashboard.findChild<QLabel *>(tile)->toolTip());
        }
        EventDialog dialog(node.backend(), EventDialog::Mode::Create, std::nullopt);
        dialog.show();
        for (const auto &[where, text] : visibleTexts(&dialog))
            check(where, text);
        check(u"payment window"_qs, dialog.findChild<QSpinBox *>(u"paymentWindowEdit"_qs)->text());
        OrdersPage orders(node.backend());
        orders.show();
        for (const auto &[where, text] : visibleTexts(&orders))
            check(where, text);
        LeadsPage leads(node.backend());
        leads.show();
        for (const auto &[where, text] : visibleTexts(&leads))
            check(where, text);
        english.removeDuplicates();
        QVERIFY2(english.isEmpty(), qPrintable(english.join(u'\n')));
        QVERIFY(Language::apply(u"en"_qs));
        QCOMPARE(Labels::orderStatus(OrderStatus::PendingPayment), u"Awaiting payment"_qs);
    }

    // Every message in every translations/*.ts has a finished translation, and the console
    // shows it after switching to that language: nothing falls back to English.
    void translationIsComplete()
    {
        const QDir dir(QStringLiteral(FLASHSALE_TRANSLATIONS_DIR));
        const QStringList files = dir.entryList({u"*.ts"_qs}, QDir::Files);
        QVERIFY2(!files.isEmpty(), qPrintable(u"no .ts file in "_qs + dir.path()));
        for (const QString &name : files) {
            QString language;
            QString error;
            const QList<TsMessage> messages = readTs(dir.filePath(name), &language, &error);
            QVERIFY2(error.isEmpty(), qPrintable(name + u": "_qs + error));
            QVERIFY2(messages.size() > 100, qPrintable(QStringLiteral("%1: only %2 messages").arg(name).arg(messages.size())));
            QVERIFY2(Language::apply(language), qPrintable(name + u": cannot switch to "_qs + language));
            for (const TsMessage &m : messages) {
                const QString where = QStringLiteral("%1: %2 \"%3\"").arg(name, m.context, m.source);
                if (m.type == u"vanished" || m.type == u"obsolete")
                    continue; // no longer in the sources
                QVERIFY2(m.type.isEmpty(), qPrintable(where + u" is marked "_qs + m.type));
                QVERIFY2(!m.forms.isEmpty(), qPrintable(where + u" has no translation"_qs));
                for (const QString &form : m.forms)
                    QVERIFY2(!form.trimmed().isEmpty(), qPrintable(where + u" has an empty translation"_qs));
                const QByteArray context = m.context.toUtf8(), source = m.source.toUtf8(), comment = m.comment.toUtf8();
                const QString shown = QCoreApplication::translate(context.constData(), source.constData(),
                                                                  m.comment.isEmpty() ? nullptr : comment.constData(),
                                                                  m.numerus ? 1 : -1);
                if (!m.numerus)
                    QVERIFY2(shown == m.forms.first(), qPrintable(where + u" shows as \""_qs + shown + u"\""_qs));
                else // translated with n = 1: %n reads 1
                    QVERIFY2(QStringList(m.forms).replaceInStrings(u"%n"_qs, u"1"_qs).contains(shown),
                             qPrintable(where + u" shows as \""_qs + shown + u"\""_qs));
            }
        }
        QVERIFY(Language::apply(u"en"_qs));
    }

private:
    // What the user can read in window now: (where, text) for each visible widget's texts.
    static QList<std::pair<QString, QString>> visibleTexts(QWidget *window)
    {
        QList<std::pair<QString, QString>> texts;
        const auto add = [&](const QObject *o, const QString &text) {
            if (!text.trimmed().isEmpty())
                texts.append({QString::fromLatin1(o->metaObject()->className()) + u' ' + o->objectName(), text});
        };
        add(window, window->windowTitle());
        if (auto *main = qobject_cast<QMainWindow *>(window)) {
            for (QAction *menu : main->menuBar()->actions()) {
                add(menu, menu->text());
                for (QAction *item : menu->menu()->actions())
                    add(item, item->text());
            }
        }
        for (QWidget *w : window->findChildren<QWidget *>()) {
            if (!w->isVisibleTo(window) || qobject_cast<QMenu *>(w))
                continue;
            add(w, w->toolTip());
            if (auto *label = qobject_cast<QLabel *>(w))
                add(w, QTextDocumentFragment::fromHtml(label->text()).toPlainText());
            else if (auto *button = qobject_cast<QAbstractButton *>(w))
                add(w, button->text());
            else if (auto *edit = qobject_cast<QLineEdit *>(w))
                add(w, edit->placeholderText());
            else if (auto *group = qobject_cast<QGroupBox *>(w))
                add(w, group->title());
            else if (auto *progress = qobject_cast<QProgressBar *>(w))
                add(w, progress->text());
            else if (auto *date = qobject_cast<QDateTimeEdit *>(w))
                add(w, date->text());
            if (auto *box = qobject_cast<QComboBox *>(w)) {
                for (int i = 0; i < box->count(); ++i)
                    add(w, box->itemText(i));
            }
            if (auto *bar = qobject_cast<QTabBar *>(w)) {
                for (int i = 0; i < bar->count(); ++i)
                    add(w, bar->tabText(i));
            }
            if (auto *view = qobject_cast<QAbstractItemView *>(w); view && view->model()) {
                for (int c = 0; c < view->model()->columnCount(); ++c)
                    add(w, view->model()->headerData(c, Qt::Horizontal).toString());
            }
        }
        return texts;
    }

    // The first English word in text, once allowed words, URLs, paths and options are set aside.
    static QString englishIn(QString text, const QStringList &allowed)
    {
        static const QRegularExpression skipped(uR"((\S+://\S*|--[a-z-]+|/\S+|&))"_qs);
        text.remove(skipped);
        for (const QString &word : allowed)
            text.remove(word);
        static const QRegularExpression word(uR"([A-Za-z]{2,})"_qs);
        return word.match(text).captured();
    }

    // One <message> of a Qt Linguist .ts file.
    struct TsMessage {
        QString context;
        QString source;
        QString comment;
        QString type;      // the translation's type attribute: "" when finished, else "unfinished", "vanished", ...
        QStringList forms; // the translation, or its numerus forms
        bool numerus = false;
    };

    static QList<TsMessage> readTs(const QString &path, QString *language, QString *error)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = file.errorString();
            return {};
        }
        QList<TsMessage> messages;
        QString context;
        QXmlStreamReader xml(&file);
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            const auto name = xml.name();
            if (name == u"TS") {
                *language = xml.attributes().value(u"language"_qs).toString();
            } else if (name == u"name") {
                context = xml.readElementText();
            } else if (name == u"message") {
                TsMessage m;
                m.context = context;
                m.numerus = xml.attributes().value(u"numerus"_qs) == u"yes";
                while (xml.readNextStartElement()) {
                    if (xml.name() == u"source") {
                        m.source = xml.readElementText();
                    } else if (xml.name() == u"comment") {
                        m.comment = xml.readElementText();
                    } else if (xml.name() == u"translation") {
                        m.type = xml.attributes().value(u"type"_qs).toString();
                        if (m.numerus) {
                            while (xml.readNextStartElement())
                                m.forms << xml.readElementText();
                        } else {
                            m.forms << xml.readElementText();
                        }
                    } else {
                        xml.skipCurrentElement();
                    }
                }
                messages << m;
            }
        }
        if (xml.hasError())
            *error = QStringLiteral("line %1: %2").arg(xml.lineNumber()).arg(xml.errorString());
        else if (language->isEmpty())
            *error = u"no language attribute"_qs;
        return messages;
    }
};

QTEST_MAIN(TestLanguage)
#include "tst_language.moc"
