#include "ui/piano_roll_view.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/note_edit.h"
#include "core/roll_image.h"

namespace fm::ui {

namespace {

constexpr int kKeyboardWidth = 48;   // px, the keyboard strip on the left
constexpr int kRulerHeight = 20;     // px, the bar ruler on top
constexpr int kBandGap = RollMapper::kBandGap;
constexpr int kFoldSteps = RollMapper::kFoldSteps;
constexpr double kMinStepPx = 0.25, kMaxStepPx = 64.0;
constexpr double kMinPitchPx = 1.0, kMaxPitchPx = 40.0;

// A dark theme. Silence is baked into the cell image with black-key rows a shade darker; grid lines are
// translucent black drawn over the cells, bar lines darker than beat lines.
const QColor kBackground(24, 24, 28);
const QRgb kSilenceWhiteRow = qRgb(46, 46, 52);
const QRgb kSilenceBlackRow = qRgb(38, 38, 44);
const QRgb kBeyondRoll = qRgb(24, 24, 28);           // the end of a partial last band
const QColor kBarLine(0, 0, 0, 170);
const QColor kBeatLine(0, 0, 0, 75);
const QColor kStepLine(0, 0, 0, 30);
const QColor kOctaveLine(0, 0, 0, 110);
const QColor kBandSeparator(16, 16, 18);
const QColor kBandSeparatorLine(230, 170, 60);
const QColor kPlayhead(255, 255, 255);
const QColor kSelectionFill(90, 170, 255, 60);
const QColor kSelectionEdge(90, 170, 255, 220);
const QRgb kMaskCell = qPremultiply(qRgba(255, 60, 170, 120));
const QRgb kMarkedCell = qPremultiply(qRgba(60, 200, 255, 200));   // the musician's notes in a jam
const QColor kWhiteKey(222, 222, 226);
const QColor kBlackKey(30, 30, 34);
const QColor kKeyEdge(140, 140, 146);
const QColor kKeyHover(90, 170, 255, 140);
const QColor kRulerBackground(40, 40, 46);
const QColor kRulerText(200, 200, 206);
const QColor kRulerTick(120, 120, 128);

bool isBlackKey(int pitch) {
    const int c = pitch % 12;
    return c == 1 || c == 3 || c == 6 || c == 8 || c == 10;
}

QRgb cellRgb(float value, int pitch) {
    if (value == 0.0f) return isBlackKey(pitch) ? kSilenceBlackRow : kSilenceWhiteRow;
    const Rgb c = cell_colour(value);   // the velocity colour map of the PNGs; -1 grey
    return qRgb(c[0], c[1], c[2]);
}

// Every k-th bar gets a line or a number, k a power of two so that they are at least min_px apart.
int barStride(double bar_px, double min_px) {
    int k = 1;
    while (k < (1 << 20) && bar_px * k < min_px) k *= 2;
    return k;
}

}  // namespace

PianoRollView::PianoRollView(QWidget* parent) : QAbstractScrollArea(parent) {
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);   // paintEvent fills every pixel it is asked for
    setMinimumSize(kKeyboardWidth + 64, kRulerHeight + 64);
    updateScrollBars();
}

// ---- the roll and its cached image ----

void PianoRollView::setRoll(const Roll& in) {
    if (in.rows == 2 * kPitches && in.width > 0) {
        setRoll(unfold(in));
        return;
    }
    if (in.rows != kPitches || in.cells.size() != size_t(in.rows) * size_t(in.width)) {
        qWarning("PianoRollView: ignoring a roll of %d rows x %d steps (128 rows expected)", in.rows, in.width);
        return;
    }
    if (drag_ == Drag::move || drag_ == Drag::resize || drag_ == Drag::pencil) drag_ = Drag::none;   // the roll changed under it
    displayRoll(in);
    refreshNotes();
    Q_EMIT viewChanged();
}

void PianoRollView::displayRoll(const Roll& in) {
    if (in.width == roll_.width && !image_.isNull()) {
        // Same shape (a generation step, an edit): repaint only the changed cells' bounding box.
        int s0 = in.width, s1 = -1, p0 = kPitches, p1 = -1;
        for (int p = 0; p < kPitches; ++p) {
            const float* a = &in.cells[size_t(p) * size_t(in.width)];
            float* b = &roll_.cells[size_t(p) * size_t(in.width)];
            if (std::memcmp(a, b, sizeof(float) * size_t(in.width)) == 0) continue;
            for (int s = 0; s < in.width; ++s) {
                if (std::memcmp(&a[s], &b[s], sizeof(float)) == 0) continue;
                b[s] = a[s];
                image_.setPixel(layoutPixel(p, s), pixelRgb(p, s));
                s0 = std::min(s0, s), s1 = std::max(s1, s), p0 = std::min(p0, p), p1 = std::max(p1, p);
            }
        }
        if (s1 >= 0) updateRollRect(QRect(QPoint(s0, p0), QPoint(s1, p1)));
        return;
    }
    const bool width_changed = in.width != roll_.width;
    roll_ = in;
    if (!canFold()) folded_ = false;
    if (width_changed) {
        mask_.clear(), mask_count_ = 0;
        selection_ = selection_ & QRect(0, 0, roll_.width, kPitches);
        if (playhead_ >= roll_.width) playhead_ = -1;
    }
    rebuildImage();
    updateScrollBars();
    viewport()->update();
}

void PianoRollView::rebuildImage() {
    if (roll_.width <= 0) {
        image_ = QImage(), mask_image_ = QImage();
        return;
    }
    const int cols = columns(), rows = bands() * kPitches;
    image_ = QImage(cols, rows, QImage::Format_RGB32);
    image_.fill(kBeyondRoll);
    for (int p = 0; p < kPitches; ++p)
        for (int s = 0; s < roll_.width; ++s) {
            const QPoint px = layoutPixel(p, s);
            reinterpret_cast<QRgb*>(image_.scanLine(px.y()))[px.x()] = pixelRgb(p, s);
        }
    if (!marks_.empty()) {   // the marks in the new layout (or none, for another width)
        std::vector<uint8_t> marks;
        marks.swap(marks_);
        if (marks.size() == roll_.cells.size()) setMarkedCells(marks);
    }
    mask_image_ = QImage();
    if (!mask_.empty()) {
        mask_image_ = QImage(cols, rows, QImage::Format_ARGB32_Premultiplied);
        mask_image_.fill(Qt::transparent);
        for (int p = 0; p < kPitches; ++p)
            for (int s = 0; s < roll_.width; ++s)
                if (mask_[size_t(p) * size_t(roll_.width) + size_t(s)]) mask_image_.setPixel(layoutPixel(p, s), kMaskCell);
    }
}

QRgb PianoRollView::pixelRgb(int pitch, int step) const {
    const size_t i = size_t(pitch) * size_t(roll_.width) + size_t(step);
    const QRgb own = cellRgb(roll_.cells[i], pitch);
    if (ghosts_.size() != roll_.cells.size() || ghosts_[i] == 0 || roll_.cells[i] != 0.0f) return own;
    // Another track's note where this one is silent: its colour over the row's.
    const QRgb g = ghosts_[i];
    auto mix = [](int a, int b) { return (a * 2 + b * 3) / 5; };
    return qRgb(mix(qRed(own), qRed(g)), mix(qGreen(own), qGreen(g)), mix(qBlue(own), qBlue(g)));
}

void PianoRollView::setGhostCells(const std::vector<QRgb>& colours) {
    if (colours == ghosts_) return;
    ghosts_ = colours;
    rebuildImage();
    viewport()->update();
}

void PianoRollView::setMarkedCells(const std::vector<uint8_t>& cells) {
    if (cells == marks_) return;
    marks_ = cells;
    marks_image_ = QImage();
    if (!marks_.empty() && marks_.size() == roll_.cells.size() && !image_.isNull()) {
        marks_image_ = QImage(image_.size(), QImage::Format_ARGB32_Premultiplied);
        marks_image_.fill(Qt::transparent);
        for (int p = 0; p < kPitches; ++p)
            for (int s = 0; s < roll_.width; ++s)
                if (marks_[size_t(p) * size_t(roll_.width) + size_t(s)]) marks_image_.setPixel(layoutPixel(p, s), kMarkedCell);
    }
    viewport()->update();
}

void PianoRollView::setFolded(bool folded) {
    folded = folded && canFold();
    if (folded == folded_) return;
    folded_ = folded;
    rebuildImage();
    updateScrollBars();
    viewport()->update();
    Q_EMIT viewChanged();
}

// ---- geometry: every position comes from the one coordinate mapper (roll_mapper.h) ----

RollMapper PianoRollView::mapper() const {
    RollMapper m;
    m.width = roll_.width, m.folded = folded_, m.step_px = step_px_, m.pitch_px = pitch_px_;
    m.scroll_x = horizontalScrollBar()->value(), m.scroll_y = verticalScrollBar()->value();
    m.left = kKeyboardWidth, m.top = kRulerHeight;
    return m;
}

int PianoRollView::bands() const { return mapper().bands(); }

int PianoRollView::columns() const { return mapper().columns(); }

double PianoRollView::bandStridePx() const { return mapper().bandStride(); }

double PianoRollView::contentHeightPx() const { return mapper().contentHeight(); }

QRect PianoRollView::rollArea() const {
    const QRect v = viewport()->rect();
    return QRect(kKeyboardWidth, kRulerHeight, std::max(0, v.width() - kKeyboardWidth),
                 std::max(0, v.height() - kRulerHeight));
}

double PianoRollView::columnX(double column) const { return mapper().columnX(column); }

double PianoRollView::stepX(int step) const { return mapper().stepX(step); }

double PianoRollView::rollLeftX() const { return kKeyboardWidth; }

double PianoRollView::rowY(int band, double row) const { return mapper().rowY(band, row); }

QPoint PianoRollView::layoutPixel(int pitch, int step) const {
    const RollMapper m = mapper();
    return QPoint(m.columnOf(step), m.bandOf(step) * kPitches + (kPitches - 1 - pitch));
}

QPoint PianoRollView::cellCenter(int pitch, int step) const {
    const QPoint px = layoutPixel(pitch, step);
    const int band = px.y() / kPitches, row = px.y() % kPitches;
    return QPoint(int(std::floor(columnX(px.x() + 0.5))), int(std::floor(rowY(band, row + 0.5))));
}

bool PianoRollView::cellAt(const QPoint& pos, int* pitch, int* step) const {
    if (pos.x() < kKeyboardWidth || pos.y() < kRulerHeight) return false;
    return hitCell(QPointF(pos.x() + 0.5, pos.y() + 0.5), false, pitch, step);
}

bool PianoRollView::hitCell(const QPointF& pos, bool clamp, int* pitch, int* step) const {
    return mapper().hit(pos.x(), pos.y(), clamp, pitch, step);
}

bool PianoRollView::hitPitch(double y, int* pitch) const { return mapper().hitPitch(y, pitch); }

std::vector<QRectF> PianoRollView::viewportRects(const QRect& r) const { return mapper().rects(r); }

void PianoRollView::updateRollRect(const QRect& steps_by_pitches) {
    for (const QRectF& r : viewportRects(steps_by_pitches)) viewport()->update(r.toAlignedRect().adjusted(-1, -1, 1, 1));
}

QRect PianoRollView::playheadStrip(int step) const {
    const int x = int(std::floor(stepX(step)));
    return QRect(x - 5, 0, 11, viewport()->height());
}

void PianoRollView::updateScrollBars() {
    const QRect area = rollArea();
    const int content_w = int(std::ceil(columns() * step_px_)), content_h = int(std::ceil(contentHeightPx()));
    QScrollBar* h = horizontalScrollBar();
    QScrollBar* v = verticalScrollBar();
    h->setRange(0, std::max(0, content_w - area.width()));
    h->setPageStep(std::max(1, area.width()));
    h->setSingleStep(std::max(1, int(std::lround(4 * step_px_))));
    v->setRange(0, std::max(0, content_h - area.height()));
    v->setPageStep(std::max(1, area.height()));
    v->setSingleStep(std::max(1, int(std::lround(3 * pitch_px_))));
}

// ---- zoom and scrolling ----

void PianoRollView::setZoom(double pixels_per_step, double pixels_per_pitch) {
    zoomAt(pixels_per_step, pixels_per_pitch, QRectF(rollArea()).center());
}

void PianoRollView::zoomAt(double step_px, double pitch_px, const QPointF& anchor) {
    step_px = std::clamp(step_px, kMinStepPx, kMaxStepPx);
    pitch_px = std::clamp(pitch_px, kMinPitchPx, kMaxPitchPx);
    if (step_px == step_px_ && pitch_px == pitch_px_) return;
    // Content coordinates (in cells) under the anchor before, put back under it after.
    const QRect area = rollArea();
    const double ax = std::clamp(anchor.x(), double(area.left()), double(area.left() + area.width())) - area.left();
    const double ay = std::clamp(anchor.y(), double(area.top()), double(area.top() + area.height())) - area.top();
    const double column = (ax + horizontalScrollBar()->value()) / step_px_;
    const double y = ay + verticalScrollBar()->value();
    const int band = std::clamp(int(std::floor(y / bandStridePx())), 0, std::max(0, bands() - 1));
    const double row = std::min((y - band * bandStridePx()) / pitch_px_, double(kPitches));
    step_px_ = step_px, pitch_px_ = pitch_px;
    updateScrollBars();
    horizontalScrollBar()->setValue(int(std::lround(column * step_px_ - ax)));
    verticalScrollBar()->setValue(int(std::lround(band * bandStridePx() + row * pitch_px_ - ay)));
    viewport()->update();
    Q_EMIT viewChanged();
}

void PianoRollView::fitToView() {
    if (roll_.width <= 0) return;
    const QRect area = rollArea();
    const int n = bands();
    const double gaps = folded_ ? (n - 1) * kBandGap : 0.0;
    double step_px = std::clamp(double(area.width()) / columns(), kMinStepPx, kMaxStepPx);
    double pitch_px = std::clamp((area.height() - gaps) / (double(n) * kPitches), kMinPitchPx, kMaxPitchPx);
    if (folded_) step_px = pitch_px = std::max(kMinPitchPx, std::min(step_px, pitch_px));   // square cells: fm::fold's square
    step_px_ = step_px, pitch_px_ = pitch_px;
    updateScrollBars();
    horizontalScrollBar()->setValue(0);
    verticalScrollBar()->setValue(0);
    viewport()->update();
    Q_EMIT viewChanged();
}

void PianoRollView::ensureStepVisible(int step) {
    if (step < 0 || step >= roll_.width) return;
    const QRect area = rollArea();
    const RollMapper m = mapper();
    const int band = m.bandOf(step);
    const double x = m.columnOf(step) * step_px_;
    QScrollBar* h = horizontalScrollBar();
    if (x < h->value() || x + step_px_ > h->value() + area.width()) h->setValue(int(x - area.width() / 8));
    if (folded_) {
        const double top = band * bandStridePx(), bottom = top + kPitches * pitch_px_;
        QScrollBar* v = verticalScrollBar();
        if (bottom < v->value() || top > v->value() + area.height()) v->setValue(int(top));
    }
}

void PianoRollView::resizeEvent(QResizeEvent* e) {
    QAbstractScrollArea::resizeEvent(e);
    updateScrollBars();
    Q_EMIT viewChanged();
}

void PianoRollView::scrollContentsBy(int, int) {
    viewport()->update();
    Q_EMIT viewChanged();
}

void PianoRollView::wheelEvent(QWheelEvent* e) {
    const Qt::KeyboardModifiers mods = e->modifiers();
    if (!(mods & (Qt::ControlModifier | Qt::ShiftModifier))) {
        QAbstractScrollArea::wheelEvent(e);
        return;
    }
    const int delta = e->angleDelta().y() != 0 ? e->angleDelta().y() : e->angleDelta().x();
    const double factor = std::pow(1.25, delta / 120.0);
    if (mods & Qt::ShiftModifier)
        zoomAt(step_px_, pitch_px_ * factor, e->position());
    else
        zoomAt(step_px_ * factor, pitch_px_, e->position());
    e->accept();
}

// ---- overlays: playhead, selection, mask ----

void PianoRollView::setPlayhead(int step) {
    if (step < 0 || step >= roll_.width) step = -1;
    if (step == playhead_) return;
    if (playhead_ >= 0) viewport()->update(playheadStrip(playhead_));
    playhead_ = step;
    if (playhead_ >= 0) viewport()->update(playheadStrip(playhead_));
}

void PianoRollView::setTool(Tool tool) {
    tool_ = tool;
    viewport()->setCursor(tool == Tool::select ? Qt::ArrowCursor : tool == Tool::pencil ? Qt::IBeamCursor : Qt::CrossCursor);
}

void PianoRollView::setSelection(const QRect& steps_by_pitches) {
    const QRect r = steps_by_pitches.normalized() & QRect(0, 0, roll_.width, kPitches);
    if (r == selection_ || (r.isEmpty() && selection_.isEmpty())) return;
    updateRollRect(selection_);
    selection_ = r.isEmpty() ? QRect() : r;
    updateRollRect(selection_);
    Q_EMIT selectionChanged(selection_);
}

void PianoRollView::clearMask() {
    if (mask_.empty()) return;
    mask_.clear(), mask_count_ = 0;
    mask_image_ = QImage();
    viewport()->update();
    Q_EMIT maskChanged();
}

void PianoRollView::setMaskCell(int pitch, int step, bool on, bool* changed) {
    if (mask_.empty()) {
        if (!on) return;
        mask_.assign(size_t(kPitches) * size_t(roll_.width), 0);
        mask_image_ = QImage(image_.size(), QImage::Format_ARGB32_Premultiplied);
        mask_image_.fill(Qt::transparent);
    }
    uint8_t& m = mask_[size_t(pitch) * size_t(roll_.width) + size_t(step)];
    if (m == uint8_t(on)) return;
    m = uint8_t(on);
    mask_count_ = on ? mask_count_ + 1 : mask_count_ - 1;
    mask_image_.setPixel(layoutPixel(pitch, step), on ? kMaskCell : 0u);
    updateRollRect(QRect(step, pitch, 1, 1));
    *changed = true;
    if (mask_count_ == 0) {   // "empty when none"
        mask_.clear();
        mask_image_ = QImage();
    }
}

void PianoRollView::paintMaskSegment(const QPointF& from, const QPointF& to, bool on) {
    // Samples every half cell along the stroke so that a fast drag leaves no holes.
    const QPointF d = to - from;
    const int n = std::max(1, int(std::ceil(std::max(std::abs(d.x()) / (0.5 * step_px_), std::abs(d.y()) / (0.5 * pitch_px_)))));
    bool changed = false;
    int pitch, step;
    for (int i = 0; i <= n; ++i) {
        const QPointF q = from + d * (double(i) / n);
        if (q.x() >= kKeyboardWidth && q.y() >= kRulerHeight && hitCell(q, false, &pitch, &step))
            setMaskCell(pitch, step, on, &changed);
    }
    if (changed) Q_EMIT maskChanged();
}

// ---- mouse ----

namespace {
QPointF pixelCentre(const QPointF& p) { return QPointF(std::floor(p.x()) + 0.5, std::floor(p.y()) + 0.5); }
}  // namespace

void PianoRollView::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(e);
        return;
    }
    setFocus(Qt::MouseFocusReason);   // the arrow keys then nudge what was picked
    const QPointF pos = pixelCentre(e->position());
    int pitch, step;
    if (pos.x() < kKeyboardWidth) {
        if (hitPitch(pos.y(), &pitch)) Q_EMIT keyClicked(pitch);
        return;
    }
    if (pos.y() < kRulerHeight) {   // the ruler: the playhead goes there (paste and "Continue from here" use it)
        if (hitCell(QPointF(pos.x(), kRulerHeight + 0.5), true, &pitch, &step)) {
            setPlayhead(step);
            Q_EMIT rulerClicked(step);
        }
        return;
    }
    if (!hitCell(pos, false, &pitch, &step)) return;
    drag_start_ = QPoint(step, pitch);
    drag_last_ = pos;
    drag_moved_ = false;
    if (tool_ == Tool::mask_paint || tool_ == Tool::mask_erase) {
        drag_ = Drag::mask;
        paintMaskSegment(pos, pos, tool_ == Tool::mask_paint);
    } else if (!editPress(pitch, step, e->modifiers())) {
        drag_ = Drag::rubber;   // an empty cell with the select tool: a rectangle (and the notes in it)
        rubber_base_ = (e->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier)) ? selected_ : std::vector<int>{};
    }
}

void PianoRollView::mouseMoveEvent(QMouseEvent* e) {
    const QPointF pos = pixelCentre(e->position());
    int pitch = -1, step = -1;
    if (drag_start_.x() >= 0) {
        if (drag_ == Drag::rubber) {
            hitCell(pos, true, &pitch, &step);
            if (QPoint(step, pitch) != drag_start_) drag_moved_ = true;
            if (drag_moved_) {   // not QRect::normalized(), which shrinks a rectangle given corner to corner backwards
                setSelection(QRect(QPoint(std::min(step, drag_start_.x()), std::min(pitch, drag_start_.y())),
                                   QPoint(std::max(step, drag_start_.x()), std::max(pitch, drag_start_.y()))));
                std::vector<int> sel = notes_in_rect(notes_, drag_start_.x(), step, drag_start_.y(), pitch);
                sel.insert(sel.end(), rubber_base_.begin(), rubber_base_.end());
                std::sort(sel.begin(), sel.end());
                sel.erase(std::unique(sel.begin(), sel.end()), sel.end());
                if (sel != selected_) {
                    selected_ = std::move(sel);
                    viewport()->update();
                    Q_EMIT notesSelected();
                }
            }
        } else if (drag_ == Drag::mask) {
            paintMaskSegment(drag_last_, pos, tool_ == Tool::mask_paint);
        } else if (drag_ != Drag::none) {
            hitCell(pos, true, &pitch, &step);
            if (QPoint(step, pitch) != drag_start_) drag_moved_ = true;
            editMove(pitch, step);
        }
        drag_last_ = pos;
    }
    if (pos.x() < kKeyboardWidth) {
        if (hitPitch(pos.y(), &pitch)) setHover(pitch, -1, true);
        else setHover(-1, -1, false);
    } else if (pos.y() >= kRulerHeight && hitCell(pos, false, &pitch, &step)) {
        setHover(pitch, step, false);
    } else {
        setHover(-1, -1, false);
    }
}

void PianoRollView::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) {
        QAbstractScrollArea::mouseReleaseEvent(e);
        return;
    }
    if (drag_start_.x() < 0) return;   // the end of a key click
    if (drag_ == Drag::rubber && !drag_moved_) {   // a plain click on nothing clears the selection
        setSelection(QRect());
        if (!selected_.empty() && rubber_base_.empty()) {
            selected_.clear();
            viewport()->update();
            Q_EMIT notesSelected();
        }
    }
    if (drag_ == Drag::move || drag_ == Drag::resize || drag_ == Drag::pencil) editRelease();
    drag_ = Drag::none;
    drag_start_ = QPoint(-1, -1);
}

void PianoRollView::leaveEvent(QEvent* e) {
    setHover(-1, -1, false);
    QAbstractScrollArea::leaveEvent(e);
}

bool PianoRollView::viewportEvent(QEvent* e) {
    if (e->type() == QEvent::Leave) setHover(-1, -1, false);
    return QAbstractScrollArea::viewportEvent(e);
}

void PianoRollView::setHover(int pitch, int step, bool on_keyboard) {
    if (pitch == hover_pitch_ && step == hover_step_) return;
    if (pitch != hover_pitch_) viewport()->update(QRect(0, kRulerHeight, kKeyboardWidth, viewport()->height()));
    hover_pitch_ = pitch, hover_step_ = step;
    if (pitch < 0) Q_EMIT hovered(QString());
    else if (on_keyboard) Q_EMIT hovered(QStringLiteral("%1 (%2)").arg(pitchName(pitch)).arg(pitch));
    else Q_EMIT hovered(hoverText(pitch, step));
}

QString PianoRollView::pitchName(int pitch) {
    static const char* const names[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    if (pitch < 0 || pitch > 127) return QString();
    return QString::fromLatin1(names[pitch % 12]) + QString::number(pitch / 12 - 1);
}

QString PianoRollView::hoverText(int pitch, int step) const {
    const QString dot = QStringLiteral(" \u00B7 ");
    const float v = roll_.at(pitch, step);
    const QString value = v < 0.0f ? QStringLiteral("unknown")
                          : v == 0.0f ? QStringLiteral("silence")
                                      : QStringLiteral("velocity %1").arg(value_to_velocity(v));
    return QStringLiteral("%1 (%2)").arg(pitchName(pitch)).arg(pitch) + dot + QStringLiteral("step %1").arg(step) + dot +
           QStringLiteral("bar %1 beat %2").arg(step / kStepsPerBar + 1).arg(step % kStepsPerBar / kStepsPerQuarter + 1) +
           dot + value;
}

// ---- painting ----

void PianoRollView::paintEvent(QPaintEvent* e) {
    QPainter p(viewport());
    const QRect dirty = e->rect();
    p.fillRect(dirty, kBackground);
    const QRect area = rollArea();
    if (roll_.width > 0) {
        const QRect cells = dirty & area;
        if (!cells.isEmpty()) {
            p.save();
            p.setClipRect(cells);
            paintCells(p, cells);
            p.restore();
        }
        const QRect keys = dirty & QRect(0, kRulerHeight, kKeyboardWidth, area.height());
        if (!keys.isEmpty()) {
            p.save();
            p.setClipRect(keys);
            paintKeyboard(p, keys);
            p.restore();
        }
        const QRect ruler = dirty & QRect(kKeyboardWidth, 0, area.width(), kRulerHeight);
        if (!ruler.isEmpty()) {
            p.save();
            p.setClipRect(ruler);
            paintRuler(p, ruler);
            p.restore();
        }
    }
    const QRect corner = dirty & QRect(0, 0, kKeyboardWidth, kRulerHeight);
    if (!corner.isEmpty()) p.fillRect(corner, kRulerBackground);
}

void PianoRollView::paintCells(QPainter& p, const QRect& dirty) {
    const RollMapper m = mapper();
    const int cols = m.columns(), n = m.bands();
    const int c0 = std::clamp(int(std::floor(m.columnAt(dirty.left()))), 0, cols);
    const int c1 = std::clamp(int(std::ceil(m.columnAt(dirty.left() + dirty.width()))), 0, cols);
    if (c0 >= c1) return;
    const double x0 = columnX(c0), x1 = columnX(c1);
    const int bar_every = barStride(kStepsPerBar * step_px_, 8.0);
    const bool beats = kStepsPerQuarter * step_px_ >= 6.0, steps = step_px_ >= 10.0;

    for (int b = 0; b < n; ++b) {
        const double top = rowY(b, 0), bottom = rowY(b, kPitches);
        if (bottom <= dirty.top() || top >= dirty.top() + dirty.height()) continue;
        const int r0 = std::clamp(int(std::floor((dirty.top() - top) / pitch_px_)), 0, kPitches);
        const int r1 = std::clamp(int(std::ceil((dirty.top() + dirty.height() - top) / pitch_px_)), 0, kPitches);
        if (r0 >= r1) continue;
        const QRectF target(QPointF(x0, rowY(b, r0)), QPointF(x1, rowY(b, r1)));
        const QRectF source(c0, b * kPitches + r0, c1 - c0, r1 - r0);
        p.drawImage(target, image_, source);   // nearest neighbour: one pixel per cell scaled to the zoom
        if (!marks_image_.isNull() && marks_image_.size() == image_.size()) p.drawImage(target, marks_image_, source);
        if (!mask_image_.isNull()) p.drawImage(target, mask_image_, source);

        // Grid over the cells: octave lines under each C, then step, beat and bar lines.
        const int y0 = int(std::floor(target.top())), y1 = int(std::ceil(target.bottom()));
        if (pitch_px_ >= 3.0)
            for (int r = r0; r < r1; ++r)
                if ((kPitches - 1 - r) % 12 == 0)
                    p.fillRect(QRect(int(x0), int(std::floor(rowY(b, r + 1))) - 1, int(std::ceil(x1 - x0)) + 1, 1), kOctaveLine);
        for (int c = c0; c <= c1; ++c) {
            const QColor* colour = nullptr;
            if (c % kStepsPerBar == 0) {
                if ((c / kStepsPerBar) % bar_every == 0) colour = &kBarLine;
            } else if (c % kStepsPerQuarter == 0) {
                if (beats) colour = &kBeatLine;
            } else if (steps) {
                colour = &kStepLine;
            }
            if (colour) p.fillRect(QRect(int(std::floor(columnX(c))), y0, 1, y1 - y0), *colour);
        }
        if (folded_ && b + 1 < n) {   // the separator between this band and the next
            const QRectF gap(QPointF(dirty.left(), bottom), QPointF(dirty.left() + dirty.width(), bottom + kBandGap));
            p.fillRect(gap, kBandSeparator);
            p.fillRect(QRectF(gap.left(), bottom + kBandGap / 2 - 1, gap.width(), 2), kBandSeparatorLine);
        }
        if (folded_ && pitch_px_ * kPitches >= 60) {   // which bars this band holds
            const QString label = QStringLiteral("bars %1\u2013%2")
                                      .arg(b * kFoldSteps / kStepsPerBar + 1)
                                      .arg(std::min((b + 1) * kFoldSteps, roll_.width + kStepsPerBar - 1) / kStepsPerBar);
            QFont f = p.font();
            f.setPixelSize(10);
            p.setFont(f);
            const QRectF box(kKeyboardWidth + 4, top + 3, p.fontMetrics().horizontalAdvance(label) + 8, 14);
            if (box.intersects(dirty)) {
                p.fillRect(box, QColor(0, 0, 0, 140));
                p.setPen(kRulerText);
                p.drawText(box, Qt::AlignCenter, label);
            }
        }
    }

    for (const QRectF& r : viewportRects(selection_)) {
        p.fillRect(r, kSelectionFill);
        p.setPen(kSelectionEdge);
        p.setBrush(Qt::NoBrush);
        p.drawRect(r.adjusted(0, 0, -1, -1));
    }
    paintSelectedNotes(p);
    if (playhead_ >= 0) {
        const RollMapper m = mapper();
        p.fillRect(QRectF(std::floor(m.stepX(playhead_)) - 1, m.rowY(m.bandOf(playhead_), 0), 2, kPitches * pitch_px_), kPlayhead);
    }
}

void PianoRollView::paintKeyboard(QPainter& p, const QRect& dirty) {
    p.fillRect(dirty, kBandSeparator);
    QFont f = p.font();
    f.setPixelSize(std::clamp(int(pitch_px_) + 1, 6, 11));
    p.setFont(f);
    const double black_w = kKeyboardWidth * 0.62;
    for (int b = 0; b < bands(); ++b) {
        const double top = rowY(b, 0);
        if (rowY(b, kPitches) <= dirty.top() || top >= dirty.top() + dirty.height()) continue;
        const int r0 = std::clamp(int(std::floor((dirty.top() - top) / pitch_px_)), 0, kPitches);
        const int r1 = std::clamp(int(std::ceil((dirty.top() + dirty.height() - top) / pitch_px_)), 0, kPitches);
        for (int r = r0; r < r1; ++r) {
            const int pitch = kPitches - 1 - r;
            const QRectF key(0, rowY(b, r), kKeyboardWidth - 1, pitch_px_);
            p.fillRect(key, kWhiteKey);
            if (isBlackKey(pitch)) p.fillRect(QRectF(key.left(), key.top(), black_w, key.height()), kBlackKey);
            const int c = pitch % 12;
            if ((c == 0 || c == 5) && pitch_px_ >= 3.0)   // the edge under C and F between two white keys
                p.fillRect(QRectF(0, std::floor(key.bottom()) - 1, kKeyboardWidth - 1, 1), kKeyEdge);
            if (pitch == hover_pitch_) p.fillRect(key, kKeyHover);
            if (c == 0 && pitch_px_ >= 6.0) {
                p.setPen(QColor(60, 60, 66));
                p.drawText(key.adjusted(0, 0, -3, 0), Qt::AlignRight | Qt::AlignVCenter, pitchName(pitch));
            }
        }
    }
    p.fillRect(QRect(kKeyboardWidth - 1, dirty.top(), 1, dirty.height()), kBackground);
}

void PianoRollView::paintRuler(QPainter& p, const QRect& dirty) {
    p.fillRect(dirty, kRulerBackground);
    const RollMapper m = mapper();
    const int cols = m.columns();
    // One bar earlier than the dirty rect so that a number that starts left of it is still drawn.
    const int c0 = std::clamp(int(std::floor(m.columnAt(dirty.left()))) / kStepsPerBar * kStepsPerBar - kStepsPerBar, 0, cols);
    const int c1 = std::clamp(int(std::ceil(m.columnAt(dirty.left() + dirty.width()))), 0, cols);
    const int tick_every = barStride(kStepsPerBar * step_px_, 4.0);
    QFont f = p.font();
    f.setPixelSize(10);
    p.setFont(f);
    const int label_every = barStride(kStepsPerBar * step_px_, p.fontMetrics().horizontalAdvance(QStringLiteral("0000")));
    const bool beats = kStepsPerQuarter * step_px_ >= 6.0;
    p.setPen(kRulerText);
    for (int c = c0; c <= c1; ++c) {
        const int x = int(std::floor(columnX(c)));
        if (c % kStepsPerBar == 0) {
            const int bar = c / kStepsPerBar;
            if (bar % tick_every == 0) p.fillRect(QRect(x, kRulerHeight / 2, 1, kRulerHeight - kRulerHeight / 2), kRulerTick);
            if (bar % label_every == 0 && c < cols) p.drawText(QRect(x + 3, 0, 60, kRulerHeight - 4), Qt::AlignLeft | Qt::AlignBottom, QString::number(bar + 1));
        } else if (beats && c % kStepsPerQuarter == 0) {
            p.fillRect(QRect(x, kRulerHeight - 4, 1, 4), kRulerTick);
        }
    }
    p.fillRect(QRect(dirty.left(), kRulerHeight - 1, dirty.width(), 1), kBackground);
    if (playhead_ >= 0) {   // a marker above the playhead
        const double x = std::floor(stepX(playhead_));
        const QPointF tri[3] = {{x - 5, kRulerHeight - 9.0}, {x + 5, kRulerHeight - 9.0}, {x, kRulerHeight - 1.0}};
        p.setPen(Qt::NoPen);
        p.setBrush(kPlayhead);
        p.drawPolygon(tri, 3);
    }
}

}  // namespace fm::ui
