#include "ui/widgets/language.h"

#include "ui/widgets/consolesettings.h"

#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <memory>

namespace flashsale {

namespace {
// GUI thread only.
struct Installed {
    QString code;
    std::unique_ptr<QTranslator> app;
    std::unique_ptr<QTranslator> qt;
};
Installed &installed()
{
    static Installed value;
    return value;
}
} // namespace

QList<Language::Choice> Language::available()
{
    return {{u"en"_qs, u"English"_qs}, {u"zh_CN"_qs, u"简体中文"_qs}};
}

QString Language::initial()
{
    const QString saved = ConsoleSettings().language();
    if (!saved.isEmpty())
        return saved;
    return QLocale::system().language() == QLocale::Chinese ? u"zh_CN"_qs : u"en"_qs;
}

bool Language::apply(const QString &code)
{
    // The default locale first: widgets reformat numbers and dates when LanguageChange arrives.
    const bool chinese = code == u"zh_CN";
    if (chinese) {
        QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::China));
    } else {
        const QLocale system = QLocale::system();
        QLocale::setDefault(system.language() == QLocale::English ? system : QLocale(QLocale::English, QLocale::UnitedStates));
    }
    Installed &state = installed();
    // Removing a translator sends LanguageChange, so English needs no translator of its own.
    if (state.app) {
        QCoreApplication::removeTranslator(state.app.get());
        state.app.reset();
    }
    if (state.qt) {
        QCoreApplication::removeTranslator(state.qt.get());
        state.qt.reset();
    }
    bool ok = true;
    if (chinese) {
        auto qt = std::make_unique<QTranslator>();
        if (qt->load(u"qtbase_zh_CN"_qs, QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qt.get());
            state.qt = std::move(qt);
        }
        auto app = std::make_unique<QTranslator>();
        ok = app->load(u":/i18n/flashsale_zh_CN.qm"_qs);
        if (ok) {
            QCoreApplication::installTranslator(app.get());
            state.app = std::move(app);
        }
    }
    state.code = ok ? code : u"en"_qs;
    ConsoleSettings().setLanguage(state.code);
    return ok;
}

QString Language::current()
{
    const QString code = installed().code;
    return code.isEmpty() ? u"en"_qs : code;
}

} // namespace flashsale
