// The event dialog: creating an event through it, and the inline validation errors.
#include "testserver.h"
#include "ui/dialogs/eventdialog.h"
#include "ui/models/eventsmodel.h"
#include "ui/pages/eventspage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QInputMethodEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QtTest>

using namespace flashsale;

class TestEventDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void createsAnEventThroughTheDialog()
    {
        test::TestServer node;
        QVERIFY(node.started());
        EventsPage page(node.backend());
        EventDialog dialog(node.backend(), EventDialog::Mode::Create, std::nullopt, &page);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        typeInto(dialog, "idEdit", u"spring-sale"_qs);
        typeInto(dialog, "nameEdit", u"春季大促, \"Spring\""_qs);
        typeInto(dialog, "priceEdit", u"1,299.50"_qs);
        typeInto(dialog, "stockEdit", u"500"_qs);
        typeInto(dialog, "limitEdit", u"2"_qs);
        dialog.findChild<QCheckBox *>(u"endsCheck"_qs)->setChecked(true);
        dialog.findChild<QDateTimeEdit *>(u"endsEdit"_qs)->setDateTime(QDateTime::currentDateTime().addDays(1));
        QVERIFY(dialog.isValid());

        clickOk(dialog);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        const auto stored = node.engine().event(u"spring-sale");
        QVERIFY(stored.has_value());
        QCOMPARE(stored->config.name, u"春季大促, \"Spring\""_qs);
        QCOMPARE(stored->config.priceCents, std::int64_t(129950));
        QCOMPARE(stored->stockTotal, std::int64_t(500));
        QCOMPARE(stored->config.perUserLimit, 2);
        QVERIFY(stored->state == EventState::Draft);
        QVERIFY(stored->config.endsAtMs > Engine::nowMs());

        // The page lists it after a refresh, with the price formatted by the locale.
        page.refresh(node.engine().events());
        const int row = page.model()->rowOf(u"spring-sale"_qs);
        QVERIFY(row >= 0);
        QCOMPARE(page.model()->index(row, EventsModel::Remaining).data().toString(), u"500"_qs);
        QVERIFY(page.model()->index(row, EventsModel::Price).data().toString().contains(u"1,299.50"));
    }

    void showsValidationErrors()
    {
        test::TestServer node;
        QVERIFY(node.started());
        EventDialog dialog(node.backend(), EventDialog::Mode::Create, std::nullopt);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *idError = dialog.findChild<QLabel *>(u"idError"_qs);
        QVERIFY(idError);
        QVERIFY(!idError->isVisible()); // nothing shouts before the user typed

        typeInto(dialog, "idEdit", u"Spring Sale!"_qs);
        QVERIFY(idError->isVisible());
        QVERIFY(idError->text().contains(u"lowercase"));

        typeInto(dialog, "priceEdit", u"12.345"_qs);
        QVERIFY(dialog.findChild<QLabel *>(u"priceError"_qs)->isVisible());
        typeInto(dialog, "stockEdit", u"-3"_qs);
        QVERIFY(dialog.findChild<QLabel *>(u"stockError"_qs)->isVisible());
        typeInto(dialog, "limitEdit", u"0"_qs);
        QVERIFY(dialog.findChild<QLabel *>(u"limitError"_qs)->isVisible());

        const QDateTime start = QDateTime::currentDateTime().addDays(2);
        dialog.findChild<QCheckBox *>(u"startsCheck"_qs)->setChecked(true);
        dialog.findChild<QDateTimeEdit *>(u"startsEdit"_qs)->setDateTime(start);
        dialog.findChild<QCheckBox *>(u"endsCheck"_qs)->setChecked(true);
        dialog.findChild<QDateTimeEdit *>(u"endsEdit"_qs)->setDateTime(start.addSecs(-3600));
        auto *endsError = dialog.findChild<QLabel *>(u"endsError"_qs);
        QVERIFY(endsError->isVisible());
        QVERIFY(endsError->text().contains(u"after the start"));

        // OK refuses, shows the untouched name's error too, and creates nothing.
        QVERIFY(!dialog.findChild<QLabel *>(u"nameError"_qs)->isVisible());
        clickOk(dialog);
        QVERIFY(dialog.isVisible());
        QVERIFY(dialog.findChild<QLabel *>(u"nameError"_qs)->isVisible());
        QVERIFY(node.engine().events().isEmpty());

        // Fixing the id clears its error.
        typeInto(dialog, "idEdit", u"spring-sale"_qs);
        QVERIFY(!idError->isVisible());
    }

    void refusesADuplicateIdWithTheEnginesAnswer()
    {
        test::TestServer node;
        QVERIFY(node.started());
        QVERIFY(node.openEvent(u"taken"_qs, 10));
        const auto original = node.engine().event(u"taken");
        EventDialog dialog(node.backend(), EventDialog::Mode::Create, original);
        dialog.show();
        QCOMPARE(dialog.findChild<QLineEdit *>(u"idEdit"_qs)->text(), u"taken-copy"_qs); // duplicate prefill
        typeInto(dialog, "idEdit", u"taken"_qs);
        clickOk(dialog);
        auto *formError = dialog.findChild<QLabel *>(u"formError"_qs);
        QVERIFY(formError->isVisible());
        QVERIFY(formError->text().contains(u"already exists"));
    }

private:
    static void typeInto(QDialog &dialog, const char *name, const QString &text)
    {
        auto *edit = dialog.findChild<QLineEdit *>(QString::fromLatin1(name));
        QVERIFY2(edit, name);
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Backspace);
        bool latin1 = true;
        for (QChar c : text)
            latin1 = latin1 && c.unicode() < 0x80;
        if (latin1) {
            QTest::keyClicks(edit, text);
        } else {
            // Chinese arrives through the input method, as an IME commits it.
            QInputMethodEvent commit;
            commit.setCommitString(text);
            QCoreApplication::sendEvent(edit, &commit);
        }
    }
    static void clickOk(QDialog &dialog)
    {
        auto *buttons = dialog.findChild<QDialogButtonBox *>();
        QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
    }
};

QTEST_MAIN(TestEventDialog)
#include "tst_eventdialog.moc"
