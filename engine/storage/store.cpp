#include "engine/storage/store.h"

#include "engine/storage/migrations.h"
#include "engine/storage/privatefiles.h"
#include "engine/storage/projector.h"
#include "engine/storage/webhooks.h"

#include <QDateTime>
#include <QDebug>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUrl>
#include <QVariant>

#include <algorithm>
#include <span>

namespace flashsale {

namespace {
// Qt binds a null QString as SQL NULL; optional text columns hold '' instead.
QString notNull(const QString &text)
{
    return text.isNull() ? QString(u""_qs) : text;
}

// The rows one commit inserts into one table. SQLite runs in-process, so each row is one
// execution of the prepared INSERT as it comes. PostgreSQL is a round trip per statement, so
// there the rows gather as column arrays (array literals: numbers as they are, text quoted with
// `"` and `\` escaped, NULL for an invalid QVariant) that flush() binds to one
// INSERT … SELECT … FROM unnest(…): a whole batch in one round trip.
// Thread: the store's (one commit at a time).
class BatchInsert
{
public:
    BatchInsert(QSqlQuery &query, bool setBased) : m_query(query), m_setBased(setBased) {}

    bool add(std::span<const QVariant> values)
    {
        if (!m_setBased) {
            int column = 0;
            for (const QVariant &value : values)
                m_query.bindValue(column++, value);
            return m_query.exec();
        }
        if (m_columns.empty())
            m_columns.resize(values.size());
        auto column = m_columns.begin();
        for (const QVariant &value : values) {
            QString &array = *column++;
            if (m_rows > 0)
                array += u',';
            appendElement(array, value);
        }
        ++m_rows;
        return true;
    }

    // PostgreSQL: inserts the gathered rows (none: nothing to do).
    bool flush()
    {
        if (!m_setBased || m_rows == 0)
            return true;
        int column = 0;
        for (QString &array : m_columns)
            m_query.bindValue(column++, QString(u'{' + array + u'}'));
        m_columns.clear();
        m_rows = 0;
        return m_query.exec();
    }

    QSqlQuery &query() { return m_query; }

private:
    static void appendElement(QString &array, const QVariant &value)
    {
        if (!value.isValid()) {
            array += u"NULL";
            return;
        }
        switch (value.typeId()) {
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong:
            array += value.toString();
            return;
        default:
            break;
        }
        array += u'"';
        for (const QChar c : value.toString()) {
            if (c == u'"' || c == u'\\')
                array += u'\\';
            array += c;
        }
        array += u'"';
    }

    QSqlQuery &m_query;
    bool m_setBased = false;
    std::vector<QString> m_columns; // PostgreSQL: each column's elements so far, comma-separated
    int m_rows = 0;
};

// PostgreSQL's set-based form of an INSERT of columns: one array parameter per column, typed
// as types says, unnested into rows; extra is appended to each row (an expression, or empty).
QString unnestInsert(const char *table, const char *columns, std::initializer_list<const char *> types, const char *extra)
{
    QStringList arrays;
    for (const char *type : types)
        arrays << QStringLiteral("CAST(? AS %1[])").arg(QLatin1String(type));
    return QStringLiteral("INSERT INTO %1 (%2) SELECT t.*%3 FROM unnest(%4) AS t")
        .arg(QLatin1String(table), QLatin1String(columns),
             *extra ? QStringLiteral(", %1").arg(QLatin1String(extra)) : QString(), arrays.join(u", "_qs));
}
} // namespace

StoreLocation StoreLocation::sqliteIn(const QString &dataDir)
{
    StoreLocation location;
    location.driver = QStringLiteral("QSQLITE");
    location.databaseName = QDir(dataDir).filePath(QStringLiteral("flashsale.sqlite"));
    return location;
}

StoreLocation StoreLocation::fromUrl(const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    StoreLocation location;
    // Error messages never repeat the password.
    const QString shown = url.isValid() ? url.toDisplayString(QUrl::RemovePassword) : QStringLiteral("an invalid URL");
    if (!url.isValid() || (url.scheme() != QLatin1String("postgresql") && url.scheme() != QLatin1String("postgres"))) {
        *error = QStringLiteral("expected postgresql://USER:PASS@HOST:PORT/DB, got %1").arg(shown);
        return location;
    }
    location.driver = QStringLiteral("QPSQL");
    location.host = url.host();
    location.port = url.port(5432);
    location.user = url.userName();
    location.password = url.password();
    location.databaseName = url.path().mid(1);
    if (location.databaseName.isEmpty())
        location.databaseName = location.user;
    if (location.host.isEmpty() || location.databaseName.isEmpty()) {
        *error = QStringLiteral("expected postgresql://USER:PASS@HOST:PORT/DB with a host and a database, got %1").arg(shown);
        return StoreLocation();
    }
    return location;
}

QSqlDatabase openConnection(const StoreLocation &location, const QString &connectionName, QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(location.driver, connectionName);
    db.setDatabaseName(location.databaseName);
    if (!location.isSqlite()) {
        db.setHostName(location.host);
        db.setPort(location.port);
        db.setUserName(location.user);
        db.setPassword(location.password);
    } else {
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    }
    if (!db.open()) {
        *error = db.lastError().text();
        return db;
    }
    if (location.isSqlite()) {
        QSqlQuery pragma(db);
        // WAL with synchronous=FULL: a commit returns once it is on disk. A 64 MiB page cache
        // keeps the intents' B-tree in memory between group commits.
        for (const char *statement : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536",
                                       "PRAGMA journal_size_limit=67108864"}) {
            if (!pragma.exec(QString::fromLatin1(statement))) {
                *error = pragma.lastError().text();
                db.close();
                return db;
            }
        }
    }
    return db;
}

QSqlDatabase readerConnection(const StoreLocation &location, QString *error)
{
    const QString name = QStringLiteral("flashsale-reader-%1-%2")
                             .arg(reinterpret_cast<quintptr>(QThread::currentThread()), 0, 16)
                             .arg(qHash(location.databaseName + location.host), 0, 16);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name);
        if (db.isOpen())
            return db;
        QSqlDatabase::removeDatabase(name);
    }
    return openConnection(location, name, error);
}

SchemaLock::SchemaLock(const QSqlDatabase &db, bool isSqlite)
    : m_db(isSqlite ? QSqlDatabase() : db)
{
    if (m_db.isValid())
        QSqlQuery(m_db).exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(kSchemaLockKey));
}

SchemaLock::~SchemaLock()
{
    if (m_db.isValid())
        QSqlQuery(m_db).exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(kSchemaLockKey));
}

struct SqlStore::Statements {
    explicit Statements(const QSqlDatabase &db)
        : insertRequest(db), insertOrder(db), updateOrder(db), recordOffer(db), upsertEvent(db), checkEpoch(db),
          eventFacts(db), insertWebhook(db)
    {
    }
    QSqlQuery insertRequest;
    QSqlQuery insertOrder;
    QSqlQuery updateOrder;
    QSqlQuery recordOffer;
    QSqlQuery upsertEvent;
    QSqlQuery checkEpoch;
    QSqlQuery eventFacts;
    QSqlQuery insertWebhook;
};

const char kEventColumns[] = "id, name, price_cents, currency, initial_stock, stock_total, per_user_limit,"
                             " starts_at_ms, ends_at_ms, state, created_at_ms, updated_at_ms, rehearsal,"
                             " shopper_identity, fair_start_ms, payment_window_seconds, release_policy";

EventSnapshot readEventRow(const QSqlQuery &query)
{
    EventSnapshot event;
    event.config.id = query.value(0).toString();
    event.config.name = query.value(1).toString();
    event.config.priceCents = query.value(2).toLongLong();
    event.config.currency = query.value(3).toString();
    event.config.stock = query.value(4).toLongLong();
    event.stockTotal = query.value(5).toLongLong();
    event.config.perUserLimit = query.value(6).toInt();
    event.config.startsAtMs = query.value(7).toLongLong();
    event.config.endsAtMs = query.value(8).toLongLong();
    event.state = eventStateFromString(query.value(9).toString()).value_or(EventState::Draft);
    event.createdAtMs = query.value(10).toLongLong();
    event.updatedAtMs = query.value(11).toLongLong();
    event.config.rehearsal = query.value(12).toInt() != 0;
    event.config.shopperIdentity = shopperIdentityFromString(query.value(13).toString()).value_or(ShopperIdentity::Open);
    event.config.fairStartMs = query.value(14).toInt();
    event.config.paymentWindowSeconds = query.value(15).toInt();
    event.config.releasePolicy = releasePolicyFromString(query.value(16).toString()).value_or(ReleasePolicy::Restock);
    return event;
}

const char kTicketColumns[] = "seq, ticket_tag, event_id, request_id, state, reason, order_id, user_id";

LoadedTicket readTicketRow(const QSqlQuery &query)
{
    LoadedTicket ticket;
    ticket.view.seq = query.value(0).toULongLong();
    // BIGINT holds the 64-bit tag bit for bit (tags of 0.1.0 are below 2^32, so unchanged).
    ticket.view.tag = std::uint64_t(query.value(1).toLongLong());
    ticket.eventId = query.value(2).toString();
    ticket.requestId = query.value(3).toString();
    ticket.userHash = hashUserId(userKeyOf(query.value(7).toString()));
    if (query.value(4).toString() == QLatin1String("won")) {
        ticket.view.state = TicketState::Won;
        ticket.view.orderId = query.value(6).toLongLong();
    } else {
        ticket.view.state = TicketState::Lost;
        ticket.view.reason = lossReasonFromString(query.value(5).toString()).value_or(LossReason::NotOpen);
    }
    return ticket;
}

bool streamJournal(const StoreLocation &location, const std::function<bool(LoadedTicket &)> &ticket, QString *error)
{
    const QString name = QStringLiteral("flashsale-journal-stream-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
    bool ok = false;
    {
        QSqlDatabase db = openConnection(location, name, error);
        if (db.isOpen()) {
            QSqlQuery query(db);
            query.setForwardOnly(true);
            if (query.exec(QStringLiteral("SELECT %1 FROM requests ORDER BY seq").arg(QLatin1String(kTicketColumns)))) {
                ok = true;
                while (ok && query.next()) {
                    LoadedTicket row = readTicketRow(query);
                    ok = ticket(row);
                }
                if (ok && query.lastError().isValid()) {
                    *error = query.lastError().text();
                    ok = false;
                }
            } else {
                *error = query.lastError().text();
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

std::optional<LoadedTicket> readJournaledTicket(const StoreLocation &location, std::uint64_t seq, QString *error)
{
    QSqlDatabase db = readerConnection(location, error);
    if (!db.isOpen())
        return std::nullopt;
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM requests WHERE seq = ?").arg(QLatin1String(kTicketColumns)));
    query.addBindValue(qint64(seq));
    if (!query.exec()) {
        *error = query.lastError().text();
        return std::nullopt;
    }
    return query.next() ? readTicketRow(query) : LoadedTicket();
}

WalCheckpointer::WalCheckpointer(StoreLocation location, std::int64_t walLimitBytes, std::atomic<bool> &overLimit)
    : m_location(std::move(location))
    , m_walLimitBytes(walLimitBytes)
    , m_overLimit(overLimit)
    , m_thread([this] { run(); })
{
}

WalCheckpointer::~WalCheckpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void WalCheckpointer::run()
{
    const QString name = QStringLiteral("flashsale-checkpoint-%1").arg(reinterpret_cast<quintptr>(this), 0, 16);
    {
        QString error;
        QSqlDatabase db = openConnection(m_location, name, &error);
        QSqlQuery query(db);
        std::unique_lock lock(m_mutex);
        while (db.isOpen() && !m_wake.wait_for(lock, std::chrono::milliseconds(500), [this] { return m_stopping; })) {
            lock.unlock();
            if (!query.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")))
                qWarning("WAL checkpoint failed: %s", qPrintable(query.lastError().text()));
            query.finish();
            // At half the limit: the commits of the next half second still fit under it.
            if (QFileInfo(m_location.databaseName + u"-wal"_qs).size() > m_walLimitBytes / 2)
                m_overLimit.store(true, std::memory_order_relaxed);
            lock.lock();
        }
        if (!db.isOpen())
            qWarning("WAL checkpointer cannot open the database: %s", qPrintable(error));
    }
    QSqlDatabase::removeDatabase(name);
}

SqlStore::SqlStore(StoreLocation location, std::int64_t walLimitBytes)
    : m_location(std::move(location))
    , m_walLimitBytes(walLimitBytes)
    , m_connectionName(QStringLiteral("flashsale-writer-%1").arg(reinterpret_cast<quintptr>(this), 0, 16))
{
}

SqlStore::~SqlStore()
{
    close();
}

bool SqlStore::open(QString *error)
{
    if (m_location.isSqlite()) {
        if (!makePrivateDir(QFileInfo(m_location.databaseName).absolutePath(), error))
            return false;
        // A database from a newer build is refused before anything opens it for writing.
        int found = -1;
        if (!schema::peekSqliteVersion(m_location.databaseName, &found, error))
            return false;
        if (found > schema::currentVersion()) {
            m_upgrade = schema::UpgradeResult{schema::Outcome::TooNew, found, found, QString(),
                                              schema::tooNewMessage(m_location.databaseName, found, true)};
            *error = m_upgrade.error;
            return false;
        }
        // Made here first (0600), so SQLite's -wal and -shm beside it are private too.
        if (!createPrivateFile(m_location.databaseName, error))
            return false;
    }
    QSqlDatabase db = openConnection(m_location, m_connectionName, error);
    if (!db.isOpen())
        return false;
    readDurability(db);
    m_upgrade = schema::upgrade(db, m_location);
    if (m_upgrade.outcome == schema::Outcome::TooNew || m_upgrade.outcome == schema::Outcome::Failed) {
        *error = m_upgrade.error;
        return false;
    }
    QSqlQuery query(db);
    if (m_location.isSqlite()) {
        // Checkpoints run beside the writer instead of inside whichever commit crosses the limit.
        if (!query.exec(QStringLiteral("PRAGMA wal_autocheckpoint=0"))) {
            *error = query.lastError().text();
            return false;
        }
        m_checkpointer = std::make_unique<WalCheckpointer>(m_location, m_walLimitBytes, m_walOverLimit);
        // This writer numbers SQLite's commits: on after the last one that journaled a loss.
        if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(commit_no), 0) FROM requests WHERE state = 'lost'"))
            || !query.next()) {
            *error = query.lastError().text();
            return false;
        }
        m_commitNo = query.value(0).toLongLong();
        query.finish();
    }
    m_projector = std::make_unique<IntentProjector>(m_location);
    return prepare(error);
}

bool SqlStore::prepare(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    m_statements = std::make_unique<Statements>(db);
    Statements &s = *m_statements;
    // The commit a journal row belongs to: SQLite's writer counts them (one writer per database);
    // PostgreSQL's nodes commit side by side, so it is the transaction's id (IntentProjector).
    // PostgreSQL inserts a commit's journal rows and orders set-based (BatchInsert).
    const char journalColumns[] = "seq, ticket_tag, event_id, request_id, user_id, quantity, contact, simulated,"
                                  " accepted_at_ms, state, reason, order_id, decided_at_ms, commit_pos, commit_no";
    const char orderColumns[] = "order_id, event_id, user_id, quantity, price_cents, total_cents, request_id,"
                                " ticket_seq, contact, simulated, decided_at_ms, status, source, expires_at_ms, paid_at_ms";
    const QString insertRequest = m_location.isSqlite()
        ? QStringLiteral("INSERT INTO requests (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
              .arg(QLatin1String(journalColumns))
        : unnestInsert("requests", journalColumns,
                       {"bigint", "bigint", "text", "text", "text", "integer", "text", "integer", "bigint", "text", "text",
                        "bigint", "bigint", "integer"},
                       "txid_current()");
    const QString insertOrder = m_location.isSqlite()
        ? QStringLiteral("INSERT INTO orders (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").arg(QLatin1String(orderColumns))
        : unnestInsert("orders", orderColumns,
                       {"bigint", "text", "text", "integer", "bigint", "bigint", "text", "bigint", "text", "integer",
                        "bigint", "text", "text", "bigint", "bigint"},
                       "");
    for (const auto &[query, sql] : {std::pair{&s.insertRequest, insertRequest}, std::pair{&s.insertOrder, insertOrder}}) {
        if (!query->prepare(sql)) {
            *error = QStringLiteral("prepare: %1").arg(query->lastError().text());
            return false;
        }
    }
    const std::pair<QSqlQuery *, const char *> statements[] = {
        {&s.updateOrder, "UPDATE orders SET status = ?, paid_at_ms = ? WHERE order_id = ?"},
        // The lead's row may not be projected yet: then the offer makes it, with no attempts
        // (hidden from the records until the projector folds the lead's losses into it).
        {&s.recordOffer,
         "INSERT INTO intents (event_id, user_id, contact, quantity, last_reason, attempts, first_at_ms, last_at_ms,"
         " simulated, offered_at_ms, offer_order_id) VALUES (?, ?, '', ?, 'sold_out', 0, 0, 0, ?, ?, ?)"
         " ON CONFLICT (event_id, user_id) DO UPDATE SET offered_at_ms = excluded.offered_at_ms,"
         " offer_order_id = excluded.offer_order_id"},
        {&s.upsertEvent,
         "INSERT INTO events (id, name, price_cents, currency, initial_stock, stock_total, per_user_limit,"
         " starts_at_ms, ends_at_ms, state, created_at_ms, updated_at_ms, rehearsal, shopper_identity, fair_start_ms,"
         " payment_window_seconds, release_policy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
         " ON CONFLICT (id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents,"
         " currency = excluded.currency, initial_stock = excluded.initial_stock,"
         " stock_total = excluded.stock_total, per_user_limit = excluded.per_user_limit,"
         " starts_at_ms = excluded.starts_at_ms, ends_at_ms = excluded.ends_at_ms, state = excluded.state,"
         " updated_at_ms = excluded.updated_at_ms, shopper_identity = excluded.shopper_identity,"
         " fair_start_ms = excluded.fair_start_ms, payment_window_seconds = excluded.payment_window_seconds,"
         " release_policy = excluded.release_policy"},
        {&s.eventFacts, "SELECT state, currency, rehearsal FROM events WHERE id = ?"},
        {&s.insertWebhook, "INSERT INTO webhook_outbox (id, type, event_id, created_at_ms, data) VALUES (?, ?, ?, ?, ?)"},
    };
    // Locks the event row until the commit: a node taking the event over waits for it, then
    // raises the epoch, after which this node's commits for the event fail the check.
    if (!s.checkEpoch.prepare(QStringLiteral("UPDATE events SET decider_epoch = decider_epoch WHERE id = ? AND decider_epoch = ?"))) {
        *error = QStringLiteral("prepare: %1").arg(s.checkEpoch.lastError().text());
        return false;
    }
    for (const auto &[query, sql] : statements) {
        if (!query->prepare(QString::fromLatin1(sql))) {
            *error = QStringLiteral("prepare: %1").arg(query->lastError().text());
            return false;
        }
    }
    return true;
}

bool loadOrders(QSqlDatabase &db, const QString &eventId, LoadedState *state, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    // The event's id is bound wherever oneEvent put its condition (at most once per statement).
    const auto oneEvent = [&eventId](QStringView column) {
        return eventId.isEmpty() ? QString() : QStringLiteral(" AND %1 = ?").arg(column);
    };
    const auto run = [&](const QString &sql) {
        query.prepare(sql);
        if (!eventId.isEmpty())
            query.addBindValue(eventId);
        if (query.exec())
            return true;
        *error = query.lastError().text();
        return false;
    };
    // Units still held count towards the per-user limit; cancelled and expired orders freed theirs.
    if (!run(QStringLiteral("SELECT event_id, user_id, CAST(SUM(quantity) AS BIGINT) FROM orders"
                            " WHERE status IN ('final', 'pending_payment', 'paid')%1 GROUP BY event_id, user_id")
                 .arg(oneEvent(u"event_id"))))
        return false;
    while (query.next())
        state->wonUnitsByEventAndUser[query.value(0).toString()].insert(query.value(1).toString(),
                                                                      std::int32_t(query.value(2).toLongLong()));
    if (!run(QStringLiteral("SELECT event_id, source, status, COUNT(*), CAST(SUM(quantity) AS BIGINT) FROM orders"
                            " WHERE TRUE%1 GROUP BY 1, 2, 3")
                 .arg(oneEvent(u"event_id"))))
        return false;
    while (query.next()) {
        LoadedOrderUnits &units = state->unitsByEvent[query.value(0).toString()];
        OrderCounts &counts = units.counts;
        const std::int64_t orders = query.value(3).toLongLong();
        const std::int64_t sum = query.value(4).toLongLong();
        if (query.value(1).toString() == QLatin1String("offer"))
            counts.offeredUnits += sum;
        else
            units.saleUnits += sum;
        switch (orderStatusFromString(query.value(2).toString()).value_or(OrderStatus::Final)) {
        case OrderStatus::Final: break;
        case OrderStatus::PendingPayment:
            counts.pendingOrders += orders;
            counts.pendingUnits += sum;
            break;
        case OrderStatus::Paid: counts.paidUnits += sum; break;
        case OrderStatus::Cancelled: counts.cancelledUnits += sum; break;
        case OrderStatus::Expired: counts.expiredUnits += sum; break;
        }
    }
    if (!run(QStringLiteral("SELECT o.order_id, o.event_id, o.user_id, o.quantity, o.price_cents, o.request_id,"
                            " o.ticket_seq, o.contact, o.simulated, o.decided_at_ms, o.status, o.source,"
                            " o.expires_at_ms, o.paid_at_ms FROM orders o JOIN events e ON e.id = o.event_id"
                            " WHERE e.payment_window_seconds > 0%1 ORDER BY o.order_id")
                 .arg(oneEvent(u"o.event_id"))))
        return false;
    while (query.next()) {
        state->windowedOrders.push_back(OrderView{
            query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(), query.value(3).toInt(),
            query.value(4).toLongLong(), query.value(5).toString(), query.value(6).toULongLong(),
            query.value(7).toString(), query.value(8).toInt() != 0, query.value(9).toLongLong(),
            orderStatusFromString(query.value(10).toString()).value_or(OrderStatus::Final),
            orderSourceFromString(query.value(11).toString()).value_or(OrderSource::Sale), query.value(12).toLongLong(),
            query.value(13).toLongLong()});
    }
    if (!run(QStringLiteral("SELECT r.event_id, r.seq, r.user_id, r.quantity, r.request_id, r.contact, r.simulated,"
                            " COALESCE(i.offered_at_ms, 0) FROM requests r JOIN events e ON e.id = r.event_id"
                            " LEFT JOIN intents i ON i.event_id = r.event_id AND i.user_id = r.user_id"
                            " WHERE e.payment_window_seconds > 0 AND e.release_policy = 'offer'"
                            " AND r.state = 'lost' AND r.reason = 'sold_out'%1 ORDER BY %2")
                 .arg(oneEvent(u"r.event_id"), eventId.isEmpty() ? u"r.seq"_qs : u"r.decided_at_ms, r.seq"_qs)))
        return false;
    while (query.next()) {
        state->leads.push_back(LoadedLead{query.value(0).toString(), query.value(1).toULongLong(), query.value(2).toString(),
                                          query.value(3).toInt(), query.value(4).toString(), query.value(5).toString(),
                                          query.value(6).toInt() != 0, query.value(7).toLongLong() > 0});
    }

    return true;
}

QHash<QString, RestoredOrders> takeRestoredOrders(LoadedState &loaded)
{
    QHash<QString, RestoredOrders> byEvent;
    for (OrderView &order : loaded.windowedOrders)
        byEvent[order.eventId].orders.push_back(std::move(order));
    loaded.windowedOrders.clear();
    for (LoadedLead &lead : loaded.leads) {
        if (lead.offered)
            continue; // a lead is offered units once
        const QString key = userKeyOf(lead.userId);
        byEvent[lead.eventId].leads.push_back(Lead{lead.userId, key, hashUserId(key), lead.quantity, lead.requestId,
                                                   lead.seq, lead.contact, lead.simulated});
    }
    loaded.leads.clear();
    for (auto it = loaded.unitsByEvent.cbegin(); it != loaded.unitsByEvent.cend(); ++it) {
        RestoredOrders &orders = byEvent[it.key()];
        orders.counts = it->counts;
    }
    return byEvent;
}

bool SqlStore::load(LoadedState *state, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery query(db);
    query.setForwardOnly(true);
    const auto fail = [&] {
        *error = query.lastError().text();
        return false;
    };

    if (!query.exec(QStringLiteral("SELECT %1 FROM events").arg(QLatin1String(kEventColumns))))
        return fail();
    while (query.next()) {
        EventSnapshot event = readEventRow(query);
        m_eventFacts.insert(event.config.id, EventFacts{event.config.currency, event.config.rehearsal});
        state->events.push_back(std::move(event));
    }
    if (!loadOrders(db, QString(), state, error))
        return false;

    if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(order_id), 0) FROM orders")) || !query.next())
        return fail();
    state->maxOrderId = query.value(0).toLongLong();

    if (!query.exec(QStringLiteral("SELECT event_id, state, COUNT(*) FROM requests GROUP BY event_id, state")))
        return fail();
    while (query.next()) {
        RequestCounts &counts = state->requestsByEvent[query.value(0).toString()];
        const std::int64_t n = query.value(2).toLongLong();
        counts.accepted += n;
        if (query.value(1).toString() == QLatin1String("won"))
            counts.won += n;
        else
            counts.lost += n;
    }
    return true;
}

bool SqlStore::commit(const CommitBatch &batch, QString *error, std::vector<FencedEvent> *fenced)
{
    std::vector<FencedEvent> fencedHere;
    if (!fenced)
        fenced = &fencedHere;
    if (!m_statements && !reconnect(error))
        return false; // the last reconnect failed too
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    Statements &s = *m_statements;
    QSqlQuery *failed = nullptr;
    const auto run = [&failed](QSqlQuery &query) {
        if (!query.exec()) {
            failed = &query;
            return false;
        }
        return true;
    };

    // SQLite: the write lock first. A deferred transaction that read (an event's stored state)
    // before its first write fails at once, without the busy timeout, when another connection
    // (the intent projector, a backup) holds the lock at that moment.
    QSqlQuery begin(db);
    if (m_location.isSqlite() ? !begin.exec(QStringLiteral("BEGIN IMMEDIATE")) : !db.transaction()) {
        *error = m_location.isSqlite() ? begin.lastError().text() : db.lastError().text();
        return false;
    }
    bool ok = true;
    // Cluster mode: every event this batch writes for must still be decided under its epoch.
    std::vector<FencedEvent> epochs;
    const auto needEpoch = [&epochs](const QString &eventId, std::int64_t epoch) {
        if (epoch > 0 && std::none_of(epochs.begin(), epochs.end(), [&](const FencedEvent &e) { return e.eventId == eventId; }))
            epochs.push_back(FencedEvent{eventId, epoch});
    };
    for (const EventSnapshot &event : batch.eventRows)
        needEpoch(event.config.id, event.deciderEpoch);
    for (const DecidedRequest &d : batch.decided) {
        if (d.disposition == DecidedRequest::Disposition::Decided)
            needEpoch(d.request.eventId, d.decision.deciderEpoch);
    }
    for (const OrderChange &change : batch.orderChanges)
        needEpoch(change.order.eventId, change.deciderEpoch);
    for (const FencedEvent &e : epochs) {
        QSqlQuery &q = s.checkEpoch;
        q.bindValue(0, e.eventId);
        q.bindValue(1, qint64(e.epoch));
        if (!(ok = run(q)))
            break;
        if (q.numRowsAffected() != 1)
            fenced->push_back(e);
    }
    if (ok && !fenced->empty()) {
        db.rollback();
        *error = QStringLiteral("another node decides %1 now").arg(fenced->front().eventId);
        return false;
    }
    // Webhooks for what this commit makes happen, written with it (engine/storage/webhooks.h):
    // an event opening first, then the orders, then an event selling out or ending.
    const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
    std::vector<webhooks::OutboxEntry> opened, orders, closed;
    QHash<QString, EventState> stateInBatch; // each event's state after this batch's earlier rows
    for (const EventSnapshot &event : batch.eventRows) {
        if (!ok)
            break;
        std::optional<EventState> before = stateInBatch.contains(event.config.id)
            ? std::optional(stateInBatch.value(event.config.id))
            : storedState(event.config.id, &ok);
        stateInBatch.insert(event.config.id, event.state);
        m_eventFacts.insert(event.config.id, EventFacts{event.config.currency, event.config.rehearsal});
        const QStringView type = webhooks::typeOfEventState(event.state);
        if (ok && before != event.state && !type.isEmpty() && !event.config.rehearsal)
            (event.state == EventState::Open ? opened : closed).push_back(webhooks::eventEntry(type, event, nowMs));
        if (!ok)
            break;
        QSqlQuery &q = s.upsertEvent;
        q.bindValue(0, event.config.id);
        q.bindValue(1, event.config.name);
        q.bindValue(2, qint64(event.config.priceCents));
        q.bindValue(3, event.config.currency);
        q.bindValue(4, qint64(event.config.stock));
        q.bindValue(5, qint64(event.stockTotal));
        q.bindValue(6, event.config.perUserLimit);
        q.bindValue(7, qint64(event.config.startsAtMs));
        q.bindValue(8, qint64(event.config.endsAtMs));
        q.bindValue(9, toString(event.state));
        q.bindValue(10, qint64(event.createdAtMs));
        q.bindValue(11, qint64(event.updatedAtMs));
        q.bindValue(12, event.config.rehearsal ? 1 : 0);
        q.bindValue(13, toString(event.config.shopperIdentity));
        q.bindValue(14, event.config.fairStartMs);
        q.bindValue(15, event.config.paymentWindowSeconds);
        q.bindValue(16, toString(event.config.releasePolicy));
        ok = run(q);
    }
    // Journal rows only: the intent projector folds the losses into intents off this path.
    const std::int64_t commitNo = ++m_commitNo; // SQLite's; PostgreSQL's rows take the transaction id
    const bool setBased = !m_location.isSqlite();
    BatchInsert journal(s.insertRequest, setBased);
    BatchInsert newOrders(s.insertOrder, setBased);
    const auto addOrder = [&](const OrderView &o) {
        const QVariant row[] = {qint64(o.orderId), o.eventId, o.userId, o.quantity, qint64(o.priceCents),
                                qint64(o.priceCents * o.quantity), o.requestId, qint64(o.ticketSeq), notNull(o.contact),
                                int(o.simulated), qint64(o.decidedAtMs), toString(o.status), toString(o.source),
                                qint64(o.expiresAtMs), qint64(o.paidAtMs)};
        return newOrders.add(row) || ((failed = &newOrders.query()), false);
    };
    bool journaledLoss = false;
    for (std::size_t i = 0; ok && i < batch.decided.size(); ++i) {
        if (batch.decided[i].disposition != DecidedRequest::Disposition::Decided)
            continue;
        const PurchaseRequest &r = batch.decided[i].request;
        const Decision &d = batch.decided[i].decision;
        const bool won = d.outcome == TicketState::Won;
        const QVariant row[] = {qint64(r.seq), qint64(r.ticketTag), r.eventId, r.requestId, r.userId, r.quantity,
                                notNull(r.contact), int(r.simulated), qint64(r.acceptedAtMs), toString(d.outcome),
                                won ? QVariant() : QVariant(toString(d.reason)),
                                won ? QVariant(qint64(d.orderId)) : QVariant(), qint64(d.decidedAtMs), int(i),
                                qint64(commitNo)};
        // PostgreSQL's rows take the transaction id in the statement instead of commitNo.
        if (!journal.add(std::span(row).first(setBased ? std::size(row) - 1 : std::size(row)))) {
            failed = &journal.query();
            ok = false;
            break;
        }
        if (won) {
            const OrderView order{d.orderId, r.eventId, r.userId, r.quantity, d.unitPriceCents, r.requestId, r.seq,
                                  r.contact, r.simulated, d.decidedAtMs,
                                  d.expiresAtMs > 0 ? OrderStatus::PendingPayment : OrderStatus::Final,
                                  OrderSource::Sale, d.expiresAtMs, 0};
            if ((ok = addOrder(order)) && !r.simulated)
                ok = addOrderWebhook(webhooks::kOrderWon, order, nowMs, orders);
        } else {
            journaledLoss = true;
        }
    }
    // An offer records itself on its lead's row, which the projector may not have made yet.
    for (std::size_t i = 0; ok && i < batch.orderChanges.size(); ++i) {
        const OrderView &o = batch.orderChanges[i].order;
        if (const QStringView type = webhooks::typeOfOrderChange(batch.orderChanges[i]); !type.isEmpty() && !o.simulated)
            ok = addOrderWebhook(type, o, nowMs, orders);
        if (!ok)
            break;
        if (batch.orderChanges[i].created) {
            if (!(ok = addOrder(o)))
                break;
            QSqlQuery &offer = s.recordOffer;
            offer.bindValue(0, o.eventId);
            offer.bindValue(1, o.userId);
            offer.bindValue(2, o.quantity);
            offer.bindValue(3, int(o.simulated));
            offer.bindValue(4, qint64(o.decidedAtMs));
            offer.bindValue(5, qint64(o.orderId));
            ok = run(offer);
        } else {
            // Created earlier in this batch (an offer, then its expiry): the row must be there.
            if (!(ok = newOrders.flush() || ((failed = &newOrders.query()), false)))
                break;
            QSqlQuery &q = s.updateOrder;
            q.bindValue(0, toString(o.status));
            q.bindValue(1, qint64(o.paidAtMs));
            q.bindValue(2, qint64(o.orderId));
            ok = run(q);
        }
    }
    if (ok && !(ok = journal.flush()))
        failed = &journal.query();
    if (ok && !(ok = newOrders.flush()))
        failed = &newOrders.query();
    for (const auto *entries : {&opened, &orders, &closed}) {
        for (std::size_t i = 0; ok && i < entries->size(); ++i) {
            const webhooks::OutboxEntry &w = (*entries)[i];
            QSqlQuery &q = s.insertWebhook;
            q.bindValue(0, w.id);
            q.bindValue(1, w.type);
            q.bindValue(2, w.eventId);
            q.bindValue(3, qint64(w.createdAtMs));
            q.bindValue(4, QString::fromUtf8(w.data));
            ok = run(q);
        }
    }
    if (ok && db.commit()) {
        if (journaledLoss && m_projector)
            m_projector->nudge();
        if (m_walOverLimit.exchange(false, std::memory_order_relaxed))
            truncateWal(db);
        return true;
    }
    *error = failed ? failed->lastError().text() : db.lastError().text();
    db.rollback();
    return false;
}

std::optional<EventState> SqlStore::storedState(const QString &eventId, bool *ok)
{
    QSqlQuery &q = m_statements->eventFacts;
    q.bindValue(0, eventId);
    if (!(*ok = q.exec()))
        return std::nullopt;
    std::optional<EventState> state;
    if (q.next()) {
        state = eventStateFromString(q.value(0).toString());
        m_eventFacts.insert(eventId, EventFacts{q.value(1).toString(), q.value(2).toInt() != 0});
    }
    q.finish();
    return state;
}

bool SqlStore::addOrderWebhook(QStringView type, const OrderView &order, std::int64_t nowMs,
                               std::vector<webhooks::OutboxEntry> &entries)
{
    bool ok = true;
    if (!m_eventFacts.contains(order.eventId))
        storedState(order.eventId, &ok); // an event this node has not written yet (scale-out)
    const EventFacts facts = m_eventFacts.value(order.eventId);
    if (ok && !facts.rehearsal)
        entries.push_back(webhooks::orderEntry(type, order, facts.currency, nowMs));
    return ok;
}

void SqlStore::truncateWal(QSqlDatabase &db)
{
    // The checkpointer has copied all but the latest commits back already, so this is short. A
    // reader holding an old snapshot (a backup) would make it wait: give up after 200 ms.
    QSqlQuery query(db);
    query.exec(QStringLiteral("PRAGMA busy_timeout=200"));
    if (!query.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")))
        qWarning("WAL truncation failed: %s", qPrintable(query.lastError().text()));
    query.finish();
    query.exec(QStringLiteral("PRAGMA busy_timeout=5000"));
}

bool SqlStore::reconnect(QString *error)
{
    m_statements.reset();
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    QSqlDatabase db = openConnection(m_location, m_connectionName, error);
    if (!db.isOpen())
        return false;
    readDurability(db);
    return prepare(error);
}

void SqlStore::readDurability(const QSqlDatabase &db)
{
    if (!m_location.isSqlite())
        return;
    StoreDurability read;
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next())
        read.journalMode = query.value(0).toString();
    if (query.exec(QStringLiteral("PRAGMA synchronous")) && query.next())
        read.synchronous = query.value(0).toInt();
    std::lock_guard lock(m_durabilityMutex);
    m_durability = read;
}

StoreDurability SqlStore::durability() const
{
    std::lock_guard lock(m_durabilityMutex);
    return m_durability;
}

void SqlStore::close()
{
    m_projector.reset(); // folds what is committed, then stops
    m_checkpointer.reset();
    m_statements.reset();
    if (QSqlDatabase::contains(m_connectionName)) {
        QSqlDatabase::database(m_connectionName, false).close();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

} // namespace flashsale
