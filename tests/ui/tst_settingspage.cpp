// Settings: the backend fields (store, queue, node id) persist, hide passwords and reach ServerOptions.
#include "testserver.h"
#include "ui/widgets/consolesettings.h"
#include "ui/widgets/language.h"
#include "ui/pages/settingspage.h"

#include <QApplication>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QMessageBox>
#include <QTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QSysInfo>
#include <QtTest>

using namespace flashsale;

namespace {

const QString kStore = u"postgresql://flashsale:pg-secret@db.example:5432/flashsale"_qs;
const QString kQueue = u"amqp://flashsale:mq-secret@mq.example:5672/sale"_qs;

QLineEdit *field(SettingsPage &page, const char *name)
{
    auto *edit = page.findChild<QLineEdit *>(QString::fromLatin1(name));
    if (!edit)
        qFatal("no %s on the settings page", name);
    return edit;
}

QString savedText(SettingsPage &page)
{
    return page.findChild<QLabel *>(u"savedLabel"_qs)->text();
}

} // namespace

class TestSettingsPage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(Language::apply(u"en"_qs));
    }
    void init() { QSettings().clear(); }

    void backendFieldsPersist()
    {
        {
            SettingsPage page(nullptr, test::defaultServices());
            QVERIFY(field(page, "storeUrlEdit")->text().isEmpty()); // empty: embedded SQLite
            QVERIFY(field(page, "queueUrlEdit")->text().isEmpty()); // empty: embedded queue
            QVERIFY(field(page, "nodeIdEdit")->text().isEmpty());   // empty: the host name
            QCOMPARE(field(page, "nodeIdEdit")->placeholderText(), QSysInfo::machineHostName());
            field(page, "storeUrlEdit")->setText(kStore);
            field(page, "queueUrlEdit")->setText(kQueue);
            field(page, "nodeIdEdit")->setText(u"node-1.eu_west"_qs);
            page.findChild<QPushButton *>(u"saveButton"_qs)->click();
            QVERIFY2(savedText(page).startsWith(u"Saved."_qs), qPrintable(savedText(page)));
            // Once saved, the fields show the URLs without their passwords.
            QCOMPARE(field(page, "storeUrlEdit")->text(), u"postgresql://flashsale@db.example:5432/flashsale"_qs);
            QCOMPARE(field(page, "queueUrlEdit")->text(), u"amqp://flashsale@mq.example:5672/sale"_qs);
        }
        const ConsoleSettings settings;
        QCOMPARE(settings.storeUrl(), kStore);
        QCOMPARE(settings.queueUrl(), kQueue);
        QCOMPARE(settings.nodeId(), u"node-1.eu_west"_qs);
        // The file now holds passwords: only its owner may read it.
        QCOMPARE(QFile::permissions(QSettings().fileName()) & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());

        // A page opened later shows them again, still without passwords, and saving it untouched
        // keeps the passwords.
        {
            SettingsPage page(nullptr, test::defaultServices());
            QCOMPARE(field(page, "storeUrlEdit")->text(), u"postgresql://flashsale@db.example:5432/flashsale"_qs);
            QCOMPARE(field(page, "queueUrlEdit")->text(), u"amqp://flashsale@mq.example:5672/sale"_qs);
            QCOMPARE(field(page, "nodeIdEdit")->text(), u"node-1.eu_west"_qs);
            for (QLineEdit *edit : page.findChildren<QLineEdit *>())
                QVERIFY2(!edit->text().contains(u"secret"_qs), qPrintable(edit->objectName()));
            page.save();
            QVERIFY2(savedText(page).startsWith(u"Saved."_qs), qPrintable(savedText(page)));
        }
        QCOMPARE(ConsoleSettings().storeUrl(), kStore);
        QCOMPARE(ConsoleSettings().queueUrl(), kQueue);

        // A different URL typed without a password is saved as typed.
        {
            SettingsPage page(nullptr, test::defaultServices());
            field(page, "queueUrlEdit")->setText(u"amqp://flashsale@mq2.example:5672/sale"_qs);
            page.save();
        }
        QCOMPARE(ConsoleSettings().queueUrl(), u"amqp://flashsale@mq2.example:5672/sale"_qs);
        QCOMPARE(ConsoleSettings().storeUrl(), kStore);

        // Clearing the fields goes back to the embedded backend.
        {
            SettingsPage page(nullptr, test::defaultServices());
            field(page, "storeUrlEdit")->clear();
            field(page, "queueUrlEdit")->clear();
            field(page, "nodeIdEdit")->clear();
            page.save();
        }
        QVERIFY(ConsoleSettings().storeUrl().isEmpty());
        QVERIFY(ConsoleSettings().queueUrl().isEmpty());
        QVERIFY(ConsoleSettings().nodeId().isEmpty());
    }

    void invalidBackendIsRefused_data()
    {
        QTest::addColumn<QString>("store");
        QTest::addColumn<QString>("queue");
        QTest::addColumn<QString>("nodeId");
        QTest::addColumn<QString>("problem");
        QTest::newRow("store not PostgreSQL") << u"mysql://u:pw@db/x"_qs << QString() << QString() << u"store URL"_qs;
        QTest::newRow("queue not amqp") << kStore << u"http://u:mq-secret@mq/"_qs << QString() << u"queue URL"_qs;
        QTest::newRow("queue without host") << kStore << u"amqp://u:mq-secret@/"_qs << QString() << u"queue URL"_qs;
        QTest::newRow("queue without store") << QString() << kQueue << QString() << u"needs a PostgreSQL store"_qs;
        QTest::newRow("node id with a slash") << QString() << QString() << u"node/1"_qs << u"node id"_qs;
        QTest::newRow("node id with a space") << QString() << QString() << u"node 1"_qs << u"node id"_qs;
    }

    void invalidBackendIsRefused()
    {
        QFETCH(QString, store);
        QFETCH(QString, queue);
        QFETCH(QString, nodeId);
        QFETCH(QString, problem);
        SettingsPage page(nullptr, test::defaultServices());
        field(page, "storeUrlEdit")->setText(store);
        field(page, "queueUrlEdit")->setText(queue);
        field(page, "nodeIdEdit")->setText(nodeId);
        page.save();
        QVERIFY2(savedText(page).contains(problem), qPrintable(savedText(page)));
        QVERIFY(!savedText(page).contains(u"secret"_qs));
        const ConsoleSettings settings;
        QVERIFY(settings.storeUrl().isEmpty());
        QVERIFY(settings.queueUrl().isEmpty());
        QVERIFY(settings.nodeId().isEmpty());
    }

    void savedBackendReachesServerOptions()
    {
        ConsoleSettings settings;
        settings.setStoreUrl(kStore);
        settings.setQueueUrl(kQueue);
        settings.setNodeId(u"node-1"_qs);

        const ServerOptions fromSettings = embeddedOptions(ServerOptions(), false, false);
        QCOMPARE(fromSettings.storeUrl, kStore);
        QCOMPARE(fromSettings.queueUrl, kQueue);
        QCOMPARE(fromSettings.nodeId, u"node-1"_qs);

        // The command line wins; its --store takes the saved queue out too (one database per queue).
        ServerOptions fromCommandLine;
        fromCommandLine.storeUrl = u"postgresql://other@db2.example/other"_qs;
        fromCommandLine.nodeId = u"node-2"_qs;
        fromCommandLine = embeddedOptions(fromCommandLine, false, false);
        QCOMPARE(fromCommandLine.storeUrl, u"postgresql://other@db2.example/other"_qs);
        QVERIFY(fromCommandLine.queueUrl.isEmpty());
        QCOMPARE(fromCommandLine.nodeId, u"node-2"_qs);
    }

    // The shop secret group shows the data dir's secret as "KID SECRET"; Rotate… writes a new
    // one, and a pass signed with the old one still buys on a signed event (the grace period).
    void shopSecretIsShownAndRotated()
    {
        test::TestServer server;
        QVERIFY(server.started());
        SettingsPage page(&server.backend(), test::defaultServices());
        QLineEdit *secret = field(page, "shopSecretEdit");
        QCOMPARE(secret->echoMode(), QLineEdit::Password);
        const auto keyLines = [&] { // the file's keys, current first, without its comment lines
            QFile file(QDir(server.dir()).filePath(u"shop-secret"_qs));
            QList<QByteArray> keys;
            if (file.open(QIODevice::ReadOnly)) {
                for (const QByteArray &line : file.readAll().split('\n')) {
                    if (!line.trimmed().isEmpty() && !line.startsWith('#'))
                        keys.append(line.trimmed());
                }
            }
            return keys;
        };
        QCOMPARE(keyLines().size(), 1);
        const QByteArray firstLine = keyLines().constFirst();
        QCOMPARE(secret->text().toLatin1(), firstLine);
        const QString oldKid = secret->text().section(u' ', 0, 0);
        const QByteArray oldSecret = secret->text().section(u' ', 1).toLatin1();
        QVERIFY(page.findChild<QPushButton *>(u"rotateShopSecret"_qs)->isEnabled());

        EventConfig config;
        config.id = u"members"_qs;
        config.name = u"Members only"_qs;
        config.stock = 5;
        config.shopperIdentity = ShopperIdentity::Signed;
        QCOMPARE(int(server.engine().createEvent(config, CreateAs::Launched).status), int(Status::Ok));

        // Answers the confirmation the rotation asks for.
        QTimer confirm;
        connect(&confirm, &QTimer::timeout, this, [] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
                box->button(QMessageBox::Yes)->click();
        });
        confirm.start(20);
        page.rotateShopSecret();
        confirm.stop();
        QVERIFY(secret->text() != QString::fromLatin1(firstLine));
        QVERIFY(!secret->text().startsWith(oldKid + u' '));
        QCOMPARE(keyLines().size(), 2); // the new key, and the old one until it retires
        QVERIFY(keyLines().constFirst().startsWith(secret->text().toLatin1()));

        const auto b64 = [](const QByteArray &bytes) {
            return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        };
        const QByteArray input = b64(R"({"alg":"HS256","typ":"JWT","kid":")" + oldKid.toLatin1() + R"("})") + '.'
            + b64(R"({"sub":"carol","exp":)" + QByteArray::number(QDateTime::currentSecsSinceEpoch() + 300) + "}");
        const QByteArray pass = input + '.' + b64(QMessageAuthenticationCode::hash(input, oldSecret, QCryptographicHash::Sha256));
        ApiClient shopper(server.server().baseUrl(), {}, 1);
        const ApiReply bought = shopper.call("POST", u"/api/v1/events/members/purchases?wait=5000"_qs,
                                             R"({"requestId":"r1","quantity":1,"pass":")" + pass + R"("})");
        QCOMPARE(bought.json.value(u"state"_qs).toString(), u"won"_qs);
    }

    void showsWhatTheRunningEngineUses()
    {
        test::TestServer server;
        QVERIFY(server.started());
        SettingsPage page(&server.backend(), test::defaultServices());
        const QString inUse = page.findChild<QLabel *>(u"backendInUse"_qs)->text();
        QVERIFY2(inUse.contains(u"embedded SQLite"_qs) && inUse.contains(u"embedded queue"_qs), qPrintable(inUse));
        QVERIFY2(inUse.contains(QSysInfo::machineHostName()), qPrintable(inUse));
    }
};

QTEST_MAIN(TestSettingsPage)
#include "tst_settingspage.moc"
