// The Webhooks page on both backends (embedded engine, remote node): saving the endpoint shows
// the secret once and the node signs with it; an invalid URL shows the engine's reason; a down
// receiver's deliveries are listed as retrying, and Retry all failing sends them once it is back.
#include "testserver.h"
#include "tests/support/webhookreceiver.h"
#include "ui/pages/webhookspage.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QtTest>

using namespace flashsale;

class TestWebhooksPage : public QObject
{
    Q_OBJECT

    static QString cell(const QTableWidget *table, int row, int column)
    {
        const QTableWidgetItem *item = table->item(row, column);
        return item ? item->text() : QString();
    }

    // The rows whose Status column reads status.
    static int rowsWithStatus(const QTableWidget *table, const QString &status)
    {
        int count = 0;
        for (int r = 0; r < table->rowCount(); ++r)
            count += cell(table, r, 3) == status;
        return count;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void endpointAndDeliveries_data() { test::addBackendRows(); }
    void endpointAndDeliveries()
    {
        QFETCH(test::BackendUnderTest, backend);
        test::ConsoleNode node(backend);
        QVERIFY(node.start());
        WebhooksPage page(node.backend());
        page.resize(1000, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *url = page.findChild<QLineEdit *>(u"webhookUrl"_qs);
        auto *secret = page.findChild<QLineEdit *>(u"webhookSecret"_qs);
        auto *save = page.findChild<QPushButton *>(u"saveWebhook"_qs);
        auto *message = page.findChild<QLabel *>(u"webhookMessage"_qs);
        auto *table = page.findChild<QTableWidget *>(u"deliveries"_qs);

        // The engine's rule, in the console.
        url->setText(u"ftp://shop.example/hooks"_qs);
        save->click();
        QTRY_VERIFY(message->text().contains(u"http or https"_qs));
        QVERIFY(node.api().admin("GET", u"/api/v1/admin/webhook"_qs).json[u"url"_qs].isNull());

        // A receiver that is down at first.
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        const quint16 port = QUrl(receiver.url()).port();
        receiver.close();
        url->setText(receiver.url());
        save->click();
        QTRY_VERIFY(secret->text().startsWith(u"whsec_"_qs));
        QCOMPARE(node.api().admin("GET", u"/api/v1/admin/webhook"_qs).json[u"url"_qs].toString(), receiver.url());
        receiver.setSecret(secret->text().toUtf8());

        const ApiReply created = node.api().admin("POST", u"/api/v1/admin/events"_qs,
                                                  {{u"id"_qs, u"hooked"_qs}, {u"name"_qs, u"Hooked"_qs},
                                                   {u"priceCents"_qs, 100}, {u"stock"_qs, 3}, {u"launch"_qs, true}});
        QCOMPARE(created.status, 201);
        QCOMPARE(node.api().call("POST", u"/api/v1/events/hooked/purchases?wait=5000"_qs, purchaseBody(u"r1"_qs, u"ann"_qs))
                     .json[u"state"_qs].toString(),
                 u"won"_qs);
        // The page lists both webhooks as retrying, with the connection's error, on its own refresh.
        QTRY_COMPARE_WITH_TIMEOUT(rowsWithStatus(table, u"Retrying"_qs), 2, 15000);
        QVERIFY(!cell(table, 0, 5).isEmpty());

        // Back up: Retry all failing sends them now, signed with the secret the page showed.
        QVERIFY(receiver.listen(port));
        page.findChild<QPushButton *>(u"retryFailing"_qs)->click();
        QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(u"2 webhook"_qs), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(int(receiver.uniqueById().size()), 2, 10000);
        for (const WebhookReceiver::Delivery &d : receiver.deliveries())
            QVERIFY(d.signatureValid);
        QTRY_COMPARE_WITH_TIMEOUT(rowsWithStatus(table, u"Delivered"_qs), 2, 10000);
        QCOMPARE(cell(table, 0, 5), u"200"_qs);

        // The secret is not shown again once the page was left.
        page.hide();
        page.show();
        QVERIFY(secret->text().isEmpty());
    }
};

QTEST_MAIN(TestWebhooksPage)
#include "tst_webhookspage.moc"
