// piano_roll_view.h — the piano roll: keyboard, bar ruler, cells coloured by velocity, unknown cells grey,
// a playhead, a selection rectangle or painted mask for inpainting, and the folded 256x256 view of 512-wide rolls.
//
//   auto* view = new fm::ui::PianoRollView(parent);
//   view->setRoll(roll);                       // a copy; repaints only what changed on screen
//   view->setFolded(true);                     // 512-wide rolls as a square: steps 256..511 under 0..255
//   connect(view, &PianoRollView::keyClicked, ...);   // audition a pitch
//
// Painting covers only the visible steps and pitches, from a cached image of the roll rebuilt on change; the
// playhead is an overlay that invalidates its own strip. Thread-safety: GUI thread only.
//
// Layout: a keyboard strip on the left and a bar ruler on top, both inside the viewport; pitch 127 at the top.
// Folded, the roll is drawn in bands of 256 steps (16 bars) stacked top to bottom with a separator between
// them: a 512-step roll is the 256x256 square of fm::fold, a 1024-step roll four bands, and so on.
// Mouse: Ctrl+wheel zooms time, Shift+wheel (or Ctrl+Shift+wheel) zooms pitch, keeping the cell under the mouse.
//
// Editing (piano_roll_editing.cpp): the pencil draws notes, the select tool picks, rubber-bands, moves and resizes
// them. The view never keeps an edit to itself: each finished gesture is offered as rollEdited(after), which the
// studio pushes onto its undo stack (and which comes back through setRoll), so one drag is one undo step.
#pragma once

#include <QAbstractScrollArea>
#include <QImage>
#include <QRect>
#include <QRgb>

#include <vector>

#include "core/notes.h"
#include "core/roll.h"
#include "ui/roll_mapper.h"

class QPainter;

namespace fm::ui {

class PianoRollView : public QAbstractScrollArea {
    Q_OBJECT
public:
    enum class Tool { select, mask_paint, mask_erase, pencil };

    explicit PianoRollView(QWidget* parent = nullptr);

    void setRoll(const Roll& roll);           // 128 x W (a 256-row fm::fold result is unfolded); -1 drawn grey
    const Roll& roll() const { return roll_; }
    void setFolded(bool folded);              // only takes effect for rolls 512 steps wide or more
    bool folded() const { return folded_; }
    bool canFold() const { return roll_.width >= 512; }
    void setZoom(double pixels_per_step, double pixels_per_pitch);
    double stepWidth() const { return step_px_; }
    double pitchHeight() const { return pitch_px_; }
    void setPlayhead(int step);               // -1 hides it; a click on the ruler sets it too
    int playhead() const { return playhead_; }
    void setTool(Tool tool);
    Tool tool() const { return tool_; }
    void ensureStepVisible(int step);        // scrolls (and, folded, to the step's band) when it is off screen

    // Inpainting region: a time x pitch rectangle (steps [x, x+w), pitches [y, y+h)) or a painted cell mask.
    QRect selection() const { return selection_; }
    void setSelection(const QRect& steps_by_pitches);
    const std::vector<uint8_t>& mask() const { return mask_; }   // 128 x W, 1 = regenerate; empty when none
    void clearMask();

    // The one step/pitch <-> pixel mapping (viewport coordinates) at the current zoom, fold and scroll.
    RollMapper mapper() const;
    // Geometry (viewport coordinates), for tests and the hover text.
    QPoint cellCenter(int pitch, int step) const;
    // Viewport x of a step's left edge (folded: within its band), and of the roll area's left edge (the keyboard's right).
    double stepX(int step) const;
    double rollLeftX() const;
    bool cellAt(const QPoint& viewport_pos, int* pitch, int* step) const;
    static QString pitchName(int pitch);      // "C4" = 60

    // Cells drawn with a second colour over their velocity colour (a jam: the musician's notes); empty: none.
    void setMarkedCells(const std::vector<uint8_t>& cells);   // 128 x W, 1 = marked
    // Other tracks of a multi-track roll, drawn behind this roll's notes: 128 x W colours (qRgb; 0: none), shown where
    // this roll is silent, and never edited here. Empty: none. Kept over setRoll of the same width.
    void setGhostCells(const std::vector<QRgb>& colours);
    const std::vector<QRgb>& ghostCells() const { return ghosts_; }

    // Zooms both axes so that the whole roll is in view (folded: every band, a 512-step roll as its square).
    void fitToView();

    // ---- editing (piano_roll_editing.cpp) ----
    void setEditable(bool editable);          // off while a variation or a generation is shown
    bool editable() const { return editable_; }
    void setGrid(int steps);                  // snap of the pencil, moves and resizes: 1, 2, 4 or 16 steps
    int grid() const { return grid_; }
    void setPencilVelocity(int velocity);     // 1..127: the velocity of the next drawn note
    int pencilVelocity() const { return pencil_velocity_; }
    const std::vector<StepNote>& notes() const { return notes_; }   // the shown roll's notes (fm::roll_to_notes)
    const std::vector<int>& selectedIndices() const { return selected_; }   // into notes(), ascending
    std::vector<StepNote> selectedNotes() const;
    void selectNotes(const std::vector<StepNote>& notes);   // matched by pitch and onset; others are dropped
    void selectAll();
    // Each offers its edit as rollEdited and returns false when there is nothing to do.
    bool deleteSelectedNotes();
    bool nudgeSelected(int steps, int semitones);
    static QString nudgeText();                // the edit's name (the studio merges nudges in a row into one step)
    bool copySelected();
    bool cutSelected();
    bool paste(int step);                      // the clipboard's first onset at `step`
    bool hasClipboard() const { return !clipboard_.empty(); }
    // The notes at `indices` (into notes()) get these velocities (1..127), one each.
    bool setNoteVelocities(const std::vector<int>& indices, const std::vector<int>& velocities, const QString& what);

Q_SIGNALS:
    void keyClicked(int pitch);               // on the keyboard: audition
    void hovered(const QString& text);        // "E4 (64) · step 37 · bar 3 beat 2 · velocity 90", or "" when leaving
    void selectionChanged(const QRect& steps_by_pitches);
    void maskChanged();
    void rollEdited(const fm::Roll& after, const QString& what);   // a finished edit, for the undo stack
    void noteClicked(int pitch, int velocity);   // a note picked or drawn: audition
    void notesSelected();                        // selectedIndices() changed
    void pencilVelocityChanged(int velocity);    // the last velocity used (a picked note's)
    void viewChanged();                          // zoom, scroll, fold or roll changed: lanes under the roll follow
    void rulerClicked(int step);                 // the playhead was put at `step`

protected:
    void paintEvent(QPaintEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void scrollContentsBy(int dx, int dy) override;
    void wheelEvent(QWheelEvent* e) override;       // Ctrl: zoom time, Shift: zoom pitch, keeping the cell under the mouse
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;      // arrows nudge the selected notes (Shift: a bar / an octave)
    void leaveEvent(QEvent* e) override;
    bool viewportEvent(QEvent* e) override;         // the viewport's Leave (the mouse may leave it for a scroll bar)

private:
    void rebuildImage();
    QRgb pixelRgb(int pitch, int step) const;   // a cell's colour in image_: its value's, or a ghost's where silent
    void updateScrollBars();
    void displayRoll(const Roll& roll);      // the shown cells alone (a drag's preview); setRoll also re-reads the notes
    void refreshNotes();

    // Editing gestures (piano_roll_editing.cpp); the press returns false when it is not an edit.
    bool editPress(int pitch, int step, Qt::KeyboardModifiers mods);
    void editMove(int pitch, int step);
    void editRelease();
    void offerEdit(const Roll& after, const QString& what, const std::vector<StepNote>& select);
    void paintSelectedNotes(QPainter& p);

    // Shorthands over mapper(). The displayed layout is bands() bands of 128 rows x columns() columns (one band
    // unless folded); content coordinates are scrolled by the scroll bars and offset by the two strips.
    int bands() const;
    int columns() const;
    double bandStridePx() const;                    // one band's height plus the separator gap
    double contentHeightPx() const;
    QRect rollArea() const;                         // the viewport less the keyboard and ruler strips
    double columnX(double column) const;            // viewport x of a column's left edge
    double rowY(int band, double row) const;        // viewport y of a row's top edge in a band
    QPoint layoutPixel(int pitch, int step) const;  // the cell's pixel in image_
    bool hitCell(const QPointF& pos, bool clamp, int* pitch, int* step) const;   // pos: a pixel's centre
    bool hitPitch(double y, int* pitch) const;      // the keyboard row at viewport y
    std::vector<QRectF> viewportRects(const QRect& steps_by_pitches) const;      // one per band it touches
    void updateRollRect(const QRect& steps_by_pitches);
    QRect playheadStrip(int step) const;
    void zoomAt(double step_px, double pitch_px, const QPointF& anchor);

    void paintCells(QPainter& p, const QRect& dirty);
    void paintKeyboard(QPainter& p, const QRect& dirty);
    void paintRuler(QPainter& p, const QRect& dirty);

    void setMaskCell(int pitch, int step, bool on, bool* changed);
    void paintMaskSegment(const QPointF& from, const QPointF& to, bool on);
    void setHover(int pitch, int step, bool on_keyboard);
    QString hoverText(int pitch, int step) const;

    Roll roll_;
    QImage image_;              // one pixel per cell of the displayed layout (folded or not)
    bool folded_ = false;
    double step_px_ = 8, pitch_px_ = 6;
    int playhead_ = -1;
    Tool tool_ = Tool::select;
    QRect selection_;
    std::vector<uint8_t> mask_;
    size_t mask_count_ = 0;     // cells set in mask_; the mask is emptied when it drops to 0
    QImage mask_image_;         // same layout as image_, translucent where the mask is set; null when no mask
    std::vector<uint8_t> marks_;
    std::vector<QRgb> ghosts_;
    QImage marks_image_;        // same layout, the marked cells' colour; null when none
    QPoint drag_start_{-1, -1}; // the pressed cell (step, pitch) while a drag with the tool is on
    QPointF drag_last_;         // the last mouse position of that drag (mask strokes join it to the next one)
    bool drag_moved_ = false;   // the drag left its first cell (a plain click clears the selection)
    int hover_pitch_ = -1, hover_step_ = -1;

    // Editing state.
    enum class Drag { none, rubber, mask, move, resize, pencil };
    Drag drag_ = Drag::none;
    bool editable_ = true;
    int grid_ = 1, pencil_velocity_ = 100;
    std::vector<StepNote> notes_;
    std::vector<int> selected_;
    std::vector<int> rubber_base_;            // the selection a Shift/Ctrl rubber band adds to
    Roll drag_base_;                          // the roll when a move, resize or pencil drag began
    std::vector<int> drag_indices_;           // the notes it moves (indices into notes_ then)
    std::vector<StepNote> drag_notes_;
    int drag_anchor_ = 0;                     // index into drag_notes_ of the note under the mouse
    StepNote pencil_note_;
    StepNote click_alone_{-1, 0, 0, 0};       // a plain click on this note of a larger selection picks it alone
    Roll preview_;                            // what the drag shows now
    std::vector<StepNote> clipboard_;
};

}  // namespace fm::ui
