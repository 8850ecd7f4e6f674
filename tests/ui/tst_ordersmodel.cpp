// The Orders page stays fluid over a million orders: it counts once and pages rows in on demand;
// with a payment window it shows each order's status and deadline, filters by status, and marks
// orders paid or cancels them on the node (embedded or remote).
#include "messageboxanswer.h"
#include "testserver.h"
#include "ui/models/ordersmodel.h"
#include "ui/pages/orderspage.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>

using namespace flashsale;
using flashsale::test::BackendUnderTest;
using flashsale::test::ConsoleNode;

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

    // Three winners of a sale with a payment window: their orders await payment, Mark paid and
    // Cancel order reach the node, the status filter narrows the rows, and an action the engine
    // refuses (the order was paid meanwhile, behind the console's back) shows the engine's reason.
    void statusColumnFilterAndActions_data() { test::addBackendRows(); }
    void statusColumnFilterAndActions()
    {
        QFETCH(BackendUnderTest, backend);
        ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openWindowSale(u"pay"_qs, 3, 600, ReleasePolicy::Restock));
        QCOMPARE(node.buy(u"pay"_qs, 5), 5); // user-0, 1 and 2 win; 3 and 4 lose

        OrdersPage page(node.backend());
        page.setEvents(node.backend().stats().events);
        page.resize(1400, 600);
        page.show();
        QTRY_COMPARE(page.model()->totalRows(), std::int64_t(3));
        QTRY_VERIFY(page.model()->orderAt(2).has_value());
        OrdersModel &model = *page.model();
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(model.index(row, OrdersModel::Status).data().toString(), u"Awaiting payment"_qs);
            QCOMPARE(model.index(row, OrdersModel::Source).data().toString(), u"Sale"_qs);
            const QString paysBy = model.index(row, OrdersModel::PaysBy).data().toString();
            QVERIFY2(paysBy.contains(QRegularExpression(u" \\(0:(09|10):\\d\\d left\\)$"_qs)), qPrintable(paysBy));
            QCOMPARE(model.index(row, OrdersModel::PaidAt).data().toString(), QString());
        }
        auto *markPaid = page.findChild<QPushButton *>(u"markPaidButton"_qs);
        auto *cancel = page.findChild<QPushButton *>(u"cancelOrderButton"_qs);
        QVERIFY(!markPaid->isEnabled()); // nothing selected
        QVERIFY(!cancel->isEnabled());

        // Mark paid: the row and the node's order.
        const int paidRow = rowOf(model, u"user-0"_qs);
        page.selectRow(paidRow);
        QVERIFY(markPaid->isEnabled() && cancel->isEnabled());
        QTest::mouseClick(markPaid, Qt::LeftButton);
        QTRY_COMPARE(model.index(paidRow, OrdersModel::Status).data().toString(), u"Paid"_qs);
        QVERIFY(model.index(paidRow, OrdersModel::PaidAt).data().toString() != u"—"_qs);
        QVERIFY(!model.index(paidRow, OrdersModel::PaidAt).data().toString().isEmpty());
        QCOMPARE(model.index(paidRow, OrdersModel::PaysBy).data().toString(), QString()); // paid: no deadline
        QCOMPARE(node.orderOf(u"pay"_qs, u"user-0"_qs).value(u"status"_qs).toString(), u"paid"_qs);
        QTRY_VERIFY(!markPaid->isEnabled()); // a paid order takes neither action
        QVERIFY(!cancel->isEnabled());

        // Cancel after a confirmation: the units go back to stock.
        const int cancelledRow = rowOf(model, u"user-2"_qs);
        page.selectRow(cancelledRow);
        {
            test::MessageBoxAnswer no(u"cancelOrderConfirm"_qs, [](QMessageBox &box) { return box.button(QMessageBox::No); });
            QTest::mouseClick(cancel, Qt::LeftButton);
            QVERIFY(no.seen());
            QVERIFY2(no.text().contains(u"Cancel order "_qs), qPrintable(no.text()));
        }
        QCOMPARE(model.index(cancelledRow, OrdersModel::Status).data().toString(), u"Awaiting payment"_qs);
        {
            test::MessageBoxAnswer yes(u"cancelOrderConfirm"_qs, [](QMessageBox &box) { return box.button(QMessageBox::Yes); });
            QTest::mouseClick(cancel, Qt::LeftButton);
            QVERIFY(yes.seen());
        }
        QTRY_COMPARE(model.index(cancelledRow, OrdersModel::Status).data().toString(), u"Cancelled"_qs);
        QCOMPARE(node.orderOf(u"pay"_qs, u"user-2"_qs).value(u"status"_qs).toString(), u"cancelled"_qs);
        QTRY_COMPARE(node.eventIn(u"pay"_qs)->remaining, std::int64_t(1));

        // The node pays user-1's order behind the console's back; Cancel then meets the engine's refusal.
        const qint64 behindId = node.orderOf(u"pay"_qs, u"user-1"_qs).value(u"orderId"_qs).toInteger();
        QCOMPARE(node.api().admin("POST", QStringLiteral("/api/v1/admin/events/pay/orders/%1/paid").arg(behindId)).status, 200);
        const int behindRow = rowOf(model, u"user-1"_qs);
        page.selectRow(behindRow);
        QVERIFY(cancel->isEnabled()); // the row still says awaiting payment
        {
            test::MessageBoxAnswer failed(u"orderActionFailed"_qs, [](QMessageBox &box) { return box.button(QMessageBox::Ok); });
            test::MessageBoxAnswer yes(u"cancelOrderConfirm"_qs, [](QMessageBox &box) { return box.button(QMessageBox::Yes); });
            QTest::mouseClick(cancel, Qt::LeftButton);
            QVERIFY(yes.seen());
            QTRY_VERIFY_WITH_TIMEOUT(failed.seen(), 10000);
            QVERIFY2(failed.text().contains(u"The order's status does not allow this."_qs), qPrintable(failed.text()));
            QVERIFY2(failed.text().contains(QStringLiteral("order %1 is paid; it cannot be cancelled").arg(behindId)),
                     qPrintable(failed.text()));
        }
        QCOMPARE(node.orderOf(u"pay"_qs, u"user-1"_qs).value(u"status"_qs).toString(), u"paid"_qs);

        // The status filter, on the node's side (?status= for the remote console).
        auto *status = page.findChild<QComboBox *>(u"ordersStatus"_qs);
        const auto filterBy = [&](std::optional<OrderStatus> wanted) {
            status->setCurrentIndex(status->findData(wanted ? int(*wanted) : 0));
        };
        filterBy(OrderStatus::Paid);
        QTRY_COMPARE(model.totalRows(), std::int64_t(2));
        QCOMPARE(page.query().status, std::optional<OrderStatus>(OrderStatus::Paid));
        QTRY_COMPARE(model.index(0, OrdersModel::Status).data().toString(), u"Paid"_qs);
        filterBy(OrderStatus::Cancelled);
        QTRY_COMPARE(model.totalRows(), std::int64_t(1));
        QTRY_COMPARE(model.index(0, OrdersModel::User).data().toString(), u"user-2"_qs);
        filterBy(OrderStatus::PendingPayment);
        QTRY_COMPARE(model.totalRows(), std::int64_t(0));
        filterBy(OrderStatus::Final);
        QTRY_COMPARE(model.totalRows(), std::int64_t(0));
        filterBy(std::nullopt);
        QTRY_COMPARE(model.totalRows(), std::int64_t(3));
        QVERIFY(model.lastError().isEmpty());
    }

private:
    static int rowOf(const OrdersModel &model, const QString &user)
    {
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.index(row, OrdersModel::User).data().toString() == user)
                return row;
        }
        return -1;
    }

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
