#include "engine/cluster/clusterstore.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace flashsale::clusterstore {

namespace {
bool failed(const QSqlQuery &query, QString *error)
{
    *error = query.lastError().text();
    return false;
}
} // namespace

QByteArray prepare(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    query.exec(QStringLiteral("SET client_min_messages TO WARNING"));
    SchemaLock schemaLock(db, false);
    // The block sequence is made once, starting past every seq already journaled (say, by an
    // earlier single-node run). Never moved afterwards: a setval racing another node's nextval
    // could hand out a block twice.
    if (!query.exec(QStringLiteral("SELECT to_regclass('ticket_seq_blocks') IS NULL")) || !query.next()) {
        failed(query, error);
        return QByteArray();
    }
    if (query.value(0).toBool()) {
        if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(seq), 0) / %1 + 1 FROM requests").arg(kSeqBlockSize))
            || !query.next()) {
            failed(query, error);
            return QByteArray();
        }
        const qint64 firstBlock = query.value(0).toLongLong();
        if (!query.exec(QStringLiteral("CREATE SEQUENCE ticket_seq_blocks START WITH %1").arg(firstBlock))) {
            failed(query, error);
            return QByteArray();
        }
    }
    if (!query.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS requests_by_event ON requests (event_id)"))
        || !query.exec(QStringLiteral("CREATE INDEX IF NOT EXISTS orders_awaiting_payment ON orders (expires_at_ms)"
                                      " WHERE status = 'pending_payment'"))
        || !query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS cluster_identity (id TEXT NOT NULL)"))
        || !query.exec(QStringLiteral("INSERT INTO cluster_identity SELECT substr(md5(random()::text), 1, 12)"
                                      " WHERE NOT EXISTS (SELECT 1 FROM cluster_identity)"))
        || !query.exec(QStringLiteral("SELECT id FROM cluster_identity")) || !query.next()) {
        failed(query, error);
        return QByteArray();
    }
    return query.value(0).toString().toLatin1();
}

std::uint64_t reserveSeqBlock(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT nextval('ticket_seq_blocks')")) || !query.next()) {
        failed(query, error);
        return 0;
    }
    return query.value(0).toULongLong() * kSeqBlockSize;
}

std::uint64_t reservedSeqLimit(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT last_value FROM ticket_seq_blocks")) || !query.next())
        return 0;
    return (query.value(0).toULongLong() + 1) * kSeqBlockSize;
}

bool takeOver(QSqlDatabase &db, const QString &eventId, EventTakeover *loaded, QString *error)
{
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery query(db);
    query.setForwardOnly(true);
    const auto fail = [&] {
        *error = query.lastError().text();
        db.rollback();
        return false;
    };
    // The row lock waits out a commit the previous decider has in flight.
    query.prepare(QStringLiteral("SELECT %1 FROM events WHERE id = ? FOR UPDATE").arg(QLatin1String(kEventColumns)));
    query.addBindValue(eventId);
    if (!query.exec())
        return fail();
    if (!query.next()) {
        *error = QStringLiteral("event %1 is not in the store").arg(eventId);
        db.rollback();
        return false;
    }
    loaded->event = readEventRow(query);

    query.prepare(QStringLiteral("UPDATE events SET decider_epoch = decider_epoch + 1 WHERE id = ? RETURNING decider_epoch"));
    query.addBindValue(eventId);
    if (!query.exec() || !query.next())
        return fail();
    loaded->epoch = query.value(0).toLongLong();

    // The orders as the embedded start-up reads them: units held per user, units won, offered
    // and freed, the orders awaiting payment and the leads not offered anything yet.
    LoadedState orders;
    if (!loadOrders(db, eventId, &orders, error)) {
        db.rollback();
        return false;
    }
    loaded->wonUnitsByUser = orders.wonUnitsByEventAndUser.take(eventId);
    loaded->requests.wonUnits = orders.unitsByEvent.value(eventId).saleUnits;
    loaded->orders = takeRestoredOrders(orders).take(eventId);

    query.prepare(QStringLiteral("SELECT %1 FROM requests WHERE event_id = ?").arg(QLatin1String(kTicketColumns)));
    query.addBindValue(eventId);
    if (!query.exec())
        return fail();
    while (query.next()) {
        const LoadedTicket ticket = readTicketRow(query);
        if (ticket.view.state == TicketState::Won)
            ++loaded->requests.won;
        else
            ++loaded->requests.lost;
        loaded->decidedByRequestId.insert(ticket.requestId,
                                          DecidedOutcome{ticket.view.state, ticket.view.reason, ticket.view.orderId});
    }
    if (!db.commit()) {
        *error = db.lastError().text();
        db.rollback();
        return false;
    }
    loaded->event.deciderEpoch = loaded->epoch;
    return true;
}

Status insertEvent(QSqlDatabase &db, const EventSnapshot &event, QString *error)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("INSERT INTO events (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
                      .arg(QLatin1String(kEventColumns)));
    for (const QVariant &value :
         {QVariant(event.config.id), QVariant(event.config.name), QVariant(qint64(event.config.priceCents)),
          QVariant(event.config.currency), QVariant(qint64(event.config.stock)), QVariant(qint64(event.stockTotal)),
          QVariant(event.config.perUserLimit), QVariant(qint64(event.config.startsAtMs)),
          QVariant(qint64(event.config.endsAtMs)), QVariant(toString(event.state)), QVariant(qint64(event.createdAtMs)),
          QVariant(qint64(event.updatedAtMs)), QVariant(event.config.rehearsal ? 1 : 0),
          QVariant(toString(event.config.shopperIdentity)), QVariant(event.config.fairStartMs),
          QVariant(event.config.paymentWindowSeconds), QVariant(toString(event.config.releasePolicy))})
        query.addBindValue(value);
    if (!query.exec()) {
        *error = query.lastError().text();
        return Status::Unavailable;
    }
    return query.numRowsAffected() == 1 ? Status::Ok : Status::Exists;
}

bool loadSince(QSqlDatabase &db, std::int64_t sinceMs, StoreCatchUp *catchUp, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1 FROM events").arg(QLatin1String(kEventColumns))))
        return failed(query, error);
    while (query.next()) {
        EventSnapshot event = readEventRow(query);
        event.remaining = event.stockTotal;
        catchUp->events.push_back(std::move(event));
    }
    const auto eventNamed = [catchUp](const QString &id) -> EventSnapshot * {
        for (EventSnapshot &event : catchUp->events) {
            if (event.config.id == id)
                return &event;
        }
        return nullptr;
    };
    // Units held: cancelled and expired orders gave theirs back (the count replicas mirror as won units).
    if (!query.exec(QStringLiteral("SELECT event_id, CAST(SUM(quantity) AS BIGINT) FROM orders"
                                   " WHERE status IN ('final', 'pending_payment', 'paid') GROUP BY event_id")))
        return failed(query, error);
    while (query.next()) {
        if (EventSnapshot *event = eventNamed(query.value(0).toString())) {
            event->requests.wonUnits = query.value(1).toLongLong();
            event->remaining = event->stockTotal - event->requests.wonUnits;
        }
    }
    if (!query.exec(QStringLiteral("SELECT event_id, state, COUNT(*) FROM requests GROUP BY event_id, state")))
        return failed(query, error);
    while (query.next()) {
        if (EventSnapshot *event = eventNamed(query.value(0).toString())) {
            const std::int64_t count = query.value(2).toLongLong();
            (query.value(1).toString() == QLatin1String("won") ? event->requests.won : event->requests.lost) += count;
        }
    }
    query.prepare(QStringLiteral("SELECT %1 FROM requests WHERE decided_at_ms >= ? ORDER BY seq").arg(QLatin1String(kTicketColumns)));
    query.addBindValue(qint64(sinceMs));
    if (!query.exec())
        return failed(query, error);
    while (query.next())
        catchUp->tickets.push_back(readTicketRow(query));
    query.prepare(QStringLiteral("SELECT ticket_seq, order_id, expires_at_ms FROM orders WHERE source = 'offer' AND decided_at_ms >= ?"));
    query.addBindValue(qint64(sinceMs));
    if (!query.exec())
        return failed(query, error);
    while (query.next())
        catchUp->offers.push_back(wire::Offer{query.value(0).toULongLong(), query.value(1).toLongLong(), query.value(2).toLongLong()});
    return true;
}

bool eventsWithOverdueOrders(QSqlDatabase &db, std::int64_t deadlineBeforeMs, std::vector<QString> *eventIds, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT DISTINCT event_id FROM orders WHERE status = 'pending_payment' AND expires_at_ms < ?"));
    query.addBindValue(qint64(deadlineBeforeMs));
    if (!query.exec())
        return failed(query, error);
    while (query.next())
        eventIds->push_back(query.value(0).toString());
    return true;
}

bool loadTickets(QSqlDatabase &db, const std::vector<std::uint64_t> &seqs, StoreCatchUp *catchUp, QString *error)
{
    if (seqs.empty())
        return true;
    QString list;
    list.reserve(qsizetype(seqs.size()) * 12);
    for (std::uint64_t seq : seqs) {
        if (!list.isEmpty())
            list += u',';
        list += QString::number(seq);
    }
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1 FROM requests WHERE seq IN (%2)").arg(QLatin1String(kTicketColumns), list)))
        return failed(query, error);
    while (query.next())
        catchUp->tickets.push_back(readTicketRow(query));
    return true;
}

} // namespace flashsale::clusterstore
