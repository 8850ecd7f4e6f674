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
                else
                    QVERIFY2(m.forms.contains(shown), qPrintable(where + u" shows as \""_qs + shown + u"\""_qs));
            }
        }
        QVERIFY(Language::apply(u"en"_qs));
    }

private:
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
