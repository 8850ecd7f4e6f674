// Schema versions: a database made by release 0.1.0 (tests/fixtures/release-0.1.0) opened by
// this build keeps every event, order, lead and ticket; fresh databases start at the newest
// version; migrations run in order in one transaction; a newer database is refused untouched.
#include "tests/support/engineprocess.h"
#include "tests/support/sqlcheck.h"

#include "engine/node/engine.h"
#include "engine/storage/migrations.h"
#include "engine/api/server.h"
#include "engine/storage/store.h"
#include "engine/storage/webhooks.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <QTest>

using namespace flashsale;

namespace {

const QString kFixtureDir = QStringLiteral(FLASHSALE_FIXTURES_DIR "/release-0.1.0");

// The fixture copied into dir as its data dir's database; the copy's path.
QString copyFixtureInto(const QTemporaryDir &dir)
{
    const QString target = StoreLocation::sqliteIn(dir.path()).databaseName;
    if (!QFile::copy(kFixtureDir + u"/flashsale.sqlite"_qs, target))
        return QString();
    QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner);
    return target;
}

QJsonObject expectedAnswers()
{
    QFile file(kFixtureDir + u"/expected.json"_qs);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString compact(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
}

// Where actual differs from a field 0.1.0 answered ("" when it does not); fields added since
// are allowed, and serverTime is the clock, not data.
QString differences(const QJsonObject &expected, const QJsonObject &actual, const QString &what)
{
    QStringList found;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        if (it.key() != u"serverTime" && actual.value(it.key()) != it.value())
            found << QStringLiteral("%1.%2: expected %3, got %4").arg(what, it.key(), compact(it.value()), compact(actual.value(it.key())));
    }
    return found.join(u"; "_qs);
}

#define QCOMPARE_FIELDS(expected, actual, what)                                                                        \
    do {                                                                                                               \
        const QString found = differences(expected, actual, what);                                                     \
        QVERIFY2(found.isEmpty(), qPrintable(found));                                                                  \
    } while (false)

// The shape of a SQLite schema: tables (with rowid or not) and their columns, indexes and
// their columns, one sorted line each; the text of the CREATE statements does not matter.
QStringList schemaShape(const QString &dbPath)
{
    QStringList shape;
    shape << sqlRows(dbPath, u"SELECT 'table', name, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'"_qs);
    shape << sqlRows(dbPath, u"SELECT 'column', m.name, c.name, c.type, c.\"notnull\", c.dflt_value, c.pk"
                             " FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table'"_qs);
    shape << sqlRows(dbPath, u"SELECT 'index', m.name, m.tbl_name, i.seqno, i.name FROM sqlite_master m, pragma_index_info(m.name) i"
                             " WHERE m.type = 'index'"_qs);
    shape.sort();
    return shape;
}

// A migration for the tests of the mechanism: its own table, then a row in it.
bool addProbeTable(QSqlDatabase &db, bool, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(u"CREATE TABLE probe (step INTEGER NOT NULL)"_qs) && query.exec(u"INSERT INTO probe VALUES (2)"_qs))
        return true;
    *error = query.lastError().text();
    return false;
}

bool fillProbeTable(QSqlDatabase &db, bool, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(u"INSERT INTO probe SELECT MAX(step) + 1 FROM probe"_qs))
        return true;
    *error = query.lastError().text();
    return false;
}

bool failHalfWay(QSqlDatabase &db, bool, QString *error)
{
    QSqlQuery query(db);
    query.exec(u"CREATE TABLE half_done (x INTEGER)"_qs);
    if (query.exec(u"INSERT INTO no_such_table VALUES (1)"_qs))
        return true;
    *error = query.lastError().text();
    return false;
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // A new data dir: schema.sql at the newest version, stamped, nothing copied aside.
    void freshDatabaseStartsAtTheNewestVersion()
    {
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        for (const schema::Outcome expected : {schema::Outcome::Created, schema::Outcome::UpToDate}) {
            SqlStore store(location);
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            QCOMPARE(int(store.schemaUpgrade().outcome), int(expected));
            QCOMPARE(store.schemaUpgrade().version, schema::currentVersion());
            store.close();
        }
        QCOMPARE(sqlScalar(location.databaseName, u"PRAGMA user_version"_qs), schema::currentVersion());
        QCOMPARE(QDir(dir.path()).entryList({u"*.bak"_qs}, QDir::Files), QStringList());
    }

    // A database stamped with a version but without the tables (emptied by hand, or by a test
    // that drops them) is made afresh instead of being taken as up to date.
    void emptiedDatabaseIsMadeAfresh()
    {
        QTemporaryDir dir;
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        sqlScalar(location.databaseName, u"PRAGMA user_version = %1"_qs.arg(schema::currentVersion()));
        QCOMPARE(sqlScalar(location.databaseName, u"PRAGMA user_version"_qs), schema::currentVersion());
        SqlStore store(location);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QCOMPARE(int(store.schemaUpgrade().outcome), int(schema::Outcome::Created));
        store.close();
        QCOMPARE(sqlScalar(location.databaseName, u"SELECT COUNT(*) FROM sqlite_master WHERE name IN ('events', 'requests', 'orders', 'intents')"_qs), 4);
    }

    // The real binary on a copy of the 0.1.0 database: everything 0.1.0 answered, it answers.
    void release010DatabaseKeepsEverything()
    {
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        QCOMPARE(sqlScalar(dbPath, u"PRAGMA user_version"_qs), 0);
        const QJsonObject expected = expectedAnswers();
        const QJsonArray purchases = expected.value(u"purchases"_qs).toArray();
        QVERIFY(purchases.size() >= 20);

        EngineProcess node(dir.path(), "migration-token");
        QVERIFY(node.start());
        ApiClient client(node.baseUrl(), node.adminToken(), 4);

        // Events, orders and leads with their contents.
        const QJsonObject events = expected.value(u"events"_qs).toObject();
        QCOMPARE(client.admin("GET", u"/api/v1/admin/events"_qs).json.value(u"total"_qs).toInt(), events.size());
        std::int64_t maxOrderId = 0;
        for (auto it = events.begin(); it != events.end(); ++it) {
            const QString base = u"/api/v1/admin/events/"_qs + it.key();
            QCOMPARE_FIELDS(it.value().toObject(), client.admin("GET", base).json, it.key());
            const QJsonArray orders = client.admin("GET", base + u"/orders"_qs).json.value(u"items"_qs).toArray();
            const QJsonArray oldOrders = expected.value(u"orders"_qs).toObject().value(it.key()).toArray();
            QCOMPARE(orders.size(), oldOrders.size());
            for (qsizetype i = 0; i < orders.size(); ++i) {
                QCOMPARE_FIELDS(oldOrders[i].toObject(), orders[i].toObject(), it.key() + u" order"_qs);
                maxOrderId = std::max<std::int64_t>(maxOrderId, oldOrders[i].toObject().value(u"orderId"_qs).toInteger());
            }
            const QJsonArray leads = client.admin("GET", base + u"/intents?sort=userId&order=asc"_qs).json.value(u"items"_qs).toArray();
            const QJsonArray oldLeads = expected.value(u"intents"_qs).toObject().value(it.key()).toArray();
            QCOMPARE(leads.size(), oldLeads.size());
            for (qsizetype i = 0; i < leads.size(); ++i)
                QCOMPARE_FIELDS(oldLeads[i].toObject(), leads[i].toObject(), it.key() + u" lead"_qs);
        }
        QCOMPARE(client.call("GET", u"/api/v1/events/launch-010"_qs).status, 200);

        // Every old ticket answers its original result; every old requestId gets its old ticket.
        for (const QJsonValue &value : purchases) {
            const QJsonObject purchase = value.toObject();
            const QJsonObject answer = purchase.value(u"answer"_qs).toObject();
            const QString ticket = answer.value(u"ticket"_qs).toString();
            QCOMPARE_FIELDS(answer, client.call("GET", u"/api/v1/tickets/"_qs + ticket).json, ticket);
            QJsonObject retry{{u"requestId"_qs, purchase.value(u"requestId"_qs)}, {u"userId"_qs, purchase.value(u"userId"_qs)},
                              {u"quantity"_qs, purchase.value(u"quantity"_qs)}};
            const ApiReply again = client.call("POST", u"/api/v1/events/%1/purchases"_qs.arg(purchase.value(u"eventId"_qs).toString()),
                                               QJsonDocument(retry).toJson(QJsonDocument::Compact));
            QCOMPARE(again.status, 200);
            QCOMPARE_FIELDS(answer, again.json, purchase.value(u"requestId"_qs).toString());
            // The restored requestId stays bound to the user who sent it.
            retry.insert(u"userId"_qs, purchase.value(u"userId"_qs).toString() + u"-other"_qs);
            const ApiReply other = client.call("POST", u"/api/v1/events/%1/purchases"_qs.arg(purchase.value(u"eventId"_qs).toString()),
                                               QJsonDocument(retry).toJson(QJsonDocument::Compact));
            QCOMPARE(other.status, 409);
            QCOMPARE(other.json.value(u"error"_qs).toString(), u"idempotency_conflict"_qs);
        }

        // Per-user totals hold: bob holds 2 of launch-010's limit of 2.
        const auto buy = [&](const QString &requestId, const QString &userId) {
            return client.call("POST", u"/api/v1/events/launch-010/purchases?wait=5000"_qs,
                               QJsonDocument(QJsonObject{{u"requestId"_qs, requestId}, {u"userId"_qs, userId}, {u"quantity"_qs, 1}})
                                   .toJson(QJsonDocument::Compact))
                .json;
        };
        const QJsonObject bob = buy(u"after-upgrade-bob"_qs, u"bob"_qs);
        QCOMPARE(bob.value(u"state"_qs).toString(), u"lost"_qs);
        QCOMPARE(bob.value(u"reason"_qs).toString(), u"limit_reached"_qs);
        // New purchases continue the order ids: launch-010 has one unit left.
        const QJsonObject newcomer = buy(u"after-upgrade-new"_qs, u"newcomer"_qs);
        QCOMPARE(newcomer.value(u"state"_qs).toString(), u"won"_qs);
        QCOMPARE(newcomer.value(u"orderId"_qs).toInteger(), maxOrderId + 1);
        QVERIFY(node.stop());

        // The copy from before the upgrade is 0.1.0's database, and the file is now current.
        const QString before = dbPath + u".pre-v%1.bak"_qs.arg(schema::currentVersion());
        QVERIFY(QFile::exists(before));
        QCOMPARE(sqlScalar(before, u"PRAGMA user_version"_qs), 0);
        QCOMPARE(sqlScalar(before, u"SELECT COUNT(*) FROM requests"_qs), purchases.size());
        QCOMPARE(sqlScalar(dbPath, u"PRAGMA user_version"_qs), schema::currentVersion());
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM requests"_qs), purchases.size() + 2);
    }

    // The rehearsal flag's migration: 0.1.0's events come out as real events, and a rehearsal
    // copy made afterwards is stored marked and stays hidden from shoppers after a restart.
    void release010EventsAreNotRehearsalsAndCopiesStayMarked()
    {
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        const std::int64_t events = sqlScalar(dbPath, u"SELECT COUNT(*) FROM events"_qs);
        QVERIFY(events > 0);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM events WHERE rehearsal = 0"_qs), -1); // no column yet
        EngineOptions options;
        options.store = StoreLocation::sqliteIn(dir.path());
        {
            Engine engine(options);
            QString error;
            QVERIFY2(engine.start(&error), qPrintable(error));
            for (const EventSnapshot &e : engine.events())
                QVERIFY2(!e.config.rehearsal && (e.state == EventState::Draft || engine.shopperEvent(e.config.id)),
                         qPrintable(e.config.id));
            const AdminResult copy = engine.createRehearsal(u"launch-010"_qs);
            QCOMPARE(int(copy.status), int(Status::Ok));
            QCOMPARE(copy.event.config.id, u"launch-010-rehearsal-1"_qs);
            QCOMPARE(int(copy.event.state), int(EventState::Open));
            engine.stop();
        }
        QCOMPARE(sqlScalar(dbPath, u"PRAGMA user_version"_qs), schema::currentVersion());
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM events WHERE rehearsal = 0"_qs), events);
        QCOMPARE(sqlScalar(dbPath, u"SELECT rehearsal FROM events WHERE id = 'launch-010-rehearsal-1'"_qs), 1);
        Engine restarted(options);
        QString error;
        QVERIFY2(restarted.start(&error), qPrintable(error));
        const std::optional<EventSnapshot> copy = restarted.event(u"launch-010-rehearsal-1"_qs);
        QVERIFY(copy && copy->config.rehearsal);
        QVERIFY(!restarted.shopperEvent(u"launch-010-rehearsal-1"_qs));
        QVERIFY(restarted.shopperEvent(u"launch-010"_qs));
        restarted.stop();
    }

    // The fair-sale settings' migration: 0.1.0's events come out open to any userId and first
    // come, first served; a draft set to signed passes and a fair start keeps both after a restart.
    void release010EventsStayOpenAndFairSettingsPersist()
    {
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        const std::int64_t events = sqlScalar(dbPath, u"SELECT COUNT(*) FROM events"_qs);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM events WHERE fair_start_ms = 0"_qs), -1); // no column yet
        EngineOptions options;
        options.store = StoreLocation::sqliteIn(dir.path());
        QString draftId;
        {
            Engine engine(options);
            QString error;
            QVERIFY2(engine.start(&error), qPrintable(error));
            for (const EventSnapshot &e : engine.events()) {
                QCOMPARE(int(e.config.shopperIdentity), int(ShopperIdentity::Open));
                QCOMPARE(e.config.fairStartMs, 0);
                if (e.state == EventState::Draft)
                    draftId = e.config.id;
            }
            QVERIFY2(!draftId.isEmpty(), "the fixture has a draft");
            EventPatch patch;
            patch.shopperIdentity = ShopperIdentity::Signed;
            patch.fairStartMs = 1500;
            QCOMPARE(int(engine.updateEvent(draftId, patch).status), int(Status::Ok));
            engine.stop();
        }
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM events WHERE shopper_identity = 'open'"_qs), events - 1);
        QCOMPARE(sqlScalar(dbPath, u"SELECT fair_start_ms FROM events WHERE id = '%1'"_qs.arg(draftId)), 1500);
        Engine restarted(options);
        QString error;
        QVERIFY2(restarted.start(&error), qPrintable(error));
        const std::optional<EventSnapshot> draft = restarted.event(draftId);
        QVERIFY(draft);
        QCOMPARE(int(draft->config.shopperIdentity), int(ShopperIdentity::Signed));
        QCOMPARE(draft->config.fairStartMs, 1500);
        restarted.stop();
    }

    // Migration 4 (orders and payment): 0.1.0's orders come out as final sales holding their
    // units, its leads with no offer and its events without a window; a windowed event made
    // afterwards stores its pending order and the payment, which survive a restart.
    void release010OrdersAreFinalSalesAndWindowsWorkAfter()
    {
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        const std::int64_t orders = sqlScalar(dbPath, u"SELECT COUNT(*) FROM orders"_qs);
        const std::int64_t intents = sqlScalar(dbPath, u"SELECT COUNT(*) FROM intents"_qs);
        QVERIFY(orders > 0 && intents > 0);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM orders WHERE status = 'final'"_qs), -1); // no column yet
        EngineOptions options;
        options.store = StoreLocation::sqliteIn(dir.path());
        std::int64_t orderId = 0;
        {
            Engine engine(options);
            QString error;
            QVERIFY2(engine.start(&error), qPrintable(error));
            for (const EventSnapshot &e : engine.events()) {
                QCOMPARE(e.config.paymentWindowSeconds, 0);
                QCOMPARE(int(e.config.releasePolicy), int(ReleasePolicy::Restock));
                const std::int64_t held = sqlScalar(dbPath, u"SELECT COALESCE(SUM(quantity), 0) FROM orders WHERE event_id = '%1'"_qs.arg(e.config.id));
                QCOMPARE(e.remaining, e.stockTotal - held);
            }
            EventConfig config;
            config.id = u"pay-after-upgrade"_qs;
            config.name = config.id;
            config.stock = 2;
            config.paymentWindowSeconds = 600;
            config.releasePolicy = ReleasePolicy::Offer;
            QCOMPARE(int(engine.createEvent(config, CreateAs::Launched).status), int(Status::Ok));
            PurchaseRequest request;
            request.requestId = u"after-1"_qs;
            request.userId = u"ann"_qs;
            request.quantity = 1;
            QCOMPARE(int(engine.submit(config.id, request, -1, TicketState::Won).status), int(Status::Ok));
            QVERIFY(ApiClient::waitUntil([&] {
                return sqlScalar(dbPath, u"SELECT COUNT(*) FROM orders WHERE event_id = 'pay-after-upgrade' AND status = 'pending_payment'"_qs) == 1;
            }, 10000));
            orderId = sqlScalar(dbPath, u"SELECT order_id FROM orders WHERE event_id = 'pay-after-upgrade'"_qs);
            const AdminResult paid = engine.actOnOrder(config.id, orderId, OrderAction::Pay);
            QCOMPARE(int(paid.status), int(Status::Ok));
            QCOMPARE(int(paid.order.status), int(OrderStatus::Paid));
            engine.stop();
        }
        QCOMPARE(sqlScalar(dbPath, u"PRAGMA user_version"_qs), schema::currentVersion());
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM orders WHERE status = 'final' AND source = 'sale' AND expires_at_ms = 0"
                                   " AND paid_at_ms = 0"_qs), orders);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM intents WHERE offered_at_ms = 0 AND offer_order_id = 0"_qs), intents);
        QCOMPARE(sqlScalar(dbPath, u"SELECT payment_window_seconds FROM events WHERE id = 'pay-after-upgrade'"_qs), 600);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM events WHERE release_policy = 'offer'"_qs), 1);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM orders WHERE status = 'paid' AND paid_at_ms > 0"_qs), 1);
        Engine restarted(options);
        QString error;
        QVERIFY2(restarted.start(&error), qPrintable(error));
        const std::optional<EventSnapshot> event = restarted.event(u"pay-after-upgrade"_qs);
        QVERIFY(event);
        QCOMPARE(event->config.paymentWindowSeconds, 600);
        QCOMPARE(event->remaining, 1);
        // A repeat after the restart is answered from the reloaded order, unchanged.
        const AdminResult again = restarted.actOnOrder(u"pay-after-upgrade"_qs, orderId, OrderAction::Pay);
        QCOMPARE(int(again.status), int(Status::Ok));
        QCOMPARE(int(again.order.status), int(OrderStatus::Paid));
        QCOMPARE(int(restarted.actOnOrder(u"pay-after-upgrade"_qs, orderId, OrderAction::Cancel).status), int(Status::InvalidState));
        restarted.stop();
    }

    // Migration 5 (webhooks): 0.1.0's sales become no webhooks; a win after the upgrade is in
    // the outbox with its commit. Made while no endpoint was set, it is skipped when the shop
    // sets one (a new endpoint gets what happens from then on, not a backlog); the next win is sent.
    void release010GetsAnEmptyOutboxAndNewWinsAreQueued()
    {
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_outbox"_qs), -1); // no table yet
        EngineOptions options;
        options.store = StoreLocation::sqliteIn(dir.path());
        Engine engine(options);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_outbox"_qs), 0);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_endpoint"_qs), 0);
        EventConfig config;
        config.id = u"hooks-after-upgrade"_qs;
        config.name = config.id;
        config.stock = 5;
        QCOMPARE(int(engine.createEvent(config, CreateAs::Launched).status), int(Status::Ok));
        const auto buy = [&](const QString &user) {
            PurchaseRequest request;
            request.requestId = user;
            request.userId = user;
            request.quantity = 1;
            QCOMPARE(int(engine.submit(config.id, request, -1, TicketState::Won).status), int(Status::Ok));
        };
        buy(u"ann"_qs);
        QVERIFY(ApiClient::waitUntil([&] {
            return sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_outbox WHERE type = 'order.won' AND status = 'pending'"_qs) == 1;
        }, 10000));
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_outbox WHERE type = 'event.opened'"_qs), 1);
        {
            QSqlDatabase db = openConnection(options.store, u"migration-5-staff"_qs, &error);
            QVERIFY2(db.isOpen(), qPrintable(error));
            QVERIFY2(webhooks::setEndpoint(db, u"http://127.0.0.1:9/hooks"_qs, webhooks::newSecret(), Engine::nowMs(), &error),
                     qPrintable(error));
        }
        QSqlDatabase::removeDatabase(u"migration-5-staff"_qs);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_outbox WHERE status = 'skipped'"_qs), 2);
        buy(u"bob"_qs);
        QVERIFY(ApiClient::waitUntil([&] {
            return sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_outbox WHERE status = 'pending'"_qs) == 1;
        }, 10000));
        engine.stop();
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM webhook_outbox"_qs), 3);
    }

    // Migration 6 (the intent projector): 0.1.0's losses are in intents already, so they stay as
    // they were and count as listed (commit 0, at the cursor's start); a loss after the upgrade is
    // journaled with its commit and the projector adds it to its shopper's row.
    void release010LeadsStayAndNewLossesAreProjected()
    {
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        const QStringList oldLeads = sqlRows(dbPath, u"SELECT * FROM intents ORDER BY event_id, user_id"_qs);
        const std::int64_t oldAttempts = sqlScalar(dbPath, u"SELECT SUM(attempts) FROM intents"_qs);
        QVERIFY(oldAttempts > 0);
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM intent_projection"_qs), -1); // no table yet
        const std::int64_t bobAttempts =
            sqlScalar(dbPath, u"SELECT attempts FROM intents WHERE event_id = 'launch-010' AND user_id = 'bob'"_qs);
        EngineOptions options;
        options.store = StoreLocation::sqliteIn(dir.path());
        {
            Engine engine(options);
            QString error;
            QVERIFY2(engine.start(&error), qPrintable(error));
            QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM requests WHERE commit_no <> 0 OR commit_pos <> 0"_qs), 0);
            QCOMPARE(sqlRow(dbPath, u"SELECT projected_commit, projected_pos FROM intent_projection WHERE id = 1"_qs),
                     (QVariantList{0, 0}));
            // The upgraded rows (commit_no, commit_pos and offers default to 0) as they were.
            QCOMPARE(sqlRows(dbPath, u"SELECT event_id, user_id, contact, quantity, last_reason, attempts, first_at_ms,"
                                     " last_at_ms, simulated FROM intents ORDER BY event_id, user_id"_qs),
                     oldLeads);
            PurchaseRequest request;
            request.requestId = u"after-projector-bob"_qs;
            request.userId = u"bob"_qs; // at launch-010's limit: a loss
            request.quantity = 1;
            QCOMPARE(int(engine.submit(u"launch-010"_qs, request, -1, TicketState::Won).status), int(Status::Ok));
            QVERIFY(ApiClient::waitUntil([&] {
                return sqlScalar(dbPath, u"SELECT SUM(attempts) FROM intents"_qs) == oldAttempts + 1;
            }, 10000));
            engine.stop();
        }
        QCOMPARE(sqlScalar(dbPath, u"SELECT attempts FROM intents WHERE event_id = 'launch-010' AND user_id = 'bob'"_qs),
                 bobAttempts + 1);
        QCOMPARE(sqlScalar(dbPath, u"SELECT last_reason = 'limit_reached' FROM intents"
                                   " WHERE event_id = 'launch-010' AND user_id = 'bob'"_qs), 1);
        QVERIFY(sqlScalar(dbPath, u"SELECT projected_commit FROM intent_projection"_qs) > 0);
    }

    // Upgrading 0.1.0's database gives the schema a fresh database gets from schema.sql.
    void upgradedSchemaEqualsFreshSchema()
    {
        QTemporaryDir upgraded;
        QTemporaryDir fresh;
        QVERIFY(!copyFixtureInto(upgraded).isEmpty());
        for (const QTemporaryDir *dir : {&upgraded, &fresh}) {
            SqlStore store(StoreLocation::sqliteIn(dir->path()));
            QString error;
            QVERIFY2(store.open(&error), qPrintable(error));
            store.close();
        }
        const QStringList freshShape = schemaShape(StoreLocation::sqliteIn(fresh.path()).databaseName);
        QVERIFY(freshShape.size() > 40);
        QCOMPARE(schemaShape(StoreLocation::sqliteIn(upgraded.path()).databaseName), freshShape);
    }

    // The steps after the version found run in order, all in one transaction, or none does.
    void stepsRunInOrderInOneTransaction_data()
    {
        QTest::addColumn<bool>("lastStepFails");
        QTest::newRow("every step succeeds") << false;
        QTest::newRow("the last step fails") << true;
    }
    void stepsRunInOrderInOneTransaction()
    {
        QFETCH(bool, lastStepFails);
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        std::vector<schema::Migration> steps(schema::migrations().begin(), schema::migrations().end());
        const int base = schema::currentVersion();
        steps.push_back({base + 1, "probe table", &addProbeTable});
        steps.push_back({base + 2, "probe row", lastStepFails ? &failHalfWay : &fillProbeTable});
        const StoreLocation location = StoreLocation::sqliteIn(dir.path());
        schema::UpgradeResult result;
        {
            QString error;
            QSqlDatabase db = openConnection(location, u"steps"_qs, &error);
            QVERIFY2(db.isOpen(), qPrintable(error));
            result = schema::upgrade(db, location, steps);
            db.close();
        }
        QSqlDatabase::removeDatabase(u"steps"_qs);
        QCOMPARE(result.foundVersion, 0);
        QVERIFY(QFile::exists(dbPath + u".pre-v%1.bak"_qs.arg(base + 2)));
        if (lastStepFails) {
            QCOMPARE(int(result.outcome), int(schema::Outcome::Failed));
            QVERIFY2(result.error.contains(u"version %1"_qs.arg(base + 2)), qPrintable(result.error));
            QCOMPARE(sqlScalar(dbPath, u"PRAGMA user_version"_qs), 0);
            QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM sqlite_master WHERE name IN ('probe', 'half_done')"_qs), 0);
        } else {
            QCOMPARE(int(result.outcome), int(schema::Outcome::Migrated));
            QCOMPARE(sqlScalar(dbPath, u"PRAGMA user_version"_qs), base + 2);
            QCOMPARE(sqlRows(dbPath, u"SELECT step FROM probe ORDER BY step"_qs), (QStringList{u"2"_qs, u"3"_qs}));
        }
        QCOMPARE(sqlScalar(dbPath, u"SELECT COUNT(*) FROM orders"_qs), 12); // the data is untouched either way
    }

    // A database from a newer build: the real binary exits 3 with a message, the file keeps
    // every byte and nothing is created beside it; the engine reports SchemaTooNew.
    void newerDatabaseIsRefusedUntouched()
    {
        QTemporaryDir dir;
        const QString dbPath = copyFixtureInto(dir);
        QVERIFY(!dbPath.isEmpty());
        const int newer = schema::currentVersion() + 1;
        sqlScalar(dbPath, u"PRAGMA user_version = %1"_qs.arg(newer));
        QCOMPARE(sqlScalar(dbPath, u"PRAGMA user_version"_qs), newer);
        const QByteArray bytes = fileBytes(dbPath);
        const QStringList files = QDir(dir.path()).entryList(QDir::Files);

        const CommandRun run = runFlashsale({u"--headless"_qs, u"--data-dir"_qs, dir.path(), u"--listen"_qs,
                                             u"127.0.0.1:0"_qs, u"--admin-token"_qs, u"newer-token"_qs},
                                            QProcessEnvironment::systemEnvironment(), 20000);
        QVERIFY(run.finished);
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.standardError.contains("schema version " + QByteArray::number(newer)), run.standardError.constData());
        QVERIFY2(run.standardError.contains("newer flashsale"), run.standardError.constData());

        ServerOptions options;
        options.dataDir = dir.path();
        options.port = 0;
        options.adminToken = u"newer-token"_qs;
        Server server(options);
        QString error;
        StartFailure failure = StartFailure::Other;
        QVERIFY(!server.start(&error, &failure));
        QCOMPARE(int(failure), int(StartFailure::SchemaTooNew));

        QCOMPARE(fileBytes(dbPath), bytes);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), files);
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
