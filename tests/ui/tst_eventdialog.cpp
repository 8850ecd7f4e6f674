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
#include <QSpinBox>
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

    void createsAnEventThroughTheDialog_data() { test::addBackendRows(); }
    void createsAnEventThroughTheDialog()
    {
        QFETCH(test::BackendUnderTest, backend);
        test::ConsoleNode node(backend);
        QVERIFY(node.start());
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
        auto *identity = dialog.findChild<QComboBox *>(u"identityEdit"_qs);
        identity->setCurrentIndex(identity->findData(int(ShopperIdentity::Signed)));
        dialog.findChild<QSpinBox *>(u"fairStartEdit"_qs)->setValue(5);
        QVERIFY(dialog.isValid());

        clickOk(dialog);
        QTRY_COMPARE(dialog.result(), int(QDialog::Accepted)); // once the node committed it
        QCOMPARE(dialog.savedEvent().config.id, u"spring-sale"_qs);

        // What the node stored, read back through its API.
        const ApiReply stored = node.api().admin("GET", u"/api/v1/admin/events/spring-sale"_qs);
        QCOMPARE(stored.status, 200);
        QCOMPARE(stored.json.value(u"name"_qs).toString(), u"春季大促, \"Spring\""_qs);
        QCOMPARE(stored.json.value(u"priceCents"_qs).toInteger(), qint64(129950));
        QCOMPARE(stored.json.value(u"stock"_qs).toInteger(), qint64(500));
        QCOMPARE(stored.json.value(u"perUserLimit"_qs).toInt(), 2);
        QCOMPARE(stored.json.value(u"state"_qs).toString(), u"draft"_qs);
        QCOMPARE(stored.json.value(u"shopperIdentity"_qs).toString(), u"signed"_qs);
        QCOMPARE(stored.json.value(u"fairStartMs"_qs).toInt(), 5000);
        QVERIFY(QDateTime::fromString(stored.json.value(u"endsAt"_qs).toString(), Qt::ISODateWithMs) > QDateTime::currentDateTime());

        // The page lists it from the backend's next snapshot, with the price formatted by the locale.
        QVERIFY(node.waitForEvent(u"spring-sale"_qs));
        page.refresh(node.backend().stats().events);
        const int row = page.model()->rowOf(u"spring-sale"_qs);
        QVERIFY(row >= 0);
        QCOMPARE(page.model()->index(row, EventsModel::Remaining).data().toString(), u"500"_qs);
        QVERIFY(page.model()->index(row, EventsModel::Price).data().toString().contains(u"1,299.50"));
    }

    // The payment window (typed as minutes:seconds) and where freed units go reach the node on
    // create and on a draft's edit; once the sale is open both are read-only, and the dialog says why.
    void paymentWindowAndPolicyReachTheNode_data() { test::addBackendRows(); }
    void paymentWindowAndPolicyReachTheNode()
    {
        QFETCH(test::BackendUnderTest, backend);
        test::ConsoleNode node(backend);
        QVERIFY(node.start());
        EventsPage page(node.backend());
        {
            EventDialog dialog(node.backend(), EventDialog::Mode::Create, std::nullopt, &page);
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            typeInto(dialog, "idEdit", u"pay-later"_qs);
            typeInto(dialog, "nameEdit", u"Pay later"_qs);
            typeInto(dialog, "priceEdit", u"10"_qs);
            auto *window = dialog.findChild<QSpinBox *>(u"paymentWindowEdit"_qs);
            auto *policy = dialog.findChild<QComboBox *>(u"releasePolicyEdit"_qs);
            QVERIFY(window && policy);
            QCOMPARE(window->value(), 0);
            QCOMPARE(window->text(), u"None: a win is the sale"_qs);
            QVERIFY(!policy->isEnabled()); // nothing is freed without a window
            QVERIFY(policy->toolTip().contains(u"cancelled or expired order"));
            QVERIFY(window->toolTip().contains(u"minutes:seconds"));
            window->setFocus();
            window->selectAll();
            QTest::keyClicks(window, u"15:30"_qs);
            window->interpretText();
            QCOMPARE(window->value(), 15 * 60 + 30);
            QCOMPARE(window->text(), u"15:30"_qs);
            QVERIFY(policy->isEnabled());
            policy->setCurrentIndex(policy->findData(int(ReleasePolicy::Offer)));
            QCOMPARE(dialog.config().paymentWindowSeconds, 930);
            clickOk(dialog);
            QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
        }
        ApiReply stored = node.api().admin("GET", u"/api/v1/admin/events/pay-later"_qs);
        QCOMPARE(stored.json.value(u"paymentWindowSeconds"_qs).toInt(), 930);
        QCOMPARE(stored.json.value(u"releasePolicy"_qs).toString(), u"offer"_qs);

        // A draft's edit changes both.
        QVERIFY(node.waitForEvent(u"pay-later"_qs));
        QTRY_COMPARE(node.eventIn(u"pay-later"_qs)->config.paymentWindowSeconds, 930);
        {
            EventDialog dialog(node.backend(), EventDialog::Mode::Edit, *node.eventIn(u"pay-later"_qs), &page);
            dialog.show();
            auto *window = dialog.findChild<QSpinBox *>(u"paymentWindowEdit"_qs);
            auto *policy = dialog.findChild<QComboBox *>(u"releasePolicyEdit"_qs);
            QCOMPARE(window->value(), 930);
            QCOMPARE(policy->currentData().toInt(), int(ReleasePolicy::Offer));
            QVERIFY(window->isEnabled() && policy->isEnabled());
            window->setValue(150);
            policy->setCurrentIndex(policy->findData(int(ReleasePolicy::Restock)));
            clickOk(dialog);
            QTRY_COMPARE(dialog.result(), int(QDialog::Accepted));
        }
        stored = node.api().admin("GET", u"/api/v1/admin/events/pay-later"_qs);
        QCOMPARE(stored.json.value(u"paymentWindowSeconds"_qs).toInt(), 150);
        QCOMPARE(stored.json.value(u"releasePolicy"_qs).toString(), u"restock"_qs);

        // Open, the terms are fixed: the fields are greyed and the note names them.
        QCOMPARE(node.api().admin("POST", u"/api/v1/admin/events/pay-later/open"_qs).status, 200);
        QTRY_VERIFY(node.eventIn(u"pay-later"_qs)->state == EventState::Open);
        EventDialog dialog(node.backend(), EventDialog::Mode::Edit, *node.eventIn(u"pay-later"_qs), &page);
        dialog.show();
        QVERIFY(!dialog.findChild<QSpinBox *>(u"paymentWindowEdit"_qs)->isEnabled());
        QVERIFY(!dialog.findChild<QComboBox *>(u"releasePolicyEdit"_qs)->isEnabled());
        bool explained = false;
        for (const QLabel *label : dialog.findChildren<QLabel *>())
            explained |= label->isVisible() && label->text().contains(u"payment window and freed units can no longer change"_qs);
        QVERIFY(explained);
        // The engine refuses the change anyway.
        const ApiReply refused = node.api().admin("PATCH", u"/api/v1/admin/events/pay-later"_qs, {{u"paymentWindowSeconds"_qs, 60}});
        QCOMPARE(refused.status, 409);
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

    void refusesADuplicateIdWithTheEnginesAnswer_data() { test::addBackendRows(); }
    void refusesADuplicateIdWithTheEnginesAnswer()
    {
        QFETCH(test::BackendUnderTest, backend);
        test::ConsoleNode node(backend);
        QVERIFY(node.start());
        QVERIFY(node.openSale(u"taken"_qs, 10));
        const EventSnapshot original = *node.eventIn(u"taken"_qs);
        EventDialog dialog(node.backend(), EventDialog::Mode::Create, original);
        dialog.show();
        QCOMPARE(dialog.findChild<QLineEdit *>(u"idEdit"_qs)->text(), u"taken-copy"_qs); // duplicate prefill
        typeInto(dialog, "idEdit", u"taken"_qs);
        clickOk(dialog);
        auto *formError = dialog.findChild<QLabel *>(u"formError"_qs);
        QTRY_VERIFY(formError->isVisible()); // the node's answer
        QVERIFY2(formError->text().contains(u"already exists"), qPrintable(formError->text()));
        QVERIFY(dialog.isVisible());
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
