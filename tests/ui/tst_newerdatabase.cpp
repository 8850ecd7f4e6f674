// The console on a database made by a newer version: the engine does not start, no page opens,
// and the message box says why (the console then exits with code 3, see app/main.cpp).
#include "engine/storage/migrations.h"
#include "engine/storage/store.h"
#include "testserver.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QMessageBox>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace flashsale;

class TestNewerDatabase : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void messageBoxExplainsAndNothingIsWritten()
    {
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        const int newer = schema::currentVersion() + 1;
        {
            SqlStore store(location);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            store.close();
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_qs, u"stamp"_qs);
            db.setDatabaseName(location.databaseName);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(u"PRAGMA user_version = %1"_qs.arg(newer)));
            db.close();
        }
        QSqlDatabase::removeDatabase(u"stamp"_qs);
        QFile file(location.databaseName);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        file.close();

        ServerOptions options;
        options.dataDir = dir.path();
        options.port = 0;
        options.adminToken = u"console-token"_qs;
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        QVERIFY(!test::serverOf(window));
        QVERIFY(window.backend()->databaseTooNew());

        // Reads the box while it is up, then closes it (bounded: 5 s).
        QString title;
        QString text;
        QTimer poll;
        QDeadlineTimer deadline(5000);
        connect(&poll, &QTimer::timeout, this, [&] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (box) {
                title = box->windowTitle();
                text = box->text();
                box->accept();
            } else if (deadline.hasExpired() && QApplication::activeModalWidget()) {
                QApplication::activeModalWidget()->close();
            }
        });
        poll.start(10);
        window.reportNewerDatabase();
        QCOMPARE(title, u"Database from a newer version"_qs);
        QVERIFY2(text.contains(u"schema version %1"_qs.arg(newer)), qPrintable(text));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bytes);
    }
};

QTEST_MAIN(TestNewerDatabase)
#include "tst_newerdatabase.moc"
