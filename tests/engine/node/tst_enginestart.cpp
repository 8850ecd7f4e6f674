// What Engine::start refuses before it touches a store or a broker: a queue URL in a build
// without RabbitMQ (EngineOptions::scaleOut empty), a queue with a SQLite store, a malformed
// queue URL. Each is a clear message, and the scale-out factory is never called.
#include "engine/node/engine.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace flashsale;

class TestEngineStart : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void refusesAQueueItCannotUse_data()
    {
        QTest::addColumn<bool>("withScaleOut");
        QTest::addColumn<bool>("sqlite");
        QTest::addColumn<QString>("queueUrl");
        QTest::addColumn<QString>("expected"); // a part of the error

        QTest::newRow("built without RabbitMQ") << false << false << u"amqp://127.0.0.1:5672/"_qs
                                                << u"FLASHSALE_WITH_RABBITMQ=OFF"_qs;
        QTest::newRow("SQLite store") << true << true << u"amqp://127.0.0.1:5672/"_qs << u"needs a PostgreSQL store"_qs;
        QTest::newRow("not amqp") << true << false << u"http://127.0.0.1:5672/"_qs
                                  << u"expected amqp://USER:PASS@HOST:PORT/VHOST, got http://127.0.0.1:5672/"_qs;
        QTest::newRow("no host") << true << false << u"amqp:///sale"_qs << u"with a host"_qs;
    }

    void refusesAQueueItCannotUse()
    {
        QFETCH(bool, withScaleOut);
        QFETCH(bool, sqlite);
        QFETCH(QString, queueUrl);
        QFETCH(QString, expected);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EngineOptions options;
        if (sqlite) {
            options.store = StoreLocation::sqliteIn(dir.path());
        } else {
            QString error;
            // Never connected to: the checks come first.
            options.store = StoreLocation::fromUrl(u"postgresql://nobody:none@127.0.0.1:1/none"_qs, &error);
            QVERIFY2(!options.store.driver.isEmpty(), qPrintable(error));
        }
        options.queueUrl = queueUrl;
        int factoryCalls = 0;
        if (withScaleOut) {
            options.scaleOut = [&](const ScaleOutSetup &, QString *error) -> std::unique_ptr<ScaleOutLink> {
                ++factoryCalls;
                *error = u"the factory was called"_qs;
                return nullptr;
            };
        }
        Engine engine(options);
        QString error;
        QVERIFY(!engine.start(&error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QCOMPARE(factoryCalls, 0);
        QVERIFY2(!QFile::exists(QDir(dir.path()).filePath(u"flashsale.sqlite"_qs)), "no store was opened");
    }
};

QTEST_GUILESS_MAIN(TestEngineStart)
#include "tst_enginestart.moc"
