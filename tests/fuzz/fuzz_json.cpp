// libFuzzer target: the JSON readers (purchase bodies against an event's rules, typed fields)
// and the ticket parser, on arbitrary bytes.
#include "fuzzengine.h"

#include "engine/api/apijson.h"

#include <QJsonDocument>

using namespace flashsale;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::Fixture &f = fuzz::fixture();
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    std::uint64_t seq = 0;
    std::uint64_t tag = 0;
    if (parseTicket(QString::fromUtf8(bytes), &seq, &tag) && formatTicket(seq, tag).isEmpty())
        std::abort();
    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    if (!document.isObject())
        return 0;
    const QJsonObject object = document.object();
    static const EventSnapshot sale = *f.engine->event(u"fuzz-sale"_qs);
    QString problem;
    const auto purchase = purchaseFromJson(object, sale, &problem);
    if (!purchase && problem.isEmpty())
        std::abort(); // every refusal names its problem
    FieldReader fields(object);
    fields.identifier(u"id"_qs, limits::maxEventIdLength);
    fields.string(u"name"_qs, false, limits::maxNameLength);
    fields.integer(u"stock"_qs, false, 0, 1'000'000'000);
    fields.time(u"startsAt"_qs);
    if (!fields.ok() && fields.problem().isEmpty())
        std::abort();
    return 0;
}
