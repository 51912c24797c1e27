// velocity_lane.h — the velocity lane under the piano roll: one bar per note at its onset, as tall as its
// velocity. Dragging a bar sets that note's velocity; when it is one of the selected notes, all of them scale by
// the same ratio. The lane takes its notes, selection and step -> x mapping from the PianoRollView above it, so
// the two scroll and zoom together; a finished drag is one edit (PianoRollView::setNoteVelocities).
//
//   auto* lane = new fm::ui::VelocityLane(view, parent);   // placed under the view, same left edge
//
// Thread-safety: GUI thread only.
#pragma once

#include <QWidget>

#include <vector>

namespace fm::ui {

class PianoRollView;

class VelocityLane : public QWidget {
    Q_OBJECT
public:
    explicit VelocityLane(PianoRollView* view, QWidget* parent = nullptr);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // Where a note's bar is drawn at a velocity (widget coordinates), and the velocity at a height.
    QPoint barPoint(int note_index, int velocity) const;
    int velocityAt(int y) const;

protected:
    void paintEvent(QPaintEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;

private:
    double barX(int step) const;     // the same x as the roll's column of `step`
    double barWidth() const;
    int noteAt(const QPoint& pos) const;   // the note whose bar is under pos (a selected one first); -1 when none

    PianoRollView* view_;
    int drag_anchor_ = -1;                 // index into drag_indices_ of the dragged bar; -1: no drag
    std::vector<int> drag_indices_;        // the notes the drag sets (into view_->notes())
    std::vector<int> drag_from_, drag_to_; // their velocities before, and now
};

}  // namespace fm::ui
