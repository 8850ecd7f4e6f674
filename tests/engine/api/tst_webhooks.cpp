// Webhooks on the real headless binary, against a real receiver on loopback: the endpoint's
// validation and its secret shown once, the deliveries list, a down receiver retried and
// *Retry now*, rehearsal copies sending nothing, and the README's signature checks (Python,
// Node, PHP) accepting what the engine signs and refusing a tampered body or an old timestamp.
// The full order lifecycle's webhooks are checked by tst_orders.
#include "tests/support/engineprocess.h"
#include "tests/support/webhookreceiver.h"

#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <QTest>

namespace {

const QByteArray kToken = "webhooks-token";

} // namespace

class TestWebhooks : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<EngineProcess> m_engine;
    std::unique_ptr<ApiClient> m_client;

    bool startNode()
    {
        m_engine.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        m_engine = std::make_unique<EngineProcess>(m_dir->path(), kToken);
        m_client = std::make_unique<ApiClient>(m_engine->baseUrl(), kToken, 4);
        return m_dir->isValid() && m_engine->start(*m_client);
    }

    ApiReply putEndpoint(const QJsonObject &body) { return m_client->admin("PUT", u"/api/v1/admin/webhook"_qs, body); }

    // Launches an open event with stock and buys one unit as user.
    void saleWithOneWin(const QString &eventId, const QString &user)
    {
        const ApiReply created = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                                 {{u"id"_qs, eventId}, {u"name"_qs, eventId}, {u"priceCents"_qs, 100},
                                                  {u"stock"_qs, 5}, {u"launch"_qs, true}});
        QCOMPARE(created.status, 201);
        const ApiReply bought = m_client->call("POST", u"/api/v1/events/%1/purchases?wait=5000"_qs.arg(eventId),
                                               purchaseBody(user + u"-1"_qs, user));
        QCOMPARE(bought.json[u"state"_qs].toString(), u"won"_qs);
    }

    QJsonArray deliveries(const QString &query = {})
    {
        return m_client->admin("GET", u"/api/v1/admin/webhook/deliveries"_qs + query).json[u"items"_qs].toArray();
    }

    // Runs a README verifier (program and arguments, then the header) with body on stdin;
    // returns its exit code.
    static int runVerifier(const QStringList &command, const QByteArray &secret, const QByteArray &header, const QByteArray &body)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"FLASHSALE_WEBHOOK_SECRET"_qs, QString::fromUtf8(secret));
        process.setProcessEnvironment(env);
        process.start(command.first(), command.mid(1) << QString::fromLatin1(header));
        if (!process.waitForStarted(10000))
            return -1;
        process.write(body);
        process.closeWriteChannel();
        if (!process.waitForFinished(20000))
            return -2;
        if (process.exitStatus() != QProcess::NormalExit)
            return -3;
        if (process.exitCode() > 1)
            qWarning("%s", process.readAllStandardError().constData());
        return process.exitCode();
    }

private Q_SLOTS:
    void cleanup() { m_engine.reset(); }

    void badEndpointsAreNamed_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("messageNames");
        QTest::newRow("not JSON") << QByteArray("{url") << u"bad_json"_qs << u"JSON"_qs;
        QTest::newRow("no url") << QByteArray("{}") << u"invalid_field"_qs << u"url is required"_qs;
        QTest::newRow("url not a string") << QByteArray("{\"url\": 5}") << u"invalid_field"_qs << u"url is required"_qs;
        QTest::newRow("relative") << QByteArray("{\"url\": \"/hooks\"}") << u"invalid_field"_qs << u"absolute"_qs;
        QTest::newRow("ftp") << QByteArray("{\"url\": \"ftp://shop.example/hooks\"}") << u"invalid_field"_qs << u"http or https"_qs;
        QTest::newRow("credentials") << QByteArray("{\"url\": \"https://u:p@shop.example/hooks\"}") << u"invalid_field"_qs
                                     << u"password"_qs;
        QTest::newRow("too long") << QByteArray("{\"url\": \"https://shop.example/" + QByteArray(3000, 'a') + "\"}")
                                  << u"invalid_field"_qs << u"2048"_qs;
        QTest::newRow("short secret") << QByteArray("{\"url\": \"https://shop.example/h\", \"secret\": \"abc\"}")
                                      << u"invalid_field"_qs << u"16 to 256"_qs;
        QTest::newRow("secret with a space") << QByteArray("{\"url\": \"https://shop.example/h\", \"secret\": \"abcdefgh ijklmnopq\"}")
                                             << u"invalid_field"_qs << u"printable"_qs;
        QTest::newRow("unknown field") << QByteArray("{\"url\": \"https://shop.example/h\", \"events\": [\"order.won\"]}")
                                       << u"invalid_field"_qs << u"events"_qs;
    }

    void badEndpointsAreNamed()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        QFETCH(QString, messageNames);
        QVERIFY(startNode());
        const ApiReply reply = m_client->call("PUT", u"/api/v1/admin/webhook"_qs, body, true);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json[u"error"_qs].toString(), error);
        QVERIFY2(reply.json[u"message"_qs].toString().contains(messageNames), reply.body.constData());
        QVERIFY(m_client->admin("GET", u"/api/v1/admin/webhook"_qs).json[u"url"_qs].isNull());
    }

    // The secret is in the PUT's answer only; without the admin token nothing is shown or set.
    void secretIsShownOnceAndStaffOnly()
    {
        QVERIFY(startNode());
        QCOMPARE(m_client->call("GET", u"/api/v1/admin/webhook"_qs).status, 401);
        QCOMPARE(m_client->call("PUT", u"/api/v1/admin/webhook"_qs, "{\"url\": \"https://evil.example/\"}").status, 401);
        const ApiReply set = putEndpoint({{u"url"_qs, u"https://shop.example/hooks"_qs}, {u"secret"_qs, u"0123456789abcdef-shop"_qs}});
        QCOMPARE(set.status, 200);
        QCOMPARE(set.json[u"secret"_qs].toString(), u"0123456789abcdef-shop"_qs);
        const ApiReply read = m_client->admin("GET", u"/api/v1/admin/webhook"_qs);
        QCOMPARE(read.json[u"url"_qs].toString(), u"https://shop.example/hooks"_qs);
        QVERIFY(!read.json[u"configuredAt"_qs].toString().isEmpty());
        QVERIFY(!read.body.contains("0123456789abcdef-shop"));
        // Generated when omitted: a fresh one each time.
        const QString generated = putEndpoint({{u"url"_qs, u"https://shop.example/hooks"_qs}}).json[u"secret"_qs].toString();
        QVERIFY(generated.startsWith(u"whsec_"_qs) && generated.size() >= 40);
        QVERIFY(generated != putEndpoint({{u"url"_qs, u"https://shop.example/hooks"_qs}}).json[u"secret"_qs].toString());
        QCOMPARE(m_client->admin("DELETE", u"/api/v1/admin/webhook"_qs).status, 200);
        QVERIFY(m_client->admin("GET", u"/api/v1/admin/webhook"_qs).json[u"url"_qs].isNull());
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/webhook"_qs).status, 405);
    }

    // A receiver that is down: attempts fail and back off (nextAttemptAt moves out); the list
    // filters by status; *Retry now* sends them before their next turn once it is back.
    void downReceiverIsRetriedAndRetryNowSends()
    {
        QVERIFY(startNode());
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        const QString url = receiver.url();
        const quint16 port = QUrl(url).port();
        receiver.close(); // connections refused
        const ApiReply set = putEndpoint({{u"url"_qs, url}});
        receiver.setSecret(set.json[u"secret"_qs].toString().toUtf8());
        saleWithOneWin(u"down"_qs, u"ann"_qs);

        // Three failed attempts each: the next one is 4 s away.
        QVERIFY(ApiClient::waitUntil([&] {
            const QJsonArray items = deliveries(u"?status=retrying"_qs);
            return items.size() == 2 && std::all_of(items.begin(), items.end(), [](const QJsonValue &d) { return d[u"attempts"_qs].toInt() >= 3; });
        }, 20000));
        const QJsonArray failing = deliveries(u"?status=retrying"_qs);
        for (const QJsonValue &d : failing) {
            QVERIFY(d[u"lastHttpStatus"_qs].isNull());
            QVERIFY2(!d[u"lastError"_qs].toString().isEmpty(), qPrintable(d[u"lastError"_qs].toString()));
            QVERIFY(!d[u"nextAttemptAt"_qs].toString().isEmpty());
        }
        QCOMPARE(deliveries(u"?status=delivered"_qs).size(), 0);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/webhook/deliveries?status=lost"_qs).status, 400);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/webhook/deliveries?limit=5000"_qs).status, 400);
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/webhook/deliveries/wh_nosuch/retry"_qs).status, 404);
        QCOMPARE(m_client->admin("GET", u"/api/v1/admin/webhook/deliveries/retry"_qs).status, 405);

        // Back up: Retry now sends both at once, before the turn their backoff gave them.
        QVERIFY(receiver.listen(port));
        const ApiReply retried = m_client->admin("POST", u"/api/v1/admin/webhook/deliveries/retry"_qs);
        QCOMPARE(retried.status, 200);
        QCOMPARE(retried.json[u"retried"_qs].toInt(), 2);
        QVERIFY(ApiClient::waitUntil([&] { return receiver.uniqueById().size() == 2; }, 10000));
        QVERIFY(ApiClient::waitUntil([&] { return deliveries(u"?status=delivered"_qs).size() == 2; }, 5000));
        for (const QJsonValue &before : failing) {
            for (const QJsonValue &after : deliveries(u"?status=delivered"_qs)) {
                if (after[u"id"_qs] == before[u"id"_qs]) {
                    QVERIFY2(after[u"deliveredAt"_qs].toString() < before[u"nextAttemptAt"_qs].toString(),
                             "delivered by Retry now, not by its backoff");
                    QCOMPARE(after[u"lastHttpStatus"_qs].toInt(), 200);
                }
            }
        }
        for (const WebhookReceiver::Delivery &d : receiver.deliveries())
            QVERIFY(d.signatureValid);
        // One webhook by id, sent again on request although delivered.
        const QString id = deliveries(u"?status=delivered"_qs).first()[u"id"_qs].toString();
        QCOMPARE(m_client->admin("POST", u"/api/v1/admin/webhook/deliveries/%1/retry"_qs.arg(id)).json[u"retried"_qs].toInt(), 1);
        QVERIFY(ApiClient::waitUntil([&] { return receiver.deliveries().size() == 3; }, 10000));
        QCOMPARE(receiver.deliveries().back().json[u"id"_qs].toString(), id);
    }

    // A rehearsal copy (the simulator's) opens and sells without telling the shop.
    void rehearsalsSendNothing()
    {
        QVERIFY(startNode());
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        receiver.setSecret(putEndpoint({{u"url"_qs, receiver.url()}}).json[u"secret"_qs].toString().toUtf8());
        const ApiReply source = m_client->admin("POST", u"/api/v1/admin/events"_qs,
                                                {{u"id"_qs, u"real"_qs}, {u"name"_qs, u"Real"_qs}, {u"priceCents"_qs, 100}, {u"stock"_qs, 5}});
        QCOMPARE(source.status, 201);
        const ApiReply copy = m_client->admin("POST", u"/api/v1/admin/events/real/rehearsals"_qs);
        QCOMPARE(copy.status, 201);
        const QString copyId = copy.json[u"id"_qs].toString();
        const QByteArray simulated =
            "{\"requestId\": \"r1\", \"userId\": \"ann\", \"quantity\": 1, \"simulated\": true}";
        const ApiReply bought = m_client->call("POST", u"/api/v1/events/%1/purchases?wait=5000"_qs.arg(copyId), simulated, true);
        QCOMPARE(bought.json[u"state"_qs].toString(), u"won"_qs);
        saleWithOneWin(u"after"_qs, u"bob"_qs); // a real sale after it: its webhooks arrive
        QVERIFY(ApiClient::waitUntil([&] { return receiver.uniqueById().size() == 2; }, 10000));
        for (const QJsonObject &w : receiver.uniqueById())
            QCOMPARE(w[u"data"_qs][u"eventId"_qs].toString(), u"after"_qs);
        QCOMPARE(deliveries().size(), 2);
    }

    void readmeVerifiersAgree_data()
    {
        QTest::addColumn<QStringList>("command");
        const QString dir = QStringLiteral(FLASHSALE_SOURCE_DIR "/examples/webhooks/");
        QTest::newRow("python") << QStringList{u"python3"_qs, dir + u"verify.py"_qs};
        QTest::newRow("node") << QStringList{u"node"_qs, dir + u"verify.mjs"_qs};
        QTest::newRow("php") << QStringList{u"php"_qs, dir + u"verify.php"_qs};
    }

    // What the engine signed passes each language's check from the README; a changed body, a
    // wrong secret and a replayed old timestamp do not.
    void readmeVerifiersAgree()
    {
        QFETCH(QStringList, command);
        if (QStandardPaths::findExecutable(command.first()).isEmpty())
            QSKIP("the interpreter is not installed (scripts/install-deps.sh --test installs it)");
        QVERIFY(startNode());
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        const QByteArray secret = putEndpoint({{u"url"_qs, receiver.url()}}).json[u"secret"_qs].toString().toUtf8();
        receiver.setSecret(secret);
        saleWithOneWin(u"verify"_qs, u"ann"_qs);
        QVERIFY(ApiClient::waitUntil([&] { return !receiver.deliveries().empty(); }, 10000));
        const WebhookReceiver::Delivery d = receiver.deliveries().front();
        QVERIFY(d.signatureValid);
        QCOMPARE(runVerifier(command, secret, d.signatureHeader, d.body), 0);
        QByteArray tampered = d.body;
        tampered.replace("\"ann\"", "\"eve\"");
        tampered.replace("\"CNY\"", "\"USD\"");
        QVERIFY(tampered != d.body);
        QCOMPARE(runVerifier(command, secret, d.signatureHeader, tampered), 1);
        QCOMPARE(runVerifier(command, secret + "x", d.signatureHeader, d.body), 1);
        // The same body signed by the right secret an hour ago: a replay.
        const qint64 oldT = QDateTime::currentSecsSinceEpoch() - 3600;
        const QByteArray oldHeader = "t=" + QByteArray::number(oldT) + ",v1="
            + QMessageAuthenticationCode::hash(QByteArray::number(oldT) + '.' + d.body, secret, QCryptographicHash::Sha256).toHex();
        QCOMPARE(runVerifier(command, secret, oldHeader, d.body), 1);
    }
};

QTEST_GUILESS_MAIN(TestWebhooks)
#include "tst_webhooks.moc"
