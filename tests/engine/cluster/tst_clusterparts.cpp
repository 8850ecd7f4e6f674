// The scale-out building blocks that need no servers: the wire format nodes exchange, ticket
// number blocks, and tickets other nodes accepted.
#include "engine/cluster/clustermessages.h"
#include "engine/core/decider.h"
#include "engine/core/ticketbook.h"
#include "tests/support/enumprinting.h"

#include <QTest>

using namespace flashsale;

// The user hash the TicketBook tests claim requestIds for.
constexpr std::uint64_t kUser = 11;

class TestClusterParts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void purchasesTravelIntact()
    {
        std::vector<PurchaseRequest> sent(3);
        for (int i = 0; i < 3; ++i) {
            PurchaseRequest &r = sent[i];
            r.seq = 65536 * 7 + i;
            r.ticketTag = 0xdeadbeefu - i;
            r.quantity = i + 1;
            r.acceptedAtMs = 1'800'000'000'000 + i;
            r.eventId = u"spring-sale"_qs;
            r.requestId = u"req-%1"_qs.arg(i);
            r.userId = u"用户-%1 Ｘ"_qs.arg(i); // full width and upper case: the key differs from the id
            r.contact = i == 1 ? QString() : u"+86 138 0000 000%1"_qs.arg(i);
            r.simulated = i == 2;
        }
        std::vector<PurchaseRequest> received;
        QVERIFY(wire::decodePurchases(wire::encodePurchases(sent.data(), sent.size()), &received));
        QCOMPARE(received.size(), sent.size());
        for (std::size_t i = 0; i < sent.size(); ++i) {
            QCOMPARE(received[i].seq, sent[i].seq);
            QCOMPARE(received[i].ticketTag, sent[i].ticketTag);
            QCOMPARE(received[i].quantity, sent[i].quantity);
            QCOMPARE(received[i].acceptedAtMs, sent[i].acceptedAtMs);
            QCOMPARE(received[i].eventId, sent[i].eventId);
            QCOMPARE(received[i].requestId, sent[i].requestId);
            QCOMPARE(received[i].userId, sent[i].userId);
            QCOMPARE(received[i].contact, sent[i].contact);
            QCOMPARE(received[i].simulated, sent[i].simulated);
            // The decider's per-user table is keyed by the normalised key and its hash: the
            // receiver computes them.
            QCOMPARE(received[i].userKey, u"用户-%1 x"_qs.arg(i));
            QCOMPARE(received[i].userHash, hashUserId(received[i].userKey));
        }
    }

    void commandsKeepWhichFieldsAreSet()
    {
        wire::EventCommand sent;
        sent.kind = wire::EventCommand::Kind::Update;
        sent.correlationId = 0x0123456789abcdefULL;
        sent.originNode = u"node-2"_qs;
        sent.eventId = u"e1"_qs;
        sent.patch.name = u"新名字"_qs;
        sent.patch.perUserLimit = 3;
        sent.patch.endsAtMs = 1'900'000'000'000;
        wire::EventCommand received;
        QVERIFY(wire::decodeCommand(wire::encodeCommand(sent), &received));
        QCOMPARE(int(received.kind), int(sent.kind));
        QCOMPARE(received.correlationId, sent.correlationId);
        QCOMPARE(received.originNode, sent.originNode);
        QCOMPARE(received.eventId, sent.eventId);
        QCOMPARE(received.patch.name, sent.patch.name);
        QCOMPARE(received.patch.perUserLimit, sent.patch.perUserLimit);
        QCOMPARE(received.patch.endsAtMs, sent.patch.endsAtMs);
        QVERIFY(!received.patch.stock && !received.patch.priceCents && !received.patch.currency && !received.patch.startsAtMs);

        wire::EventCommand restock;
        restock.kind = wire::EventCommand::Kind::Restock;
        restock.eventId = u"e1"_qs;
        restock.units = 250;
        QVERIFY(wire::decodeCommand(wire::encodeCommand(restock), &received));
        QCOMPARE(int(received.kind), int(wire::EventCommand::Kind::Restock));
        QCOMPARE(received.units, 250);
    }

    void decisionsCarryTicketsEventAndOutcomes()
    {
        wire::Decisions sent;
        sent.deciderNode = u"node-1"_qs;
        sent.epoch = 42;
        sent.event.config.id = u"e1"_qs;
        sent.event.config.perUserLimit = 2;
        sent.event.state = EventState::SoldOut;
        sent.event.stockTotal = 500;
        sent.event.remaining = 0;
        sent.event.requests.won = 480;
        sent.tickets.push_back(wire::DecidedTicket{65536, 0xfedcba9876543210ull, u"r1"_qs, u"Ａlice"_qs, TicketState::Won, LossReason::None, 65536, 1});
        sent.tickets.push_back(wire::DecidedTicket{65537, 8, u"r2"_qs, u"bob"_qs, TicketState::Lost, LossReason::SoldOut, 0, 2});
        sent.commands.push_back(wire::CommandOutcome{99, u"node-3"_qs, Status::InvalidState, u"the event has ended"_qs});
        wire::Decisions received;
        QVERIFY(wire::decodeDecisions(wire::encodeDecisions(sent), &received));
        QCOMPARE(received.deciderNode, sent.deciderNode);
        QCOMPARE(received.epoch, 42);
        QCOMPARE(received.event.config.id, u"e1"_qs);
        QCOMPARE_ENUM(received.event.state, EventState::SoldOut);
        QCOMPARE(received.event.stockTotal, 500);
        QCOMPARE(received.event.requests.won, 480);
        QCOMPARE(received.tickets.size(), std::size_t(2));
        QCOMPARE_ENUM(received.tickets[1].state, TicketState::Lost);
        QCOMPARE_ENUM(received.tickets[1].reason, LossReason::SoldOut);
        QCOMPARE(received.tickets[0].orderId, 65536);
        QCOMPARE(received.tickets[1].requestId, u"r2"_qs);
        QCOMPARE(received.tickets[0].tag, 0xfedcba9876543210ull); // all 64 bits of the tag
        QCOMPARE(received.tickets[0].userId, u"Ａlice"_qs);
        QCOMPARE(received.commands.size(), std::size_t(1));
        QCOMPARE(int(received.commands[0].status), int(Status::InvalidState));
        QCOMPARE(received.commands[0].message, sent.commands[0].message);
    }

    void orderCommandsTravelIntact_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("orderId");
        QTest::addColumn<int>("action");
        QTest::newRow("paid") << int(wire::EventCommand::Kind::Order) << qint64(7 * 65536 + 3) << int(OrderAction::Pay);
        QTest::newRow("cancel") << int(wire::EventCommand::Kind::Order) << qint64(1) << int(OrderAction::Cancel);
        QTest::newRow("expire due") << int(wire::EventCommand::Kind::ExpireDue) << qint64(0) << int(OrderAction::Pay);
    }

    void orderCommandsTravelIntact()
    {
        QFETCH(int, kind);
        QFETCH(qint64, orderId);
        QFETCH(int, action);
        wire::EventCommand sent = wire::EventCommand::to(u"pay-1"_qs, wire::EventCommand::Kind(kind));
        sent.correlationId = 5;
        sent.originNode = u"node-3"_qs;
        sent.orderId = orderId;
        sent.orderAction = OrderAction(action);
        wire::EventCommand received;
        QVERIFY(wire::decodeCommand(wire::encodeCommand(sent), &received));
        QCOMPARE(int(received.kind), kind);
        QCOMPARE(received.eventId, u"pay-1"_qs);
        QCOMPARE(received.orderId, orderId);
        QCOMPARE(int(received.orderAction), action);
        QCOMPARE(received.originNode, u"node-3"_qs);
    }

    // Format 4: the event's payment window and release policy, an order command's outcome with
    // the order as it now is, and the offers a commit made.
    void decisionsCarryOrdersAndOffers()
    {
        wire::Decisions sent;
        sent.deciderNode = u"node-2"_qs;
        sent.epoch = 3;
        sent.event.config.id = u"pay-1"_qs;
        sent.event.config.paymentWindowSeconds = 900;
        sent.event.config.releasePolicy = ReleasePolicy::Offer;
        sent.event.stockTotal = 3;
        sent.event.remaining = 1;
        const OrderView order{65540, u"pay-1"_qs, u"用户"_qs, 2, 1999, u"r4"_qs, 65540, u"c@example.com"_qs, true,
                              1'800'000'000'000, OrderStatus::Paid, OrderSource::Offer, 1'800'000'900'000, 1'800'000'100'000};
        sent.commands.push_back(wire::CommandOutcome{12, u"node-1"_qs, Status::Ok, QString(), order});
        sent.offers.push_back(wire::Offer{65541, 65541, 1'800'000'950'000});
        sent.offers.push_back(wire::Offer{2 * 65536, 2 * 65536, 1'800'000'960'000});
        wire::Decisions received;
        QVERIFY(wire::decodeDecisions(wire::encodeDecisions(sent), &received));
        QCOMPARE(received.event.config.paymentWindowSeconds, 900);
        QCOMPARE_ENUM(received.event.config.releasePolicy, ReleasePolicy::Offer);
        QCOMPARE(received.event.stockTotal - received.event.remaining, 2);
        QCOMPARE(received.commands.size(), std::size_t(1));
        const OrderView &got = received.commands[0].order;
        QCOMPARE(got.orderId, order.orderId);
        QCOMPARE(got.eventId, order.eventId);
        QCOMPARE(got.userId, order.userId);
        QCOMPARE(got.quantity, order.quantity);
        QCOMPARE(got.priceCents, order.priceCents);
        QCOMPARE(got.requestId, order.requestId);
        QCOMPARE(got.ticketSeq, order.ticketSeq);
        QCOMPARE(got.contact, order.contact);
        QCOMPARE(got.simulated, order.simulated);
        QCOMPARE(got.decidedAtMs, order.decidedAtMs);
        QCOMPARE_ENUM(got.status, OrderStatus::Paid);
        QCOMPARE_ENUM(got.source, OrderSource::Offer);
        QCOMPARE(got.expiresAtMs, order.expiresAtMs);
        QCOMPARE(got.paidAtMs, order.paidAtMs);
        QCOMPARE(received.offers.size(), std::size_t(2));
        QCOMPARE(received.offers[1].seq, std::uint64_t(2 * 65536));
        QCOMPARE(received.offers[1].orderId, 2 * 65536);
        QCOMPARE(received.offers[0].expiresAtMs, 1'800'000'950'000);

        // An announced new event carries them too.
        EventSnapshot event;
        QVERIFY(wire::decodeEvent(wire::encodeEvent(sent.event), &event));
        QCOMPARE(event.config.paymentWindowSeconds, 900);
        QCOMPARE_ENUM(event.config.releasePolicy, ReleasePolicy::Offer);
    }

    // A cluster decider's offer is numbered by the lead's lost ticket: unique across nodes (their
    // ticket numbers come from separate blocks) and never a won order's number.
    void clusterOffersAreNumberedByTheLeadsTicket()
    {
        Decider decider = Decider::withOrderIdsFromSeq();
        EventRuntime event;
        event.config.id = u"pay-1"_qs;
        event.config.stock = 1;
        event.config.perUserLimit = 1;
        event.config.paymentWindowSeconds = 60;
        event.config.releasePolicy = ReleasePolicy::Offer;
        event.stockTotal = 1;
        event.state = EventState::Open;
        event.deciderEpoch = 4;
        const auto request = [](std::uint64_t seq, const QString &user) {
            PurchaseRequest r;
            r.seq = seq;
            r.eventId = u"pay-1"_qs;
            r.requestId = u"r-"_qs + user;
            r.userId = user;
            r.quantity = 1;
            return r;
        };
        const Decision won = decider.decide(event, request(3 * 65536 + 5, u"alice"_qs), 1000);
        QCOMPARE(won.orderId, 3 * 65536 + 5);
        QCOMPARE_ENUM(decider.decide(event, request(9 * 65536 + 1, u"bob"_qs), 1001).reason, LossReason::SoldOut);
        std::vector<OrderChange> changes;
        QCOMPARE(int(decider.act(event, won.orderId, OrderAction::Cancel, 2000, changes).status), int(Status::Ok));
        QCOMPARE(changes.size(), std::size_t(2));
        QVERIFY(changes[1].created);
        QCOMPARE(changes[1].order.orderId, 9 * 65536 + 1);
        QCOMPARE(changes[1].order.userId, u"bob"_qs);
        for (const OrderChange &change : changes)
            QCOMPARE(change.deciderEpoch, 4); // the commit checks it
    }

    void foreignOrDamagedMessagesAreRefused()
    {
        PurchaseRequest r;
        r.eventId = u"e1"_qs;
        r.requestId = u"r"_qs;
        r.userId = u"u"_qs;
        QByteArray body = wire::encodePurchases(&r, 1);
        std::vector<PurchaseRequest> out;
        QVERIFY(!wire::decodePurchases(body.left(body.size() - 3), &out)); // cut short
        body[0] = char(body[0] + 1);                                       // another format version
        QVERIFY(!wire::decodePurchases(body, &out));
        wire::Decisions decisions;
        QVERIFY(!wire::decodeDecisions(QByteArray("not a message"), &decisions));
    }

    void brokerNamesAreScopedByCluster()
    {
        QCOMPARE(wire::eventQueueName("c0ffee", u"sale-1"_qs), QByteArray("flashsale.c0ffee.event.sale-1"));
        QVERIFY(wire::eventQueueName("c0ffee", u"sale-1"_qs) != wire::eventQueueName("beef00", u"sale-1"_qs));
        QCOMPARE(wire::exchangeName("c0ffee"), QByteArray("flashsale.c0ffee"));
    }

    void ticketsComeFromReservedBlocks()
    {
        TicketBook book;
        book.useSeqBlocks();
        Claim claim = Claim::Refused;
        int journaled = 0;
        const auto journal = [&](std::uint64_t) { return ++journaled, true; };
        // No block yet: nothing can be accepted.
        QVERIFY(!book.findOrCreate(0, u"a"_qs, kUser, 1, &claim, journal));
        QCOMPARE(journaled, 0);
        book.addSeqBlock(3 * 65536, 2);
        book.addSeqBlock(9 * 65536, 2);
        QCOMPARE(book.seqsLeft(), std::uint64_t(4));
        std::vector<std::uint64_t> seqs;
        for (const QString id : {u"a"_qs, u"b"_qs, u"c"_qs, u"d"_qs})
            seqs.push_back(book.findOrCreate(0, id, kUser, 1, &claim, journal)->seq);
        QCOMPARE(seqs, (std::vector<std::uint64_t>{3 * 65536, 3 * 65536 + 1, 9 * 65536, 9 * 65536 + 1}));
        QCOMPARE(book.seqsLeft(), std::uint64_t(0));
        QVERIFY(!book.findOrCreate(0, u"e"_qs, kUser, 1, &claim, journal));
        // A known requestId still answers with its ticket when the blocks are used up.
        QCOMPARE(book.findOrCreate(0, u"b"_qs, kUser, 1, &claim, journal)->seq, 3 * 65536 + 1);
        QCOMPARE(int(claim), int(Claim::Existing));
        // A refused journal gives its seq back.
        book.addSeqBlock(12 * 65536, 1);
        QVERIFY(!book.findOrCreate(0, u"f"_qs, kUser, 1, &claim, [](std::uint64_t) { return false; }));
        QCOMPARE(book.findOrCreate(0, u"f"_qs, kUser, 1, &claim, journal)->seq, 12 * 65536);
    }

    void announcedTicketsWakeTheirWatchers()
    {
        TicketBook book;
        book.useSeqBlocks();
        std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
        const std::uint64_t elsewhere = 5 * 65536 + 10;
        QVERIFY(!book.get(elsewhere));
        QVERIFY(book.watchUnseen(elsewhere, 3)); // a poller on this node waits for it
        QVERIFY(!book.get(elsewhere));          // still unknown: a watch is not a ticket
        book.applyRemote({RemoteTicket{TicketView{elsewhere, 0xabcdu, 0, TicketState::Won, LossReason::None, 77}, u"r9"_qs,
                                       kUser}},
                         notify);
        QCOMPARE(notify[3], std::vector<std::uint64_t>{elsewhere});
        const auto view = book.get(elsewhere);
        QVERIFY(view);
        QCOMPARE(view->tag, 0xabcdu);
        QCOMPARE_ENUM(view->state, TicketState::Won);
        QCOMPARE(view->orderId, 77);
        // Its requestId is now known here too: a retry on this node gets the same ticket.
        Claim claim = Claim::Created;
        book.addSeqBlock(6 * 65536, 10);
        QCOMPARE(book.findOrCreate(0, u"r9"_qs, kUser, 1, &claim, [](std::uint64_t) { return true; })->seq, elsewhere);
        QCOMPARE(int(claim), int(Claim::Existing));
        // ... but not for another user: the announcement bound the requestId to its user.
        QVERIFY(!book.findOrCreate(0, u"r9"_qs, kUser + 1, 1, &claim, [](std::uint64_t) { return true; }));
        QCOMPARE(int(claim), int(Claim::OtherUser));
        QVERIFY(!book.watchUnseen(elsewhere, 4)); // known now: watch it the usual way
    }

    void aLateConfirmDoesNotUndoADecision()
    {
        TicketBook book;
        Claim claim = Claim::Refused;
        const auto ticket = book.findOrCreate(0, u"a"_qs, kUser, 1, &claim, [](std::uint64_t) { return true; });
        std::array<std::vector<std::uint64_t>, TicketBook::kMaxListeners> notify;
        book.apply({TicketChange{ticket->seq, TicketState::Won, LossReason::None, 5}}, notify);
        book.apply({TicketChange{ticket->seq, TicketState::Queued, LossReason::None, 0}}, notify);
        QCOMPARE_ENUM(book.get(ticket->seq)->state, TicketState::Won);
    }
};

QTEST_APPLESS_MAIN(TestClusterParts)
#include "tst_clusterparts.moc"
