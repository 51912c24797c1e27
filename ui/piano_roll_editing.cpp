// PianoRollView's editing: the pencil, picking, rubber-band selection (with the rectangle in piano_roll_view.cpp),
// moving, resizing, nudging, deleting, the clipboard and velocities. Every finished edit is offered as rollEdited;
// the roll shown meanwhile is a preview over the roll the gesture began on.
#include <QKeyEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "core/note_edit.h"
#include "ui/piano_roll_view.h"

namespace fm::ui {

namespace {

const QColor kSelectedEdge(70, 200, 255);   // bright blue: apart from every velocity colour
const QColor kSelectedFill(70, 200, 255, 70);

}  // namespace

void PianoRollView::setEditable(bool editable) {
    editable_ = editable;
    if (!editable && (drag_ == Drag::move || drag_ == Drag::resize || drag_ == Drag::pencil)) {
        displayRoll(drag_base_);
        drag_ = Drag::none;
    }
}

void PianoRollView::setGrid(int steps) { grid_ = std::clamp(steps, 1, kStepsPerBar); }

void PianoRollView::setPencilVelocity(int velocity) {
    velocity = std::clamp(velocity, 1, 127);
    if (velocity == pencil_velocity_) return;
    pencil_velocity_ = velocity;
    Q_EMIT pencilVelocityChanged(velocity);
}

std::vector<StepNote> PianoRollView::selectedNotes() const { return pick(notes_, selected_); }

void PianoRollView::refreshNotes() {
    const std::vector<StepNote> was = selectedNotes();
    notes_ = roll_to_notes(roll_);
    std::vector<int> sel = find_notes(notes_, was);
    if (sel != selected_) {
        selected_ = std::move(sel);
        viewport()->update();
        Q_EMIT notesSelected();
    }
}

void PianoRollView::selectNotes(const std::vector<StepNote>& wanted) {
    std::vector<int> sel = find_notes(notes_, wanted);
    if (sel == selected_) return;
    selected_ = std::move(sel);
    viewport()->update();
    Q_EMIT notesSelected();
}

void PianoRollView::selectAll() { selectNotes(notes_); }

void PianoRollView::offerEdit(const Roll& after, const QString& what, const std::vector<StepNote>& select) {
    Q_EMIT rollEdited(after, what);    // the studio pushes it; the undo command shows it through setRoll
    if (!(roll_ == after)) {            // nobody took it (a view on its own): show it anyway
        displayRoll(after);
        refreshNotes();
        Q_EMIT viewChanged();
    }
    selectNotes(select);
}

// ---- gestures ----

bool PianoRollView::editPress(int pitch, int step, Qt::KeyboardModifiers mods) {
    if (tool_ != Tool::select && tool_ != Tool::pencil) return false;
    const int hit = note_at(notes_, pitch, step);
    if (hit < 0) {
        if (tool_ != Tool::pencil || !editable_) return false;
        const int start = snap_down(step, grid_);
        pencil_note_ = StepNote{pitch, start, std::min(start + grid_, roll_.width), pencil_velocity_};
        drag_base_ = roll_;
        drag_ = Drag::pencil;
        preview_ = replace_notes(drag_base_, {}, {pencil_note_});
        displayRoll(preview_);
        Q_EMIT noteClicked(pitch, pencil_velocity_);
        return true;
    }
    const bool extend = mods & (Qt::ShiftModifier | Qt::ControlModifier);
    const bool was_selected = std::binary_search(selected_.begin(), selected_.end(), hit);
    std::vector<int> sel = selected_;
    if (extend && was_selected) {
        sel.erase(std::find(sel.begin(), sel.end(), hit));   // Shift/Ctrl on a selected note takes it out
    } else if (extend) {
        sel.insert(std::upper_bound(sel.begin(), sel.end(), hit), hit);
    } else if (!was_selected) {
        sel = {hit};
    }
    if (sel != selected_) {
        selected_ = sel;
        viewport()->update();
        Q_EMIT notesSelected();
    }
    const StepNote& n = notes_[size_t(hit)];
    Q_EMIT noteClicked(n.pitch, n.velocity);
    setPencilVelocity(n.velocity);
    drag_ = Drag::none;
    click_alone_ = (!extend && was_selected && selected_.size() > 1) ? n : StepNote{-1, 0, 0, 0};
    if (!editable_ || (extend && was_selected)) return true;   // picked (or unpicked), nothing to drag
    drag_base_ = roll_;
    drag_indices_ = selected_;
    drag_notes_ = pick(notes_, selected_);
    drag_anchor_ = int(std::find(selected_.begin(), selected_.end(), hit) - selected_.begin());
    // The last step of a note of two steps or more is its right edge: dragging it resizes.
    drag_ = (step == n.end - 1 && n.end - n.start >= 2) ? Drag::resize : Drag::move;
    preview_ = drag_base_;
    return true;
}

void PianoRollView::editMove(int pitch, int step) {
    Roll next;
    if (drag_ == Drag::pencil) {
        const int end = std::min(std::max(pencil_note_.start + grid_, snap_down(step, grid_) + grid_), roll_.width);
        if (end == pencil_note_.end) return;
        pencil_note_.end = end;
        next = replace_notes(drag_base_, {}, {pencil_note_});
    } else if (drag_ == Drag::move) {
        const int dt = int(std::lround(double(step - drag_start_.x()) / grid_)) * grid_;
        const int dp = pitch - drag_start_.y();
        next = replace_notes(drag_base_, drag_indices_, moved(drag_notes_, dt, dp, roll_.width));
    } else if (drag_ == Drag::resize) {
        const StepNote& a = drag_notes_[size_t(drag_anchor_)];
        const int end = std::max(a.start + 1, snap_down(step, grid_) + grid_);
        next = replace_notes(drag_base_, drag_indices_, resized(drag_notes_, end - a.end, roll_.width, 1));
    } else {
        return;
    }
    if (next == preview_) return;
    preview_ = std::move(next);
    displayRoll(preview_);
}

void PianoRollView::editRelease() {
    const Drag kind = drag_;
    drag_ = Drag::none;
    if (preview_ == drag_base_) {   // a click: the note was picked, nothing moved
        if (click_alone_.pitch >= 0) selectNotes({click_alone_});   // a plain click in a selection picks that note alone
        click_alone_.pitch = -1;
        return;
    }
    click_alone_.pitch = -1;
    if (kind == Drag::pencil) {
        offerEdit(preview_, tr("Draw note"), {pencil_note_});
        return;
    }
    // The moved notes as they are in the preview: matched by where the gesture put them.
    std::vector<StepNote> now;
    const auto after = roll_to_notes(preview_);
    const auto before = roll_to_notes(drag_base_);
    for (const StepNote& n : after)   // the notes the gesture made: in the preview, not in the roll it began on
        if (std::find(before.begin(), before.end(), n) == before.end()) now.push_back(n);
    offerEdit(preview_, kind == Drag::move ? tr("Move notes") : tr("Resize notes"), now);
}

// ---- commands ----

bool PianoRollView::deleteSelectedNotes() {
    if (selected_.empty() || !editable_) return false;
    offerEdit(replace_notes(roll_, selected_, {}), tr("Delete notes"), {});
    return true;
}

bool PianoRollView::nudgeSelected(int steps, int semitones) {
    if (selected_.empty() || !editable_) return false;
    const auto notes = moved(selectedNotes(), steps, semitones, roll_.width);
    const Roll after = replace_notes(roll_, selected_, notes);
    if (after == roll_) return false;
    offerEdit(after, nudgeText(), notes);
    return true;
}

QString PianoRollView::nudgeText() { return tr("Nudge notes"); }

bool PianoRollView::copySelected() {
    if (selected_.empty()) return false;
    clipboard_ = to_clipboard(selectedNotes());
    return true;
}

bool PianoRollView::cutSelected() {
    if (!editable_ || !copySelected()) return false;
    offerEdit(replace_notes(roll_, selected_, {}), tr("Cut notes"), {});
    return true;
}

bool PianoRollView::paste(int step) {
    if (clipboard_.empty() || !editable_ || step < 0 || step >= roll_.width) return false;
    const auto notes = from_clipboard(clipboard_, step);
    offerEdit(replace_notes(roll_, {}, notes), tr("Paste notes"), notes);
    return true;
}

bool PianoRollView::setNoteVelocities(const std::vector<int>& indices, const std::vector<int>& velocities, const QString& what) {
    if (!editable_ || indices.empty() || indices.size() != velocities.size()) return false;
    std::vector<StepNote> notes = pick(notes_, indices);
    if (notes.size() != velocities.size()) return false;
    for (size_t i = 0; i < notes.size(); ++i) notes[i].velocity = std::clamp(velocities[i], 1, 127);
    const Roll after = replace_notes(roll_, indices, notes);
    if (after == roll_) return false;
    const std::vector<StepNote> keep = selectedNotes();
    offerEdit(after, what, keep);
    return true;
}

void PianoRollView::keyPressEvent(QKeyEvent* e) {
    const bool shift = e->modifiers() & Qt::ShiftModifier;
    int dt = 0, dp = 0;
    switch (e->key()) {
        case Qt::Key_Left: dt = -(shift ? kStepsPerBar : grid_); break;
        case Qt::Key_Right: dt = shift ? kStepsPerBar : grid_; break;
        case Qt::Key_Up: dp = shift ? 12 : 1; break;
        case Qt::Key_Down: dp = shift ? -12 : -1; break;
        default: break;
    }
    if ((dt != 0 || dp != 0) && !selected_.empty()) {
        nudgeSelected(dt, dp);
        e->accept();
        return;
    }
    QAbstractScrollArea::keyPressEvent(e);
}

// ---- painting ----

void PianoRollView::paintSelectedNotes(QPainter& p) {
    if (selected_.empty()) return;
    p.save();
    p.setBrush(Qt::NoBrush);
    for (int i : selected_) {
        const StepNote& n = notes_[size_t(i)];
        for (const QRectF& r : viewportRects(QRect(n.start, n.pitch, n.end - n.start, 1))) {
            p.fillRect(r, kSelectedFill);
            p.setPen(QPen(kSelectedEdge, 2));
            p.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5));
        }
    }
    p.restore();
}

}  // namespace fm::ui
