// The parts that decide whether a shopper's request is admitted, each on its own: shop passes
// signed by signers this project did not write (openssl, Node's crypto), the shop secret file and
// its rotation, the token-bucket rate limiter, and the client address behind trusted proxies.
#include "engine/api/clientaddress.h"
#include "engine/core/ratelimiter.h"
#include "engine/api/shoppass.h"
#include "engine/api/shopsecrets.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace flashsale;

namespace {

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// HMAC-SHA256 by the openssl command-line tool: the signature is computed outside this project.
QByteArray opensslHmac(const QByteArray &key, const QByteArray &data)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), {QStringLiteral("dgst"), QStringLiteral("-sha256"), QStringLiteral("-binary"),
                                              QStringLiteral("-mac"), QStringLiteral("HMAC"), QStringLiteral("-macopt"),
                                              QStringLiteral("hexkey:") + QString::fromLatin1(key.toHex())});
    openssl.write(data);
    openssl.closeWriteChannel();
    if (!openssl.waitForFinished(10000) || openssl.exitCode() != 0)
        qFatal("openssl failed: %s", openssl.readAllStandardError().constData());
    return openssl.readAllStandardOutput();
}

// A JWT assembled here and signed by openssl, so header tricks (alg none, HS384) can be made too.
QByteArray signWithOpenssl(const QJsonObject &header, const QJsonObject &claims, const QByteArray &key)
{
    const QByteArray signingInput = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
        + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    if (header.value(u"alg"_qs).toString() == u"none")
        return signingInput + '.';
    return signingInput + '.' + base64Url(opensslHmac(key, signingInput));
}

// The few lines a shop writes in Node with only the standard library (README shows the same).
QByteArray signWithNode(const QJsonObject &claims, const QByteArray &key, const QString &kid)
{
    const QByteArray script = R"(
const crypto = require('crypto');
const [claims, key, kid] = process.argv.slice(1);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const header = kid ? { alg: 'HS256', typ: 'JWT', kid } : { alg: 'HS256', typ: 'JWT' };
const input = b64(header) + '.' + b64(JSON.parse(claims));
process.stdout.write(input + '.' + crypto.createHmac('sha256', key).update(input).digest('base64url'));
)";
    QProcess node;
    node.start(QStringLiteral("node"), {QStringLiteral("-e"), QString::fromUtf8(script),
                                        QString::fromUtf8(QJsonDocument(claims).toJson(QJsonDocument::Compact)),
                                        QString::fromUtf8(key), kid});
    if (!node.waitForFinished(20000) || node.exitCode() != 0)
        qFatal("node failed: %s", node.readAllStandardError().constData());
    return node.readAllStandardOutput();
}

const QByteArray kSecret = "the-shop-secret-0123456789abcdef";
const QByteArray kOldSecret = "the-old-secret-0123456789abcdefgh";
constexpr std::int64_t kNowS = 1'800'000'000;

QList<ShopKey> shopKeys()
{
    return {ShopKey{QStringLiteral("k2"), kSecret, 0}, ShopKey{QStringLiteral("k1"), kOldSecret, kNowS + 3600}};
}

QJsonObject claims(const QString &sub, std::int64_t exp)
{
    return {{u"sub"_qs, sub}, {u"exp"_qs, double(exp)}};
}

} // namespace

Q_DECLARE_METATYPE(PassProblem)

class TestShopperAdmission : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passes_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<std::int64_t>("nowS");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<PassProblem>("problem");

        const QJsonObject hs256{{u"alg"_qs, u"HS256"_qs}, {u"typ"_qs, u"JWT"_qs}, {u"kid"_qs, u"k2"_qs}};
        const QJsonObject noKid{{u"alg"_qs, u"HS256"_qs}, {u"typ"_qs, u"JWT"_qs}};
        QJsonObject withContact = claims(u"alice"_qs, kNowS + 600);
        withContact.insert(u"contact"_qs, u"alice@example.com"_qs);
        withContact.insert(u"aud"_qs, u"sale-1"_qs);

        QTest::newRow("valid, openssl") << signWithOpenssl(hs256, withContact, kSecret) << kNowS << true << PassProblem{};
        QTest::newRow("valid, node, no kid") << signWithNode(withContact, kSecret, {}) << kNowS << true << PassProblem{};
        QTest::newRow("previous key in its grace period")
            << signWithNode(withContact, kOldSecret, u"k1"_qs) << kNowS << true << PassProblem{};
        QTest::newRow("previous key after its grace period")
            << signWithNode(claims(u"alice"_qs, kNowS + 7200), kOldSecret, u"k1"_qs) << kNowS + 3601 << false
            << PassProblem::UnknownKey;
        QTest::newRow("expired beyond the skew")
            << signWithOpenssl(hs256, claims(u"alice"_qs, kNowS - kPassClockSkewS - 1), kSecret) << kNowS << false
            << PassProblem::Expired;
        QTest::newRow("expired within the skew")
            << signWithOpenssl(hs256, claims(u"alice"_qs, kNowS - kPassClockSkewS + 1), kSecret) << kNowS << true
            << PassProblem{};
        QJsonObject otherEvent = claims(u"alice"_qs, kNowS + 600);
        otherEvent.insert(u"aud"_qs, u"sale-2"_qs);
        QTest::newRow("wrong event") << signWithOpenssl(hs256, otherEvent, kSecret) << kNowS << false << PassProblem::WrongEvent;
        QJsonObject audList = claims(u"alice"_qs, kNowS + 600);
        audList.insert(u"aud"_qs, QJsonArray{u"sale-2"_qs, u"sale-1"_qs});
        QTest::newRow("aud list naming the event") << signWithOpenssl(hs256, audList, kSecret) << kNowS << true << PassProblem{};
        QJsonObject audNumber = claims(u"alice"_qs, kNowS + 600);
        audNumber.insert(u"aud"_qs, 7);
        QTest::newRow("aud of another type") << signWithOpenssl(hs256, audNumber, kSecret) << kNowS << false
                                             << PassProblem::Malformed;
        QTest::newRow("forged: signed with another secret")
            << signWithOpenssl(hs256, withContact, "not-the-shop-secret-at-all-000") << kNowS << false
            << PassProblem::BadSignature;
        QTest::newRow("alg none") << signWithOpenssl({{u"alg"_qs, u"none"_qs}}, withContact, {}) << kNowS << false
                                  << PassProblem::WrongAlgorithm;
        QTest::newRow("alg HS384 header") << signWithOpenssl({{u"alg"_qs, u"HS384"_qs}, {u"kid"_qs, u"k2"_qs}}, withContact, kSecret)
                                          << kNowS << false << PassProblem::WrongAlgorithm;
        QTest::newRow("unknown kid") << signWithOpenssl({{u"alg"_qs, u"HS256"_qs}, {u"kid"_qs, u"k9"_qs}}, withContact, kSecret)
                                     << kNowS << false << PassProblem::UnknownKey;
        QTest::newRow("no sub") << signWithOpenssl(noKid, QJsonObject{{u"exp"_qs, double(kNowS + 60)}}, kSecret) << kNowS
                                << false << PassProblem::NoSubject;
        QTest::newRow("no exp") << signWithOpenssl(noKid, QJsonObject{{u"sub"_qs, u"alice"_qs}}, kSecret) << kNowS << false
                                << PassProblem::NoExpiry;
        QByteArray tampered = signWithOpenssl(hs256, claims(u"alice"_qs, kNowS + 600), kSecret);
        const QList<QByteArray> parts = tampered.split('.');
        tampered = parts[0] + '.' + base64Url(QJsonDocument(claims(u"mallory"_qs, kNowS + 600)).toJson(QJsonDocument::Compact))
            + '.' + parts[2];
        QTest::newRow("claims swapped under a valid signature") << tampered << kNowS << false << PassProblem::BadSignature;
        QTest::newRow("empty") << QByteArray() << kNowS << false << PassProblem::Missing;
        QTest::newRow("not a JWT") << QByteArray("hello") << kNowS << false << PassProblem::Malformed;
        QTest::newRow("oversized") << QByteArray(kMaxPassBytes + 1, 'a').replace(10, 1, ".").replace(20, 1, ".") << kNowS << false
                                   << PassProblem::Malformed;
    }

    void passes()
    {
        QFETCH(QByteArray, token);
        QFETCH(std::int64_t, nowS);
        QFETCH(bool, accepted);
        QFETCH(PassProblem, problem);
        const PassCheck check = verifyShopPass(token, u"sale-1", shopKeys(), nowS);
        QCOMPARE(bool(check.pass), accepted);
        if (!accepted) {
            QCOMPARE(int(check.problem), int(problem));
            QVERIFY(!passProblemText(check.problem).isEmpty());
            return;
        }
        QCOMPARE(check.pass->subject, u"alice"_qs);
    }

    void passCarriesContact()
    {
        QJsonObject c = claims(u"bob"_qs, kNowS + 600);
        c.insert(u"contact"_qs, u"+86 138 0000 0000"_qs);
        const PassCheck check = verifyShopPass(signWithNode(c, kSecret, u"k2"_qs), u"any-event", shopKeys(), kNowS);
        QVERIFY(check.pass);
        QCOMPARE(check.pass->subject, u"bob"_qs);
        QCOMPARE(check.pass->contact, u"+86 138 0000 0000"_qs);
        QCOMPARE(check.pass->expiresAtS, kNowS + 600);
    }

    void secretFileIsGeneratedPrivateAndRotates()
    {
        QTemporaryDir dir;
        QString error;
        const ShopSecrets first = ShopSecrets::resolve({}, dir.path(), kNowS, &error);
        QVERIFY2(!first.keys.isEmpty(), qPrintable(error));
        QVERIFY(first.generated);
        QVERIFY(first.keys[0].secret.size() >= 32);
        struct stat info {};
        QCOMPARE(::stat(QFile::encodeName(ShopSecrets::filePath(dir.path())).constData(), &info), 0);
        QCOMPARE(int(info.st_mode & 0777), 0600);

        const ShopSecrets again = ShopSecrets::resolve({}, dir.path(), kNowS, &error);
        QVERIFY(!again.generated);
        QCOMPARE(again.keys[0].secret, first.keys[0].secret);

        const ShopSecrets rotated = ShopSecrets::rotate(dir.path(), 3600, kNowS, &error);
        QCOMPARE(rotated.keys.size(), 2);
        QVERIFY(rotated.keys[0].secret != first.keys[0].secret);
        QVERIFY(rotated.keys[0].kid != first.keys[0].kid);
        QCOMPARE(rotated.keys[1].secret, first.keys[0].secret);
        QCOMPARE(rotated.keys[1].retiresAtS, kNowS + 3600);

        // A pass the shop signed before the rotation still works within the grace period, not after.
        const QByteArray oldPass = signWithNode(claims(u"alice"_qs, kNowS + 9000), first.keys[0].secret, first.keys[0].kid);
        QVERIFY(verifyShopPass(oldPass, u"e", rotated.keys, kNowS + 60).pass);
        QVERIFY(!verifyShopPass(oldPass, u"e", rotated.keys, kNowS + 3601).pass);

        // Rotating again after the grace period drops the long-retired key from the file.
        const ShopSecrets third = ShopSecrets::rotate(dir.path(), 3600, kNowS + 7200, &error);
        QCOMPARE(third.keys.size(), 2);
        QCOMPARE(third.keys[1].secret, rotated.keys[0].secret);
        QCOMPARE(ShopSecrets::resolve({}, dir.path(), kNowS, &error).keys.size(), 2);
    }

    void secretFromFileOrEnvironment_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("keys");
        QTest::newRow("bare secret") << QByteArray("0123456789abcdefXYZ\n") << 1;
        QTest::newRow("kid and secret") << QByteArray("shop1 0123456789abcdefXYZ\n") << 1;
        QTest::newRow("current and retiring") << QByteArray("# c\nb 0123456789abcdefXYZ\na 0123456789abcdefABC 1900000000\n") << 2;
        QTest::newRow("too short") << QByteArray("short\n") << 0;
        QTest::newRow("current cannot retire") << QByteArray("a 0123456789abcdefABC 1900000000\n") << 0;
        QTest::newRow("bad time") << QByteArray("a 0123456789abcdefABC\nb 0123456789abcdefXYZ soon\n") << 0;
        QTest::newRow("empty") << QByteArray("\n# nothing\n") << 0;
    }

    void secretFromFileOrEnvironment()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, keys);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"given"_qs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();
        QString error;
        const ShopSecrets fromFile = ShopSecrets::resolve(path, dir.path(), kNowS, &error);
        QCOMPARE(fromFile.keys.size(), keys);
        QCOMPARE(error.isEmpty(), keys > 0);
        QVERIFY(!fromFile.fromDataDir);
        QVERIFY(!QFile::exists(ShopSecrets::filePath(dir.path()))); // never generated beside a given one

        qputenv("FLASHSALE_SHOP_SECRET", text);
        error.clear();
        const ShopSecrets fromEnv = ShopSecrets::resolve({}, dir.path(), kNowS, &error);
        qunsetenv("FLASHSALE_SHOP_SECRET");
        QCOMPARE(fromEnv.keys.size(), keys);
    }

    void rateLimiterBurstThenRate()
    {
        RateLimiter limiter(10.0, 5);
        std::int64_t nowUs = 1'000'000;
        for (int i = 0; i < 5; ++i)
            QVERIFY(limiter.take("127.0.0.2", nowUs).allowed);
        const RateLimiter::Verdict refused = limiter.take("127.0.0.2", nowUs);
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.retryAfterS, 1);
        QVERIFY(limiter.take("127.0.0.3", nowUs).allowed); // another address has its own bucket
        nowUs += 100'000;                                   // one token at 10/s
        QVERIFY(limiter.take("127.0.0.2", nowUs).allowed);
        QVERIFY(!limiter.take("127.0.0.2", nowUs).allowed);
        nowUs += 60'000'000; // a long pause refills only up to the burst
        for (int i = 0; i < 5; ++i)
            QVERIFY(limiter.take("127.0.0.2", nowUs).allowed);
        QVERIFY(!limiter.take("127.0.0.2", nowUs).allowed);
    }

    void rateLimiterOverTimeAllowsTheRate()
    {
        RateLimiter limiter(50.0, 10);
        int allowed = 0;
        // 1,000 attempts a second for 10 s from one key: burst + rate × time get through.
        for (std::int64_t us = 0; us < 10'000'000; us += 1000)
            allowed += limiter.take("k", us).allowed ? 1 : 0;
        QVERIFY2(allowed >= 10 + 499 && allowed <= 10 + 501, qPrintable(QString::number(allowed)));
    }

    void rateLimiterIsOffAtZero()
    {
        RateLimiter limiter(0, 1);
        QVERIFY(!limiter.enabled());
        for (int i = 0; i < 1000; ++i)
            QVERIFY(limiter.take("k", 0).allowed);
        QCOMPARE(limiter.trackedKeys(), std::size_t(0));
    }

    void rateLimiterMemoryIsBounded()
    {
        RateLimiter limiter(1.0, 1, 1600);
        for (int i = 0; i < 100'000; ++i)
            limiter.take(QByteArray::number(i), i);
        QVERIFY(limiter.trackedKeys() <= 1600);
        // The most recent keys are still limited: the bound forgets the oldest, not the newest.
        QVERIFY(!limiter.take(QByteArray::number(99'999), 100'000).allowed);
    }

    void clientAddresses_data()
    {
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QByteArray>("forwardedFor");
        QTest::addColumn<QString>("trusted");
        QTest::addColumn<QString>("client");
        QTest::newRow("no proxies configured") << "127.0.0.2" << QByteArray("203.0.113.9") << "" << "127.0.0.2";
        QTest::newRow("untrusted peer lies") << "127.0.0.2" << QByteArray("203.0.113.9") << "10.0.0.0/8" << "127.0.0.2";
        QTest::newRow("trusted proxy") << "10.1.2.3" << QByteArray("203.0.113.9") << "10.0.0.0/8" << "203.0.113.9";
        QTest::newRow("client prepends a forged hop") << "10.1.2.3" << QByteArray("1.2.3.4, 203.0.113.9") << "10.0.0.0/8"
                                                      << "203.0.113.9";
        QTest::newRow("two trusted hops") << "10.1.2.3" << QByteArray("203.0.113.9, 10.9.9.9") << "10.0.0.0/8"
                                          << "203.0.113.9";
        QTest::newRow("garbage stops the walk") << "10.1.2.3" << QByteArray("203.0.113.9, nonsense") << "10.0.0.0/8"
                                                << "10.1.2.3";
        QTest::newRow("mapped IPv4 peer") << "::ffff:127.0.0.1" << QByteArray("198.51.100.7") << "127.0.0.1"
                                          << "198.51.100.7";
        QTest::newRow("IPv6 proxy") << "::1" << QByteArray("2001:db8::5") << "::1" << "2001:db8::5";
        QTest::newRow("no header") << "10.1.2.3" << QByteArray() << "10.0.0.0/8" << "10.1.2.3";
    }

    void clientAddresses()
    {
        QFETCH(QString, peer);
        QFETCH(QByteArray, forwardedFor);
        QFETCH(QString, trusted);
        QFETCH(QString, client);
        TrustedProxies proxies;
        QString error;
        QVERIFY2(proxies.parse(trusted, &error), qPrintable(error));
        QCOMPARE(clientAddress(QHostAddress(peer), forwardedFor, proxies), QHostAddress(client));
    }

    void trustedProxiesRefuseGarbage()
    {
        TrustedProxies proxies;
        QString error;
        QVERIFY(!proxies.parse(u"10.0.0.0/8,proxy.example"_qs, &error));
        QVERIFY(error.contains(u"proxy.example"));
        QVERIFY(!proxies.parse(u"10.0.0.0/40"_qs, &error));
    }
};

QTEST_GUILESS_MAIN(TestShopperAdmission)
#include "tst_shopperadmission.moc"
