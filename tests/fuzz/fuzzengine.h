// Fuzz helper: one engine on a temporary SQLite store with an open event "fuzz-sale" and an open
// signed event "fuzz-signed" (passes go through libjwt), and the API's route objects around it,
// made once per fuzzing process.
#pragma once

#include "engine/api/adminauth.h"
#include "engine/api/httproutes.h"
#include "engine/api/shopperadmission.h"
#include "engine/api/waitertable.h"
#include "engine/api/wsfront.h"
#include "engine/node/engine.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <cstdio>
#include <cstdlib>

namespace flashsale::fuzz {

// Deferred answers are dropped: the fuzzers look at what the routes do with the input.
class DroppingResponder final : public Responder
{
public:
    class Handle final : public ReplyHandle
    {
    public:
        bool connected() const override { return true; }
        void send(RouteReply) override {}
    };
    std::shared_ptr<ReplyHandle> defer() override { return std::make_shared<Handle>(); }
};

// No rate limit (every input should reach the routes), browsers from anywhere.
inline ShopperPolicy fuzzPolicy()
{
    ShopperPolicy policy;
    policy.purchasesPerAddressPerSecond = 0;
    policy.purchasesPerUserPerSecond = 0;
    policy.allowedOrigins = {u"*"_qs};
    return policy;
}

// Thread: the fuzzing thread only (the engine keeps its own threads).
struct Fixture {
    QTemporaryDir dir;
    std::unique_ptr<Engine> engine;
    SharedToken token;
    WsTicketBook wsTickets;
    ShopperAdmission admission{fuzzPolicy()};
    std::unique_ptr<WaiterTable> waiters;
    std::unique_ptr<HttpRoutes> routes;
    std::unique_ptr<WsFront> ws;

    Fixture()
    {
        EngineOptions options;
        options.store = StoreLocation::sqliteIn(dir.path());
        engine = std::make_unique<Engine>(options);
        QString error;
        if (!engine->start(&error)) {
            std::fprintf(stderr, "fuzz fixture: %s\n", qPrintable(error));
            std::abort();
        }
        token.set(u"fuzz-token"_qs);
        EventConfig sale;
        sale.id = u"fuzz-sale"_qs;
        sale.name = u"Fuzz"_qs;
        sale.priceCents = 100;
        sale.stock = 1'000'000;
        sale.perUserLimit = 5;
        engine->createEvent(sale);
        engine->actOnEvent(sale.id, EventAction::Open);
        EventConfig signedSale = sale;
        signedSale.id = u"fuzz-signed"_qs;
        signedSale.shopperIdentity = ShopperIdentity::Signed;
        engine->createEvent(signedSale);
        engine->actOnEvent(signedSale.id, EventAction::Open);
        admission.shopKeys().set({ShopKey{u"k1"_qs, QByteArrayLiteral("fuzz-shop-secret"), 0}});
        waiters = std::make_unique<WaiterTable>(*engine, 5000, WaiterTable::Hooks{[] {}, [] {}});
        routes = std::make_unique<HttpRoutes>(HttpRoutes::Context{*engine, token, wsTickets, *waiters, admission, false,
                                                                  [](std::function<void()>) {}});
        ws = std::make_unique<WsFront>(*engine, *waiters, admission);
    }
};

// The process's fixture (a QCoreApplication first: the store needs one).
inline Fixture &fixture()
{
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    static Fixture instance;
    return instance;
}

} // namespace flashsale::fuzz
