// The engine on a real PostgreSQL server (QPSQL) through the HTTP API: the sale guarantees
// under concurrent clients, the database's own view of them, and everything back after a restart.
// Needs FLASHSALE_TEST_PG_URL (scripts/start-postgres.sh prints one); ctest reports it skipped
// without it, and with CI=true it fails.
#include "tests/support/crowdoptions.h"
#include "tests/support/apiclient.h"
#include "tests/support/purchaseledger.h"
#include "tests/support/scratchdatabase.h"
#include "tests/support/visibleskip.h"

#include "engine/storage/migrations.h"
#include "engine/api/server.h"

#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

#include <QTest>

using namespace flashsale;

namespace {

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject purchase(const QString &requestId, const QString &userId, int quantity)
{
    return QJsonObject{{u"requestId"_qs, requestId}, {u"userId"_qs, userId}, {u"quantity"_qs, quantity},
                       {u"contact"_qs, userId + u"@example.com"_qs}};
}

} // namespace

class TestPostgres : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<ScratchDatabase> m_database; // this run's own, beside the one the URL names
    QString m_url;                                // the store URL of m_database
    StoreLocation m_location;

    // Runs sql on a QPSQL connection of its own; the first column of the first row, or -1.
    std::int64_t pgScalar(const QString &sql)
    {
        const QString name = QStringLiteral("pgcheck-%1").arg(QRandomGenerator::global()->generate());
        std::int64_t value = -1;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(m_location.host);
            db.setPort(m_location.port);
            db.setUserName(m_location.user);
            db.setPassword(m_location.password);
            db.setDatabaseName(m_location.databaseName);
            if (!db.open()) {
                qWarning() << "cannot open PostgreSQL:" << db.lastError().text();
            } else {
                QSqlQuery q(db);
                if (!q.exec(sql))
                    qWarning() << sql << q.lastError().text();
                else if (q.next())
                    value = q.value(0).toLongLong();
                else
                    value = 0;
            }
        }
        QSqlDatabase::removeDatabase(name);
        return value;
    }

    std::unique_ptr<Server> startServer(const QString &dataDir)
    {
        ServerOptions options = crowdNodeOptions();
        options.dataDir = dataDir;
        options.storeUrl = m_url;
        options.port = 0;
        options.adminToken = u"pg-token"_qs;
        options.httpThreads = 2;
        auto server = std::make_unique<Server>(options);
        QString error;
        if (!server->start(&error)) {
            qWarning("cannot start on PostgreSQL: %s", qPrintable(error));
            return nullptr;
        }
        return server;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString serverUrl = qEnvironmentVariable("FLASHSALE_TEST_PG_URL");
        if (serverUrl.isEmpty()) {
            SKIP_UNLESS_CI(u"FLASHSALE_TEST_PG_URL is not set; run scripts/start-postgres.sh and export the URL it prints "
                           "(e.g. postgresql://flashsale:flashsale@127.0.0.1:5432/flashsale_test); scripts/test.sh does"_qs);
        }
        m_database = std::make_unique<ScratchDatabase>(serverUrl, u"flashsale_pgtest"_qs);
        QVERIFY2(m_database->isReady(), qPrintable(m_database->error()));
        m_url = m_database->url();
        QString error;
        m_location = StoreLocation::fromUrl(m_url, &error);
        QVERIFY2(!m_location.driver.isEmpty(), qPrintable(error));
    }

    void cleanupTestCase() { m_database.reset(); }

    void badStoreUrlIsRefused()
    {
        ServerOptions options = crowdNodeOptions();
        QTemporaryDir dir;
        options.dataDir = dir.path();
        options.storeUrl = u"mysql://u:secret@h/db"_qs;
        options.port = 0;
        Server server(options);
        QString error;
        QVERIFY(!server.start(&error));
        QVERIFY2(error.contains(u"postgresql://"_qs), qPrintable(error));
        QVERIFY(!error.contains(u"secret"_qs));
    }

    // A commit's journal rows and orders reach PostgreSQL as array literals in one statement
    // (SqlStore's set-based insert): text that means something inside such a literal (quotes,
    // backslashes, braces, commas, the word NULL) or to SQL must come back exactly as sent.
    void hostileTextRoundTrips_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("double quotes") << u"say \"hi\", \"bye\""_qs;
        QTest::newRow("backslashes") << u"C:\\path\\\"x\\"_qs;
        QTest::newRow("braces and commas") << u"{a,b},{NULL}"_qs;
        QTest::newRow("the word NULL") << u"NULL"_qs;
        QTest::newRow("sql") << u"x'); DROP TABLE requests; --"_qs;
        QTest::newRow("unicode") << u"王小明 ✓ é"_qs;
        QTest::newRow("spaces around") << u"  padded  "_qs;
    }

    void hostileTextRoundTrips()
    {
        QFETCH(QString, text);
        QTemporaryDir dir;
        std::unique_ptr<Server> server = startServer(dir.path());
        QVERIFY(server);
        ApiClient client(server->baseUrl(), "pg-token");
        const QString eventId = u"text-%1"_qs.arg(QRandomGenerator::global()->generate());
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events"_qs,
                              {{u"id"_qs, eventId}, {u"name"_qs, text}, {u"priceCents"_qs, 100}, {u"stock"_qs, 1},
                               {u"perUserLimit"_qs, 1}}).status, 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/%1/open"_qs.arg(eventId)).status, 200);
        // The winner's order and the loser's journal row both carry the text in every text column.
        for (const QString &who : {u"won "_qs, u"lost "_qs}) {
            const QJsonObject body{{u"requestId"_qs, who + text}, {u"userId"_qs, who + text},
                                   {u"quantity"_qs, 1}, {u"contact"_qs, who + text}};
            const ApiReply bought = client.call("POST", u"/api/v1/events/%1/purchases"_qs.arg(eventId), json(body));
            QCOMPARE(bought.json.value(u"state"_qs).toString(), who.trimmed());
        }
        const QString quoted = eventId; // ids are [a-z0-9-]: safe inside the check's SQL
        for (const QString &who : {u"won "_qs, u"lost "_qs}) {
            const QString expected = who + text;
            QString escaped = expected;
            escaped.replace(u'\'', u"''"_qs);
            QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM requests WHERE event_id = '%1' AND request_id = '%2' AND user_id = '%2'"
                              " AND contact = '%2'"_qs.arg(quoted, escaped)), 1);
        }
        QString winner = u"won "_qs + text;
        winner.replace(u'\'', u"''"_qs);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM orders WHERE event_id = '%1' AND request_id = '%2' AND user_id = '%2'"
                          " AND contact = '%2'"_qs.arg(quoted, winner)), 1);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM requests WHERE event_id = '%1' AND reason IS NULL AND order_id IS NOT NULL"_qs
                              .arg(quoted)), 1);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM requests WHERE event_id = '%1' AND reason = 'sold_out' AND order_id IS NULL"_qs
                              .arg(quoted)), 1);
        server->stop();
    }

    // ≥ 1,000 concurrent purchases for 50 units, then a restart on the same database.
    void saleOnPostgresSurvivesRestart()
    {
        QTemporaryDir firstDir;
        std::unique_ptr<Server> server = startServer(firstDir.path());
        QVERIFY(server);
        ApiClient client(server->baseUrl(), "pg-token");

        const ApiReply created = client.admin("POST", u"/api/v1/admin/events"_qs,
                                              {{u"id"_qs, u"pg-rush"_qs}, {u"name"_qs, u"限量 Phone, \"Pro\" 100%_off"_qs},
                                               {u"priceCents"_qs, 129900}, {u"stock"_qs, 50}, {u"perUserLimit"_qs, 2}});
        QCOMPARE(created.status, 201);
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/pg-rush/open"_qs).status, 200);

        const int users = 500;
        PurchaseLedger ledger;
        QHash<QString, QString> userByRequest;
        QHash<QString, int> quantityByRequest;
        QStringList retried;
        int sent = 0;
        for (int u = 0; u < users; ++u) {
            // Underscores and percent signs in ids: the admin search must take them literally.
            const QString userId = QStringLiteral("pg_user%%1").arg(u);
            for (int attempt = 0; attempt < 2; ++attempt) {
                const QString requestId = QStringLiteral("u%1-a%2").arg(u).arg(attempt);
                const int quantity = 1 + (u + attempt) % 2;
                userByRequest.insert(requestId, userId);
                quantityByRequest.insert(requestId, quantity);
                const QString wait = (u % 2) ? u"?wait=10000"_qs : QString();
                client.send("POST", u"/api/v1/events/pg-rush/purchases"_qs + wait,
                            json(purchase(requestId, userId, quantity)), false,
                            ledger.recorder(requestId, userId, quantity, userId + u"@example.com"_qs));
                ++sent;
            }
            // Every fifth user retries the first request at once (a client's retry after a timeout).
            if (u % 5 == 0) {
                const QString requestId = QStringLiteral("u%1-a0").arg(u);
                retried << requestId;
                client.send("POST", u"/api/v1/events/pg-rush/purchases"_qs,
                            json(purchase(requestId, userId, quantityByRequest.value(requestId))), false,
                            ledger.recorder(requestId, userId, quantityByRequest.value(requestId), userId + u"@example.com"_qs));
                ++sent;
            }
        }
        QVERIFY(sent >= 1000);
        QVERIFY2(ApiClient::waitUntil([&] { return ledger.answered == sent; }, 90000),
                 qPrintable(QStringLiteral("%1 of %2 answered").arg(ledger.answered).arg(sent)));
        QCOMPARE(ledger.unexpected, 0);
        QCOMPARE(ledger.ticketByRequest.size(), users * 2);

        QVERIFY(ledger.collectResults(client, 60000));

        QHash<QString, int> wonByUser;
        QHash<QString, int> orderByRequest;
        int wonUnits = 0;
        int lostRequests = 0;
        QSet<QString> losingUsers;
        for (auto it = ledger.ticketByRequest.cbegin(); it != ledger.ticketByRequest.cend(); ++it) {
            const QJsonObject result = ledger.resultByTicket.value(it.value());
            if (result.value(u"state"_qs).toString() == u"won") {
                wonUnits += quantityByRequest.value(it.key());
                wonByUser[userByRequest.value(it.key())] += quantityByRequest.value(it.key());
                orderByRequest.insert(it.key(), int(result.value(u"orderId"_qs).toInteger()));
            } else {
                ++lostRequests;
                losingUsers.insert(userByRequest.value(it.key()));
            }
        }
        QCOMPARE(wonUnits, 50);
        const QStringList limitProblems = ledger.limitProblems(2);
        QVERIFY2(limitProblems.isEmpty(), qPrintable(QStringLiteral("%1 problems, e.g. %2")
                                                         .arg(limitProblems.size()).arg(limitProblems.value(0))));

        // A retry after the decision gets the same ticket and result.
        for (const QString &requestId : std::as_const(retried).mid(0, 20)) {
            const ApiReply again = client.call("POST", u"/api/v1/events/pg-rush/purchases?wait=5000"_qs,
                                               json(purchase(requestId, userByRequest.value(requestId), quantityByRequest.value(requestId))));
            QCOMPARE(again.status, 200);
            QCOMPARE(again.json.value(u"ticket"_qs).toString(), ledger.ticketByRequest.value(requestId));
            QCOMPARE(again.json.value(u"state"_qs).toString(),
                     ledger.resultByTicket.value(ledger.ticketByRequest.value(requestId)).value(u"state"_qs).toString());
        }

        // PostgreSQL's own view agrees.
        QCOMPARE(pgScalar(u"SELECT SUM(quantity) FROM orders WHERE event_id = 'pg-rush'"_qs), 50);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM orders WHERE event_id = 'pg-rush'"_qs), orderByRequest.size());
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM (SELECT user_id FROM orders WHERE event_id = 'pg-rush'"
                          " GROUP BY user_id HAVING SUM(quantity) > 2) AS over_limit"_qs), 0);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM requests WHERE event_id = 'pg-rush'"_qs), users * 2);
        QCOMPARE(pgScalar(u"SELECT COUNT(DISTINCT request_id) FROM requests WHERE event_id = 'pg-rush'"_qs), users * 2);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM requests WHERE state = 'queued'"_qs), 0);
        QCOMPARE(pgScalar(u"SELECT SUM(attempts) FROM intents WHERE event_id = 'pg-rush'"_qs), lostRequests);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM intents WHERE event_id = 'pg-rush'"_qs), losingUsers.size());
        QCOMPARE(pgScalar(u"SELECT stock_total FROM events WHERE id = 'pg-rush'"_qs), 50);
        for (const QString &requestId : std::as_const(retried)) {
            const QString ticket = ledger.ticketByRequest.value(requestId);
            QCOMPARE(pgScalar(QStringLiteral("SELECT seq FROM requests WHERE request_id = '%1'").arg(requestId)),
                     ticket.section(u'-', 0, 0).toLongLong());
            if (orderByRequest.contains(requestId))
                QCOMPARE(pgScalar(QStringLiteral("SELECT order_id FROM orders WHERE request_id = '%1'").arg(requestId)),
                         orderByRequest.value(requestId));
        }

        // The admin lists and exports read PostgreSQL.
        const ApiReply orders = client.admin("GET", u"/api/v1/admin/events/pg-rush/orders?limit=1000"_qs);
        QCOMPARE(orders.status, 200);
        QCOMPARE(orders.json.value(u"total"_qs).toInt(), orderByRequest.size());
        QCOMPARE(orders.json.value(u"items"_qs).toArray().size(), orderByRequest.size());
        const QString someWinner = userByRequest.value(orderByRequest.cbegin().key());
        const ApiReply search = client.admin("GET", u"/api/v1/admin/events/pg-rush/orders?user="_qs
                                                        + QString::fromLatin1(QUrl::toPercentEncoding(someWinner)));
        QCOMPARE(search.status, 200);
        QVERIFY(search.json.value(u"total"_qs).toInt() >= 1);
        const ApiReply literal = client.admin("GET", u"/api/v1/admin/events/pg-rush/orders?user=pg%5Fuser%25"_qs);
        QCOMPARE(literal.json.value(u"total"_qs).toInt(), orderByRequest.size());
        // "%" taken literally: "r%1" is in pg_user%1 and pg_user%1xx, not in pg_user%21.
        int literalMatches = 0;
        for (auto it = orderByRequest.cbegin(); it != orderByRequest.cend(); ++it)
            literalMatches += userByRequest.value(it.key()).contains(u"r%1"_qs) ? 1 : 0;
        const ApiReply percent = client.admin("GET", u"/api/v1/admin/events/pg-rush/orders?user=r%251"_qs);
        QCOMPARE(percent.json.value(u"total"_qs).toInt(), literalMatches);
        const ApiReply intents = client.admin("GET", u"/api/v1/admin/events/pg-rush/intents?hasContact=true&sort=attempts&limit=5"_qs);
        QCOMPARE(intents.status, 200);
        QCOMPARE(intents.json.value(u"total"_qs).toInt(), losingUsers.size());
        QCOMPARE(intents.json.value(u"items"_qs).toArray().size(), 5);
        const ApiReply allIntents = client.admin("GET", u"/api/v1/admin/events/pg-rush/intents?limit=1000"_qs);
        QCOMPARE(allIntents.json.value(u"items"_qs).toArray().size(), losingUsers.size());
        const QStringList leadProblems = ledger.leadProblems(allIntents.json.value(u"items"_qs).toArray());
        QVERIFY2(leadProblems.isEmpty(), qPrintable(QStringLiteral("%1 problems, e.g. %2")
                                                        .arg(leadProblems.size()).arg(leadProblems.value(0))));
        const ApiReply ordersCsv = client.admin("GET", u"/api/v1/admin/events/pg-rush/orders.csv"_qs);
        QCOMPARE(ordersCsv.status, 200);
        QCOMPARE(ordersCsv.body.count("\r\n"), orderByRequest.size() + 1);
        const ApiReply intentsCsv = client.admin("GET", u"/api/v1/admin/events/pg-rush/intents.csv"_qs);
        QCOMPARE(intentsCsv.status, 200);
        QVERIFY(intentsCsv.body.startsWith("\xEF\xBB\xBF" "eventId,userId,contact"));
        QCOMPARE(intentsCsv.body.count("\r\n"), losingUsers.size() + 1);

        server->stop();
        server.reset();

        // A new node with an empty data dir: everything comes back from PostgreSQL.
        QTemporaryDir secondDir;
        server = startServer(secondDir.path());
        QVERIFY(server);
        client.setBaseUrl(server->baseUrl());
        const ApiReply event = client.call("GET", u"/api/v1/events/pg-rush"_qs);
        QCOMPARE(event.status, 200);
        QCOMPARE(event.json.value(u"remaining"_qs).toInt(), 0);
        QCOMPARE(event.json.value(u"state"_qs).toString(), u"sold_out"_qs);
        QCOMPARE(event.json.value(u"name"_qs).toString(), u"限量 Phone, \"Pro\" 100%_off"_qs);
        int checked = 0;
        int mismatched = 0;
        for (auto it = ledger.ticketByRequest.cbegin(); it != ledger.ticketByRequest.cend(); ++it) {
            const QJsonObject before = ledger.resultByTicket.value(it.value());
            client.send("GET", u"/api/v1/tickets/"_qs + it.value(), {}, false, [&, before](const ApiReply &r) {
                ++checked;
                if (r.status != 200 || r.json.value(u"state"_qs) != before.value(u"state"_qs)
                    || r.json.value(u"orderId"_qs) != before.value(u"orderId"_qs)) {
                    ++mismatched;
                    qWarning() << "after restart" << r.status << r.body << "was" << before;
                }
            });
        }
        QVERIFY(ApiClient::waitUntil([&] { return checked == ledger.ticketByRequest.size(); }, 60000));
        QCOMPARE(mismatched, 0);
        const QString retry = retried.first();
        const ApiReply again = client.call("POST", u"/api/v1/events/pg-rush/purchases?wait=5000"_qs,
                                           json(purchase(retry, userByRequest.value(retry), quantityByRequest.value(retry))));
        QCOMPARE(again.json.value(u"ticket"_qs).toString(), ledger.ticketByRequest.value(retry));

        // Per-user limits survived: after a restock, a user at the limit still cannot buy.
        QCOMPARE(client.admin("POST", u"/api/v1/admin/events/pg-rush/restock"_qs, {{u"units"_qs, 10}}).status, 200);
        QString atLimit;
        for (auto it = wonByUser.cbegin(); it != wonByUser.cend() && atLimit.isEmpty(); ++it) {
            if (it.value() == 2)
                atLimit = it.key();
        }
        QVERIFY(!atLimit.isEmpty());
        const ApiReply greedy = client.call("POST", u"/api/v1/events/pg-rush/purchases?wait=5000"_qs,
                                            json(purchase(u"greedy"_qs, atLimit, 1)));
        QCOMPARE(greedy.status, 200);
        QCOMPARE(greedy.json.value(u"state"_qs).toString(), u"lost"_qs);
        QCOMPARE(greedy.json.value(u"reason"_qs).toString(), u"limit_reached"_qs);
        const ApiReply newcomer = client.call("POST", u"/api/v1/events/pg-rush/purchases?wait=5000"_qs,
                                              json(purchase(u"newcomer"_qs, u"pg-new-user"_qs, 1)));
        QCOMPARE(newcomer.json.value(u"state"_qs).toString(), u"won"_qs);
        int maxOrderId = 0;
        for (int orderId : std::as_const(orderByRequest))
            maxOrderId = std::max(maxOrderId, orderId);
        QVERIFY(newcomer.json.value(u"orderId"_qs).toInteger() > maxOrderId); // order ids continue
        server->stop();
        QCOMPARE(pgScalar(u"SELECT SUM(quantity) FROM orders WHERE event_id = 'pg-rush'"_qs), 51);
        QCOMPARE(pgScalar(u"SELECT SUM(quantity) FROM orders WHERE user_id = '"_qs + atLimit + u"'"_qs), 2);
    }

    // A database with release 0.1.0's schema and rows gets the version row and keeps its data;
    // one whose version row is newer than this build is refused and left as it was.
    void release010SchemaUpgrades()
    {
        QCOMPARE(pgScalar(u"DROP TABLE IF EXISTS requests, orders, intents, events, schema_version, intent_projection"_qs), 0);
        QFile schemaFile(QStringLiteral(FLASHSALE_FIXTURES_DIR "/release-0.1.0/schema.sql"));
        QVERIFY(schemaFile.open(QIODevice::ReadOnly));
        QStringList lines;
        for (const QString &line : QString::fromUtf8(schemaFile.readAll()).split(u'\n')) {
            if (!line.trimmed().startsWith(u"--"_qs))
                lines << QString(line).replace(u"{{KEY}}"_qs, u"BIGINT"_qs).replace(u"{{CLUSTERED}}"_qs, QString());
        }
        for (const QString &statement : lines.join(u'\n').split(u';')) {
            if (!statement.trimmed().isEmpty())
                QCOMPARE(pgScalar(statement), 0);
        }
        // What 0.1.0 wrote for one win (order 7) and one loss of the same user at the limit.
        for (const char *row : {
                 "INSERT INTO events VALUES ('pg-old', 'Old sale', 1000, 'CNY', 3, 3, 1, 0, 0, 'open', 1, 1, 0)",
                 "INSERT INTO requests VALUES (1, 2748, 'pg-old', 'old-1', 'ann', 1, 'ann@example.com', 0, 5, 'won', NULL, 7, 6)",
                 "INSERT INTO requests VALUES (2, 2749, 'pg-old', 'old-2', 'ann', 1, '', 0, 8, 'lost', 'limit_reached', NULL, 9)",
                 "INSERT INTO orders VALUES (7, 'pg-old', 'ann', 1, 1000, 1000, 'old-1', 1, 'ann@example.com', 0, 6)",
                 "INSERT INTO intents VALUES ('pg-old', 'ann', 'ann@example.com', 1, 'limit_reached', 1, 9, 9, 0)"}) {
            QCOMPARE(pgScalar(QString::fromLatin1(row)), 0);
        }

        QTemporaryDir dir;
        std::unique_ptr<Server> server = startServer(dir.path());
        QVERIFY(server);
        QCOMPARE(pgScalar(u"SELECT version FROM schema_version"_qs), schema::currentVersion());
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM schema_version"_qs), 1);
        ApiClient client(server->baseUrl(), "pg-token", 2);
        const ApiReply won = client.call("GET", u"/api/v1/tickets/1-00000abc"_qs);
        QCOMPARE(won.json.value(u"state"_qs).toString(), u"won"_qs);
        QCOMPARE(won.json.value(u"orderId"_qs).toInteger(), 7);
        QCOMPARE(client.call("GET", u"/api/v1/tickets/2-00000abd"_qs).json.value(u"reason"_qs).toString(), u"limit_reached"_qs);
        const ApiReply again = client.call("POST", u"/api/v1/events/pg-old/purchases?wait=5000"_qs, json(purchase(u"old-3"_qs, u"ann"_qs, 1)));
        QCOMPARE(again.json.value(u"reason"_qs).toString(), u"limit_reached"_qs);
        const ApiReply fresh = client.call("POST", u"/api/v1/events/pg-old/purchases?wait=5000"_qs, json(purchase(u"new-1"_qs, u"bo"_qs, 1)));
        QCOMPARE(fresh.json.value(u"orderId"_qs).toInteger(), 8);
        QCOMPARE(client.admin("GET", u"/api/v1/admin/events/pg-old/intents"_qs).json.value(u"items"_qs).toArray().first()
                     .toObject().value(u"attempts"_qs).toInt(), 2);
        // Backups of PostgreSQL are pg_dump's job.
        const ApiReply backup = client.admin("GET", u"/api/v1/admin/backup"_qs);
        QCOMPARE(backup.status, 501);
        QVERIFY2(backup.json.value(u"message"_qs).toString().contains(u"pg_dump"_qs), backup.body.constData());
        server->stop();
        server.reset();

        // A version row from a newer build: refused, nothing written.
        const int newer = schema::currentVersion() + 1;
        QCOMPARE(pgScalar(u"UPDATE schema_version SET version = %1"_qs.arg(newer)), 0);
        ServerOptions options = crowdNodeOptions();
        options.dataDir = dir.path();
        options.storeUrl = m_url;
        options.port = 0;
        options.adminToken = u"pg-token"_qs;
        Server refused(options);
        QString error;
        StartFailure failure = StartFailure::Other;
        QVERIFY(!refused.start(&error, &failure));
        QCOMPARE(int(failure), int(StartFailure::SchemaTooNew));
        QVERIFY2(error.contains(u"schema version %1"_qs.arg(newer)) && error.contains(u"pg_dump"_qs), qPrintable(error));
        QCOMPARE(pgScalar(u"SELECT version FROM schema_version"_qs), newer);
        QCOMPARE(pgScalar(u"SELECT COUNT(*) FROM requests"_qs), 4);
        // The shared test database is left empty.
        QCOMPARE(pgScalar(u"DROP TABLE requests, orders, intents, events, schema_version"_qs), 0);
    }
};

VISIBLESKIP_GUILESS_MAIN(TestPostgres)
#include "tst_postgres.moc"
