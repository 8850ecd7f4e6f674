// Scale-out: three `flashsale --headless` nodes sharing RabbitMQ and PostgreSQL sell one event
// together, lose their decider to SIGKILL and the broker to a restart, and still never oversell,
// lose an accepted ticket or decide a request twice. Every answer a node gave is checked against
// the database at the end. Needs FLASHSALE_TEST_PG_URL and FLASHSALE_TEST_AMQP_URL
// (scripts/start-postgres.sh and scripts/start-rabbitmq.sh print them); ctest reports it skipped
// without them, and so when the outage tests cannot stop the servers (they need root); with CI=true
// either is a failure.
#include "tests/support/apiclient.h"
#include "tests/support/engineprocess.h"
#include "tests/support/visibleskip.h"
#include "tests/support/webhookreceiver.h"

#include "engine/storage/store.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUrl>
#include <QWebSocket>

#include <QTest>

#include <algorithm>
#include <csignal>
#include <unistd.h>
#include <cstdio>
#include <memory>
#include <vector>

using namespace flashsale;

namespace {

const QByteArray kToken = QByteArrayLiteral("cluster-token");
constexpr int kNodes = 3;
constexpr int kMaxInFlight = 200;
constexpr int kFailoverLimitMs = 10000;
constexpr int kWindowSeconds = 3; // the orders tests' payment window
const QString kCheckConnection = QStringLiteral("cluster-check");
const QString kAdminConnection = QStringLiteral("cluster-admin");

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString randomSuffix()
{
    return QString::number(QRandomGenerator::global()->generate64() % 0xffffffffffull, 16);
}

// "<seq>-<tag hex>" -> seq, 0 if malformed.
qint64 seqOf(const QString &ticket)
{
    return ticket.section(u'-', 0, 0).toLongLong();
}

// Runs attempt until it returns true or timeoutMs passes, processing events for pauseMs between
// attempts. (ApiClient::waitUntil evaluates its condition once more at the end: no side effects there.)
bool retry(const std::function<bool()> &attempt, int timeoutMs, int pauseMs = 100)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        if (attempt())
            return true;
        if (deadline.hasExpired())
            return false;
        ApiClient::waitUntil([] { return false; }, pauseMs);
    }
}

bool isDecided(const QJsonObject &answer)
{
    const QString state = answer.value(u"state"_qs).toString();
    return state == u"won" || state == u"lost";
}

// One headless node: its process (the shared EngineProcess), its client, whether a test killed it.
struct Node {
    QString id;
    QTemporaryDir dataDir;
    std::unique_ptr<EngineProcess> engine;
    std::unique_ptr<ApiClient> client;
    bool killed = false;

    bool alive() const { return !killed && engine->isRunning(); }
};

struct Purchase {
    QString requestId;
    QString userId;
    int quantity = 1;
};

// What the nodes told the client about one event's purchases.
// Thread: the test's thread (ApiClient calls back on it).
struct Sale {
    QString eventId;
    QHash<QString, Purchase> purchases;                        // requestId -> what was sent
    QHash<QString, QList<QPair<int, QString>>> ticketsByRequest; // requestId -> (node, ticket) per 200/202
    QHash<QString, QString> requestByTicket;
    QHash<qint64, QString> ticketBySeq;                        // ticket numbers are unique across nodes
    QHash<QString, int> acceptedOn;                            // ticket -> node that answered it first
    QHash<QString, QJsonObject> results;                       // ticket -> its won/lost answer
    QHash<int, int> answersByStatus;                           // 0: no HTTP answer
    QHash<QString, int> refusedOn;                             // requestId -> node that answered it 503
    QStringList problems;                                      // broken promises, each described
    int inFlight = 0;
    int decidedAnswers = 0;
    std::function<void(const QString &ticket)> onDecision;

    void problem(const QString &text)
    {
        if (problems.size() < 50)
            qWarning("%s", qPrintable(text));
        problems << text;
    }

    // Keeps the first won/lost answer of a ticket; a later one must say the same.
    void noteResult(const QString &ticket, const QJsonObject &answer)
    {
        const auto known = results.constFind(ticket);
        if (known != results.constEnd()) {
            for (const QString &key : {u"state"_qs, u"orderId"_qs, u"reason"_qs}) {
                if (known->value(key) != answer.value(key))
                    problem(QStringLiteral("ticket %1 changed its decision: %2 then %3")
                                .arg(ticket, QString::fromUtf8(json(*known)), QString::fromUtf8(json(answer))));
            }
            return;
        }
        results.insert(ticket, answer);
        ++decidedAnswers;
        if (onDecision)
            onDecision(ticket);
    }

    void record(int node, const QString &requestId, const ApiReply &r, bool nodeKilled)
    {
        ++answersByStatus[r.status];
        if (r.status == 0) {
            if (!nodeKilled)
                problem(QStringLiteral("no HTTP answer from live node %1 for %2").arg(node + 1).arg(requestId));
            return;
        }
        if (r.status == 503 || r.status == 429) {
            if (r.json.value(u"error"_qs).toString().isEmpty())
                problem(QStringLiteral("%1 without a JSON error: %2").arg(r.status).arg(QString::fromUtf8(r.body)));
            if (r.status == 503)
                refusedOn.insert(requestId, node);
            return;
        }
        if (r.status != 200 && r.status != 202) {
            problem(QStringLiteral("unexpected %1 for %2: %3").arg(r.status).arg(requestId, QString::fromUtf8(r.body)));
            return;
        }
        const QString ticket = r.json.value(u"ticket"_qs).toString();
        const QString state = r.json.value(u"state"_qs).toString();
        if (seqOf(ticket) <= 0 || r.json.value(u"eventId"_qs).toString() != eventId
            || (r.status == 202 && state != u"queued") || (r.status == 200 && !isDecided(r.json))) {
            problem(QStringLiteral("malformed %1 for %2: %3").arg(r.status).arg(requestId, QString::fromUtf8(r.body)));
            return;
        }
        QList<QPair<int, QString>> &seen = ticketsByRequest[requestId];
        for (const auto &[otherNode, otherTicket] : std::as_const(seen)) {
            if (otherNode == node && otherTicket != ticket)
                problem(QStringLiteral("node %1 gave request %2 two tickets: %3 and %4").arg(node + 1).arg(requestId, otherTicket, ticket));
        }
        if (!seen.contains(qMakePair(node, ticket)))
            seen.append(qMakePair(node, ticket));
        const QString owner = requestByTicket.value(ticket, requestId);
        if (owner != requestId)
            problem(QStringLiteral("ticket %1 answered both %2 and %3").arg(ticket, owner, requestId));
        requestByTicket.insert(ticket, requestId);
        const QString sameSeq = ticketBySeq.value(seqOf(ticket), ticket);
        if (sameSeq != ticket)
            problem(QStringLiteral("two tickets with one number: %1 (%2) and %3 (%4, node %5)")
                        .arg(sameSeq, requestByTicket.value(sameSeq), ticket, requestId)
                        .arg(node + 1));
        ticketBySeq.insert(seqOf(ticket), ticket);
        if (!acceptedOn.contains(ticket))
            acceptedOn.insert(ticket, node);
        if (isDecided(r.json))
            noteResult(ticket, r.json);
    }

    QSet<QString> acceptedUsers() const
    {
        QSet<QString> users;
        for (auto it = ticketsByRequest.cbegin(); it != ticketsByRequest.cend(); ++it)
            users.insert(purchases.value(it.key()).userId);
        return users;
    }

    QString summary() const
    {
        QStringList statuses;
        for (auto it = answersByStatus.cbegin(); it != answersByStatus.cend(); ++it)
            statuses << QStringLiteral("%1: %2").arg(it.key()).arg(it.value());
        int won = 0;
        for (const QJsonObject &result : results)
            won += result.value(u"state"_qs).toString() == u"won";
        return QStringLiteral("%1 requests, %2 tickets accepted, %3 won, %4 lost; answers by status {%5}")
            .arg(purchases.size())
            .arg(acceptedOn.size())
            .arg(won)
            .arg(results.size() - won)
            .arg(statuses.join(u", "_qs));
    }
};

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT
private:
    QString m_amqpUrl;
    StoreLocation m_admin;       // the database FLASHSALE_TEST_PG_URL names: only to create ours
    QString m_database;          // ours, dropped at the end
    QString m_storeUrl;          // the nodes' --store
    QString m_runId;             // in node ids and event ids: queues outlive a run
    std::vector<std::unique_ptr<Node>> m_nodes;
    std::unique_ptr<Sale> m_sale; // outlives the nodes' clients, whose callbacks it receives
    bool m_brokerStopped = false;
    QStringList m_databaseCluster; // set while the test has PostgreSQL stopped
    bool m_anyFailed = false;     // keep the database for a post-mortem

    struct Takeover {
        int node = -1;
        qint64 epoch = 0;
    };
    QHash<QString, QList<Takeover>> m_takeovers; // eventId -> the "deciding event" lines, as read

    // ---- nodes ----

    // Echoes a line a node printed with its id, and notes when the node takes an event over.
    void readLogLine(int index, const QString &line)
    {
        const Node &node = *m_nodes[index];
        static const QRegularExpression deciding(uR"(node (\S+): deciding event (\S+) \(epoch (\d+))"_qs);
        std::fprintf(stderr, "[%s] %s\n", qPrintable(node.id), qPrintable(line));
        const QRegularExpressionMatch m = deciding.match(line);
        if (m.hasMatch() && m.captured(1) == node.id)
            m_takeovers[m.captured(2)].append(Takeover{index, m.captured(3).toLongLong()});
    }

    bool startNodes()
    {
        const std::vector<quint16> ports = freeLoopbackPorts(kNodes);
        for (int i = 0; i < kNodes; ++i) {
            auto node = std::make_unique<Node>();
            node->id = QStringLiteral("%1-n%2").arg(m_runId).arg(i + 1);
            node->engine = std::make_unique<EngineProcess>(node->dataDir.path(), kToken, ports[i]);
            node->engine->extraArguments = {u"--http-threads"_qs, u"1"_qs, u"--store"_qs, m_storeUrl, u"--queue"_qs, m_amqpUrl,
                                            u"--node-id"_qs, node->id};
            node->engine->onLogLine = [this, i](const QString &line) { readLogLine(i, line); };
            node->client = std::make_unique<ApiClient>(node->engine->baseUrl(), kToken, 12);
            m_nodes.push_back(std::move(node));
        }
        // A node answers /healthz 503 until it reaches the broker and the store.
        QDeadlineTimer deadline(30000);
        for (auto &node : m_nodes) {
            if (!node->engine->start(*node->client, {}, false, int(std::max<qint64>(1, deadline.remainingTime())))) {
                qWarning("node %s did not start healthy", qPrintable(node->id));
                return false;
            }
        }
        return true;
    }

    bool allHealthy(int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        for (auto &node : m_nodes) {
            const bool up = retry([&] { return node->alive() && node->client->call("GET", u"/healthz"_qs).status == 200; },
                                  int(std::max<qint64>(0, deadline.remainingTime())));
            if (!up) {
                qWarning("node %s is not healthy", qPrintable(node->id));
                return false;
            }
        }
        return true;
    }

    std::vector<int> liveNodes() const
    {
        std::vector<int> live;
        for (int i = 0; i < int(m_nodes.size()); ++i) {
            if (m_nodes[i]->alive())
                live.push_back(i);
        }
        return live;
    }

    // SIGTERM to every live node: each must drain and exit 0.
    void stopNodesCleanly()
    {
        for (auto &node : m_nodes) {
            QVERIFY2(node->killed || node->alive(), qPrintable(node->id + u" died on its own"_qs));
            if (node->alive())
                node->engine->sendSignal(SIGTERM);
        }
        for (auto &node : m_nodes) {
            if (node->killed)
                continue;
            QVERIFY2(node->engine->waitForExit(40000), qPrintable(node->id + u" did not stop within 40 s of SIGTERM"_qs));
            QCOMPARE(node->engine->process().exitStatus(), QProcess::NormalExit);
            QCOMPARE(node->engine->process().exitCode(), 0);
        }
    }

    // ---- an event ----

    // Creates the event on node 1 (with extra fields) and opens it on node 2 (which may hear of
    // it a moment later); node 3 must then see it open.
    void createAndOpen(const QString &eventId, int stock, int perUserLimit, const QJsonObject &extra = {})
    {
        QJsonObject fields{{u"id"_qs, eventId}, {u"name"_qs, u"Cluster sale"_qs}, {u"priceCents"_qs, 1999},
                           {u"stock"_qs, stock}, {u"perUserLimit"_qs, perUserLimit}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            fields.insert(it.key(), it.value());
        const ApiReply created = m_nodes[0]->client->admin("POST", u"/api/v1/admin/events"_qs, fields);
        QVERIFY2(created.status == 201, created.body.constData());
        ApiReply opened;
        QVERIFY2(retry([&] {
                     opened = m_nodes[1]->client->admin("POST", QStringLiteral("/api/v1/admin/events/%1/open").arg(eventId));
                     return opened.status == 200;
                 }, 20000),
                 qPrintable(QStringLiteral("node 2 cannot open %1: %2 %3").arg(eventId).arg(opened.status).arg(QString::fromUtf8(opened.body))));
        QCOMPARE(opened.json.value(u"state"_qs).toString(), u"open"_qs);
        ApiReply seen;
        QVERIFY2(retry([&] {
                     seen = m_nodes[2]->client->call("GET", QStringLiteral("/api/v1/events/%1").arg(eventId));
                     return seen.status == 200 && seen.json.value(u"state"_qs).toString() == u"open";
                 }, 10000),
                 qPrintable(QStringLiteral("node 3 does not see %1 open: %2").arg(eventId, QString::fromUtf8(seen.body))));
        QCOMPARE(seen.json.value(u"stock"_qs).toInteger(), stock);
        QCOMPARE(seen.json.value(u"remaining"_qs).toInteger(), stock);
        QCOMPARE(seen.json.value(u"perUserLimit"_qs).toInteger(), perUserLimit);
    }

    void sendPurchase(int node, const Purchase &p, int waitMs, std::function<void(const ApiReply &)> then = {})
    {
        Sale &sale = *m_sale;
        sale.purchases.insert(p.requestId, p);
        const QString path = QStringLiteral("/api/v1/events/%1/purchases").arg(sale.eventId)
            + (waitMs > 0 ? QStringLiteral("?wait=%1").arg(waitMs) : QString());
        const QByteArray body = json({{u"requestId"_qs, p.requestId}, {u"userId"_qs, p.userId},
                                      {u"quantity"_qs, p.quantity}, {u"contact"_qs, p.userId + u"@example.com"_qs}});
        ++sale.inFlight;
        m_nodes[node]->client->send("POST", path, body, false, [this, node, requestId = p.requestId, then](const ApiReply &r) {
            Sale &sale = *m_sale;
            --sale.inFlight;
            sale.record(node, requestId, r, m_nodes[node]->killed);
            if (then)
                then(r);
        });
    }

    bool waitForRoom(int maxInFlight = kMaxInFlight)
    {
        return ApiClient::waitUntil([this, maxInFlight] { return m_sale->inFlight < maxInFlight; }, 60000);
    }

    // Polls every accepted ticket without a result, with ?wait, until it has one: on the node
    // that accepted it, or on a live node once that one is dead (every node hears a decision).
    // Returns the tickets still unresolved at the deadline.
    QStringList resolveAll(int timeoutMs)
    {
        Sale &sale = *m_sale;
        QDeadlineTimer deadline(timeoutMs);
        for (int round = 0;; ++round) {
            QStringList open;
            for (auto it = sale.acceptedOn.cbegin(); it != sale.acceptedOn.cend(); ++it) {
                if (!sale.results.contains(it.key()))
                    open << it.key();
            }
            const std::vector<int> live = liveNodes();
            if (open.isEmpty() || deadline.hasExpired() || live.empty())
                return open;
            auto outstanding = std::make_shared<int>(0);
            for (int i = 0; i < open.size(); ++i) {
                const QString &ticket = open[i];
                int node = sale.acceptedOn.value(ticket);
                if (!m_nodes[node]->alive())
                    node = live[std::size_t(round + i) % live.size()];
                ++*outstanding;
                m_nodes[node]->client->send("GET", QStringLiteral("/api/v1/tickets/%1?wait=5000").arg(ticket), {}, false,
                                            [this, ticket, outstanding](const ApiReply &r) {
                                                --*outstanding;
                                                if (r.status == 200 && isDecided(r.json))
                                                    m_sale->noteResult(ticket, r.json);
                                            });
            }
            ApiClient::waitUntil([outstanding] { return *outstanding == 0; }, 35000);
            ApiClient::waitUntil([] { return false; }, 200);
        }
    }

    // Every live node's view of the event eventually shows what the database sold.
    void nodesAgreeOnRemaining(qint64 remaining, const QString &state)
    {
        for (int index : liveNodes()) {
            ApiReply event;
            const bool agreed = retry([&] {
                event = m_nodes[index]->client->call("GET", QStringLiteral("/api/v1/events/%1").arg(m_sale->eventId));
                return event.json.value(u"remaining"_qs).toInteger(-1) == remaining
                    && (state.isEmpty() || event.json.value(u"state"_qs).toString() == state);
            }, 10000, 200);
            QVERIFY2(agreed, qPrintable(QStringLiteral("node %1 shows %2; the database says %3 remaining%4")
                                            .arg(index + 1)
                                            .arg(QString::fromUtf8(event.body))
                                            .arg(remaining)
                                            .arg(state.isEmpty() ? QString() : u", "_qs + state)));
        }
    }

    // ---- the database ----

    QSqlQuery sql(const QString &text, const QVariantList &values = {})
    {
        for (int attempt = 0;; ++attempt) {
            QSqlDatabase db = QSqlDatabase::database(kCheckConnection);
            QSqlQuery q(db);
            q.prepare(text);
            for (const QVariant &v : values)
                q.addBindValue(v);
            if (q.exec())
                return q;
            if (attempt == 1) {
                qWarning("%s: %s", qPrintable(text), qPrintable(q.lastError().text()));
                return q;
            }
            // The connection may be one PostgreSQL dropped when databaseRestartMidSale restarted it.
            db.close();
            db.open();
        }
    }

    qint64 scalar(const QString &text, const QVariantList &values = {})
    {
        QSqlQuery q = sql(text, values);
        return q.isActive() && q.next() ? q.value(0).toLongLong() : -1;
    }

    qint64 soldUnits()
    {
        return scalar(u"SELECT COALESCE(SUM(quantity), 0) FROM orders WHERE event_id = ?"_qs, {m_sale->eventId});
    }

    // The sale's guarantees in the database, and every answer the client got against it.
    void verifyStore(int stock, int perUserLimit)
    {
        const Sale &sale = *m_sale;
        const QVariantList event{sale.eventId};
        const qint64 sold = soldUnits();
        qInfo("%s: %lld of %d units sold", qPrintable(sale.eventId), static_cast<long long>(sold), stock);
        {
            QVERIFY2(sold >= 0 && sold <= stock, qPrintable(QStringLiteral("oversold: %1 units of %2").arg(sold).arg(stock)));
            QCOMPARE(scalar(u"SELECT stock_total FROM events WHERE id = ?"_qs, event), qint64(stock));
            QCOMPARE(scalar(u"SELECT COUNT(*) FROM (SELECT user_id FROM orders WHERE event_id = ? GROUP BY user_id "
                             "HAVING SUM(quantity) > ?) over_limit"_qs,
                            {sale.eventId, perUserLimit}),
                     0);
            // No request won twice, none journaled twice, none left undecided.
            QCOMPARE(scalar(u"SELECT COUNT(*) - COUNT(DISTINCT request_id) FROM orders WHERE event_id = ?"_qs, event), 0);
            QCOMPARE(scalar(u"SELECT COUNT(*) - COUNT(DISTINCT request_id) FROM requests WHERE event_id = ?"_qs, event), 0);
            QCOMPARE(scalar(u"SELECT COUNT(*) FROM requests WHERE event_id = ? AND state NOT IN ('won', 'lost')"_qs, event), 0);
            // Orders and won requests match one to one; an order id is its ticket's seq.
            QCOMPARE(scalar(u"SELECT COUNT(*) FROM orders o WHERE o.event_id = ? AND NOT EXISTS (SELECT 1 FROM requests r "
                             "WHERE r.seq = o.ticket_seq AND r.state = 'won' AND r.order_id = o.order_id "
                             "AND r.request_id = o.request_id AND r.user_id = o.user_id AND r.quantity = o.quantity)"_qs,
                            event),
                     0);
            QCOMPARE(scalar(u"SELECT COUNT(*) FROM requests r WHERE r.event_id = ? AND r.state = 'won' AND NOT EXISTS "
                             "(SELECT 1 FROM orders o WHERE o.order_id = r.order_id AND o.event_id = r.event_id)"_qs,
                            event),
                     0);
            QCOMPARE(scalar(u"SELECT COUNT(*) FROM orders WHERE event_id = ? AND order_id <> ticket_seq"_qs, event), 0);
            // Every user who lost is a lead.
            QCOMPARE(scalar(u"SELECT COUNT(DISTINCT r.user_id) FROM requests r WHERE r.event_id = ? AND r.state = 'lost' "
                             "AND NOT EXISTS (SELECT 1 FROM intents i WHERE i.event_id = r.event_id AND i.user_id = r.user_id)"_qs,
                            event),
                     0);
        }

        // Every answer against the journal.
        struct Row {
            qint64 seq = 0;
            qint64 tag = 0;
            QString requestId, userId, state, reason;
            int quantity = 0;
            qint64 orderId = 0;
        };
        QHash<qint64, Row> bySeq;
        QHash<QString, qint64> seqByRequest;
        QSqlQuery q = sql(u"SELECT seq, ticket_tag, request_id, user_id, quantity, state, COALESCE(reason, ''), "
                          "COALESCE(order_id, 0) FROM requests WHERE event_id = ?"_qs,
                          event);
        while (q.next()) {
            Row row{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toString(),
                    q.value(5).toString(), q.value(6).toString(), q.value(4).toInt(), q.value(7).toLongLong()};
            seqByRequest.insert(row.requestId, row.seq);
            bySeq.insert(row.seq, row);
        }
        QStringList mismatches;
        for (auto it = sale.ticketsByRequest.cbegin(); it != sale.ticketsByRequest.cend(); ++it) {
            const QString &requestId = it.key();
            const Purchase sent = sale.purchases.value(requestId);
            if (!seqByRequest.contains(requestId)) {
                mismatches << QStringLiteral("request %1 was accepted (%2) but is not in requests").arg(requestId, it->first().second);
                continue;
            }
            const Row &row = bySeq[seqByRequest.value(requestId)];
            if (row.userId != sent.userId || row.quantity != sent.quantity)
                mismatches << QStringLiteral("request %1 journaled as %2 x%3").arg(requestId, row.userId).arg(row.quantity);
            bool journaledTicketSeen = false;
            const bool onSeveralNodes = std::any_of(it->cbegin(), it->cend(), [&](const auto &seen) { return seen.first != it->first().first; });
            for (const auto &[node, ticket] : *it) {
                const qint64 seq = seqOf(ticket);
                const QString tagText = QStringLiteral("%1").arg(quint64(row.tag), 8, 16, QLatin1Char('0')); // BIGINT: the 64-bit tag
                if (seq == row.seq) {
                    journaledTicketSeen = true;
                    if (ticket.section(u'-', 1) != tagText)
                        mismatches << QStringLiteral("ticket %1 has tag %2 in requests").arg(ticket, tagText);
                } else if (bySeq.contains(seq)) {
                    mismatches << QStringLiteral("ticket %1 of %2 is request %3 in requests").arg(ticket, requestId, bySeq[seq].requestId);
                } else if (!onSeveralNodes) {
                    // Only a retry on another node may get a ticket that is never journaled: its
                    // decider answers it with the first one's decision.
                    mismatches << QStringLiteral("ticket %1 of %2 is not in requests").arg(ticket, requestId);
                }
                const QJsonObject result = sale.results.value(ticket);
                const QString state = result.value(u"state"_qs).toString();
                if (state != row.state || (state == u"won" && result.value(u"orderId"_qs).toInteger() != row.orderId)
                    || (state == u"lost" && result.value(u"reason"_qs).toString() != row.reason))
                    mismatches << QStringLiteral("node %1 said %2 for ticket %3 of %4; requests says %5 %6 %7")
                                      .arg(node + 1)
                                      .arg(QString::fromUtf8(json(result)), ticket, requestId, row.state, row.reason)
                                      .arg(row.orderId);
            }
            if (!journaledTicketSeen)
                mismatches << QStringLiteral("request %1 is journaled under seq %2, a ticket no node gave the client").arg(requestId).arg(row.seq);
        }
        QVERIFY2(mismatches.isEmpty(), qPrintable(QStringLiteral("%1 answers disagree with the database, e.g.:\n").arg(mismatches.size())
                                                  + mismatches.mid(0, 20).join(u'\n')));
    }

    void describeUnresolved(const QStringList &unresolved)
    {
        for (const QString &ticket : unresolved.mid(0, 20)) {
            QSqlQuery q = sql(u"SELECT request_id, state, COALESCE(reason, ''), COALESCE(order_id, 0), accepted_at_ms, "
                              "decided_at_ms FROM requests WHERE seq = ?"_qs,
                              {seqOf(ticket)});
            const QString row = q.next() ? QStringLiteral("requests: %1 %2%3 order %4, accepted_at_ms %5, decided_at_ms %6")
                                               .arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                                    q.value(3).toString(), q.value(4).toString(), q.value(5).toString())
                                         : u"not in requests"_qs;
            qWarning("unresolved ticket %s (%s, accepted on node %d): %s", qPrintable(ticket),
                     qPrintable(m_sale->requestByTicket.value(ticket)), m_sale->acceptedOn.value(ticket) + 1, qPrintable(row));
        }
    }

    void resolveEverything(int timeoutMs)
    {
        const QStringList unresolved = resolveAll(timeoutMs);
        describeUnresolved(unresolved);
        QVERIFY2(unresolved.isEmpty(), qPrintable(QStringLiteral("%1 accepted tickets never resolved to won/lost; %2")
                                                      .arg(unresolved.size())
                                                      .arg(m_sale->summary())));
    }

    // The end of a sale of one unit per user: every ticket resolves, the database holds the
    // guarantees, enough distinct buyers means a sell-out, the nodes agree, and stop cleanly.
    void finishOneUnitSale(int stock)
    {
        Sale &sale = *m_sale;
        resolveEverything(40000);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(sale.problems.isEmpty(), qPrintable(sale.problems.mid(0, 10).join(u'\n')));
        qInfo("%s", qPrintable(sale.summary()));

        verifyStore(stock, 1);
        if (QTest::currentTestFailed())
            return;
        const qint64 sold = soldUnits();
        if (sale.acceptedUsers().size() >= stock)
            QCOMPARE(sold, qint64(stock));
        nodesAgreeOnRemaining(stock - sold, sold == stock ? u"sold_out"_qs : u"open"_qs);
        if (QTest::currentTestFailed())
            return;
        stopNodesCleanly();
    }

    // ---- orders and payment ----

    // The node deciding the event now: the one that logged the highest epoch for it (-1: none yet).
    int deciderOf(const QString &eventId) const
    {
        const QList<Takeover> takeovers = m_takeovers.value(eventId);
        const auto current = std::max_element(takeovers.cbegin(), takeovers.cend(),
                                              [](const Takeover &a, const Takeover &b) { return a.epoch < b.epoch; });
        return current == takeovers.cend() ? -1 : current->node;
    }

    // Buyer i's purchase of one unit on node, answered once decided (so purchases made one
    // after another are decided in that order).
    QJsonObject buyAndWait(int node, const QString &eventId, int i)
    {
        const ApiReply r = m_nodes[node]->client->call(
            "POST", QStringLiteral("/api/v1/events/%1/purchases?wait=8000").arg(eventId),
            purchaseBody(QStringLiteral("r%1").arg(i), QStringLiteral("buyer-%1").arg(i), 1, QStringLiteral("b%1@example.com").arg(i)));
        return r.status == 200 ? r.json : QJsonObject{{u"status"_qs, r.status}, {u"body"_qs, QString::fromUtf8(r.body)}};
    }

    ApiReply actOnOrder(int node, const QString &eventId, qint64 orderId, const QString &verb)
    {
        return m_nodes[node]->client->admin("POST", QStringLiteral("/api/v1/admin/events/%1/orders/%2/%3").arg(eventId).arg(orderId).arg(verb));
    }

    struct StoredOrder {
        qint64 orderId = 0;
        QString userId, requestId, status, source;
        qint64 ticketSeq = 0, decidedAtMs = 0, expiresAtMs = 0, paidAtMs = 0;
        int quantity = 0;
        bool exists() const { return orderId > 0; }
    };

    // The event's orders in PostgreSQL, in the order they were made.
    QList<StoredOrder> storedOrders(const QString &eventId)
    {
        QList<StoredOrder> orders;
        QSqlQuery q = sql(u"SELECT order_id, user_id, request_id, status, source, ticket_seq, decided_at_ms, expires_at_ms, "
                          "paid_at_ms, quantity FROM orders WHERE event_id = ? ORDER BY decided_at_ms, order_id"_qs,
                          {eventId});
        while (q.next()) {
            orders.append(StoredOrder{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(),
                                      q.value(3).toString(), q.value(4).toString(), q.value(5).toLongLong(),
                                      q.value(6).toLongLong(), q.value(7).toLongLong(), q.value(8).toLongLong(),
                                      q.value(9).toInt()});
        }
        return orders;
    }

    StoredOrder storedOrderOf(const QString &eventId, int buyer, const QString &source)
    {
        for (const StoredOrder &o : storedOrders(eventId)) {
            if (o.userId == QStringLiteral("buyer-%1").arg(buyer) && o.source == source)
                return o;
        }
        return {};
    }

    // The units of a windowed event in PostgreSQL: won + offered − freed = held ≤ stock, the
    // decider's remaining = stock − held (so never negative), nothing held twice by one request
    // or one shopper (limit 1), every lead offered once at most and only for a sold_out loss,
    // no order both paid and expired. Empty when all hold.
    QStringList unitProblems(const QString &eventId, int decider)
    {
        QStringList problems;
        qint64 won = 0, offered = 0, freed = 0, held = 0;
        QSet<QString> holdingRequests, holdingUsers, offeredUsers;
        for (const StoredOrder &o : storedOrders(eventId)) {
            (o.source == u"offer" ? offered : won) += o.quantity;
            if (o.status == u"cancelled" || o.status == u"expired") {
                freed += o.quantity;
            } else {
                held += o.quantity;
                if (holdingRequests.contains(o.requestId) || holdingUsers.contains(o.userId))
                    problems << QStringLiteral("%1 / %2 holds units through two orders").arg(o.requestId, o.userId);
                holdingRequests.insert(o.requestId);
                holdingUsers.insert(o.userId);
            }
            if ((o.status == u"paid") != (o.paidAtMs > 0))
                problems << QStringLiteral("order %1 is %2 with paid_at_ms %3").arg(o.orderId).arg(o.status).arg(o.paidAtMs);
            if (o.source == u"offer") {
                if (offeredUsers.contains(o.userId))
                    problems << QStringLiteral("%1 was offered units twice").arg(o.userId);
                offeredUsers.insert(o.userId);
                if (scalar(u"SELECT COUNT(*) FROM requests WHERE seq = ? AND request_id = ? AND state = 'lost' "
                           "AND reason = 'sold_out'"_qs, {o.ticketSeq, o.requestId}) != 1)
                    problems << QStringLiteral("offer %1 is not for a sold_out loss").arg(o.orderId);
            }
        }
        const qint64 stock = scalar(u"SELECT stock_total FROM events WHERE id = ?"_qs, {eventId});
        if (won + offered - freed != held)
            problems << QStringLiteral("won %1 + offered %2 - freed %3 != sold %4").arg(won).arg(offered).arg(freed).arg(held);
        if (held > stock)
            problems << QStringLiteral("sold %1 of %2").arg(held).arg(stock);
        if (decider >= 0 && m_nodes[decider]->alive()) {
            const QJsonObject event = m_nodes[decider]->client->admin("GET", u"/api/v1/admin/events/"_qs + eventId).json;
            if (event.value(u"remaining"_qs).toInteger(-1) != stock - held)
                problems << QStringLiteral("the decider shows remaining %1; the store holds %2 of %3")
                                .arg(event.value(u"remaining"_qs).toInteger(-1)).arg(held).arg(stock);
        }
        return problems;
    }

    // Every live node shows the lead's ticket with the offer (the decider announced it).
    void everyNodeShowsOffer(const QString &ticket, const StoredOrder &offer)
    {
        for (int index : liveNodes()) {
            ApiReply shown;
            const bool seen = retry([&] {
                shown = m_nodes[index]->client->call("GET", u"/api/v1/tickets/"_qs + ticket);
                return shown.json.value(u"offer"_qs).toObject().value(u"orderId"_qs).toInteger() == offer.orderId;
            }, 10000, 100);
            QVERIFY2(seen, qPrintable(QStringLiteral("node %1 shows %2 for %3").arg(index + 1).arg(QString::fromUtf8(shown.body), ticket)));
            QCOMPARE(shown.json.value(u"state"_qs).toString(), u"lost"_qs);
            QCOMPARE(QDateTime::fromString(shown.json[u"offer"_qs][u"expiresAt"_qs].toString(), Qt::ISODateWithMs).toMSecsSinceEpoch(),
                     offer.expiresAtMs);
        }
    }

    // ---- the broker ----

    static QString rabbitmqctl()
    {
        QString path = QStandardPaths::findExecutable(u"rabbitmqctl"_qs);
        if (path.isEmpty())
            path = QStandardPaths::findExecutable(u"rabbitmqctl"_qs, {u"/usr/sbin"_qs, u"/sbin"_qs, u"/usr/lib/rabbitmq/bin"_qs});
        return path;
    }

    // Starts `rabbitmqctl ARGS` and processes events (the nodes' logs, answers) until it ends.
    static bool runRabbitmqctl(const QStringList &args, int timeoutMs, QString *output = nullptr)
    {
        return runTool(rabbitmqctl(), args, timeoutMs, output);
    }

    // Starts a server's control tool and processes events (the nodes' logs, answers) until it ends.
    static bool runTool(const QString &program, const QStringList &args, int timeoutMs, QString *output = nullptr)
    {
        QProcess ctl;
        ctl.setProcessChannelMode(QProcess::MergedChannels);
        ctl.start(program, args);
        if (!ctl.waitForStarted(5000))
            return false;
        const bool done = ApiClient::waitUntil([&] { return ctl.state() == QProcess::NotRunning; }, timeoutMs);
        if (!done) {
            ctl.kill();
            ctl.waitForFinished(5000);
        }
        if (output)
            *output = QString::fromUtf8(ctl.readAll()).trimmed();
        return done && ctl.exitStatus() == QProcess::NormalExit && ctl.exitCode() == 0;
    }

    // ---- the database server ----

    // pg_ctlcluster's VERSION and NAME of the local cluster on the test URL's port, if this
    // process may restart it (as root); otherwise empty and why.
    QStringList postgresCluster(QString *why) const
    {
        const QString lsclusters = QStandardPaths::findExecutable(u"pg_lsclusters"_qs);
        if (lsclusters.isEmpty() || QStandardPaths::findExecutable(u"pg_ctlcluster"_qs).isEmpty()) {
            *why = u"pg_lsclusters/pg_ctlcluster are not installed"_qs;
            return {};
        }
        if (::geteuid() != 0) {
            *why = u"restarting PostgreSQL needs root"_qs;
            return {};
        }
        QString output;
        if (!runTool(lsclusters, {u"-h"_qs}, 10000, &output)) {
            *why = u"pg_lsclusters failed: "_qs + output;
            return {};
        }
        for (const QString &line : output.split(u'\n')) {
            const QStringList fields = line.simplified().split(u' ');
            if (fields.size() >= 3 && fields[2].toInt() == m_admin.port)
                return {fields[0], fields[1]};
        }
        *why = QStringLiteral("no local cluster on port %1").arg(m_admin.port);
        return {};
    }

    // ---- both outages ----

    // A new shopper's purchase, sent to the nodes in turn; half of them wait for the result.
    void sendFresh(int index, QRandomGenerator &rng)
    {
        const Purchase p{QStringLiteral("r%1").arg(index), QStringLiteral("u%1").arg(index), 1};
        sendPurchase(index % kNodes, p, rng.bounded(2) ? 3000 : 0);
    }

    // Every node refuses purchases with a JSON 503 whose message contains mentions, and says it is unhealthy.
    void everyNodeRefuses(const QString &mentions)
    {
        int attempt = 0;
        for (int node = 0; node < kNodes; ++node) {
            QString last;
            const auto gotRefused = [&] {
                const Purchase p{QStringLiteral("outage-%1-%2").arg(node).arg(attempt),
                                 QStringLiteral("outage-user-%1-%2").arg(node).arg(attempt), 1};
                ++attempt;
                auto answer = std::make_shared<ApiReply>();
                sendPurchase(node, p, 0, [answer](const ApiReply &r) { *answer = r; });
                ApiClient::waitUntil([&] { return answer->status != 0; }, 35000);
                last = QString::fromUtf8(answer->body);
                return answer->status == 503 && !answer->json.value(u"error"_qs).toString().isEmpty()
                    && answer->json.value(u"message"_qs).toString().contains(mentions);
            };
            QVERIFY2(retry(gotRefused, 10000),
                     qPrintable(QStringLiteral("node %1 does not refuse purchases naming %2; last answer: %3")
                                    .arg(node + 1).arg(mentions, last)));
            QCOMPARE(m_nodes[node]->client->call("GET", u"/healthz"_qs).status, 503);
        }
    }

    // After an outage: 1,200 new purchases and every refused one again (the client's retry with
    // the same requestId), all accepted; then the sale ends as usual.
    void resumeAfterOutage(int stock, int acceptedBefore, int *sent, QRandomGenerator &rng)
    {
        Sale &sale = *m_sale;
        const QHash<QString, int> refused = sale.refusedOn;
        for (int i = 0; i < 1200; ++i) {
            QVERIFY2(waitForRoom(), qPrintable(sale.summary()));
            sendFresh((*sent)++, rng);
        }
        for (auto it = refused.cbegin(); it != refused.cend(); ++it) {
            QVERIFY(waitForRoom());
            sendPurchase(it.value(), sale.purchases.value(it.key()), 3000);
        }
        QVERIFY2(ApiClient::waitUntil([&] { return sale.inFlight == 0; }, 60000), qPrintable(sale.summary()));
        QVERIFY2(sale.problems.isEmpty(), qPrintable(sale.problems.mid(0, 10).join(u'\n')));
        qInfo("%lld requests refused during the outage, all retried", static_cast<long long>(refused.size()));
        for (auto it = refused.cbegin(); it != refused.cend(); ++it)
            QVERIFY2(sale.ticketsByRequest.contains(it.key()), qPrintable(it.key() + u" is still refused after the outage"_qs));
        QVERIFY(int(sale.acceptedOn.size()) > acceptedBefore + 1100);
        finishOneUnitSale(stock);
    }

private Q_SLOTS:
    void initTestCase()
    {
        // pg_ctlcluster start (databaseRestartMidSale, cleanup) leaves a server running after
        // this test: it must not inherit this process's descriptors, such as the lock held by
        // `flock LOCKFILE ctest`, or it would keep that lock for the rest of its life.
        QVERIFY(::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0);
        const QString pgUrl = qEnvironmentVariable("FLASHSALE_TEST_PG_URL");
        m_amqpUrl = qEnvironmentVariable("FLASHSALE_TEST_AMQP_URL");
        if (pgUrl.isEmpty() || m_amqpUrl.isEmpty()) {
            const QByteArray missing = pgUrl.isEmpty() && m_amqpUrl.isEmpty() ? "FLASHSALE_TEST_PG_URL and FLASHSALE_TEST_AMQP_URL are"
                : pgUrl.isEmpty()                                          ? "FLASHSALE_TEST_PG_URL is"
                                                                           : "FLASHSALE_TEST_AMQP_URL is";
            SKIP_UNLESS_CI(QStringLiteral("%1 not set; run scripts/start-postgres.sh and scripts/start-rabbitmq.sh and export "
                                          "the URLs they print (e.g. postgresql://flashsale:flashsale@127.0.0.1:5432/flashsale_test "
                                          "and amqp://guest:guest@127.0.0.1:5672/); scripts/test.sh does")
                               .arg(QString::fromLatin1(missing)));
        }
        QString error;
        m_admin = StoreLocation::fromUrl(pgUrl, &error);
        QVERIFY2(!m_admin.driver.isEmpty(), qPrintable(error));

        // A database of our own: tst_postgres empties the one in the URL.
        m_runId = randomSuffix();
        m_database = u"flashsale_cluster_"_qs + m_runId;
        {
            QSqlDatabase admin = QSqlDatabase::addDatabase(u"QPSQL"_qs, kAdminConnection);
            admin.setHostName(m_admin.host);
            admin.setPort(m_admin.port);
            admin.setUserName(m_admin.user);
            admin.setPassword(m_admin.password);
            admin.setDatabaseName(m_admin.databaseName);
            QVERIFY2(admin.open(), qPrintable(admin.lastError().text()));
            QSqlQuery create(admin);
            QVERIFY2(create.exec(u"CREATE DATABASE "_qs + m_database),
                     qPrintable(QStringLiteral("cannot create database %1 (the test role needs CREATEDB; scripts/start-postgres.sh "
                                               "grants it): %2")
                                    .arg(m_database, create.lastError().text())));
        }
        QUrl storeUrl(pgUrl);
        storeUrl.setPath(u"/"_qs + m_database);
        m_storeUrl = storeUrl.toString();
        QSqlDatabase check = QSqlDatabase::addDatabase(u"QPSQL"_qs, kCheckConnection);
        check.setHostName(m_admin.host);
        check.setPort(m_admin.port);
        check.setUserName(m_admin.user);
        check.setPassword(m_admin.password);
        check.setDatabaseName(m_database);
        QVERIFY2(check.open(), qPrintable(check.lastError().text()));
        qInfo("database %s, run %s", qPrintable(m_database), qPrintable(m_runId));
    }

    void cleanup()
    {
        m_anyFailed = m_anyFailed || QTest::currentTestFailed();
        // The nodes are killed (EngineProcess) and the clients go before the sale and before any
        // event processing: a pending callback may refer to the finished test function's locals.
        m_nodes.clear();
        m_sale.reset();
        if (m_brokerStopped) {
            qWarning("starting the RabbitMQ application again");
            runRabbitmqctl({u"start_app"_qs}, 120000);
            m_brokerStopped = false;
        }
        if (!m_databaseCluster.isEmpty()) {
            qWarning("starting PostgreSQL again");
            runTool(u"pg_ctlcluster"_qs, {m_databaseCluster[0], m_databaseCluster[1], u"start"_qs}, 60000);
            m_databaseCluster.clear();
        }
    }

    void cleanupTestCase()
    {
        if (QSqlDatabase::contains(kCheckConnection)) {
            QSqlDatabase::database(kCheckConnection).close();
            QSqlDatabase::removeDatabase(kCheckConnection);
        }
        if (!QSqlDatabase::contains(kAdminConnection))
            return;
        if (m_anyFailed) {
            qWarning("keeping database %s for a look at what failed; drop it when done", qPrintable(m_database));
        } else {
            QSqlDatabase admin = QSqlDatabase::database(kAdminConnection);
            admin.close(); // PostgreSQL may have been restarted since it was opened
            admin.open();
            QSqlQuery drop(admin);
            // FORCE (PostgreSQL 13+) ends connections a killed node may have left behind.
            if (!drop.exec(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_database))
                && !drop.exec(QStringLiteral("DROP DATABASE IF EXISTS %1").arg(m_database)))
                qWarning("cannot drop %s: %s", qPrintable(m_database), qPrintable(drop.lastError().text()));
        }
        QSqlDatabase::database(kAdminConnection).close();
        QSqlDatabase::removeDatabase(kAdminConnection);
    }

    // ~4,000 purchases for 500 units, round-robin over three nodes, with retries on the same
    // node and on another one.
    void threeNodesShareOneSale()
    {
        QVERIFY(startNodes());
        m_sale = std::make_unique<Sale>();
        Sale &sale = *m_sale;
        sale.eventId = u"share-"_qs + randomSuffix();
        const int stock = 500;
        const int limit = 2;
        createAndOpen(sale.eventId, stock, limit);
        if (QTest::currentTestFailed())
            return;

        QRandomGenerator rng(20261111);
        QElapsedTimer timer;
        timer.start();
        const int total = 4000;
        QList<QPair<QString, int>> sent;     // fresh requests and the node each went to
        QList<QPair<QString, int>> accepted; // ... that a node accepted, in answer order
        int sameNodeRetries = 0;
        int otherNodeRetries = 0;
        int fresh = 0;
        for (int i = 0; i < total; ++i) {
            QVERIFY2(waitForRoom(), qPrintable(sale.summary()));
            const int waitMs = rng.bounded(2) ? 3000 : 0;
            if (i > 100 && i % 20 == 19) {
                // A client retrying after a timeout on the same node: the same ticket.
                const auto &[requestId, node] = sent[rng.bounded(int(sent.size()))];
                sendPurchase(node, sale.purchases.value(requestId), waitMs);
                ++sameNodeRetries;
            } else if (i > 100 && i % 40 == 7 && !accepted.isEmpty()) {
                // ... on another node, mostly before the first is decided: the same result.
                const qsizetype recent = std::min<qsizetype>(accepted.size(), 200);
                const auto &[requestId, node] = accepted[accepted.size() - recent + rng.bounded(int(recent))];
                sendPurchase((node + 1) % kNodes, sale.purchases.value(requestId), waitMs);
                ++otherNodeRetries;
            } else {
                const Purchase p{QStringLiteral("r%1").arg(i), QStringLiteral("u%1").arg(rng.bounded(1500)), 1 + int(rng.bounded(2))};
                const int node = fresh++ % kNodes;
                sent.append(qMakePair(p.requestId, node));
                sendPurchase(node, p, waitMs, [&accepted, requestId = p.requestId, node](const ApiReply &r) {
                    if (r.status == 200 || r.status == 202)
                        accepted.append(qMakePair(requestId, node));
                });
            }
        }
        QVERIFY2(ApiClient::waitUntil([&] { return sale.inFlight == 0; }, 60000), qPrintable(sale.summary()));
        qInfo("%d purchases (%d retried on the same node, %d on another) answered in %lld ms", total, sameNodeRetries,
              otherNodeRetries, static_cast<long long>(timer.elapsed()));
        QVERIFY(sameNodeRetries >= 150 && otherNodeRetries >= 75);
        QVERIFY2(sale.problems.isEmpty(), qPrintable(sale.problems.mid(0, 10).join(u'\n')));
        // Nothing refused: both servers were up the whole time.
        QCOMPARE(sale.answersByStatus.value(200) + sale.answersByStatus.value(202), total);

        resolveEverything(40000);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(sale.problems.isEmpty(), qPrintable(sale.problems.mid(0, 10).join(u'\n')));
        qInfo("%s", qPrintable(sale.summary()));

        // Demand is far above the stock: everything sells, exactly.
        verifyStore(stock, limit);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(soldUnits(), qint64(stock));
        nodesAgreeOnRemaining(0, u"sold_out"_qs);
        if (QTest::currentTestFailed())
            return;
        stopNodesCleanly();
    }

    // SIGKILL the node deciding the event after ~150 decisions; a survivor takes over within 10 s.
    void deciderKilledMidSale()
    {
        QVERIFY(startNodes());
        m_sale = std::make_unique<Sale>();
        Sale &sale = *m_sale;
        sale.eventId = u"kill-"_qs + randomSuffix();
        const int stock = 500;
        createAndOpen(sale.eventId, stock, 1);
        if (QTest::currentTestFailed())
            return;

        QRandomGenerator rng(4242);
        const int total = 2400;
        int killed = -1;
        qint64 killedEpoch = 0;
        QElapsedTimer sinceKill;
        qint64 firstDecisionAfterKillMs = -1;
        QSet<QString> sentAfterKill;
        sale.onDecision = [&](const QString &ticket) {
            if (firstDecisionAfterKillMs < 0 && sentAfterKill.contains(sale.requestByTicket.value(ticket)))
                firstDecisionAfterKillMs = sinceKill.elapsed();
        };
        int next = 0;
        for (int i = 0; i < total; ++i) {
            QVERIFY2(waitForRoom(), qPrintable(sale.summary()));
            if (killed < 0 && sale.decidedAnswers >= 150) {
                const QList<Takeover> takeovers = m_takeovers.value(sale.eventId);
                QVERIFY2(!takeovers.isEmpty(), "no node logged that it decides the event");
                const auto current = std::max_element(takeovers.cbegin(), takeovers.cend(),
                                                      [](const Takeover &a, const Takeover &b) { return a.epoch < b.epoch; });
                killed = current->node;
                killedEpoch = current->epoch;
                qInfo("killing %s, the decider (epoch %lld), after %d decisions (request %d), at %lld ms since the epoch",
                      qPrintable(m_nodes[killed]->id), static_cast<long long>(killedEpoch), sale.decidedAnswers, i,
                      static_cast<long long>(QDateTime::currentMSecsSinceEpoch()));
                m_nodes[killed]->killed = true;
                sinceKill.start();
                QCOMPARE(::kill(pid_t(m_nodes[killed]->engine->pid()), SIGKILL), 0);
                // Probes that wait for their decision as long as the API allows.
                for (int survivor : liveNodes()) {
                    const Purchase probe{QStringLiteral("probe-%1").arg(survivor), QStringLiteral("probe-user-%1").arg(survivor), 1};
                    sentAfterKill.insert(probe.requestId);
                    sendPurchase(survivor, probe, 10000);
                }
            }
            const Purchase p{QStringLiteral("r%1").arg(i), QStringLiteral("u%1").arg(i), 1};
            std::vector<int> targets;
            for (int n = 0; n < kNodes; ++n) {
                if (!m_nodes[n]->killed)
                    targets.push_back(n);
            }
            if (killed >= 0)
                sentAfterKill.insert(p.requestId);
            sendPurchase(targets[std::size_t(next++) % targets.size()], p, rng.bounded(2) ? 3000 : 0);
        }
        QVERIFY2(ApiClient::waitUntil([&] { return sale.inFlight == 0; }, 60000), qPrintable(sale.summary()));
        QVERIFY2(sale.problems.isEmpty(), qPrintable(sale.problems.mid(0, 10).join(u'\n')));
        QVERIFY2(killed >= 0, qPrintable(u"never reached 150 decisions: "_qs + sale.summary()));
        QVERIFY(m_nodes[killed]->engine->waitForExit(10000));
        QCOMPARE(m_nodes[killed]->engine->process().exitStatus(), QProcess::CrashExit);

        // Fail-over: a survivor logs that it decides the event, under a higher epoch, and the first
        // decision after the kill comes within the limit.
        ApiClient::waitUntil([&] { return firstDecisionAfterKillMs >= 0; }, kFailoverLimitMs + 5000);
        QVERIFY2(firstDecisionAfterKillMs >= 0, "no purchase sent after the kill was decided within 15 s");
        qInfo("first decision %lld ms after the decider was killed", static_cast<long long>(firstDecisionAfterKillMs));
        QVERIFY2(firstDecisionAfterKillMs <= kFailoverLimitMs,
                 qPrintable(QStringLiteral("fail-over took %1 ms").arg(firstDecisionAfterKillMs)));
        const auto tookOver = [&] {
            const QList<Takeover> takeovers = m_takeovers.value(sale.eventId);
            return std::any_of(takeovers.cbegin(), takeovers.cend(),
                               [&](const Takeover &t) { return t.node != killed && t.epoch > killedEpoch; });
        };
        QVERIFY2(ApiClient::waitUntil(tookOver, 5000), "no survivor logged that it decides the event");

        int answeredByKilled = 0;
        int queuedOnKilled = 0;
        for (auto it = sale.acceptedOn.cbegin(); it != sale.acceptedOn.cend(); ++it) {
            answeredByKilled += it.value() == killed;
            queuedOnKilled += it.value() == killed && !sale.results.contains(it.key());
        }
        qInfo("the killed node accepted %d tickets, %d of them still queued: resolved on the survivors", answeredByKilled,
              queuedOnKilled);
        QVERIFY(answeredByKilled > 0);
        QVERIFY2(sale.problems.isEmpty(), qPrintable(sale.problems.mid(0, 10).join(u'\n')));

        finishOneUnitSale(stock);
    }

    // Issue 13's lifecycle on the cluster: stock 3, a 3 s payment window and policy offer; of 8
    // buyers spread over the nodes 3 win; one pays through a node that does not decide the
    // event, one cancels through another, one lets the deadline pass (the decider expires it);
    // the two freed units are offered to the first two leads in decision order, which every
    // node shows on the lead's ticket and pushes over WebSocket; one of them pays. The units
    // add up in PostgreSQL at every step.
    void orderLifecycleAcrossNodes()
    {
        QVERIFY(startNodes());
        // The shop's webhook endpoint, set through one node, in the shared database.
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        const ApiReply hook = m_nodes[0]->client->admin("PUT", u"/api/v1/admin/webhook"_qs, {{u"url"_qs, receiver.url()}});
        QCOMPARE(hook.status, 200);
        receiver.setSecret(hook.json.value(u"secret"_qs).toString().toUtf8());
        m_sale = std::make_unique<Sale>();
        const QString eventId = m_sale->eventId = u"pay-"_qs + randomSuffix();
        createAndOpen(eventId, 3, 1, {{u"paymentWindowSeconds"_qs, kWindowSeconds}, {u"releasePolicy"_qs, u"offer"_qs}});
        if (QTest::currentTestFailed())
            return;
        // The window and the policy reached the nodes that did not create the event.
        for (int index = 1; index < kNodes; ++index) {
            const QJsonObject event = m_nodes[index]->client->admin("GET", u"/api/v1/admin/events/"_qs + eventId).json;
            QCOMPARE(event.value(u"paymentWindowSeconds"_qs).toInt(), kWindowSeconds);
            QCOMPARE(event.value(u"releasePolicy"_qs).toString(), u"offer"_qs);
        }
        const int decider = deciderOf(eventId);
        QVERIFY2(decider >= 0, "no node logged that it decides the event");
        const int other = (decider + 1) % kNodes;
        const int third = (decider + 2) % kNodes;

        QStringList tickets;
        for (int i = 0; i < 8; ++i) {
            const QJsonObject answer = buyAndWait(i % kNodes, eventId, i);
            QVERIFY2(answer.value(u"state"_qs).toString() == (i < 3 ? u"won"_qs : u"lost"_qs),
                     qPrintable(QString::fromUtf8(json(answer))));
            if (i >= 3)
                QCOMPARE(answer.value(u"reason"_qs).toString(), u"sold_out"_qs);
            tickets << answer.value(u"ticket"_qs).toString();
        }
        // Within the window: buyer 0 pays through a node that does not decide the event, buyer
        // 1 cancels through the third node, and the freed unit goes to the first lead, buyer 3,
        // in the same commit, who pays too. Each answer follows the commit.
        QCOMPARE(unitProblems(eventId, decider), QStringList());
        const StoredOrder toPay = storedOrderOf(eventId, 0, u"sale"_qs);
        const StoredOrder toCancel = storedOrderOf(eventId, 1, u"sale"_qs);
        const StoredOrder toExpire = storedOrderOf(eventId, 2, u"sale"_qs);
        QCOMPARE(storedOrders(eventId).size(), 3);
        const ApiReply paid = actOnOrder(other, eventId, toPay.orderId, u"paid"_qs);
        QVERIFY2(paid.status == 200, paid.body.constData());
        QCOMPARE(storedOrderOf(eventId, 0, u"sale"_qs).status, u"paid"_qs);
        const ApiReply cancelled = actOnOrder(third, eventId, toCancel.orderId, u"cancel"_qs);
        QVERIFY2(cancelled.status == 200, cancelled.body.constData());
        const StoredOrder offer3 = storedOrderOf(eventId, 3, u"offer"_qs);
        QVERIFY(offer3.exists());
        const ApiReply paidOffer = actOnOrder(other, eventId, offer3.orderId, u"paid"_qs);
        QVERIFY2(paidOffer.status == 200, paidOffer.body.constData());

        // Buyer 4, the second lead, listens on a node that neither decides nor accepted its ticket.
        const int listenOn = 4 % kNodes == other ? third : other;
        QWebSocket lead4;
        QList<QJsonObject> pushed;
        connect(&lead4, &QWebSocket::textMessageReceived, this,
                [&pushed](const QString &text) { pushed.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
        lead4.open(QUrl(m_nodes[listenOn]->engine->baseUrl().replace(u"http:"_qs, u"ws:"_qs) + u"/api/v1/ws"_qs));
        QVERIFY(ApiClient::waitUntil([&] { return lead4.state() == QAbstractSocket::ConnectedState; }, 10000));
        lead4.sendTextMessage(QString::fromUtf8(json({{u"op"_qs, u"subscribe"_qs}, {u"ticket"_qs, tickets[4]}})));
        const auto pushedOp = [&pushed](const QString &op) {
            QList<QJsonObject> found;
            for (const QJsonObject &m : pushed) {
                if (m.value(u"op"_qs).toString() == op)
                    found.append(m);
            }
            return found;
        };

        // What was decided: 3 sale orders with the window, the first paid (answered with the
        // order; again the same answer; it cannot be cancelled), the second cancelled, its unit
        // offered to buyer 3 under the lead's ticket number, which every node shows on the
        // ticket, and paid.
        for (const StoredOrder &o : storedOrders(eventId)) {
            QCOMPARE(o.expiresAtMs - o.decidedAtMs, qint64(kWindowSeconds) * 1000);
            if (o.source == u"sale" && o.orderId == toExpire.orderId)
                QVERIFY(o.status == u"pending_payment" || o.status == u"expired");
        }
        QCOMPARE(paid.json.value(u"status"_qs).toString(), u"paid"_qs);
        QCOMPARE(paid.json.value(u"orderId"_qs).toInteger(), toPay.orderId);
        QVERIFY(!paid.json.value(u"paidAt"_qs).toString().isEmpty());
        QCOMPARE(actOnOrder(third, eventId, toPay.orderId, u"paid"_qs).json, paid.json);
        const ApiReply refused = actOnOrder(third, eventId, toPay.orderId, u"cancel"_qs);
        QCOMPARE(refused.status, 409);
        QCOMPARE(refused.json.value(u"error"_qs).toString(), u"invalid_state"_qs);
        QCOMPARE(actOnOrder(other, eventId, 999'999'999, u"paid"_qs).status, 404);
        QCOMPARE(cancelled.json.value(u"status"_qs).toString(), u"cancelled"_qs);
        QCOMPARE(storedOrderOf(eventId, 1, u"sale"_qs).status, u"cancelled"_qs);
        QCOMPARE(offer3.requestId, u"r3"_qs);
        QCOMPARE(offer3.orderId, seqOf(tickets[3]));
        QCOMPARE(paidOffer.json.value(u"source"_qs).toString(), u"offer"_qs);
        QCOMPARE(storedOrderOf(eventId, 3, u"offer"_qs).status, u"paid"_qs);
        QCOMPARE(unitProblems(eventId, decider), QStringList());
        everyNodeShowsOffer(tickets[3], offer3);
        if (QTest::currentTestFailed())
            return;

        // Buyer 2 lets the deadline pass: the decider expires the order and offers the unit to
        // the next lead, buyer 4, whose subscription on another node hears of it.
        QVERIFY2(ApiClient::waitUntil([&] { return storedOrderOf(eventId, 4, u"offer"_qs).exists(); }, 15000),
                 "the unpaid order was not expired and offered on");
        QCOMPARE(storedOrderOf(eventId, 2, u"sale"_qs).status, u"expired"_qs);
        const StoredOrder offer4 = storedOrderOf(eventId, 4, u"offer"_qs);
        const ApiReply late = actOnOrder(other, eventId, toExpire.orderId, u"paid"_qs);
        QCOMPARE(late.status, 409);
        QCOMPARE(late.json.value(u"error"_qs).toString(), u"invalid_state"_qs);
        QCOMPARE(unitProblems(eventId, decider), QStringList());
        everyNodeShowsOffer(tickets[4], offer4);
        QVERIFY(ApiClient::waitUntil([&] { return !pushedOp(u"offer"_qs).isEmpty(); }, 10000));
        const QJsonObject pushedOffer = pushedOp(u"offer"_qs).first();
        QCOMPARE(pushedOffer.value(u"ticket"_qs).toString(), tickets[4]);
        QCOMPARE(pushedOffer.value(u"orderId"_qs).toInteger(), offer4.orderId);
        QCOMPARE(pushedOffer.value(u"eventId"_qs).toString(), eventId);

        // The offers went to the first two leads in decision order; their rows record them.
        QStringList offeredUsers;
        for (const StoredOrder &o : storedOrders(eventId)) {
            if (o.source == u"offer")
                offeredUsers << o.userId;
        }
        QCOMPARE(offeredUsers, (QStringList{u"buyer-3"_qs, u"buyer-4"_qs}));
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM intents WHERE event_id = ? AND offered_at_ms > 0"_qs, {eventId}), 2);
        // Buyer 4 pays the offer through the third node: every order has its last status.
        const ApiReply paidOffer4 = actOnOrder(third, eventId, offer4.orderId, u"paid"_qs);
        QVERIFY2(paidOffer4.status == 200, paidOffer4.body.constData());
        nodesAgreeOnRemaining(0, u"sold_out"_qs);
        if (QTest::currentTestFailed())
            return;

        // The event's decider delivered every step to the shop, signed, each once by id: each
        // order won (sales and offers) and its end, the opening and the sell-out.
        QStringList expected{u"event.opened:"_qs + eventId, u"event.sold_out:"_qs + eventId};
        for (const StoredOrder &o : storedOrders(eventId)) {
            expected << u"order.won:"_qs + QString::number(o.orderId);
            if (o.status == u"paid" || o.status == u"cancelled" || o.status == u"expired")
                expected << u"order."_qs + o.status + u':' + QString::number(o.orderId);
        }
        expected.sort();
        const auto received = [&] {
            QStringList kept;
            for (const QJsonObject &w : receiver.uniqueById()) {
                const QJsonObject data = w.value(u"data"_qs).toObject();
                if (data.value(u"eventId"_qs).toString() != eventId)
                    continue;
                const QString type = w.value(u"type"_qs).toString();
                kept << type + u':'
                        + (type.startsWith(u"order.") ? QString::number(data.value(u"orderId"_qs).toInteger()) : eventId);
            }
            kept.sort();
            return kept;
        };
        QVERIFY2(ApiClient::waitUntil([&] { return received() == expected; }, 20000),
                 qPrintable(received().join(u' ') + u" != "_qs + expected.join(u' ')));
        for (const WebhookReceiver::Delivery &d : receiver.deliveries())
            QVERIFY(d.signatureValid);
        QCOMPARE(m_nodes[0]->client->admin("DELETE", u"/api/v1/admin/webhook"_qs).status, 200);
        lead4.close();
        stopNodesCleanly();
    }

    // The decider is SIGKILLed while orders await payment and nothing else reaches the event's
    // queue: the survivors find the overdue orders in the store and wake the queue, the node it
    // delivers to takes the event over (loading the orders, the offered units and the leads),
    // expires them and offers each freed unit once, to the next leads in decision order. A
    // payment after the deadline is refused; nothing is both paid and expired.
    void deciderKilledWithOrdersPending()
    {
        QVERIFY(startNodes());
        m_sale = std::make_unique<Sale>();
        const QString eventId = m_sale->eventId = u"payfail-"_qs + randomSuffix();
        createAndOpen(eventId, 2, 1, {{u"paymentWindowSeconds"_qs, kWindowSeconds}, {u"releasePolicy"_qs, u"offer"_qs}});
        if (QTest::currentTestFailed())
            return;
        const int decider = deciderOf(eventId);
        QVERIFY2(decider >= 0, "no node logged that it decides the event");
        const qint64 epoch = m_takeovers.value(eventId).last().epoch;
        QStringList tickets;
        for (int i = 0; i < 5; ++i) {
            const QJsonObject answer = buyAndWait(i % kNodes, eventId, i);
            QVERIFY2(answer.value(u"state"_qs).toString() == (i < 2 ? u"won"_qs : u"lost"_qs),
                     qPrintable(QString::fromUtf8(json(answer))));
            tickets << answer.value(u"ticket"_qs).toString();
        }
        // Buyer 1 cancels: buyer 2, the first lead, is offered the unit.
        const int survivor = (decider + 1) % kNodes;
        QCOMPARE(actOnOrder(survivor, eventId, storedOrderOf(eventId, 1, u"sale"_qs).orderId, u"cancel"_qs).status, 200);
        const StoredOrder offer2 = storedOrderOf(eventId, 2, u"offer"_qs);
        QCOMPARE(offer2.status, u"pending_payment"_qs);
        QCOMPARE(unitProblems(eventId, decider), QStringList());

        // Buyer 0's order and buyer 2's offer are pending when the decider dies.
        m_nodes[decider]->killed = true;
        QCOMPARE(::kill(pid_t(m_nodes[decider]->engine->pid()), SIGKILL), 0);
        QVERIFY(m_nodes[decider]->engine->waitForExit(10000));
        qInfo("killed %s, the decider, with 2 orders awaiting payment", qPrintable(m_nodes[decider]->id));

        // Both expire under a new decider; their units go to buyers 3 and 4, once each.
        const auto expiredAndOffered = [&] {
            return storedOrderOf(eventId, 0, u"sale"_qs).status == u"expired" && storedOrderOf(eventId, 2, u"offer"_qs).status == u"expired"
                && storedOrderOf(eventId, 3, u"offer"_qs).exists() && storedOrderOf(eventId, 4, u"offer"_qs).exists();
        };
        QVERIFY2(ApiClient::waitUntil(expiredAndOffered, 20000), "the orders of the killed decider did not expire");
        const int newDecider = deciderOf(eventId);
        QVERIFY2(newDecider != decider && m_takeovers.value(eventId).last().epoch > epoch, "no survivor took the event over");
        qInfo("%s took over and expired them", qPrintable(m_nodes[newDecider]->id));
        QCOMPARE(unitProblems(eventId, newDecider), QStringList());
        const ApiReply late = actOnOrder(survivor, eventId, storedOrderOf(eventId, 0, u"sale"_qs).orderId, u"paid"_qs);
        QCOMPARE(late.status, 409);
        QCOMPARE(late.json.value(u"error"_qs).toString(), u"invalid_state"_qs);
        const StoredOrder offer3 = storedOrderOf(eventId, 3, u"offer"_qs);
        everyNodeShowsOffer(tickets[3], offer3);
        const ApiReply paid = actOnOrder(survivor, eventId, offer3.orderId, u"paid"_qs);
        QVERIFY2(paid.status == 200, paid.body.constData());

        // Buyer 4 lets its offer expire too: no lead is left, the unit is back in stock.
        QVERIFY(ApiClient::waitUntil([&] { return storedOrderOf(eventId, 4, u"offer"_qs).status == u"expired"; }, 15000));
        QCOMPARE(unitProblems(eventId, newDecider), QStringList());
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM orders WHERE event_id = ? AND source = 'offer'"_qs, {eventId}), 3);
        QCOMPARE(scalar(u"SELECT COUNT(*) FROM orders WHERE event_id = ? AND status = 'expired' AND paid_at_ms > 0"_qs, {eventId}), 0);
        nodesAgreeOnRemaining(1, u"open"_qs);
        if (QTest::currentTestFailed())
            return;
        stopNodesCleanly();
    }

    // `rabbitmqctl stop_app` mid-sale: purchases get 503, the nodes come back after start_app and
    // the sale goes on without losing what was accepted.
    void brokerRestartMidSale()
    {
        const QString ctl = rabbitmqctl();
        QString output;
        if (ctl.isEmpty() || !runRabbitmqctl({u"-q"_qs, u"list_vhosts"_qs}, 30000, &output)) {
            const QString why = ctl.isEmpty() ? u"rabbitmqctl is not installed"_qs
                                              : u"rabbitmqctl cannot reach the broker (run the test as root, or as a user with "
                                                "RabbitMQ's Erlang cookie): "_qs + output;
            SKIP_UNLESS_CI(u"cannot restart the broker: "_qs + why);
        }

        QVERIFY(startNodes());
        m_sale = std::make_unique<Sale>();
        Sale &sale = *m_sale;
        sale.eventId = u"broker-"_qs + randomSuffix();
        // More than is sold before the outage: it sells out after the restart.
        const int stock = 2000;
        createAndOpen(sale.eventId, stock, 1);
        if (QTest::currentTestFailed())
            return;

        QRandomGenerator rng(777);
        int sent = 0;

        // Before: 800 purchases, then a slower stream (~50/s, at most 500) while the broker stops,
        // which takes 3 to 10 s here.
        for (int i = 0; i < 800; ++i) {
            QVERIFY2(waitForRoom(), qPrintable(sale.summary()));
            sendFresh(sent++, rng);
        }
        qInfo("rabbitmqctl stop_app");
        QProcess stopping;
        stopping.setProcessChannelMode(QProcess::ForwardedChannels);
        m_brokerStopped = true;
        stopping.start(ctl, {u"stop_app"_qs});
        QDeadlineTimer stopDeadline(60000);
        int sentWhileStopping = 0;
        while (stopping.state() != QProcess::NotRunning && !stopDeadline.hasExpired()) {
            if (sentWhileStopping < 500) {
                QVERIFY2(waitForRoom(), qPrintable(sale.summary()));
                sendFresh(sent++, rng);
                ++sentWhileStopping;
            }
            ApiClient::waitUntil([] { return false; }, 20);
        }
        QVERIFY2(stopping.state() == QProcess::NotRunning, "rabbitmqctl stop_app hangs");
        QCOMPARE(stopping.exitCode(), 0);
        QVERIFY2(ApiClient::waitUntil([&] { return sale.inFlight == 0; }, 60000), qPrintable(sale.summary()));
        qInfo("%d purchases sent while the broker stopped: %s", sentWhileStopping, qPrintable(sale.summary()));
        const int acceptedBefore = int(sale.acceptedOn.size());

        // During: each node refuses purchases with a JSON 503 and reports itself unhealthy.
        everyNodeRefuses(u"RabbitMQ"_qs);
        if (QTest::currentTestFailed())
            return;
        const qint64 soldBefore = soldUnits();
        qInfo("during the outage: %lld units sold; %s", static_cast<long long>(soldBefore), qPrintable(sale.summary()));
        QVERIFY(soldBefore > 0 && soldBefore < stock);

        qInfo("rabbitmqctl start_app");
        QVERIFY2(runRabbitmqctl({u"start_app"_qs}, 120000, &output), qPrintable(output));
        m_brokerStopped = false;
        QElapsedTimer back;
        back.start();
        QVERIFY2(allHealthy(30000), "a node is not healthy 30 s after the broker is back");
        qInfo("all nodes healthy %lld ms after start_app returned", static_cast<long long>(back.elapsed()));

        resumeAfterOutage(stock, acceptedBefore, &sent, rng);
    }

    // PostgreSQL stopped mid-sale: every node refuses purchases naming it, and comes back by
    // itself when it is started again (the decider's writer reopens its connection).
    void databaseRestartMidSale()
    {
        QString why;
        const QStringList cluster = postgresCluster(&why);
        if (cluster.isEmpty()) {
            SKIP_UNLESS_CI(u"cannot restart PostgreSQL: "_qs + why);
        }
        QVERIFY(startNodes());
        m_sale = std::make_unique<Sale>();
        Sale &sale = *m_sale;
        sale.eventId = u"database-"_qs + randomSuffix();
        const int stock = 2000;
        createAndOpen(sale.eventId, stock, 1);
        if (QTest::currentTestFailed())
            return;

        QRandomGenerator rng(778);
        int sent = 0;
        for (int i = 0; i < 800; ++i) {
            QVERIFY2(waitForRoom(), qPrintable(sale.summary()));
            sendFresh(sent++, rng);
        }
        QVERIFY2(ApiClient::waitUntil([&] { return sale.inFlight == 0; }, 60000), qPrintable(sale.summary()));
        const int acceptedBefore = int(sale.acceptedOn.size());

        qInfo("pg_ctlcluster %s %s stop", qPrintable(cluster[0]), qPrintable(cluster[1]));
        QString output;
        m_databaseCluster = cluster;
        QVERIFY2(runTool(u"pg_ctlcluster"_qs, {cluster[0], cluster[1], u"stop"_qs, u"-m"_qs, u"fast"_qs}, 60000, &output),
                 qPrintable(output));
        everyNodeRefuses(u"PostgreSQL"_qs);
        if (QTest::currentTestFailed())
            return;

        qInfo("pg_ctlcluster %s %s start", qPrintable(cluster[0]), qPrintable(cluster[1]));
        QVERIFY2(runTool(u"pg_ctlcluster"_qs, {cluster[0], cluster[1], u"start"_qs}, 60000, &output), qPrintable(output));
        m_databaseCluster.clear();
        QElapsedTimer back;
        back.start();
        QVERIFY2(allHealthy(30000), "a node is not healthy 30 s after PostgreSQL is back");
        qInfo("all nodes healthy %lld ms after PostgreSQL started", static_cast<long long>(back.elapsed()));

        resumeAfterOutage(stock, acceptedBefore, &sent, rng);
    }
};

VISIBLESKIP_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
