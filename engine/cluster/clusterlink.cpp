#include "engine/cluster/clusterlink.h"

#include "engine/node/enginestats.h"

#include <QDateTime>
#include <QDebug>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace flashsale {

namespace {
// Publisher connection: channel 1 publishes to event queues in confirm mode; channel 2 declares
// queues and publishes broadcasts. Consumer connection: channel 1 consumes event queues,
// channel 2 this node's broadcast queue, channel 3 answers queue-depth questions.
constexpr std::uint16_t kConfirmedChannel = 1;
constexpr std::uint16_t kPlainChannel = 2;
constexpr std::uint16_t kEventsChannel = 1;
constexpr std::uint16_t kBroadcastChannel = 2;
constexpr std::uint16_t kQueryChannel = 3;
constexpr int kHeartbeatSeconds = 10;
constexpr int kRetryMs = 1000;
// Requests of one event published as one message. The broker confirms and the decider acks a
// message as a whole, so a batch costs the broker what one request would.
constexpr std::size_t kPurchasesPerMessage = 256;
// Unacknowledged messages the broker lets this node's decider hold.
constexpr std::uint16_t kPrefetchMessages = 64;
// How far back to look for decisions missed while cut off from the broadcasts.
constexpr std::int64_t kCatchUpMarginMs = 30'000;
// A confirmed ticket whose decision has not been announced this long is looked up in the store;
// then again at the same interval, up to kMaxLookups times (a request still deep in a long queue).
constexpr std::int64_t kOverdueAfterMs = 3000;
constexpr int kMaxLookups = 200;
constexpr std::size_t kMaxLookupBatch = 5000;
// How long a staff command waits for its event's decider.
constexpr int kCommandTimeoutMs = 5000;
// An unpaid order still pending this long after its deadline has lost its decider (a live one
// expires it on its next 100 ms tick): its event's queue is sent an ExpireDue command, once per
// this interval, so that the node it is delivered to takes the event over and expires it.
constexpr std::int64_t kOverdueOrderGraceMs = 2000;

std::int64_t nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

ClusterLink::ClusterLink(ClusterHost &host, AmqpUrl broker, StoreLocation store, QString nodeId, QByteArray clusterId)
    : m_host(host)
    , m_broker(std::move(broker))
    , m_store(std::move(store))
    , m_nodeId(std::move(nodeId))
    , m_clusterId(std::move(clusterId))
    , m_exchange(wire::exchangeName(m_clusterId))
    , m_publisherWake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    , m_consumerWake(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    , m_lostAtMs(nowMs())
    , m_storeConnectionName(QStringLiteral("flashsale-cluster-%1").arg(reinterpret_cast<quintptr>(this), 0, 16))
{
}

ClusterLink::~ClusterLink()
{
    stop(0);
    ::close(m_publisherWake);
    ::close(m_consumerWake);
}

QByteArray ClusterLink::queueOf(const QString &eventId) const
{
    return wire::eventQueueName(m_clusterId, eventId);
}

void ClusterLink::start()
{
    m_publisher = std::thread([this] { runPublisher(); });
    m_consumer = std::thread([this] { runConsumer(); });
}

void ClusterLink::stopIntake()
{
    m_intakeStopped = true;
}

void ClusterLink::stop(int timeoutMs)
{
    if (!m_publisher.joinable())
        return;
    m_intakeStopped = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    const auto settled = [this] {
        std::lock_guard lock(m_settleMutex);
        return m_acks.empty() && m_rejects.empty();
    };
    while (std::chrono::steady_clock::now() < deadline && (m_unconfirmedCount.load() > 0 || !settled()))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    m_stopping = true;
    availabilityMayHaveChanged();
    wake(m_publisherWake);
    wake(m_consumerWake);
    m_publisher.join();
    m_consumer.join();
}

bool ClusterLink::isAvailable() const
{
    return m_publisherUp.load(std::memory_order_relaxed) && m_storeUp.load(std::memory_order_relaxed)
        && m_host.ticketNumbersLeft() > 0;
}

QString ClusterLink::unavailableReason() const
{
    if (!brokerConnected())
        return QStringLiteral("the message broker (RabbitMQ) is unreachable; retry with the same requestId");
    if (!storeReachable())
        return QStringLiteral("the database (PostgreSQL) is unreachable; retry with the same requestId");
    if (!isAvailable())
        return QStringLiteral("this node is reserving ticket numbers; retry in a moment");
    return QString();
}

QString ClusterLink::inflightDescription() const
{
    return QStringLiteral("unconfirmed by the broker");
}

void ClusterLink::describe(EngineStats &s) const
{
    s.clustered = true;
    s.brokerConnected = brokerConnected();
    s.storeReachable = storeReachable();
    s.requests = RequestCounts{.accepted = s.queueDepth};
    for (const EventSnapshot &e : std::as_const(s.events)) {
        if (!e.config.rehearsal)
            s.requests += e.requests;
    }
    s.queueDepth += waitingRequests();
}

bool ClusterLink::waitUntilAvailable(int timeoutMs)
{
    std::unique_lock lock(m_availableMutex);
    return m_availableChanged.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                       [this] { return isAvailable() || m_stopping.load(); })
        && isAvailable();
}

void ClusterLink::availabilityMayHaveChanged()
{
    {
        std::lock_guard lock(m_availableMutex); // a waiter checks between its test and its wait
    }
    m_availableChanged.notify_all();
}

void ClusterLink::wake(int fd)
{
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(fd, &one, sizeof one);
}

bool ClusterLink::sleepUnlessStopping(int ms)
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (!m_stopping.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return !m_stopping.load();
}

void ClusterLink::accept(PurchaseRequest request)
{
    m_unconfirmedCount.fetch_add(1, std::memory_order_relaxed);
    bool wasEmpty = false;
    {
        std::lock_guard lock(m_outMutex);
        wasEmpty = m_outPurchases.empty() && m_outOther.empty();
        m_outPurchases.push_back(std::move(request));
    }
    if (wasEmpty)
        wake(m_publisherWake);
}

void ClusterLink::publishCommand(const wire::EventCommand &command)
{
    Outgoing message{queueOf(command.eventId), wire::kCommand, wire::encodeCommand(command), command.eventId, {}};
    std::lock_guard lock(m_outMutex);
    m_outOther.push_back(std::move(message));
    wake(m_publisherWake);
}

void ClusterLink::announceDecisions(const wire::Decisions &decisions)
{
    Outgoing message{"decisions." + decisions.event.config.id.toUtf8(), wire::kDecisions, wire::encodeDecisions(decisions), {}, {}};
    {
        std::lock_guard lock(m_outMutex);
        m_outOther.push_back(std::move(message));
    }
    wake(m_publisherWake);
    for (const wire::CommandOutcome &outcome : decisions.commands) {
        if (outcome.originNode == m_nodeId)
            commandAnswered(outcome);
    }
}

void ClusterLink::announceEvent(const EventSnapshot &event)
{
    Outgoing message{"events." + event.config.id.toUtf8(), wire::kEventCreated, wire::encodeEvent(event), {}, {}};
    std::lock_guard lock(m_outMutex);
    m_outOther.push_back(std::move(message));
    wake(m_publisherWake);
}

void ClusterLink::takeReceipts(PendingDeliveries &pending, const std::vector<std::uint64_t> &keys,
                               std::vector<DeliveryReceipt> &into)
{
    for (std::uint64_t key : keys) {
        const auto it = pending.find(key);
        if (it == pending.end())
            continue;
        into.push_back(it->second.front());
        it->second.pop_front();
        if (it->second.empty())
            pending.erase(it);
    }
}

void ClusterLink::settle(const IntakeSettlement &settled)
{
    if (settled.isEmpty())
        return;
    {
        std::lock_guard lock(m_settleMutex);
        takeReceipts(m_pendingPurchases, settled.committedSeqs, m_acks);
        takeReceipts(m_pendingCommands, settled.committedCommands, m_acks);
        takeReceipts(m_pendingPurchases, settled.returnedSeqs, m_rejects);
        takeReceipts(m_pendingCommands, settled.returnedCommands, m_rejects);
    }
    wake(m_consumerWake);
}

std::int64_t ClusterLink::waitingRequests(int eventIndex) const
{
    std::shared_lock lock(m_depthMutex);
    return eventIndex >= 0 && std::size_t(eventIndex) < m_waitingByEvent.size() ? m_waitingByEvent[std::size_t(eventIndex)] : 0;
}

void ClusterLink::authorityLost(int eventIndex)
{
    std::lock_guard lock(m_takenMutex);
    m_takenOver.erase(eventIndex);
}

// ---- Publisher thread ----

bool ClusterLink::connectPublisher(AmqpConnection &connection)
{
    m_declaredQueues.clear();
    return connection.open(m_broker, QStringLiteral("flashsale %1 publisher").arg(m_nodeId), kHeartbeatSeconds)
        && connection.openChannel(kConfirmedChannel) && connection.confirmSelect(kConfirmedChannel)
        && connection.openChannel(kPlainChannel)
        && connection.declareExchange(kPlainChannel, m_exchange, "topic");
}

bool ClusterLink::publishOne(AmqpConnection &connection, Outgoing &message, std::uint64_t *nextTag)
{
    if (message.eventId.isEmpty())
        return connection.publish(kPlainChannel, m_exchange, message.routingKey, message.type, message.body, false);
    if (std::find(m_declaredQueues.begin(), m_declaredQueues.end(), message.eventId) == m_declaredQueues.end()) {
        if (!connection.declareDurableQueue(kPlainChannel, message.routingKey, true))
            return false;
        m_declaredQueues.push_back(message.eventId);
    }
    if (!connection.publish(kConfirmedChannel, QByteArray(), message.routingKey, message.type, message.body, true))
        return false;
    m_awaitingConfirm.emplace_back(++*nextTag, std::move(message));
    return true;
}

void ClusterLink::confirmed(const AmqpConfirm &confirm)
{
    std::vector<TicketChange> queued;
    while (!m_awaitingConfirm.empty()) {
        auto &[tag, message] = m_awaitingConfirm.front();
        if (tag > confirm.deliveryTag || (!confirm.multiple && tag != confirm.deliveryTag))
            break;
        if (confirm.ack) {
            for (std::uint64_t seq : message.seqs)
                queued.push_back(TicketChange{seq, TicketState::Queued, LossReason::None, 0});
        } else {
            qWarning("broker refused a message (nack); publishing it again");
            m_resend.push_back(std::move(message));
        }
        m_awaitingConfirm.pop_front();
    }
    if (!queued.empty()) {
        m_unconfirmedCount.fetch_sub(std::int64_t(queued.size()), std::memory_order_relaxed);
        {
            const std::int64_t dueAtMs = nowMs() + kOverdueAfterMs;
            std::lock_guard lock(m_queuedMutex);
            for (const TicketChange &change : queued)
                m_queuedTickets.push_back(QueuedTicket{change.seq, dueAtMs, 0});
        }
        m_host.requestsQueued(queued);
    }
}

void ClusterLink::runPublisher()
{
    AmqpConnection connection;
    std::uint64_t nextTag = 0;
    std::vector<PurchaseRequest> purchases;
    std::vector<Outgoing> batch;
    bool warned = false;
    while (!m_stopping.load()) {
        if (!connection.isOpen()) {
            if (!connectPublisher(connection)) {
                if (!warned)
                    qWarning("node %s: broker unreachable, refusing purchases until it is back: %s",
                             qPrintable(m_nodeId), qPrintable(connection.error()));
                warned = true;
                connection.close();
                sleepUnlessStopping(kRetryMs);
                continue;
            }
            qInfo("node %s: publishing to %s", qPrintable(m_nodeId), qPrintable(m_broker.display()));
            warned = false;
            nextTag = 0;
            // Whatever the broker had not confirmed may be lost: publish it again. A request that
            // did arrive twice is recognised by its decider as a repeat.
            std::vector<Outgoing> again;
            for (auto &[tag, message] : m_awaitingConfirm)
                again.push_back(std::move(message));
            m_awaitingConfirm.clear();
            again.insert(again.end(), std::make_move_iterator(m_resend.begin()), std::make_move_iterator(m_resend.end()));
            m_resend = std::move(again);
            m_publisherUp = true;
            availabilityMayHaveChanged();
        }

        {
            std::lock_guard lock(m_outMutex);
            std::swap(purchases, m_outPurchases);
            std::swap(batch, m_outOther);
        }
        // Group consecutive requests of one event into messages, keeping their order.
        for (std::size_t i = 0; i < purchases.size();) {
            std::size_t end = i + 1;
            while (end < purchases.size() && end - i < kPurchasesPerMessage && purchases[end].eventId == purchases[i].eventId)
                ++end;
            Outgoing message{queueOf(purchases[i].eventId), wire::kPurchases,
                             wire::encodePurchases(&purchases[i], end - i), purchases[i].eventId, {}};
            for (std::size_t k = i; k < end; ++k)
                message.seqs.push_back(purchases[k].seq);
            m_resend.push_back(std::move(message));
            i = end;
        }
        purchases.clear();
        m_resend.insert(m_resend.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
        batch.clear();

        bool ok = true;
        std::size_t sent = 0;
        for (; sent < m_resend.size() && ok; ++sent) {
            if (!publishOne(connection, m_resend[sent], &nextTag))
                ok = false;
        }
        if (!ok)
            --sent; // the failed one stays for the next connection
        m_resend.erase(m_resend.begin(), m_resend.begin() + std::ptrdiff_t(sent));

        while (ok) {
            AmqpDelivery ignored;
            AmqpConfirm confirm;
            bool idle = false;
            {
                std::lock_guard lock(m_outMutex);
                idle = m_outPurchases.empty() && m_outOther.empty();
            }
            const auto incoming = connection.next(idle ? 100 : 0, m_publisherWake, &ignored, &confirm);
            if (incoming == AmqpConnection::Incoming::Nothing)
                break;
            if (incoming == AmqpConnection::Incoming::Failed)
                ok = false;
            else if (incoming == AmqpConnection::Incoming::Confirm)
                confirmed(confirm);
        }
        std::uint64_t drained;
        [[maybe_unused]] const auto readBytes = ::read(m_publisherWake, &drained, sizeof drained);
        if (!ok) {
            qWarning("node %s: broker connection lost, reconnecting: %s", qPrintable(m_nodeId), qPrintable(connection.error()));
            m_publisherUp = false;
            connection.close();
            sleepUnlessStopping(kRetryMs);
        }
    }
    m_publisherUp = false;
}

// ---- Consumer thread ----

QSqlDatabase ClusterLink::storeDatabase()
{
    return QSqlDatabase::database(m_storeConnectionName, false);
}

void ClusterLink::maintainStore()
{
    QString error;
    const auto unreachable = [&](QSqlDatabase &db) {
        if (m_storeUp.exchange(false) || !m_storeWarned)
            qWarning("node %s: store unreachable, refusing purchases until it is back: %s", qPrintable(m_nodeId),
                     qPrintable(error));
        m_storeWarned = true;
        db.close();
    };
    QSqlDatabase db = storeDatabase();
    if (!db.isOpen()) {
        if (QSqlDatabase::contains(m_storeConnectionName)) {
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_storeConnectionName);
        }
        db = openConnection(m_store, m_storeConnectionName, &error);
        if (!db.isOpen())
            return unreachable(db);
    }
    QSqlQuery ping(db);
    if (!ping.exec(QStringLiteral("SELECT 1"))) {
        error = ping.lastError().text();
        return unreachable(db);
    }
    if (m_host.ticketNumbersLeft() < clusterstore::kSeqBlockSize / 2) {
        const std::uint64_t first = clusterstore::reserveSeqBlock(db, &error);
        if (first == 0) {
            qWarning("node %s: cannot reserve ticket numbers: %s", qPrintable(m_nodeId), qPrintable(error));
            return;
        }
        m_host.addTicketNumbers(first, clusterstore::kSeqBlockSize);
        availabilityMayHaveChanged();
    }
    if (const std::uint64_t limit = clusterstore::reservedSeqLimit(db); limit > 0)
        m_reservedSeqLimit.store(limit, std::memory_order_relaxed);
    if (!m_storeUp.exchange(true)) {
        qInfo("node %s: store reachable", qPrintable(m_nodeId));
        availabilityMayHaveChanged();
    }
    m_storeWarned = false;
    wakeDecidersOfOverdueOrders(db);
}

void ClusterLink::wakeDecidersOfOverdueOrders(QSqlDatabase &db)
{
    const std::int64_t now = nowMs();
    QString error;
    std::vector<QString> eventIds;
    if (!clusterstore::eventsWithOverdueOrders(db, now - kOverdueOrderGraceMs, &eventIds, &error)) {
        qWarning("node %s: cannot look for overdue orders: %s", qPrintable(m_nodeId), qPrintable(error));
        return;
    }
    // Only the events overdue now are kept, so each is logged once per time it falls behind.
    QHash<QString, std::int64_t> requested;
    for (const QString &eventId : eventIds) {
        std::int64_t sentAtMs = m_expiryRequestedAtMs.value(eventId, 0);
        if (now - sentAtMs >= kOverdueOrderGraceMs) {
            if (sentAtMs == 0)
                qInfo("node %s: event %s has orders past their deadline; asking its queue for a decider",
                      qPrintable(m_nodeId), qPrintable(eventId));
            wire::EventCommand command = wire::EventCommand::to(eventId, wire::EventCommand::Kind::ExpireDue);
            command.correlationId = QRandomGenerator::global()->generate64(); // nobody waits for its outcome
            command.originNode = m_nodeId;
            publishCommand(command);
            sentAtMs = now;
        }
        requested.insert(eventId, sentAtMs);
    }
    m_expiryRequestedAtMs.swap(requested);
}

bool ClusterLink::connectConsumer(AmqpConnection &connection)
{
    m_subscribedEvents = 0;
    if (!connection.open(m_broker, QStringLiteral("flashsale %1 consumer").arg(m_nodeId), kHeartbeatSeconds)
        || !connection.openChannel(kEventsChannel) || !connection.qos(kEventsChannel, kPrefetchMessages)
        || !connection.openChannel(kBroadcastChannel) || !connection.openChannel(kQueryChannel)
        || !connection.declareExchange(kQueryChannel, m_exchange, "topic"))
        return false;
    const QByteArray broadcasts = connection.declarePrivateQueue(kBroadcastChannel);
    if (broadcasts.isEmpty() || !connection.bindQueue(kBroadcastChannel, broadcasts, m_exchange, "#")
        || !connection.consume(kBroadcastChannel, broadcasts, true))
        return false;
    // Deliveries of the previous connection are back in their queues: whoever decides an event
    // next loads it from the store first.
    m_generation.fetch_add(1);
    {
        std::lock_guard lock(m_takenMutex);
        m_takenOver.clear();
    }
    {
        std::lock_guard lock(m_settleMutex);
        m_acks.clear();
        m_rejects.clear();
    }
    return subscribeNewEvents(connection);
}

bool ClusterLink::subscribeNewEvents(AmqpConnection &connection)
{
    const int count = m_host.eventCount();
    for (; m_subscribedEvents < count; ++m_subscribedEvents) {
        const QByteArray queue = queueOf(m_host.eventIdAt(m_subscribedEvents));
        if (!connection.declareDurableQueue(kQueryChannel, queue, true) || !connection.consume(kEventsChannel, queue, false))
            return false;
    }
    return true;
}

bool ClusterLink::ensureTakenOver(const QString &eventId, int index)
{
    {
        std::lock_guard lock(m_takenMutex);
        if (m_takenOver.count(index))
            return true;
    }
    QString error;
    EventTakeover loaded;
    QSqlDatabase db = storeDatabase();
    if (!db.isOpen() || !clusterstore::takeOver(db, eventId, &loaded, &error)) {
        qWarning("node %s: cannot take over event %s: %s", qPrintable(m_nodeId), qPrintable(eventId),
                 qPrintable(db.isOpen() ? error : QStringLiteral("store unreachable")));
        return false;
    }
    qInfo("node %s: deciding event %s (epoch %lld, %lld units won so far)", qPrintable(m_nodeId), qPrintable(eventId),
          static_cast<long long>(loaded.epoch), static_cast<long long>(loaded.requests.wonUnits));
    {
        std::lock_guard lock(m_takenMutex);
        m_takenOver.insert(index);
    }
    m_host.tookOver(index, std::move(loaded));
    return true;
}

bool ClusterLink::handleDelivery(AmqpConnection &connection, AmqpDelivery &delivery)
{
    const DeliveryReceipt receipt{delivery.deliveryTag, m_generation.load()};
    if (delivery.channel == kBroadcastChannel) {
        if (delivery.type == wire::kDecisions) {
            wire::Decisions decisions;
            if (wire::decodeDecisions(delivery.body, &decisions) && decisions.deciderNode != m_nodeId) {
                m_host.decisionsAnnounced(decisions);
                for (const wire::CommandOutcome &outcome : decisions.commands) {
                    if (outcome.originNode == m_nodeId)
                        commandAnswered(outcome);
                }
            }
        } else if (delivery.type == wire::kEventCreated) {
            EventSnapshot event;
            if (wire::decodeEvent(delivery.body, &event))
                m_host.eventAnnounced(event);
        }
        return subscribeNewEvents(connection);
    }

    if (m_intakeStopped.load())
        return connection.reject(kEventsChannel, delivery.deliveryTag, true);
    std::vector<PurchaseRequest> requests;
    wire::EventCommand command;
    QString eventId;
    if (delivery.type == wire::kPurchases && wire::decodePurchases(delivery.body, &requests) && !requests.empty()) {
        eventId = requests.front().eventId;
    } else if (delivery.type == wire::kCommand && wire::decodeCommand(delivery.body, &command)) {
        eventId = command.eventId;
    } else {
        qWarning("node %s: dropping an unreadable %s message from an event queue", qPrintable(m_nodeId), delivery.type.constData());
        return connection.reject(kEventsChannel, delivery.deliveryTag, false);
    }
    const int index = m_host.eventIndexOf(eventId);
    if (index < 0) {
        // Created on another node a moment ago; its broadcast has not arrived yet.
        return connection.reject(kEventsChannel, delivery.deliveryTag, true);
    }
    if (!ensureTakenOver(eventId, index))
        return false; // reconnect: the broker gives the deliveries to a node that can decide them
    {
        // Before the decider can settle them.
        std::lock_guard lock(m_settleMutex);
        for (const PurchaseRequest &request : requests)
            m_pendingPurchases[request.seq].push_back(receipt);
        if (requests.empty())
            m_pendingCommands[command.correlationId].push_back(receipt);
    }
    if (!requests.empty()) {
        for (PurchaseRequest &request : requests)
            request.eventIndex = index;
        m_host.requestsDelivered(requests);
    } else {
        m_host.commandDelivered(std::move(command));
    }
    return true;
}

std::vector<std::uint64_t> ClusterLink::overdueTickets(std::int64_t nowMs)
{
    std::vector<std::uint64_t> overdue;
    std::lock_guard lock(m_queuedMutex);
    std::vector<QueuedTicket> again;
    while (!m_queuedTickets.empty() && m_queuedTickets.front().dueAtMs <= nowMs && overdue.size() < kMaxLookupBatch) {
        QueuedTicket t = m_queuedTickets.front();
        m_queuedTickets.pop_front();
        const std::optional<TicketState> state = m_host.ticketState(t.seq);
        if (!state || isDecided(*state) || t.lookups >= kMaxLookups)
            continue;
        overdue.push_back(t.seq);
        again.push_back(QueuedTicket{t.seq, nowMs + kOverdueAfterMs, t.lookups + 1});
    }
    m_queuedTickets.insert(m_queuedTickets.end(), again.begin(), again.end());
    return overdue;
}

void ClusterLink::lookUpOverdueTickets()
{
    if (!m_storeUp.load())
        return;
    const std::vector<std::uint64_t> overdue = overdueTickets(nowMs());
    if (overdue.empty())
        return;
    QString error;
    StoreCatchUp catchUp;
    QSqlDatabase db = storeDatabase();
    if (!clusterstore::loadTickets(db, overdue, &catchUp, &error)) {
        qWarning("node %s: cannot look up overdue tickets: %s", qPrintable(m_nodeId), qPrintable(error));
        return;
    }
    if (!catchUp.tickets.empty()) {
        qInfo("node %s: %zu decisions were never announced; read them from the store", qPrintable(m_nodeId),
              catchUp.tickets.size());
        m_host.caughtUp(catchUp);
    }
}

void ClusterLink::refreshDepths(AmqpConnection &connection)
{
    for (int i = 0; i < m_subscribedEvents; ++i) {
        const std::int64_t ready = connection.readyCount(kQueryChannel, queueOf(m_host.eventIdAt(i)));
        if (ready < 0)
            return;
        std::unique_lock lock(m_depthMutex);
        if (m_waitingByEvent.size() <= std::size_t(i))
            m_waitingByEvent.resize(std::size_t(i) + 1, 0);
        m_waitingTotal.fetch_add(ready - std::exchange(m_waitingByEvent[std::size_t(i)], ready), std::memory_order_relaxed);
    }
}

bool ClusterLink::sendSettlements(AmqpConnection &connection)
{
    std::vector<DeliveryReceipt> acks, rejects;
    {
        std::lock_guard lock(m_settleMutex);
        std::swap(acks, m_acks);
        std::swap(rejects, m_rejects);
    }
    const std::uint32_t generation = m_generation.load();
    // Rejects first: an ack with multiple set would otherwise cover them too.
    for (const DeliveryReceipt &r : rejects) {
        if (r.generation == generation && !connection.reject(kEventsChannel, r.deliveryTag, true))
            return false;
    }
    // Commits finish in delivery order, so one multiple ack of the highest tag settles them all.
    std::uint64_t highest = 0;
    for (const DeliveryReceipt &a : acks) {
        if (a.generation == generation)
            highest = std::max(highest, a.deliveryTag);
    }
    return highest == 0 || connection.ack(kEventsChannel, highest, true);
}

void ClusterLink::runConsumer()
{
    AmqpConnection connection;
    auto nextMaintenance = std::chrono::steady_clock::now();
    bool warned = false;
    while (!m_stopping.load()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= nextMaintenance) {
            maintainStore();
            lookUpOverdueTickets();
            if (connection.isOpen())
                refreshDepths(connection);
            nextMaintenance = now + std::chrono::seconds(1);
        }
        if (!connection.isOpen()) {
            if (m_intakeStopped.load() || !m_storeUp.load() || !connectConsumer(connection)) {
                if (!warned && !m_intakeStopped.load() && m_storeUp.load())
                    qWarning("node %s: cannot consume from the broker: %s", qPrintable(m_nodeId), qPrintable(connection.error()));
                warned = true;
                connection.close();
                sleepUnlessStopping(m_storeUp.load() ? kRetryMs : 100);
                continue;
            }
            warned = false;
            qInfo("node %s: consuming %d event queues", qPrintable(m_nodeId), m_subscribedEvents);
            if (m_lostAtMs > 0) {
                QString error;
                StoreCatchUp catchUp;
                QSqlDatabase db = storeDatabase();
                if (clusterstore::loadSince(db, m_lostAtMs - kCatchUpMarginMs, &catchUp, &error))
                    m_host.caughtUp(catchUp);
                else
                    qWarning("node %s: cannot catch up on missed decisions: %s", qPrintable(m_nodeId), qPrintable(error));
            }
        }

        bool ok = sendSettlements(connection) && subscribeNewEvents(connection);
        for (int handled = 0; ok && handled < 256; ++handled) {
            AmqpDelivery delivery;
            AmqpConfirm unused;
            const auto incoming = connection.next(handled == 0 ? 50 : 0, m_consumerWake, &delivery, &unused);
            if (incoming == AmqpConnection::Incoming::Nothing)
                break;
            ok = incoming != AmqpConnection::Incoming::Failed && (incoming != AmqpConnection::Incoming::Delivery
                                                                  || handleDelivery(connection, delivery));
        }
        std::uint64_t drained;
        [[maybe_unused]] const auto readBytes = ::read(m_consumerWake, &drained, sizeof drained);
        if (!ok) {
            qWarning("node %s: consumer connection lost, reconnecting: %s", qPrintable(m_nodeId), qPrintable(connection.error()));
            connection.close();
            m_lostAtMs = nowMs();
            sleepUnlessStopping(kRetryMs);
        }
    }
    connection.close();
    QSqlDatabase::database(m_storeConnectionName, false).close();
    QSqlDatabase::removeDatabase(m_storeConnectionName);
}

Status ClusterLink::insertEvent(const EventSnapshot &event, QString *error)
{
    // The calling thread's own reader connection: staff threads create events, not the link's.
    QSqlDatabase db = readerConnection(m_store, error);
    return db.isOpen() ? clusterstore::insertEvent(db, event, error) : Status::Unavailable;
}

AdminResult ClusterLink::createEvent(const EventConfig &config, CreateAs as)
{
    AdminResult result;
    if (QString problem = EventBook::validate(config); !problem.isEmpty()) {
        result.message = problem;
        return result;
    }
    if (m_host.eventIndexOf(config.id) >= 0) {
        result.status = Status::Exists;
        result.message = QStringLiteral("an event with id \"%1\" already exists").arg(config.id);
        return result;
    }
    EventSnapshot event;
    event.config = config;
    event.state = EventState::Draft;
    event.stockTotal = event.remaining = config.stock;
    event.createdAtMs = event.updatedAtMs = nowMs();
    QString error;
    result.status = insertEvent(event, &error);
    if (result.status == Status::Exists)
        result.message = QStringLiteral("an event with id \"%1\" already exists").arg(config.id);
    else if (result.status != Status::Ok)
        result.message = QStringLiteral("the store is unreachable: %1").arg(error);
    if (result.status != Status::Ok)
        return result;
    m_host.eventAnnounced(event);
    announceEvent(event);
    result.event = event;
    if (as == CreateAs::Draft)
        return result;
    wire::EventCommand open = wire::EventCommand::to(config.id, wire::EventCommand::Kind::Act);
    open.action = EventAction::Open;
    return command(std::move(open));
}

AdminResult ClusterLink::command(wire::EventCommand command)
{
    AdminResult result;
    const int index = m_host.eventIndexOf(command.eventId);
    if (index < 0) {
        result.status = Status::NotFound;
        result.message = QStringLiteral("no event \"%1\"").arg(command.eventId);
        return result;
    }
    if (command.kind == wire::EventCommand::Kind::Restock && command.units < 1) {
        result.message = QStringLiteral("units must be at least 1");
        return result;
    }
    if (!brokerConnected()) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("the broker is unreachable");
        return result;
    }
    command.correlationId = QRandomGenerator::global()->generate64();
    command.originNode = m_nodeId;
    std::optional<wire::CommandOutcome> outcome;
    {
        std::unique_lock lock(m_commandMutex);
        m_waitingCommands.insert(command.correlationId);
        publishCommand(command);
        m_commandAnswered.wait_for(lock, std::chrono::milliseconds(kCommandTimeoutMs),
                                   [&] { return m_commandOutcomes.count(command.correlationId) > 0; });
        m_waitingCommands.erase(command.correlationId);
        if (const auto it = m_commandOutcomes.find(command.correlationId); it != m_commandOutcomes.end()) {
            outcome = std::move(it->second);
            m_commandOutcomes.erase(it);
        }
    }
    if (!outcome) {
        result.status = Status::Unavailable;
        result.message = QStringLiteral("the event's decider has not confirmed the change within %1 s; it applies once it does")
                             .arg(kCommandTimeoutMs / 1000);
        return result;
    }
    result.status = outcome->status;
    result.message = outcome->message;
    result.order = outcome->order;
    if (auto snapshot = m_host.eventSnapshot(index))
        result.event = *snapshot;
    return result;
}

void ClusterLink::commandAnswered(const wire::CommandOutcome &outcome)
{
    {
        std::lock_guard lock(m_commandMutex);
        if (!m_waitingCommands.count(outcome.correlationId))
            return; // the sender gave up waiting
        m_commandOutcomes.insert_or_assign(outcome.correlationId, outcome);
    }
    m_commandAnswered.notify_all();
}

ScaleOutFactory clusterLinkFactory()
{
    return [](const ScaleOutSetup &setup, QString *error) -> std::unique_ptr<ScaleOutLink> {
        const AmqpUrl broker = AmqpUrl::parse(setup.queueUrl, error);
        if (broker.host.isEmpty())
            return nullptr;
        QByteArray clusterId;
        const QString name = QStringLiteral("flashsale-prepare-%1").arg(reinterpret_cast<quintptr>(&setup), 0, 16);
        {
            QSqlDatabase db = openConnection(setup.store, name, error);
            if (db.isOpen())
                clusterId = clusterstore::prepare(db, error);
        }
        QSqlDatabase::removeDatabase(name);
        if (clusterId.isEmpty())
            return nullptr;
        return std::make_unique<ClusterLink>(setup.host, broker, setup.store, setup.nodeId, clusterId);
    };
}

} // namespace flashsale
