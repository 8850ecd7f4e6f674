// The console's window icon and Help → About: every hicolor size of the icon, and the version CMake's project() names.
#include "testserver.h"
#include "ui/dialogs/aboutdialog.h"
#include "ui/widgets/language.h"
#include "ui/mainwindow.h"

#include <QAction>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace flashsale;

class TestAbout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    // Each size the package installs in hicolor is in the window icon, drawn (not transparent) at that size.
    void windowIconHasEverySize_data()
    {
        QTest::addColumn<int>("sizePx");
        for (const int sizePx : {16, 22, 24, 32, 48, 64, 128, 256})
            QTest::addRow("%dpx", sizePx) << sizePx;
    }

    void windowIconHasEverySize()
    {
        QFETCH(int, sizePx);
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        const QIcon icon = window.windowIcon();
        QVERIFY2(icon.availableSizes().contains(QSize(sizePx, sizePx)), qPrintable(QDebug::toString(icon.availableSizes())));
        const QImage image = icon.pixmap(QSize(sizePx, sizePx), 1.0).toImage();
        QCOMPARE(image.size(), QSize(sizePx, sizePx));
        // The tile's centre is opaque: the PNG was rendered from the SVG, not an empty placeholder.
        QCOMPARE(qAlpha(image.pixel(sizePx / 2, sizePx / 2)), 255);
    }

    // Help → About opens a dialog with the build's version, in the console's language.
    void aboutShowsTheVersion_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QString>("version");
        const QString expected = QStringLiteral(FLASHSALE_EXPECTED_VERSION);
        const QString qt = QString::fromLatin1(qVersion());
        QTest::newRow("en") << u"en"_qs << u"About Flash Sale Console"_qs << u"Version %1 (Qt %2)"_qs.arg(expected, qt);
        QTest::newRow("zh_CN") << u"zh_CN"_qs << u"关于秒杀控制台"_qs << u"版本 %1（Qt %2）"_qs.arg(expected, qt);
    }

    void aboutShowsTheVersion()
    {
        QFETCH(QString, language);
        QFETCH(QString, title);
        QFETCH(QString, version);
        QVERIFY(Language::apply(language));
        QTemporaryDir dir;
        const ServerOptions options = test::nodeOptions(dir.path());
        const auto windowOwner = test::consoleWindow(options);
        MainWindow &window = *windowOwner;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *about = window.findChild<QAction *>(u"aboutAction"_qs);
        QVERIFY(about);
        about->trigger();
        auto *dialog = window.findChild<AboutDialog *>(u"aboutDialog"_qs);
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->isVisible());
        QCOMPARE(dialog->windowTitle(), title);
        QCOMPARE(dialog->findChild<QLabel *>(u"aboutVersion"_qs)->text(), version);
        QVERIFY(!dialog->findChild<QLabel *>(u"aboutIcon"_qs)->pixmap().isNull());
        QVERIFY(Language::apply(u"en"_qs));
    }
};

QTEST_MAIN(TestAbout)
#include "tst_about.moc"
