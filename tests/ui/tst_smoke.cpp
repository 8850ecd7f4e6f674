// Smoke test: the real flashsale binary starts the console offscreen, serves, and quits cleanly.
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

class TestSmoke : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void consoleStartsServesAndQuits_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("lang");
        QTest::newRow("console, English") << QStringList() << u"en_US.UTF-8"_qs;
        QTest::newRow("console, Chinese system locale") << QStringList() << u"zh_CN.UTF-8"_qs;
        QTest::newRow("headless with --simulate") << QStringList{u"--headless"_qs, u"--simulate"_qs, u"none:5"_qs}
                                                  << u"C.UTF-8"_qs;
        QTest::newRow("headless with --node-id") << QStringList{u"--headless"_qs, u"--node-id"_qs, u"smoke-node_1.a"_qs}
                                                 << u"C.UTF-8"_qs;
    }

    void consoleStartsServesAndQuits()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, lang);
        QTemporaryDir home;
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();

        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs);
        env.insert(u"XDG_CONFIG_HOME"_qs, home.filePath(u"config"_qs)); // no saved settings: first start
        env.insert(u"XDG_DATA_HOME"_qs, home.filePath(u"data"_qs));
        env.insert(u"LANG"_qs, lang);
        env.insert(u"LC_ALL"_qs, lang);
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::SeparateChannels);
        app.start(QStringLiteral(FLASHSALE_BINARY),
                  QStringList{u"--data-dir"_qs, home.filePath(u"store"_qs), u"--listen"_qs,
                              QStringLiteral("127.0.0.1:%1").arg(port), u"--admin-token"_qs, u"smoke"_qs}
                      + extra);
        QVERIFY2(app.waitForStarted(10000), qPrintable(app.errorString()));

        // Serving: /healthz answers 200.
        QNetworkAccessManager network;
        bool healthy = false;
        for (int attempt = 0; attempt < 100 && !healthy && app.state() == QProcess::Running; ++attempt) {
            QNetworkReply *reply = network.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/healthz").arg(port))));
            QSignalSpy done(reply, &QNetworkReply::finished);
            done.wait(2000);
            healthy = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
            reply->deleteLater();
            if (!healthy)
                QTest::qWait(100);
        }
        QByteArray errors = app.readAllStandardError(); // the start-up log, kept for the checks at the end
        QVERIFY2(healthy, errors.constData());
        if (extra.contains(u"--simulate"_qs)) {
            // The summary is printed, and the server keeps serving afterwards.
            QByteArray output;
            QTRY_VERIFY_WITH_TIMEOUT((output += app.readAllStandardOutput()).contains("simulated 5 shoppers"), 10000);
            QVERIFY2(output.contains("failed 5"), output.constData()); // no such event: every shopper fails
            QNetworkReply *reply = network.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/healthz").arg(port))));
            QSignalSpy done(reply, &QNetworkReply::finished);
            QVERIFY(done.wait(5000));
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        } else {
            QTest::qWait(1500); // a few refresh ticks of the console
        }

        app.terminate(); // SIGTERM: the console closes its window, the engine drains and stops
        QVERIFY(app.waitForFinished(30000));
        errors += app.readAllStandardError();
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QVERIFY2(app.exitCode() == 0, errors.constData());
        for (const char *bad : {"QObject::", "QSqlDatabasePrivate::removeDatabase", "still in use", "ASSERT", "QWidget::"})
            QVERIFY2(!errors.contains(bad), errors.constData());
        if (extra.contains(u"--node-id"_qs))
            QVERIFY2(errors.contains("node: smoke-node_1.a"), errors.constData()); // the start-up log names the node
    }

    // --version and --help answer on a machine with no display at all (help2man builds the man page from them),
    // and --version names the version CMake's project() sets.
    void answersWithoutADisplay_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("expected");
        QTest::newRow("--version") << u"--version"_qs << u"flashsale %1\n"_qs.arg(QStringLiteral(FLASHSALE_EXPECTED_VERSION));
        QTest::newRow("--help") << u"--help"_qs << u"--headless"_qs;
    }

    void answersWithoutADisplay()
    {
        QFETCH(QString, option);
        QFETCH(QString, expected);
        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &name : {u"DISPLAY"_qs, u"WAYLAND_DISPLAY"_qs, u"QT_QPA_PLATFORM"_qs})
            env.remove(name);
        app.setProcessEnvironment(env);
        app.start(QStringLiteral(FLASHSALE_BINARY), QStringList{option});
        QVERIFY2(app.waitForFinished(10000), qPrintable(app.errorString()));
        const QString output = QString::fromUtf8(app.readAllStandardOutput());
        const QString errors = QString::fromUtf8(app.readAllStandardError());
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QVERIFY2(app.exitCode() == 0, qPrintable(errors));
        if (option == u"--version")
            QCOMPARE(output, expected);
        else
            QVERIFY2(output.contains(expected), qPrintable(output));
    }

    // Bad scale-out options stop the start with exit code 2 and a message that never repeats a password.
    void badBackendOptionsAreRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString store = u"postgresql://flashsale:pg-secret@127.0.0.1:1/flashsale"_qs;
        QTest::newRow("--queue without --store")
            << QStringList{u"--queue"_qs, u"amqp://guest:mq-secret@127.0.0.1:5672/"_qs}
            << u"--queue needs --store postgresql://...: every node must share one database"_qs;
        QTest::newRow("--queue not amqp") << QStringList{u"--store"_qs, store, u"--queue"_qs, u"http://guest:mq-secret@mq/"_qs}
                                          << u"--queue expected amqp://USER:PASS@HOST:PORT/VHOST, got http://guest@mq/"_qs;
        QTest::newRow("--queue without host") << QStringList{u"--store"_qs, store, u"--queue"_qs, u"amqp://guest:mq-secret@/"_qs}
                                              << u"with a host, got amqp://guest@/"_qs;
        QTest::newRow("--queue with two path segments")
            << QStringList{u"--store"_qs, store, u"--queue"_qs, u"amqp://guest:mq-secret@mq/a/b"_qs} << u"with one vhost"_qs;
        QTest::newRow("--queue with a query")
            << QStringList{u"--store"_qs, store, u"--queue"_qs, u"amqp://guest:mq-secret@mq/?heartbeat=5"_qs}
            << u"without ?query"_qs;
        QTest::newRow("--queue unparsable") << QStringList{u"--store"_qs, store, u"--queue"_qs, u"amqp://guest:mq secret@mq/"_qs}
                                            << u"got an invalid URL"_qs;
        QTest::newRow("--node-id with a slash") << QStringList{u"--node-id"_qs, u"eu/1"_qs}
                                                << u"--node-id expected 1 to 64 characters from A-Z a-z 0-9 . _ -"_qs;
        QTest::newRow("--node-id too long") << QStringList{u"--node-id"_qs, QString(65, u'n')} << u"--node-id expected"_qs;
        QTest::newRow("--node-id empty") << QStringList{u"--node-id"_qs, QString()} << u"--node-id expected"_qs;
    }

    void badBackendOptionsAreRefused()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        QProcess app;
        app.start(QStringLiteral(FLASHSALE_BINARY), QStringList{u"--headless"_qs} + arguments);
        QVERIFY2(app.waitForFinished(10000), qPrintable(app.errorString()));
        const QString errors = QString::fromUtf8(app.readAllStandardError());
        QCOMPARE(app.exitCode(), 2);
        QVERIFY2(errors.contains(message), qPrintable(errors));
        QVERIFY2(!errors.contains(u"secret"_qs), qPrintable(errors));
    }
};

QTEST_MAIN(TestSmoke)
#include "tst_smoke.moc"
