// roll_drag_button.h — a toolbar handle that drags the shown roll out as a .mid file (file manager, DAW).
//
//   auto* drag = new fm::ui::RollDragButton(toolbar);
//   drag->setProvider([this](QString* name) { *name = "song"; return std::make_pair(roll, tempo); });
//
// On a drag it writes the roll to a temporary .mid (kept until the studio exits) and starts a QDrag whose
// QMimeData holds that file's URL. A click without a drag does nothing.
// Thread-safety: GUI thread only.
#pragma once

#include <QPoint>
#include <QTemporaryDir>
#include <QToolButton>

#include <functional>
#include <utility>
#include <vector>

#include "core/midi_roll.h"
#include "core/roll.h"

namespace fm::ui {

class RollDragButton : public QToolButton {
    Q_OBJECT
public:
    using Provider = std::function<std::pair<Roll, std::vector<TempoChange>>(QString* base_name)>;

    explicit RollDragButton(QWidget* parent = nullptr);
    void setProvider(Provider provider) { provider_ = std::move(provider); }
    // Writes the file a drag would carry; "" with *error on failure.
    QString writeDragFile(QString* error);

Q_SIGNALS:
    void message(const QString& text);

protected:
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;

private:
    Provider provider_;
    QTemporaryDir dir_;
    QPoint press_pos_;
    bool pressed_ = false;
};

}  // namespace fm::ui
