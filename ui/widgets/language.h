// The console's language: English or Simplified Chinese, switched at run time.
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace flashsale {

// Thread: GUI thread. Installing a translator sends QEvent::LanguageChange to every widget;
// each page retranslates itself in changeEvent(), so no restart is needed.
class Language
{
    Q_DECLARE_TR_FUNCTIONS(flashsale::Language)
public:
    struct Choice {
        QString code;       // "en" or "zh_CN"
        QString nativeName; // shown in its own language so anyone can find theirs
    };
    static QList<Choice> available();
    // The saved choice, else the system locale's (first start).
    static QString initial();
    // Installs the translators for code, sets the default QLocale and saves the choice.
    static bool apply(const QString &code);
    static QString current();
};

} // namespace flashsale
