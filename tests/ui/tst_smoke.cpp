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
        QVERIFY2(healthy, app.readAllStandardError().constData());
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
        const QByteArray errors = app.readAllStandardError();
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QVERIFY2(app.exitCode() == 0, errors.constData());
        for (const char *bad : {"QObject::", "QSqlDatabasePrivate::removeDatabase", "still in use", "ASSERT", "QWidget::"})
            QVERIFY2(!errors.contains(bad), errors.constData());
    }
};

QTEST_MAIN(TestSmoke)
#include "tst_smoke.moc"
