#include "ui/dialogs/eventdialog.h"

#include "ui/backend/consolebackend.h"
#include "ui/widgets/labels.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSpinBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace flashsale {

namespace {
enum FieldIndex {
    IdField, NameField, PriceField, CurrencyField, StockField, LimitField, StartsField, EndsField, IdentityField,
    FairStartField, WindowField, PolicyField
};

// A duration in whole seconds typed and shown as minutes:seconds ("15:00"); a plain number is
// taken as minutes.
class MinutesSecondsBox : public QSpinBox
{
public:
    using QSpinBox::QSpinBox;

protected:
    QString textFromValue(int seconds) const override
    {
        return QString::number(seconds / 60) + u':' + QString::number(seconds % 60).rightJustified(2, u'0');
    }
    int valueFromText(const QString &text) const override { return secondsOf(text).value_or(0); }
    QValidator::State validate(QString &input, int &) const override
    {
        if (input == specialValueText())
            return QValidator::Acceptable;
        static const QRegularExpression partial(u"^\\d{0,6}(:\\d{0,2})?$"_qs);
        if (!partial.match(input).hasMatch())
            return QValidator::Invalid;
        const auto seconds = secondsOf(input);
        return seconds && *seconds >= minimum() && *seconds <= maximum() ? QValidator::Acceptable
                                                                          : QValidator::Intermediate;
    }

private:
    static std::optional<int> secondsOf(const QString &text)
    {
        static const QRegularExpression full(u"^(\\d{1,6})(?::(\\d{2}))?$"_qs);
        const QRegularExpressionMatch m = full.match(text.trimmed());
        if (!m.hasMatch())
            return std::nullopt;
        const int seconds = m.captured(2).isEmpty() ? 0 : m.captured(2).toInt();
        if (seconds > 59)
            return std::nullopt;
        return m.captured(1).toInt() * 60 + seconds;
    }
};

// A field's message: wraps to two lines, and keeps those two lines while hidden so the dialog
// neither grows nor shifts its fields under the pointer as messages come and go.
QLabel *errorLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setStyleSheet(u"color: #b3261e;"_qs);
    label->setWordWrap(true);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setFixedHeight(2 * label->fontMetrics().lineSpacing() + 2);
    QSizePolicy policy = label->sizePolicy();
    policy.setRetainSizeWhenHidden(true);
    label->setSizePolicy(policy);
    label->hide();
    return label;
}

std::optional<std::int64_t> parseCount(const QString &text, std::int64_t min, std::int64_t max)
{
    bool ok = false;
    qint64 value = QLocale().toLongLong(text.trimmed(), &ok);
    if (!ok)
        value = QLocale::c().toLongLong(text.trimmed(), &ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

bool launched(EventState state)
{
    return state != EventState::Draft && state != EventState::Scheduled;
}

// Shoppers see the event: a change to it reaches them at once.
bool live(EventState state)
{
    return state != EventState::Draft && state != EventState::Ended;
}
} // namespace

EventDialog::EventDialog(ConsoleBackend &backend, Mode mode, const std::optional<EventSnapshot> &prefill, QWidget *parent)
    : QDialog(parent)
    , m_backend(backend)
    , m_mode(mode)
{
    if (mode == Mode::Edit)
        m_original = prefill;
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    const auto row = [&](QLabel *&label, QWidget *editor, int field, const QString &errorName) {
        label = new QLabel(this);
        auto *box = new QVBoxLayout;
        box->setSpacing(2);
        box->addWidget(editor);
        m_fields[field].editor = editor;
        m_fields[field].error = errorLabel(this, errorName);
        box->addWidget(m_fields[field].error);
        form->addRow(label, box);
    };

    m_id = new QLineEdit(this);
    m_id->setObjectName(u"idEdit"_qs);
    m_id->setMaxLength(limits::maxEventIdLength + 10);
    row(m_idLabel, m_id, IdField, u"idError"_qs);
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"nameEdit"_qs);
    row(m_nameLabel, m_name, NameField, u"nameError"_qs);
    m_price = new QLineEdit(this);
    m_price->setObjectName(u"priceEdit"_qs);
    row(m_priceLabel, m_price, PriceField, u"priceError"_qs);
    m_currency = new QComboBox(this);
    m_currency->setObjectName(u"currencyEdit"_qs);
    m_currency->setEditable(true);
    m_currency->addItems({u"CNY"_qs, u"USD"_qs, u"EUR"_qs, u"HKD"_qs, u"JPY"_qs, u"GBP"_qs});
    row(m_currencyLabel, m_currency, CurrencyField, u"currencyError"_qs);
    m_stock = new QLineEdit(this);
    m_stock->setObjectName(u"stockEdit"_qs);
    row(m_stockLabel, m_stock, StockField, u"stockError"_qs);
    m_limit = new QLineEdit(this);
    m_limit->setObjectName(u"limitEdit"_qs);
    row(m_limitLabel, m_limit, LimitField, u"limitError"_qs);

    const QDateTime soon = QDateTime::currentDateTime().addSecs(3600);
    const auto timeEditor = [&](QCheckBox *&check, QDateTimeEdit *&edit, const QString &name) {
        auto *holder = new QWidget(this);
        auto *layout = new QHBoxLayout(holder);
        layout->setContentsMargins(0, 0, 0, 0);
        check = new QCheckBox(holder);
        check->setObjectName(name + u"Check"_qs);
        edit = new QDateTimeEdit(soon, holder);
        edit->setObjectName(name + u"Edit"_qs);
        edit->setCalendarPopup(true);
        edit->setEnabled(false);
        layout->addWidget(check);
        layout->addWidget(edit, 1);
        connect(check, &QCheckBox::toggled, edit, &QWidget::setEnabled);
        return holder;
    };
    row(m_startsLabel, timeEditor(m_startsSet, m_starts, u"starts"_qs), StartsField, u"startsError"_qs);
    row(m_endsLabel, timeEditor(m_endsSet, m_ends, u"ends"_qs), EndsField, u"endsError"_qs);
    m_ends->setDateTime(soon.addSecs(3600));
    m_identity = new QComboBox(this);
    m_identity->setObjectName(u"identityEdit"_qs);
    m_identity->addItem(QString(), int(ShopperIdentity::Open));
    m_identity->addItem(QString(), int(ShopperIdentity::Signed));
    row(m_identityLabel, m_identity, IdentityField, u"identityError"_qs);
    m_fairStart = new QSpinBox(this);
    m_fairStart->setObjectName(u"fairStartEdit"_qs);
    m_fairStart->setRange(0, limits::maxFairStartMs / 1000);
    row(m_fairStartLabel, m_fairStart, FairStartField, u"fairStartError"_qs);
    m_window = new MinutesSecondsBox(this);
    m_window->setObjectName(u"paymentWindowEdit"_qs);
    m_window->setRange(0, limits::maxPaymentWindowSeconds);
    m_window->setSingleStep(60);
    row(m_windowLabel, m_window, WindowField, u"paymentWindowError"_qs);
    m_policy = new QComboBox(this);
    m_policy->setObjectName(u"releasePolicyEdit"_qs);
    m_policy->addItem(QString(), int(ReleasePolicy::Restock));
    m_policy->addItem(QString(), int(ReleasePolicy::Offer));
    row(m_policyLabel, m_policy, PolicyField, u"releasePolicyError"_qs);

    setMinimumWidth(560);
    m_lockedNote = new QLabel(this);
    m_lockedNote->setWordWrap(true);
    m_lockedNote->hide();
    m_formError = errorLabel(this, u"formError"_qs);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &EventDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &EventDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_lockedNote);
    layout->addWidget(m_formError);
    layout->addWidget(m_buttons);

    // Defaults, or the event being edited or copied.
    EventConfig start;
    start.stock = 100;
    if (prefill) {
        start = prefill->config;
        if (mode == Mode::Create) {
            start.id = (start.id.left(limits::maxEventIdLength - 5) + u"-copy"_qs);
            //: Name given to a duplicated event; %1 is the original name
            start.name = tr("%1 (copy)").arg(start.name);
            start.stock = prefill->stockTotal;
            start.startsAtMs = 0;
            start.endsAtMs = 0;
        }
    }
    const QLocale locale;
    m_id->setText(start.id);
    m_name->setText(start.name);
    m_price->setText(prefill ? locale.toString(double(start.priceCents) / 100.0, 'f', 2) : QString());
    m_currency->setCurrentText(start.currency);
    m_stock->setText(QString::number(mode == Mode::Edit ? prefill->stockTotal : start.stock));
    m_limit->setText(QString::number(start.perUserLimit));
    m_identity->setCurrentIndex(m_identity->findData(int(start.shopperIdentity)));
    m_fairStart->setValue(start.fairStartMs / 1000);
    m_window->setValue(start.paymentWindowSeconds);
    m_policy->setCurrentIndex(m_policy->findData(int(start.releasePolicy)));
    m_policy->setEnabled(start.paymentWindowSeconds > 0);
    connect(m_window, &QSpinBox::valueChanged, this, [this](int seconds) { m_policy->setEnabled(seconds > 0); });
    if (start.startsAtMs > 0) {
        m_startsSet->setChecked(true);
        m_starts->setDateTime(QDateTime::fromMSecsSinceEpoch(start.startsAtMs));
    }
    if (start.endsAtMs > 0) {
        m_endsSet->setChecked(true);
        m_ends->setDateTime(QDateTime::fromMSecsSinceEpoch(start.endsAtMs));
    }
    if (mode == Mode::Edit) {
        m_id->setReadOnly(true);
        m_id->setEnabled(false);
        if (launched(prefill->state)) {
            for (QWidget *w : {static_cast<QWidget *>(m_price), static_cast<QWidget *>(m_currency),
                               static_cast<QWidget *>(m_stock), static_cast<QWidget *>(m_startsSet),
                               static_cast<QWidget *>(m_starts), static_cast<QWidget *>(m_identity),
                               static_cast<QWidget *>(m_fairStart), static_cast<QWidget *>(m_window),
                               static_cast<QWidget *>(m_policy)})
                w->setEnabled(false);
            m_lockedNote->show();
        }
    }

    const auto touch = [this](int field) {
        return [this, field] {
            m_fields[field].touched = true;
            validate();
        };
    };
    connect(m_id, &QLineEdit::textEdited, this, touch(IdField));
    connect(m_name, &QLineEdit::textEdited, this, touch(NameField));
    connect(m_price, &QLineEdit::textEdited, this, touch(PriceField));
    connect(m_currency, &QComboBox::currentTextChanged, this, touch(CurrencyField));
    connect(m_stock, &QLineEdit::textEdited, this, touch(StockField));
    connect(m_limit, &QLineEdit::textEdited, this, touch(LimitField));
    for (QCheckBox *check : {m_startsSet, m_endsSet}) {
        connect(check, &QCheckBox::toggled, this, touch(StartsField));
        connect(check, &QCheckBox::toggled, this, touch(EndsField));
    }
    for (QDateTimeEdit *edit : {m_starts, m_ends}) {
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, touch(StartsField));
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, touch(EndsField));
    }

    retranslate();
    validate();
}

EventConfig EventDialog::config() const
{
    EventConfig c;
    c.id = m_id->text().trimmed();
    c.name = m_name->text().trimmed();
    c.priceCents = Labels::parseMoney(m_price->text()).value_or(-1);
    c.currency = m_currency->currentText().trimmed().toUpper();
    c.stock = parseCount(m_stock->text(), 0, limits::maxStock).value_or(-1);
    c.perUserLimit = std::int32_t(parseCount(m_limit->text(), 1, limits::maxPerUserLimit).value_or(0));
    c.startsAtMs = m_startsSet->isChecked() ? m_starts->dateTime().toMSecsSinceEpoch() : 0;
    c.endsAtMs = m_endsSet->isChecked() ? m_ends->dateTime().toMSecsSinceEpoch() : 0;
    c.shopperIdentity = ShopperIdentity(m_identity->currentData().toInt());
    c.fairStartMs = m_fairStart->value() * 1000;
    c.paymentWindowSeconds = m_window->value();
    c.releasePolicy = ReleasePolicy(m_policy->currentData().toInt());
    return c;
}

QString EventDialog::problemOf(int field) const
{
    switch (field) {
    case IdField:
        if (!isValidEventId(m_id->text().trimmed()))
            return tr("Use 1–64 lowercase letters, digits and hyphens, e.g. spring-sale-2025.");
        break;
    case NameField:
        if (m_name->text().trimmed().isEmpty())
            return tr("Give the event a name shoppers will see.");
        if (m_name->text().trimmed().size() > limits::maxNameLength)
            return tr("Keep the name under %1 characters.").arg(Labels::count(limits::maxNameLength));
        break;
    case PriceField:
        if (!Labels::parseMoney(m_price->text()))
            return tr("Enter a price such as %1 (at most two decimals).").arg(QLocale().toString(12.5, 'f', 2));
        break;
    case CurrencyField: {
        static const QRegularExpression iso(u"^[A-Z]{3}$"_qs);
        if (!iso.match(m_currency->currentText().trimmed().toUpper()).hasMatch())
            return tr("Use a three-letter currency code such as CNY.");
        break;
    }
    case StockField:
        if (!parseCount(m_stock->text(), 0, limits::maxStock))
            return tr("Stock is a whole number from 0 to %1.").arg(Labels::count(limits::maxStock));
        break;
    case LimitField:
        if (!parseCount(m_limit->text(), 1, limits::maxPerUserLimit))
            return tr("The limit per shopper is a whole number from 1 to %1.").arg(Labels::count(limits::maxPerUserLimit));
        break;
    case StartsField:
        if (m_original && m_original->state == EventState::Scheduled && !m_startsSet->isChecked())
            return tr("A scheduled sale opens at its start time: keep one, or end the sale.");
        if (m_startsSet->isChecked() && m_starts->isEnabled() && m_starts->dateTime() <= QDateTime::currentDateTime()
            && (!m_original || m_original->config.startsAtMs != m_starts->dateTime().toMSecsSinceEpoch()))
            return tr("The start is in the past. Untick it to open the sale yourself.");
        break;
    case EndsField:
        if (m_startsSet->isChecked() && m_endsSet->isChecked() && m_ends->dateTime() <= m_starts->dateTime())
            return tr("The end must be after the start.");
        if (m_endsSet->isChecked() && m_ends->dateTime() <= QDateTime::currentDateTime()
            && (!m_original || m_original->config.endsAtMs != m_ends->dateTime().toMSecsSinceEpoch()))
            return tr("The end is in the past.");
        break;
    default:
        break;
    }
    return QString();
}

void EventDialog::showProblem(int field, const QString &problem)
{
    QLabel *label = m_fields[field].error;
    label->setText(problem);
    label->setVisible(!problem.isEmpty());
}

bool EventDialog::isValid() const
{
    for (int field = 0; field < int(m_fields.size()); ++field) {
        if (!problemOf(field).isEmpty())
            return false;
    }
    return true;
}

void EventDialog::validate()
{
    for (int field = 0; field < int(m_fields.size()); ++field) {
        const bool show = m_showAll || m_fields[field].touched;
        showProblem(field, show ? problemOf(field) : QString());
    }
}

void EventDialog::accept()
{
    if (m_saving)
        return;
    m_showAll = true;
    validate();
    m_formError->hide();
    if (!isValid())
        return;
    const EventConfig next = config();
    // "Open by itself at" launches the event: it is scheduled in the same commit that saves it.
    const bool schedule = m_startsSet->isChecked() && m_starts->isEnabled();
    if (m_mode == Mode::Create) {
        setSaving(true);
        m_backend.createEvent(next, schedule ? CreateAs::Launched : CreateAs::Draft, this,
                              [this](const AdminResult &result) { finishSaving(result); });
        return;
    }
    const EventConfig &was = m_original->config;
    EventPatch patch;
    if (next.name != was.name) patch.name = next.name;
    if (next.perUserLimit != was.perUserLimit) patch.perUserLimit = next.perUserLimit;
    if (next.endsAtMs != was.endsAtMs) patch.endsAtMs = next.endsAtMs;
    if (!launched(m_original->state)) {
        if (next.priceCents != was.priceCents) patch.priceCents = next.priceCents;
        if (next.currency != was.currency) patch.currency = next.currency;
        if (next.stock != m_original->stockTotal) patch.stock = next.stock;
        if (next.startsAtMs != was.startsAtMs) patch.startsAtMs = next.startsAtMs;
        if (next.shopperIdentity != was.shopperIdentity) patch.shopperIdentity = next.shopperIdentity;
        if (next.fairStartMs != was.fairStartMs) patch.fairStartMs = next.fairStartMs;
        if (next.paymentWindowSeconds != was.paymentWindowSeconds) patch.paymentWindowSeconds = next.paymentWindowSeconds;
        if (next.releasePolicy != was.releasePolicy) patch.releasePolicy = next.releasePolicy;
    }
    if (live(m_original->state) && !confirmLiveChange(patch))
        return;
    setSaving(true);
    m_backend.updateEvent(was.id, patch, this, [this, schedule, id = was.id](const AdminResult &result) {
        if (result.status == Status::Ok && schedule && result.event.state == EventState::Draft) {
            return m_backend.actOnEvent(id, EventAction::Open, this,
                                        [this](const AdminResult &opened) { finishSaving(opened); });
        }
        finishSaving(result);
    });
}

void EventDialog::setSaving(bool saving)
{
    m_saving = saving;
    if (QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok))
        ok->setEnabled(!saving);
}

void EventDialog::finishSaving(const AdminResult &result)
{
    setSaving(false);
    if (result.status != Status::Ok) {
        m_formError->setText(Labels::adminFailure(result));
        m_formError->show();
        return;
    }
    m_saved = result.event;
    QDialog::accept();
}

QStringList EventDialog::liveChanges(const EventPatch &patch) const
{
    const EventConfig &was = m_original->config;
    QStringList changes;
    if (patch.name)
        changes << tr("Shoppers see the name “%1” instead of “%2”.").arg(*patch.name, was.name);
    if (patch.perUserLimit)
        changes << tr("Each shopper may buy up to %1 (was %2).")
                       .arg(Labels::count(*patch.perUserLimit), Labels::count(was.perUserLimit));
    if (patch.endsAtMs) {
        if (*patch.endsAtMs == 0)
            changes << tr("The sale no longer ends by itself.");
        else if (was.endsAtMs == 0)
            changes << tr("The sale ends by itself at %1.").arg(Labels::time(*patch.endsAtMs));
        else
            changes << tr("The sale ends by itself at %1 instead of %2.")
                           .arg(Labels::time(*patch.endsAtMs), Labels::time(was.endsAtMs));
    }
    if (patch.shopperIdentity) {
        changes << (*patch.shopperIdentity == ShopperIdentity::Signed
                        ? tr("Shoppers can buy only with a pass the shop signs; links without one stop working.")
                        : tr("Shoppers no longer need a pass: any user id the page sends can buy."));
    }
    if (patch.fairStartMs) {
        changes << (*patch.fairStartMs == 0 ? tr("Requests are decided first come, first served from the start.")
                                            : tr("Requests in the first %1 s after opening are decided in a random order.")
                                                  .arg(*patch.fairStartMs / 1000));
    }
    return changes;
}

bool EventDialog::confirmLiveChange(const EventPatch &patch)
{
    const QStringList changes = liveChanges(patch);
    if (changes.isEmpty())
        return true;
    QMessageBox box(QMessageBox::Question, tr("Change a live sale"),
                    tr("“%1” is live: shoppers see these changes at once.").arg(m_original->config.name),
                    QMessageBox::NoButton, this);
    box.setObjectName(u"liveEditConfirm"_qs);
    box.setInformativeText(u"• "_qs + changes.join(u"\n• "_qs));
    QPushButton *save = box.addButton(tr("&Save changes"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == save;
}

void EventDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void EventDialog::retranslate()
{
    setWindowTitle(m_mode == Mode::Edit ? tr("Edit event") : tr("New event"));
    m_idLabel->setText(tr("&Id (in the shop's URL)"));
    m_idLabel->setBuddy(m_id);
    m_id->setPlaceholderText(tr("spring-sale-2025"));
    m_nameLabel->setText(tr("&Name"));
    m_nameLabel->setBuddy(m_name);
    m_priceLabel->setText(tr("&Price"));
    m_priceLabel->setBuddy(m_price);
    m_price->setPlaceholderText(QLocale().toString(1299.0, 'f', 2));
    m_currencyLabel->setText(tr("&Currency"));
    m_currencyLabel->setBuddy(m_currency);
    m_stockLabel->setText(tr("&Stock (units)"));
    m_stockLabel->setBuddy(m_stock);
    m_limitLabel->setText(tr("&Limit per shopper"));
    m_limitLabel->setBuddy(m_limit);
    m_startsLabel->setText(tr("Starts"));
    m_startsSet->setText(tr("Open by itself at"));
    m_endsLabel->setText(tr("Ends"));
    m_endsSet->setText(tr("End by itself at"));
    m_identityLabel->setText(tr("S&hoppers"));
    m_identityLabel->setBuddy(m_identity);
    m_identity->setItemText(0, tr("Anyone: the user id the shop's page sends"));
    m_identity->setItemText(1, tr("Signed in at the shop: a pass the shop signs"));
    m_identity->setToolTip(tr("With signed passes a script cannot buy as a hundred made-up users: "
                              "the shop's backend signs who is logged in (README, Fair sales)."));
    m_fairStartLabel->setText(tr("&Fair start"));
    m_fairStartLabel->setBuddy(m_fairStart);
    m_fairStart->setSpecialValueText(tr("Off: first come, first served"));
    //: Suffix of the fair-start window in seconds
    m_fairStart->setSuffix(tr(" s"));
    m_fairStart->setToolTip(tr("Requests in the first seconds after opening are decided in a random order, "
                               "so a bot firing at the first millisecond gains nothing over a person."));
    //: The field takes minutes:seconds, e.g. 15:00
    m_windowLabel->setText(tr("Pa&yment window (min:s)"));
    m_windowLabel->setBuddy(m_window);
    m_window->setSpecialValueText(tr("None: a win is the sale"));
    m_window->setToolTip(tr("How long a winner has to pay (minutes:seconds, up to %1 days). The order awaits payment "
                            "until the shop marks it paid or cancels it; unpaid at the deadline, it expires and its "
                            "units are freed. None: orders are final, as without a shop checkout.")
                             .arg(limits::maxPaymentWindowSeconds / 86400));
    m_policyLabel->setText(tr("Freed &units"));
    m_policyLabel->setBuddy(m_policy);
    m_policy->setItemText(0, tr("Back to stock"));
    m_policy->setItemText(1, tr("Offer to the next lead"));
    m_policy->setToolTip(tr("Where the units of a cancelled or expired order go: back to stock (a sold-out sale "
                            "reopens), or offered to the shoppers who lost for sold out, in the order they asked, each "
                            "with the same payment window. Needs a payment window."));
    m_lockedNote->setText(tr("The sale has started: price, currency, stock, start, shoppers, fair start, payment "
                             "window and freed units can no longer change (orders already made keep their terms). "
                             "Use Restock to add units."));
    validate();
}

} // namespace flashsale
