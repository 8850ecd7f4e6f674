// The Orders page stays fluid over a million orders: it counts once and pages rows in on demand.
#include "testserver.h"
#include "ui/models/ordersmodel.h"
#include "ui/pages/orderspage.h"

#include <QElapsedTimer>
#include <QLineEdit>
#include <QScrollBar>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>

using namespace flashsale;

class TestOrdersModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void millionRowsStayFluid()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"mega"_qs, 1));
        constexpr int kRows = 1'000'000;
        insertOrders(node, kRows);

        OrdersPage page(node.backend());
        page.setEvents(node.engine().events());
        page.resize(1200, 800);
        QElapsedTimer clock;
        clock.start();
        page.show(); // counts and shows the first screen
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), kRows, 20000);
        qInfo("first screen of %d rows in %lld ms", kRows, qint64(clock.elapsed()));

        // Jumping anywhere costs a page or two of rows, never the table (timings are printed,
        // not asserted: this machine is shared).
        auto *view = page.findChild<QTableView *>(u"ordersView"_qs);
        for (int row : {kRows / 2, kRows - 1, 1234}) {
            clock.restart();
            view->scrollTo(page.model()->index(row, 0));
            QCoreApplication::processEvents();
            view->viewport()->repaint();
            // The page arrives from the backend's reader thread.
            QTRY_COMPARE(page.model()->index(row, 0).data().toString(), QLocale().toString(row + 1));
            qInfo("row %d shown in %lld ms", row, qint64(clock.elapsed()));
        }
        const std::int64_t fetched = page.model()->pagesFetched();
        QVERIFY2(fetched * PagedModel::kPageRows < kRows / 100,
                 qPrintable(QStringLiteral("%1 pages read for four screens").arg(fetched)));

        // Search by user narrows the count.
        page.findChild<QLineEdit *>(u"ordersSearch"_qs)->setText(u"user-0000042"_qs);
        page.apply();
        QTRY_COMPARE(page.model()->rowCount(), 1);
        QTRY_COMPARE(page.model()->index(0, 2).data().toString(), u"user-0000042"_qs);
    }

private:
    static void insertOrders(test::TestServer &node, int count)
    {
        QString error;
        {
            QSqlDatabase db = openConnection(node.engine().storeLocation(), u"bulk"_qs, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QVERIFY(db.transaction());
            QSqlQuery q(db);
            QVERIFY(q.prepare(u"INSERT INTO orders (order_id, event_id, user_id, quantity, price_cents, total_cents,"
                              " request_id, ticket_seq, contact, simulated, decided_at_ms)"
                              " VALUES (?, 'mega', ?, 1, 1999, 1999, ?, ?, '', 0, ?)"_qs));
            const qint64 now = Engine::nowMs();
            for (int i = 0; i < count; ++i) {
                const QString user = QStringLiteral("user-%1").arg(i, 7, 10, QLatin1Char('0'));
                q.bindValue(0, i + 1);
                q.bindValue(1, user);
                q.bindValue(2, user);
                q.bindValue(3, i + 1);
                q.bindValue(4, now);
                QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            }
            QVERIFY(db.commit());
        }
        QSqlDatabase::removeDatabase(u"bulk"_qs);
    }
};

QTEST_MAIN(TestOrdersModel)
#include "tst_ordersmodel.moc"
