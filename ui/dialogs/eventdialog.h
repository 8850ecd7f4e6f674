// Create, edit or duplicate a sale event, with inline validation of every field.
#pragma once

#include "engine/core/admintypes.h"
#include "engine/core/types.h"

#include <QDialog>

#include <array>
#include <optional>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace flashsale {

class ConsoleBackend;

// Thread: GUI thread. On OK it sends the change to the backend (OK waits, greyed, for the answer)
// and closes once it is committed, or stays open with the problem shown when the engine refuses.
class EventDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Mode : std::uint8_t { Create = 1, Edit };

    // prefill: the event to edit, or to copy when creating (duplicate).
    EventDialog(ConsoleBackend &backend, Mode mode, const std::optional<EventSnapshot> &prefill, QWidget *parent = nullptr);

    // The event as the engine stored it, once accepted.
    const EventSnapshot &savedEvent() const { return m_saved; }
    // The config the fields describe now, and whether every field is valid.
    EventConfig config() const;
    bool isValid() const;

    void accept() override;

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Field {
        QWidget *editor = nullptr;
        QLabel *error = nullptr;
        bool touched = false;
    };
    void retranslate();
    void validate();
    QString problemOf(int field) const;
    void showProblem(int field, const QString &problem);
    // Edit mode: what shoppers will notice from patch, one sentence each.
    QStringList liveChanges(const EventPatch &patch) const;
    // Asks before changing an event shoppers see; true to go ahead (or nothing they would see).
    bool confirmLiveChange(const EventPatch &patch);
    void setSaving(bool saving);
    void finishSaving(const AdminResult &result);

    ConsoleBackend &m_backend;
    bool m_saving = false; // a change was sent; its answer has not come back
    Mode m_mode;
    std::optional<EventSnapshot> m_original; // edit mode
    EventSnapshot m_saved;
    bool m_showAll = false;

    QLabel *m_idLabel = nullptr, *m_nameLabel = nullptr, *m_priceLabel = nullptr, *m_currencyLabel = nullptr;
    QLabel *m_stockLabel = nullptr, *m_limitLabel = nullptr, *m_startsLabel = nullptr, *m_endsLabel = nullptr;
    QLineEdit *m_id = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_price = nullptr;
    QComboBox *m_currency = nullptr;
    QLineEdit *m_stock = nullptr;
    QLineEdit *m_limit = nullptr;
    QCheckBox *m_startsSet = nullptr;
    QDateTimeEdit *m_starts = nullptr;
    QCheckBox *m_endsSet = nullptr;
    QDateTimeEdit *m_ends = nullptr;
    QLabel *m_lockedNote = nullptr;
    QLabel *m_formError = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QLabel *m_identityLabel = nullptr, *m_fairStartLabel = nullptr;
    QComboBox *m_identity = nullptr;
    QSpinBox *m_fairStart = nullptr;
    QLabel *m_windowLabel = nullptr, *m_policyLabel = nullptr;
    QSpinBox *m_window = nullptr;  // seconds, shown as minutes:seconds; 0: none (orders are final)
    QComboBox *m_policy = nullptr; // item data: int(ReleasePolicy); enabled with a window
    std::array<Field, 12> m_fields{};
};

} // namespace flashsale
